"""Hand-over in a real browser: the communications team invites a resident as editor from the council's
"Membres" screen, the email's link sets a password, and the resident lands on the admin dashboard."""

import os
import re
import tempfile

from django.core import mail

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group, council_add_editor, council_add_member

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Un-long-mot-de-passe-42"


def _shoot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _all_axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def test_the_city_invites_an_editor_who_sets_a_password_and_lands_on_the_dashboard(
    page, live_home, live_server
):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier Centre", slug="centre"
    )
    council.save_revision().publish()
    staff = UserFactory(username="ville", first_name="Camille", last_name="Durand")
    staff.groups.add(communications_team_group())
    council_add_editor(
        council=council, user=UserFactory(username="editeur-centre", first_name="Jeanne", last_name="Morel")
    )
    council_add_member(
        council=council, user=UserFactory(username="membre-centre", first_name="Karim", last_name="Benali")
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ville")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    members_url = f"{live_server.url}/admin/membres/{council.pk}/"
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        page.goto(members_url)
        expect(page.locator("h1")).to_contain_text("Conseil de quartier Centre")
        _shoot(page, f"members-admin-{label}")

    page.fill("input[name=email]", "alice.martin@example.org")
    page.check("input[name=role][value=editor]")
    page.click("form button[type=submit]:has-text('invitation')")
    page.wait_for_url(members_url)
    expect(page.locator(".messages")).to_contain_text("alice.martin@example.org")
    expect(page.locator("#pending-heading")).to_be_visible()
    _shoot(page, "members-admin-invited-desktop")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/invitation/[^/\s]+/)", mail.outbox[0].body).group(1)
    page.context.clear_cookies()  # the resident's own browser

    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        response = page.goto(live_server.url + link)
        assert response.status == 200
        expect(page.locator("h1")).to_have_text("Choisissez votre mot de passe")
        assert page.locator("html").get_attribute("lang") == "fr"
        violations = _all_axe_violations(page)
        assert violations == [], [(v["id"], v["impact"], v["nodes"][0]["html"]) for v in violations]
        _shoot(page, f"invitation-{label}")

    # A password refused first (too short): French errors, still accessible.
    page.fill("#id_new_password1", "court")
    page.fill("#id_new_password2", "court")
    page.click("form.invitation-form button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("trop court")
    violations = _all_axe_violations(page)
    assert violations == [], [(v["id"], v["impact"], v["nodes"][0]["html"]) for v in violations]
    _shoot(page, "invitation-errors-desktop")

    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("form.invitation-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    _shoot(page, "invitation-dashboard-desktop")

    # The link was single-use.
    page.context.clear_cookies()
    assert page.goto(live_server.url + link).status == 410
