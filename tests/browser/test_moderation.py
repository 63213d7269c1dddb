"""Moderation in a real browser: a reader reports a page, the city unpublishes it with a note that reaches
the council's editor, and follows every council — at phone and desktop widths, with no axe violation."""

import os
import tempfile
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from wagtail.models import Page

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group, council_add_editor
from home.models import StandardPage
from moderation.models import ContentReport, ReportStatus

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _council(title, slug):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title=title, slug=slug)
    council.save_revision().publish()
    return council


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [n["html"][:120] for n in v["nodes"][:3]]) for v in violations]


def _fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_reader_reports_a_page_and_the_city_unpublishes_it_with_a_note(
    page, live_home, live_server, mailoutbox
):
    centre = _council("Conseil de quartier Centre", "centre")
    biollay = _council("Conseil de quartier Biollay", "biollay")
    long_ago = timezone.now() - timedelta(days=75)
    Page.objects.descendant_of(biollay, inclusive=True).update(last_published_at=long_ago)
    fete = StandardPage(title="Fête de la rue Neuve", slug="fete", intro="Samedi, place du Marché.")
    centre.add_child(instance=fete)
    fete.save_revision().publish()
    editor = UserFactory(username="editeur-centre", email="editrice@example.org")
    council_add_editor(council=centre, user=editor)
    city = UserFactory(username="ville")
    city.groups.add(communications_team_group())

    # A reader finds the link at the bottom of the page and reports it.
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + fete.url)
    page.get_by_role("link", name="Signaler ce contenu").click()
    expect(page.locator("h1")).to_have_text("Signaler ce contenu")
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        page.reload()  # as loaded on that device (Wagtail's sidebar settles at load)
        _shot(page, f"report-form-{label}")
        assert _axe_violations(page) == []
        assert _fits_the_width(page)
    # Submitting without a reason: the error is announced and linked to the question.
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator(".report__errors")).to_be_visible()
    _shot(page, "report-form-error-desktop")
    assert _axe_violations(page) == []
    page.get_by_label("Propos injurieux ou haineux").check()
    page.get_by_label("Votre message (facultatif)").fill("Des propos insultants envers un voisin.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_contain_text("Merci")
    assert ContentReport.objects.get().status == ReportStatus.OPEN

    # The city sees it in its queue and unpublishes the page with a note.
    _sign_in(page, live_server, "ville")
    expect(page.locator("#parvis-oversight-heading")).to_be_visible()
    page.goto(f"{live_server.url}/admin/signalements/")
    expect(page.locator("main")).to_contain_text("Fête de la rue Neuve")
    expect(page.locator("main")).to_contain_text("Des propos insultants envers un voisin.")
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        page.reload()  # as loaded on that device (Wagtail's sidebar settles at load)
        _shot(page, f"admin-reports-{label}")
        assert _axe_violations(page) == []
        assert _fits_the_width(page)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Dépublier avec une note").first.click()
    page.get_by_label("Note aux éditeurs du conseil").fill("Retirez le nom du voisin, puis republiez.")
    _shot(page, "admin-report-unpublish-desktop")
    assert _axe_violations(page) == []
    page.get_by_role("button", name="Dépublier et envoyer la note").click()
    expect(page.locator(".messages")).to_contain_text("Fête de la rue Neuve")

    fete.refresh_from_db()
    assert not fete.live
    assert ContentReport.objects.get().status == ReportStatus.ACTIONED
    notes = [m for m in mail.outbox if "editrice@example.org" in m.to]
    assert notes and "Retirez le nom du voisin, puis republiez." in notes[0].body

    # The public no longer sees it.
    response = page.goto(live_server.url + "/conseils/centre/fete/")
    assert response.status == 404

    # Following every council.
    page.goto(f"{live_server.url}/admin/suivi-des-conseils/")
    expect(page.locator("main")).to_contain_text("Conseil de quartier Biollay")
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        page.reload()  # as loaded on that device (Wagtail's sidebar settles at load)
        _shot(page, f"admin-oversight-{label}")
        assert _axe_violations(page) == []
        assert _fits_the_width(page) or label == "desktop"
    rows = page.locator("table.parvis-oversight tbody tr")
    expect(rows.first).to_contain_text("Conseil de quartier Biollay")
    expect(rows.first).to_contain_text("En sommeil")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#parvis-oversight-heading")).to_be_visible()
    _shot(page, "admin-dashboard-city-desktop")
    assert _axe_violations(page) == []
