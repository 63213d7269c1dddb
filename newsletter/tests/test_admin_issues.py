"""The issues' admin: who may open it, writing (privacy refused on save), preview, test send, sending."""

import json
import re

from django.urls import reverse

import pytest

from jobs.models import OutboundEmail
from newsletter.admin_issues import issue_viewset
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory
from newsletter.models import IssueStatus, NewsletterIssue

from . import test_composing_world as shared

world = shared.world
issue = shared.issue

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(issue_viewset.get_url_name(name), args=args)


def every_url(issue):
    """Every URL of this admin for one issue (GET), by name."""
    return [
        url("list"),
        url("add"),
        url("edit", issue.pk),
        url("inspect", issue.pk),
        url("delete", issue.pk),
        url("preview_on_add"),
        url("preview_on_edit", issue.pk),
        url("send_test", issue.pk),
        url("send", issue.pk),
        url("preview_sent", issue.pk),
        url("usage", issue.pk),
        url("history", issue.pk),
        reverse(issue_viewset.chooser_viewset.get_url_name("choose")),
        reverse(issue_viewset.chooser_viewset.get_url_name("chosen"), args=[issue.pk]),
    ]


@pytest.fixture
def staff_client(client, city_staff):
    city_staff.email = "ville@example.org"
    city_staff.save()
    client.force_login(city_staff)
    return client


def form_data(world, **overrides):
    data = {
        "subject": "Lettre de décembre",
        "lists": [world["city_list"].pk, world["a_list"].pk],
        "intro": json.dumps(
            {
                "blocks": [
                    {
                        "key": "a",
                        "type": "unstyled",
                        "text": "Bonjour à toutes et à tous.",
                        "depth": 0,
                        "inlineStyleRanges": [],
                        "entityRanges": [],
                    }
                ],
                "entityMap": {},
            }
        ),
        "body-count": "0",
        "include_latest": "on",
        "period_start": "",
    }
    data.update(overrides)
    return data


def body_with(block_type, value):
    return {
        "body-count": "1",
        "body-0-type": block_type,
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "b1",
        **{f"body-0-value-{key}": item for key, item in value.items()},
    }


# -- Who may open it ------------------------------------------------------------------------------------


def test_council_editors_get_403_and_members_the_sign_in_on_every_url(
    client, world, issue, editor_a, member_a
):
    for user, refused in ((editor_a, 403), (member_a, 302)):  # members have no admin access at all
        client.force_login(user)
        for address in every_url(issue):
            for response in (client.get(address), client.post(address)):
                assert response.status_code == refused, (user.username, address)
                assert "Lettre de novembre" not in response.content.decode()
                if refused == 302:
                    assert response["Location"].startswith("/admin/login/")
    assert NewsletterIssue.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_the_city_team_opens_the_list_and_the_edit_form(staff_client, world, issue):
    response = staff_client.get(url("list"))
    assert response.status_code == 200
    assert "Lettre de novembre" in response.content.decode()
    response = staff_client.get(url("edit", issue.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="lists"' in content and 'type="checkbox"' in content
    assert url("send_test", issue.pk) in content and url("send", issue.pk) in content


def test_the_menu_shows_for_the_team_only(client, staff_client, world, editor_a):
    assert "/admin/lettre/numeros/" in staff_client.get("/admin/").content.decode()
    client.force_login(editor_a)
    assert "/admin/lettre/numeros/" not in client.get("/admin/").content.decode()


def test_an_issue_being_sent_or_sent_is_read_only(staff_client, world, issue):
    for status in (IssueStatus.SENDING, IssueStatus.SENT):
        NewsletterIssue.objects.filter(pk=issue.pk).update(status=status)
        # The team is shown the issue instead, with a message saying why it cannot be changed.
        response = staff_client.get(url("edit", issue.pk), follow=True)
        assert response.redirect_chain == [(url("inspect", issue.pk), 302)]
        assert "Ce numéro a été envoyé : il ne peut plus être modifié." in response.content.decode()
        assert staff_client.post(url("edit", issue.pk), form_data(world)).status_code == 302
        assert staff_client.get(url("delete", issue.pk)).status_code == 403
        assert staff_client.get(url("send", issue.pk)).status_code == 403
        assert staff_client.get(url("inspect", issue.pk)).status_code == 200
    assert NewsletterIssue.objects.get(pk=issue.pk).subject == "Lettre de novembre"


# -- Writing ----------------------------------------------------------------------------------------------


def test_the_team_creates_an_issue(staff_client, world):
    response = staff_client.post(url("add"), form_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = NewsletterIssue.objects.get(subject="Lettre de décembre")
    assert set(created.lists.all()) == {world["city_list"], world["a_list"]}
    assert created.status == IssueStatus.DRAFT


@pytest.mark.parametrize(
    ("block_type", "key", "value"),
    [
        ("page", "members_post", lambda pk: {"page": pk, "text": ""}),
        ("page", "group_meeting", lambda pk: {"page": pk, "text": ""}),
        ("page", "sandbox_post", lambda pk: {"page": pk, "text": ""}),
        ("document", "private_document", lambda pk: {"document": pk, "label": ""}),
        ("image", "private_image", lambda pk: {"image": pk, "alt_text": "Une photo", "decorative": ""}),
    ],
)
def test_a_private_item_is_refused_on_save_with_a_french_message_naming_it(
    staff_client, world, issue, block_type, key, value
):
    response = staff_client.post(
        url("edit", issue.pk), form_data(world, **body_with(block_type, value(world[key].pk)))
    )
    assert response.status_code == 200
    content = response.content.decode()
    errors = " ".join(str(e) for e in response.context["form"].errors.values())
    assert world[key].title in errors, errors
    assert "Lettre de décembre" in content  # what was typed is kept
    # Waits for the French catalogue:
    assert "n’est pas publique" in errors or "est privé" in errors, errors
    issue.refresh_from_db()
    assert issue.subject == "Lettre de novembre" and len(issue.body) == 0


def test_a_rich_text_link_to_a_private_page_is_refused_in_the_intro(staff_client, world, issue):
    intro = {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "text": "Voir ceci.",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 5, "length": 4, "key": 0}],
            }
        ],
        "entityMap": {
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"id": world["members_event"].pk}}
        },
    }
    response = staff_client.post(url("edit", issue.pk), form_data(world, intro=json.dumps(intro)))
    assert response.status_code == 200
    assert "Rencontre Cormoran" in response.content.decode()
    issue.refresh_from_db()
    assert issue.subject == "Lettre de novembre"


