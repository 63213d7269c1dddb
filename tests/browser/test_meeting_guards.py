"""Guards a volunteer needs, in a real browser: past and cancelled meetings stop inviting people, the
cancellation reason shows only while "Cancelled" is chosen, and the meetings listing shows date and
status. Screenshots at phone and desktop widths land in $SCREENSHOT_DIR (default: a temp folder)."""

import os
import tempfile
from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from events.tests.helpers import meeting_index_for
from meetings.factories import MeetingPageFactory, agenda_item
from meetings.models import MeetingFormat, MeetingStatus

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VISIO = "https://visio.example.org/conseil-des-halles"


def _publish(page):
    page.save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)


@pytest.fixture
def meetings(live_home):
    council = _publish(
        CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title="Conseil des Halles", slug="halles")
    )
    index = meeting_index_for(council)
    evening = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)
    online = {"format": MeetingFormat.HYBRID, "online_url": VISIO}

    def meeting(title, slug, start, **fields):
        return _publish(
            MeetingPageFactory(
                parent=index,
                title=title,
                slug=slug,
                start=start,
                end=start + timedelta(hours=2),
                agenda=[agenda_item("Accueil", duration=15), agenda_item("Budget participatif", duration=60)],
                **fields,
            )
        )

    editor = UserFactory(username="editrice-halles")
    council_add_editor(council=council, user=editor)
    return {
        "index": index,
        "editor": editor,
        "upcoming": meeting("Séance de janvier", "seance-janvier", evening + timedelta(days=10), **online),
        "past": meeting("Séance de novembre", "seance-novembre", evening - timedelta(days=10), **online),
        "cancelled": meeting(
            "Séance de décembre",
            "seance-decembre",
            evening + timedelta(days=3),
            status=MeetingStatus.CANCELLED,
            cancellation_reason="La salle est réquisitionnée pour un bureau de vote.",
            **online,
        ),
    }


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_only_an_upcoming_meeting_invites_people_to_come_and_join_online(
    page, live_server, meetings, viewport
):
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    seen, violations = {}, {}
    for name in ("upcoming", "past", "cancelled"):
        page.goto(live_server.url + meetings[name].url)
        _shot(page, f"guards-meeting-{name}-{label}")
        seen[name] = {
            "join online": page.locator(f'a[href="{VISIO}"]').count(),
            "add to calendar": page.locator(".meeting__calendar").count(),
            "place": page.locator(".meeting__place-name").count(),
        }
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        found = Axe().run(page).response["violations"]
        if found:
            violations[name] = [(v["id"], v["impact"], v["nodes"][0]["html"]) for v in found]

    assert seen == {
        "upcoming": {"join online": 1, "add to calendar": 1, "place": 1},
        "past": {"join online": 0, "add to calendar": 0, "place": 1},
        "cancelled": {"join online": 0, "add to calendar": 0, "place": 1},
    }
    assert violations == {}
    page.goto(live_server.url + meetings["past"].url)
    expect(page.locator(".badge--held")).to_be_visible()


def test_the_cancellation_reason_shows_only_while_cancelled_is_chosen(page, live_server, meetings):
    _sign_in(page, live_server, meetings["editor"])
    page.set_viewport_size(DESKTOP)
    reason = page.locator("#id_cancellation_reason")

    page.goto(f"{live_server.url}/admin/pages/{meetings['upcoming'].pk}/edit/")
    expect(page.locator("#id_status")).to_be_visible()
    expect(reason).to_be_hidden()
    _shot(page, "guards-editor-planned")

    # With the keyboard only: focus the status, pick "Annulée" with the arrow key.
    page.locator("#id_status").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_status")).to_have_value("cancelled")
    expect(reason).to_be_visible()
    reason.focus()
    page.keyboard.type("Salle indisponible")
    _shot(page, "guards-editor-cancelling")

    page.locator("#id_status").select_option("planned")
    expect(reason).to_be_hidden()

    # A meeting already cancelled opens with its reason shown.
    page.goto(f"{live_server.url}/admin/pages/{meetings['cancelled'].pk}/edit/")
    expect(reason).to_be_visible()
    expect(reason).to_have_value("La salle est réquisitionnée pour un bureau de vote.")
    _shot(page, "guards-editor-cancelled")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_meetings_listing_shows_date_and_status_next_meeting_first(page, live_server, meetings, viewport):
    _sign_in(page, live_server, meetings["editor"])
    page.set_viewport_size(viewport)

    page.goto(f"{live_server.url}/admin/pages/{meetings['index'].pk}/")
    _shot(page, f"guards-admin-listing-{'desktop' if viewport is DESKTOP else 'phone'}")

    rows = page.locator("table.listing tbody tr")
    titles = [
        rows.nth(i).locator("td.title").inner_text().split("\n")[0].strip() for i in range(rows.count())
    ]
    assert titles == ["Séance de décembre", "Séance de janvier", "Séance de novembre"]
    assert "annulée" in rows.nth(0).inner_text().lower()
    assert "terminée" in rows.nth(2).inner_text().lower()
