"""The city's report queue: who may open it, unpublishing with a note, dismissing — all recorded."""

from django.urls import reverse

from wagtail.models import PageLogEntry

import pytest

from councils.factories import UserFactory
from councils.services import council_add_editor
from moderation.models import ContentReport, ReportReason, ReportStatus
from moderation.services import LOG_DISMISS, LOG_UNPUBLISH, page_unpublish_with_note, report_create


@pytest.fixture
def report_a(page_a):
    return report_create(page=page_a, reason=ReportReason.PERSONAL_DATA, message="Mon adresse est publiée.")


def _moderation_urls(report):
    return [
        reverse("moderation_reports"),
        reverse("moderation_reports") + "?statut=traites",
        reverse("moderation_report_unpublish", args=[report.pk]),
        reverse("moderation_report_dismiss", args=[report.pk]),
        reverse("moderation_oversight"),
    ]


@pytest.mark.parametrize("role", ["editor_a", "member_a", "editor_b"])
def test_council_editors_and_members_get_403_on_every_moderation_url(
    client, request, report_a, council_b, role
):
    if role == "editor_b":
        user = UserFactory(username="editeur-biollay")
        council_add_editor(council=council_b, user=user)
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)
    for url in _moderation_urls(report_a):
        for method in (client.get, client.post):
            response = method(url, {"note": "Je dépublie."})
            assert response.status_code in (403, 302), url
            if response.status_code == 302:
                # Members have no admin access at all: Wagtail sends them to sign in.
                assert role == "member_a" and "/admin/login/" in response["Location"]
            assert report_a.page.title not in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.OPEN
    report_a.page.refresh_from_db()
    assert report_a.page.live


def test_editors_get_a_real_403_not_a_redirect(client, editor_a, report_a):
    client.force_login(editor_a)
    assert client.get(reverse("moderation_reports")).status_code == 403
    assert client.get(reverse("moderation_oversight")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, report_a):
    response = client.get(reverse("moderation_reports"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_city_sees_open_reports_with_page_council_reason_and_message(
    client, city_staff, report_a, council_a
):
    client.force_login(city_staff)
    html = client.get(reverse("moderation_reports")).content.decode()
    assert report_a.page.title in html
    assert council_a.title in html
    assert "Mon adresse est publiée." in html
    assert reverse("moderation_report_unpublish", args=[report_a.pk]) in html
    assert reverse("moderation_report_dismiss", args=[report_a.pk]) in html


def test_the_menu_shows_the_open_report_count_to_the_city_only(client, city_staff, editor_a, report_a):
    client.force_login(city_staff)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "moderation-reports" in html and "(1)" in html
    assert "moderation-oversight" in html
    client.force_login(editor_a)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "moderation-reports" not in html and "moderation-oversight" not in html


def test_superusers_may_moderate_too(client, report_a):
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("moderation_reports")).status_code == 200


def test_unpublishing_with_a_note_takes_the_page_offline_records_emails_and_closes_reports(
    client, city_staff, editor_a, report_a, page_a, mailoutbox, django_capture_on_commit_callbacks
):
    second = report_create(page=page_a, reason=ReportReason.OTHER, message="")
    client.force_login(city_staff)
    url = reverse("moderation_report_unpublish", args=[report_a.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Une adresse personnelle y figure : retirez-la."})
    assert response.status_code == 302
    page_a.refresh_from_db()
    assert not page_a.live
    entry = PageLogEntry.objects.get(page=page_a, action=LOG_UNPUBLISH)
    assert entry.user_id == city_staff.pk
    assert entry.data["note"] == "Une adresse personnelle y figure : retirez-la."
    assert entry.comment == "Une adresse personnelle y figure : retirez-la."
    for report in (report_a, second):
        report.refresh_from_db()
        assert report.status == ReportStatus.ACTIONED
        assert report.handled_by == city_staff and report.handled_at is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [editor_a.email]
    assert "Une adresse personnelle y figure : retirez-la." in mail.body
    assert page_a.title in mail.subject
    assert reverse("wagtailadmin_pages:edit", args=[page_a.pk]) in mail.body


def test_the_note_is_required_to_unpublish(client, city_staff, report_a, page_a):
    client.force_login(city_staff)
    response = client.post(reverse("moderation_report_unpublish", args=[report_a.pk]), {"note": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    page_a.refresh_from_db()
    assert page_a.live


def test_only_the_councils_own_editors_are_emailed(
    council_a, council_b, editor_a, page_a, city_staff, mailoutbox, django_capture_on_commit_callbacks
):
    other = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=other)
    inactive = UserFactory(username="ancien-editeur", is_active=False)
    council_add_editor(council=council_a, user=inactive)
    with django_capture_on_commit_callbacks(execute=True):
        page_unpublish_with_note(page=page_a, by=city_staff, note="Hors sujet.")
    assert [m.to for m in mailoutbox] == [[editor_a.email]]


def test_the_city_can_unpublish_a_page_its_editor_locked(city_staff, editor_a, page_a):
    page_a.locked, page_a.locked_by = True, editor_a
    page_a.save(update_fields=["locked", "locked_by"])
    page_unpublish_with_note(page=page_a, by=city_staff, note="Urgent.")
    page_a.refresh_from_db()
    assert not page_a.live


def test_dismissing_keeps_the_page_online_and_records_the_decision(
    client, city_staff, report_a, page_a, mailoutbox
):
    client.force_login(city_staff)
    response = client.post(
        reverse("moderation_report_dismiss", args=[report_a.pk]), {"note": "Information exacte."}
    )
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DISMISSED
    assert (report_a.handled_by, report_a.note) == (city_staff, "Information exacte.")
    page_a.refresh_from_db()
    assert page_a.live
    assert PageLogEntry.objects.filter(page=page_a, action=LOG_DISMISS, user=city_staff).exists()
    assert mailoutbox == []
    handled = client.get(reverse("moderation_reports") + "?statut=traites").content.decode()
    assert "Information exacte." in handled
    assert (
        reverse("moderation_report_dismiss", args=[report_a.pk])
        not in client.get(reverse("moderation_reports")).content.decode()
    )


def test_a_handled_report_cannot_be_handled_again(client, city_staff, report_a):
    client.force_login(city_staff)
    client.post(reverse("moderation_report_dismiss", args=[report_a.pk]), {"note": ""})
    again = client.post(reverse("moderation_report_unpublish", args=[report_a.pk]), {"note": "Trop tard."})
    assert again.status_code == 404
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DISMISSED


def test_the_page_history_shows_the_moderation_entries_in_its_own_words(client, city_staff, page_a, report_a):
    page_unpublish_with_note(page=page_a, by=city_staff, note="Note pour l'historique.")
    client.force_login(city_staff)
    response = client.get(reverse("wagtailadmin_pages:history", args=[page_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Note pour l&#x27;historique." in html or "Note pour l'historique." in html
    assert ContentReport.objects.filter(page=page_a, status=ReportStatus.ACTIONED).count() == 1