# -- Preview --------------------------------------------------------------------------------------------


def test_the_preview_shows_the_html_email_and_its_plain_text(staff_client, world, issue):
    data = form_data(world, **body_with("heading", {"text": "Le mot du maire", "level": "h2"}))
    response = staff_client.post(url("preview_on_edit", issue.pk), data)
    assert response.json() == {"is_valid": True, "is_available": True}
    html = staff_client.get(url("preview_on_edit", issue.pk)).content.decode()
    assert '<html lang="fr"' in html and "Le mot du maire" in html
    assert "Nouvelle du Centre" in html and "%%" not in html
    text = staff_client.get(url("preview_on_edit", issue.pk) + "?mode=text").content.decode()
    assert "<pre" in text and "Le mot du maire\n" in text and "Nouvelle du Centre" in text


def test_the_preview_of_a_new_issue_uses_the_lists_chosen_in_the_form(staff_client, world):
    data = form_data(world, lists=[world["b_list"].pk])
    assert staff_client.post(url("preview_on_add"), data).json()["is_valid"]
    html = staff_client.get(url("preview_on_add")).content.decode()
    assert "Nouvelle de Biollay" in html and "Nouvelle du Centre" not in html


def test_the_preview_costs_the_same_queries_with_ten_times_the_content(
    staff_client, world, issue, django_assert_max_num_queries
):
    from events.tests.helpers import meeting_publish

    from .test_composing_world import NOW, blog_of, post_publish

    def preview_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url("preview_on_edit", issue.pk)).status_code == 200
        return len(captured.captured_queries)

    staff_client.post(url("preview_on_edit", issue.pk), form_data(world))
    few = preview_queries()
    from datetime import timedelta

    for n in range(9):
        post_publish(blog_of(world["council_a"]), f"Brève {n}", slug=f"breve-{n}")
        meeting_publish(world["council_a"], title=f"Séance {n}", start=NOW + timedelta(days=20 + n))
    many = preview_queries()
    assert many <= few, (few, many)
    with django_assert_max_num_queries(few):
        staff_client.get(url("preview_on_edit", issue.pk))


# -- Test send, send ----------------------------------------------------------------------------------------


def test_send_me_a_test_queues_one_email_to_the_user(staff_client, world, issue):
    assert staff_client.get(url("send_test", issue.pk)).status_code == 200
    response = staff_client.post(url("send_test", issue.pk))
    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.to == "ville@example.org"
    assert email.subject == "[Test] Lettre de novembre"
    assert "Nouvelle du Centre" in email.body_text and "Nouvelle du Centre" in email.body_html
    assert NewsletterIssue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


