"""The agenda with meetings and events together: list and month view, on a phone and a desktop, with no
axe violation of any impact; the type filter works from the form."""

import os
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from core.tests.dated_helpers import event_publish, meeting_publish
from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage
from tests.browser.conftest import assert_no_axe_violation

#: Set PARVIS_SHOTS_DIR to keep screenshots of the screens (to look at them); unset, none are taken.
SHOTS = os.environ.get("PARVIS_SHOTS_DIR")


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def agenda_content(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil des Halles", slug="halles"
    )
    council.save_revision().publish()
    start = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0) + timedelta(days=10)
    meeting = meeting_publish(council, title="Séance plénière des Halles", start=start)
    council_event = event_publish(
        council, title="Fête de quartier des Halles", start=start.replace(hour=14), hours=4
    )
    city_event = event_publish(
        title="Rencontre des utilisateurs de Parvis",
        start=(start + timedelta(days=2)).replace(hour=9, minute=30),
        hours=8,
        format="hybrid",
        online_url="https://visio.example.org/rencontre",
    )
    return start, meeting, council_event, city_event


@pytest.mark.parametrize("width", [375, 1280])
def test_agenda_list_and_month_view_with_both_kinds_have_no_axe_violation(
    page, live_server, agenda_content, width
):
    start, meeting, council_event, city_event = agenda_content
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/agenda/")
    for item in (meeting, council_event, city_event):
        expect(page.get_by_role("link", name=item.title)).to_be_visible()
    expect(page.locator(".agenda-item--event .badge--event").first).to_be_visible()
    assert_no_axe_violation(page)
    shoot(page, f"agenda-list-{width}")

    page.goto(f"{live_server.url}/agenda/mois/{start.year}/{start.month}/")
    day_link = page.locator(f'a.month-grid__link[href="#jour-{start:%Y-%m-%d}"]')
    expect(day_link).to_be_visible()
    expect(day_link).to_contain_text("(2)")  # the meeting and the council's event share the day
    assert_no_axe_violation(page)
    shoot(page, f"agenda-month-{width}")


def test_a_reader_shows_only_events_with_the_type_filter(page, live_server, agenda_content):
    _start, meeting, council_event, city_event = agenda_content
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(f"{live_server.url}/agenda/")
    page.get_by_label("Type").select_option("evenements")
    page.locator(".agenda-filters button[type=submit]").click()
    page.wait_for_url("**type=evenements**")
    expect(page.get_by_role("link", name=city_event.title)).to_be_visible()
    expect(page.get_by_role("link", name=council_event.title)).to_be_visible()
    expect(page.get_by_role("link", name=meeting.title)).to_have_count(0)
    assert_no_axe_violation(page)
    shoot(page, "agenda-events-only-375")
