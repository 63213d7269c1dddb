"""A volunteer's whole journey, in a real browser: handed a council, publishing, moderated.

The communications team invites a resident as editor → the email's link sets a password → the resident
lands on their dashboard (phone and desktop, axe-core: no violation) → publishes a meeting with a
three-item agenda from the dashboard → a reader reports it → the team unpublishes it with a note → the
editor receives the note. The clicks the volunteer needs to publish the meeting are counted: the README
quotes the figure.
"""

import os
import re
import tempfile

from django.core import mail

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group
from meetings.models import MeetingPage
from moderation.models import ContentReport
from tests.browser.conftest import axe_violations

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Un-long-mot-de-passe-42"
AGENDA = [("Accueil des habitants", "15"), ("Budget participatif", "60"), ("Questions diverses", "30")]
AGENDA_ADD_BUTTON = "#agenda-root .c-sf-add-button:not([data-streamfield-list-add])"
# What the volunteer clicks to publish the meeting, from the dashboard (typing is not counted).
CLICKS_TO_PUBLISH_A_MEETING = 6


def _shoot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_resident_is_handed_a_council_publishes_a_meeting_and_is_told_when_the_city_unpublishes_it(
    page, live_home, live_server
):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier Centre", slug="centre"
    )
    council.save_revision().publish()
    city = UserFactory(username="ville")
    city.groups.add(communications_team_group())

    # 1. The communications team invites Alice as the council's editor.
    _sign_in(page, live_server, "ville")
    page.goto(f"{live_server.url}/admin/membres/{council.pk}/")
    page.fill("input[name=email]", "alice.martin@example.org")
    page.check("input[name=role][value=editor]")
    page.click("form button[type=submit]:has-text('invitation')")
    expect(page.locator(".messages")).to_contain_text("alice.martin@example.org")
    invitation = mail.outbox[-1]
    assert invitation.to == ["alice.martin@example.org"]
    link = re.search(r"https?://\S+(/invitation/[^/\s]+/)", invitation.body).group(1)

    # 2. Alice, in her own browser, sets her password from the email and lands on her dashboard.
    page.context.clear_cookies()
    page.goto(live_server.url + link)
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("form.invitation-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    panel = page.locator("[data-parvis-my-councils]")
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        page.reload()
        expect(panel).to_contain_text("Conseil de quartier Centre")
        _shoot(page, f"journey-dashboard-{label}")
        violations = axe_violations(page, context="[data-parvis-my-councils]")
        assert violations == [], [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]

    # 3. From the dashboard she publishes a meeting with a three-item agenda, counting her clicks.
    clicks = 0
    panel.get_by_role("link", name="Ajouter une réunion").click()
    clicks += 1
    page.fill("#id_title", "Séance plénière de décembre")
    page.locator("#id_title").press("Tab")
    page.fill("#id_start", "2030-12-08 18:30")
    page.keyboard.press("Escape")
    page.fill("#id_end", "2030-12-08 20:30")
    page.keyboard.press("Escape")
    page.fill("#id_place_name", "Maison des associations")
    for position, (title, duration) in enumerate(AGENDA):
        page.locator(AGENDA_ADD_BUTTON).last.click()
        clicks += 1
        page.locator(f"#agenda-{position}-value-title").fill(title)
        page.locator(f"#agenda-{position}-value-duration").fill(duration)
    page.locator("footer .w-dropdown--dropdown-button .w-dropdown__toggle").click()
    page.locator("button[name=action-publish]").click()
    clicks += 2
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    meeting = MeetingPage.objects.get(title="Séance plénière de décembre")
    assert meeting.live
    assert [block.value["title"] for block in meeting.agenda] == [title for title, _duration in AGENDA]
    assert clicks == CLICKS_TO_PUBLISH_A_MEETING

    # 4. A reader reports it.
    page.context.clear_cookies()
    page.goto(live_server.url + meeting.url)
    page.get_by_role("link", name="Signaler ce contenu").click()
    page.get_by_label("Propos injurieux ou haineux").check()
    page.get_by_label("Votre message (facultatif)").fill("Un voisin y est nommé.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("h1")).to_contain_text("Merci")
    assert ContentReport.objects.filter(page=meeting).count() == 1

    # 5. The team unpublishes it with a note.
    page.context.clear_cookies()
    _sign_in(page, live_server, "ville")
    page.goto(f"{live_server.url}/admin/signalements/")
    page.get_by_role("link", name="Dépublier avec une note").first.click()
    page.get_by_label("Note aux éditeurs du conseil").fill("Retirez le nom du voisin, puis republiez.")
    page.get_by_role("button", name="Dépublier et envoyer la note").click()
    expect(page.locator(".messages")).to_contain_text("Séance plénière de décembre")
    meeting.refresh_from_db()
    assert not meeting.live

    # 6. Alice receives the note.
    notes = [m for m in mail.outbox if "alice.martin@example.org" in m.to and m is not invitation]
    assert notes, [m.subject for m in mail.outbox]
    assert "Retirez le nom du voisin, puis republiez." in notes[-1].body