def test_the_send_page_counts_recipients_once_and_starts_sending(staff_client, world, issue, monkeypatch):
    SubscriberFactory(lists=[world["city_list"], world["a_list"]])
    SubscriberFactory(lists=[world["a_list"]])
    SubscriberFactory(lists=[world["b_list"]])
    response = staff_client.get(url("send", issue.pk))
    assert response.status_code == 200
    assert response.context["recipient_count"] == 2
    assert response.context["problems"] == []
    calls = []
    from newsletter import sending

    monkeypatch.setattr(sending, "issue_send_start", lambda **kwargs: calls.append(kwargs) or 2)
    response = staff_client.post(url("send", issue.pk))
    assert response.status_code == 302
    assert calls and calls[0]["issue"].pk == issue.pk


def test_sending_is_blocked_by_a_page_made_private_after_saving(staff_client, world, issue, monkeypatch):
    SubscriberFactory(lists=[world["city_list"]])
    issue.body = [{"type": "page", "value": {"page": world["a_post"].pk, "text": ""}}]
    issue.save()
    shared.members_only(world["a_post"], world["council_a"])
    response = staff_client.get(url("send", issue.pk))
    assert [p for p in response.context["problems"] if "Nouvelle du Centre" in p]
    assert '<form method="post">' not in response.content.decode()
    from newsletter import sending

    monkeypatch.setattr(sending, "issue_send_start", lambda **kwargs: pytest.fail("must not send"))
    response = staff_client.post(url("send", issue.pk))
    assert response.status_code == 200
    assert NewsletterIssue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


# -- The web archive ------------------------------------------------------------------------------------------


def test_the_archive_shows_a_sent_issue_only_without_personal_links(client, world, issue):
    archive = reverse("newsletter:issue", args=[issue.pk])
    assert client.get(archive).status_code == 404
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, send_requested_at=shared.NOW, sent_at=shared.NOW
    )
    response = client.get(archive)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lettre de novembre" in content and "Nouvelle du Centre" in content
    assert "%%" not in content and "desinscription" not in content
    assert shared.PRIVATE_MARK not in content.lower()
    assert "public" in response.get("Cache-Control", "")
    assert client.get(reverse("newsletter:issue", args=[999999])).status_code == 404


def test_the_archive_drops_what_became_private_since_sending(client, world, issue):
    issue.body = [{"type": "page", "value": {"page": world["city_event"].pk, "text": "À ne pas manquer."}}]
    issue.save()
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, send_requested_at=shared.NOW, sent_at=shared.NOW
    )
    archive = reverse("newsletter:issue", args=[issue.pk])
    assert "Nouvelle du Centre" in client.get(archive).content.decode()
    shared.members_only(world["a_post"], world["council_a"])
    shared.members_only(world["city_event"], world["council_a"])
    content = client.get(archive).content.decode()
    assert "Nouvelle du Centre" not in content
    assert "Rencontre de la ville" not in content


def test_a_draft_issue_has_no_archive(client, world):
    draft = NewsletterIssueFactory()
    assert client.get(reverse("newsletter:issue", args=[draft.pk])).status_code == 404


def test_sending_for_real_freezes_the_issue_and_goes_to_its_progress(
    staff_client, world, issue, django_capture_on_commit_callbacks
):
    SubscriberFactory(lists=[world["city_list"], world["a_list"]], email="lectrice@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("send", issue.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter_sending:progress", args=[issue.pk])
    issue.refresh_from_db()
    assert issue.status in (IssueStatus.SENDING, IssueStatus.SENT)
    assert "%%UNSUBSCRIBE_URL%%" in issue.frozen["html"] and "Nouvelle du Centre" in issue.frozen["text"]
    # Now read-only, and its web version exists.
    assert staff_client.get(url("edit", issue.pk))["Location"] == url("inspect", issue.pk)  # read-only now
    assert staff_client.get(reverse("newsletter:issue", args=[issue.pk])).status_code == 200


def test_a_sent_issue_is_shown_read_only_with_its_email(staff_client, world, issue):
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT,
        sent_at=shared.NOW,
        frozen={"subject": "Lettre de novembre", "html": "<p>Figée %%UNSUBSCRIBE_URL%%</p>", "text": "Figée"},
    )
    content = staff_client.get(url("inspect", issue.pk)).content.decode()
    values = re.findall(r"<dd[^>]*>\s*(.*?)\s*</dd>", content, re.S)
    assert values and "None" not in values and "True" not in values, values
    assert url("preview_sent", issue.pk) in content
    assert url("edit", issue.pk) not in content
    sent = staff_client.get(url("preview_sent", issue.pk)).content.decode()
    assert "Figée http://testserver/lettre/" in sent


def test_a_subject_on_two_lines_is_refused_in_french(staff_client, world):
    response = staff_client.post(url("add"), form_data(world, subject="Lettre\r\nBcc: victime@example.org"))
    assert response.status_code == 200
    assert "L’objet doit tenir sur une seule ligne." in response.content.decode()
    assert not NewsletterIssue.objects.filter(subject__startswith="Lettre\r").exists()
