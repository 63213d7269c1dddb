"""An editor plans a meeting with a three-item agenda in the real Wagtail editor; a reader then finds it."""

import re

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from meetings.factories import MeetingIndexPageFactory
from meetings.models import MeetingPage

AGENDA = [
    ("Accueil des habitants", "15", "La présidente"),
    ("Budget participatif", "60", ""),
    ("Questions diverses", "30", ""),
]
# Stream-level "insert a block" buttons of the agenda (not the sub-items' list buttons).
AGENDA_ADD_BUTTON = "#agenda-root .c-sf-add-button:not([data-streamfield-list-add])"


def test_an_editor_publishes_a_meeting_with_a_three_item_agenda_that_readers_then_find(
    page, live_home, live_server
):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil des Halles", slug="halles"
    )
    council.save_revision().publish()
    index = MeetingIndexPageFactory(parent=council)
    index.save_revision().publish()
    editor = UserFactory(username="editrice-halles")
    council_add_editor(council=council, user=editor)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editrice-halles")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/pages/add/meetings/meetingpage/{index.pk}/")
    page.fill("#id_title", "Séance plénière d'octobre")
    page.fill("#id_start", "2030-10-08 18:30")
    page.keyboard.press("Escape")
    page.fill("#id_end", "2030-10-08 20:30")
    page.keyboard.press("Escape")
    page.fill("#id_place_name", "Maison des associations")
    page.fill("#id_place_address", "12 rue de la République")

    for position, (title, duration, presenter) in enumerate(AGENDA):
        page.locator(AGENDA_ADD_BUTTON).last.click()
        page.locator(f"#agenda-{position}-value-title").fill(title)
        page.locator(f"#agenda-{position}-value-duration").fill(duration)
        if presenter:
            page.locator(f"#agenda-{position}-value-presenter").fill(presenter)
    # An optional sub-item under the second item.
    second_item = page.locator("#agenda-root [data-streamfield-child]").nth(1)
    second_item.locator("[data-streamfield-list-add]").first.click()
    page.locator("#agenda-1-value-sub_items-0-value-title").fill("Projets de la rue Neuve")

    page.locator("footer .w-dropdown--dropdown-button .w-dropdown__toggle").click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{index.pk}/"))

    meeting = MeetingPage.objects.get()
    assert meeting.live
    assert [block.value["title"] for block in meeting.agenda] == [title for title, _d, _p in AGENDA]

    # A reader finds it on the council's meetings page and opens it.
    page.goto(f"{live_server.url}{index.url}")
    page.get_by_role("link", name="Séance plénière d'octobre").click()
    page.wait_for_url(f"{live_server.url}{meeting.url}")
    agenda = page.locator(".meeting__agenda")
    items = agenda.locator(".agenda__item")
    expect(items).to_have_count(3)
    for item, (title, _duration, _presenter) in zip(items.all(), AGENDA, strict=True):
        expect(item.locator(".agenda__title")).to_contain_text(title)
    expect(agenda).to_contain_text("La présidente")
    expect(agenda).to_contain_text("Projets de la rue Neuve")
    expect(items.nth(1).locator(".agenda__time")).to_have_text(re.compile(r"18\s*h\s*45"))
