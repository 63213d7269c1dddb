"""A reader reports a page: /signaler/<page id>/ (a form page of its own, so cached pages hold no token)."""

from django.urls import reverse

from wagtail.models import PageLogEntry

import pytest

from home.models import StandardPage
from moderation.models import ContentReport, ReportReason, ReportStatus
from moderation.services import LOG_REPORT, REPORTS_PER_HOUR

from .conftest import standard_page


def _url(page):
    return reverse("moderation_report", args=[page.pk])


def _post(client, page, **data):
    return client.post(
        _url(page), {"reason": ReportReason.OFFENSIVE, "message": "Propos insultants.", **data}
    )


def test_a_council_page_and_its_pages_carry_the_report_link(client, council_a, page_a):
    for page in (council_a, page_a):
        html = client.get(page.url).content.decode()
        assert f'href="{_url(page)}"' in html
        assert "Signaler ce contenu" in html or "Report this content" in html


def test_pages_outside_councils_and_the_sandbox_have_no_report_link(client, home, council_factory):
    about = standard_page(home, "À propos", "a-propos")
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    training = standard_page(sandbox, "Essai", "essai")
    for page in (home, about):
        assert "/signaler/" not in client.get(page.url).content.decode()
    assert 'href="/signaler/' not in client.get(training.url).content.decode()


def test_the_form_page_shows_the_reasons_in_a_fieldset_and_keeps_no_public_cache(client, page_a):
    response = client.get(_url(page_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<fieldset" in html and "<legend" in html
    for value, _label in ReportReason.choices:
        assert f'value="{value}"' in html
    assert page_a.title in html
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_valid_report_is_saved_and_the_reader_is_thanked(client, page_a):
    response = _post(client, page_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation_report_done", args=[page_a.pk])
    report = ContentReport.objects.get()
    assert (report.page_id, report.reason, report.message, report.status) == (
        page_a.pk,
        ReportReason.OFFENSIVE,
        "Propos insultants.",
        ReportStatus.OPEN,
    )
    assert PageLogEntry.objects.filter(page=page_a, action=LOG_REPORT).exists()
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert f'href="{page_a.url}"' in done.content.decode(), "a way back to the page"
    assert "no-cache" in done["Cache-Control"]


def test_a_report_without_reason_is_refused_with_a_linked_error_and_nothing_saved(client, page_a):
    response = client.post(_url(page_a), {"message": "Sans motif"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="reason-error"' in html and 'id="reason-error"' in html
    assert "Sans motif" in html, "what the reader typed is kept"
    assert not ContentReport.objects.exists()


def test_a_too_long_message_is_refused_and_tied_to_its_field(client, page_a):
    response = _post(client, page_a, message="x" * 2001)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and 'id="id_message-error"' in html
    assert not ContentReport.objects.exists()


def test_a_filled_honeypot_saves_nothing_but_answers_like_a_success(client, page_a):
    response = _post(client, page_a, site_web="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation_report_done", args=[page_a.pk])
    assert not ContentReport.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, page_a):
    html = client.get(_url(page_a)).content.decode()
    trap = html[html.index("report-form__trap") - 20 :]
    trap = trap[: trap.index("</div>")]
    assert 'aria-hidden="true"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap


def test_too_many_reports_from_one_address_get_a_429_in_french(client, page_a):
    for _attempt in range(REPORTS_PER_HOUR):
        assert _post(client, page_a).status_code == 302
    response = _post(client, page_a)
    assert response.status_code == 429
    assert ContentReport.objects.count() == REPORTS_PER_HOUR
    html = response.content.decode()
    assert "Trop de signalements" in html or "Too many reports" in html
    # Another address is not held back.
    other = client.post(_url(page_a), {"reason": ReportReason.SPAM}, REMOTE_ADDR="192.0.2.44", follow=False)
    assert other.status_code == 302


def test_the_rate_limit_keeps_no_address_in_clear(client, page_a):
    from django.core.cache import cache

    _post(client, page_a, REMOTE_ADDR="198.51.100.7")
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys, "the local-memory cache holds the counter"
    assert not any("198.51.100.7" in str(key) for key in keys)


def test_a_members_only_page_is_a_404_without_its_title_for_the_public(client, members_page_a):
    for method in (client.get, client.post):
        response = method(_url(members_page_a))
        assert response.status_code == 404
        assert members_page_a.title not in response.content.decode()
    assert not ContentReport.objects.exists()


def test_a_member_may_report_the_members_only_page_they_can_read(client, members_page_a, member_a):
    client.force_login(member_a)
    assert client.get(_url(members_page_a)).status_code == 200
    assert _post(client, members_page_a).status_code == 302
    assert ContentReport.objects.filter(page=members_page_a).exists()


def test_another_councils_member_gets_a_404_on_a_members_only_page(client, members_page_a, council_b):
    from councils.factories import UserFactory
    from councils.services import council_add_member

    stranger = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=stranger)
    client.force_login(stranger)
    response = client.get(_url(members_page_a))
    assert response.status_code == 404
    assert members_page_a.title not in response.content.decode()


@pytest.mark.parametrize("state", ["draft", "sandbox", "missing"])
def test_drafts_sandbox_pages_and_unknown_ids_cannot_be_reported(client, council_a, council_factory, state):
    if state == "draft":
        page = StandardPage(title="Brouillon secret", slug="brouillon", live=False)
        council_a.add_child(instance=page)
        url = _url(page)
    elif state == "sandbox":
        sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
        page = standard_page(sandbox, "Essai secret", "essai")
        url = _url(page)
    else:
        page, url = None, reverse("moderation_report", args=[987654])
    response = client.get(url)
    assert response.status_code == 404
    if page is not None:
        assert page.title not in response.content.decode()
