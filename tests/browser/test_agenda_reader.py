"""A reader finds a meeting on the city agenda and adds it to their calendar."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from icalendar import Calendar
from playwright.sync_api import expect

from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage
from events.tests.helpers import meeting_publish
from tests.browser.conftest import assert_no_axe_violation


def test_a_reader_finds_a_meeting_on_the_city_agenda_and_downloads_its_ics(page, live_home, live_server):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil des Halles", slug="halles"
    )
    council.save_revision().publish()
    start = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0) + timedelta(days=10)
    meeting = meeting_publish(council, title="Séance plénière des Halles", start=start)

    page.goto(f"{live_server.url}/agenda/")
    link = page.get_by_role("link", name="Séance plénière des Halles")
    expect(link).to_be_visible()
    expect(page.locator(".agenda-day").first).to_contain_text("Conseil des Halles")
    assert_no_axe_violation(page)

    # The month view shows the meeting's day as a link to it.
    page.goto(f"{live_server.url}/agenda/mois/{start.year}/{start.month}/")
    expect(page.locator("table.month-grid caption")).to_be_visible()
    day_link = page.locator(f'a.month-grid__link[href="#jour-{start:%Y-%m-%d}"]')
    expect(day_link).to_be_visible()
    assert_no_axe_violation(page)
    day_link.click()
    expect(page.locator(f"#jour-{start:%Y-%m-%d}")).to_contain_text("Séance plénière des Halles")

    page.goto(f"{live_server.url}/agenda/")
    page.get_by_role("link", name="Séance plénière des Halles").click()
    page.wait_for_url(f"{live_server.url}{meeting.url}")
    expect(page.locator("h1")).to_contain_text("Séance plénière des Halles")

    with page.expect_download() as download_info:
        page.locator('a[href$="calendrier/"]').first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Conseil des Halles — Séance plénière des Halles"
    assert event.DTSTART == start
