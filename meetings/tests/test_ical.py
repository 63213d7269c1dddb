"""iCalendar output: the single meeting .ics, the council feed and the city feed."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine
from icalendar import Calendar

from events.models import EventIndexPage
from events.tests.helpers import meeting_index_for, meeting_make_private, meeting_publish, paris
from meetings.models import MeetingPage, MeetingStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
# Feeds are not paginated: thirty meetings show a query per meeting as plainly as three hundred would.
FEED_MEETINGS = 30


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_of(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def feed_url(council):
    return meeting_index_for(council).url + "calendrier/"


def city_feed_url():
    return EventIndexPage.objects.get().url + "calendrier/"


def test_calendar_has_the_required_properties_and_a_paris_vtimezone(client, council_a):
    meeting_publish(council_a)
    calendar = parse(client.get(feed_url(council_a)))
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Conseil de quartier Centre"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    (event,) = calendar.walk("VEVENT")
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS", "URL"):
        assert required in event, required


def test_event_describes_the_meeting(client, council_a):
    meeting = meeting_publish(
        council_a,
        title="Séance de décembre",
        format="hybrid",
        online_url="https://visio.example.org/centre",
        summary="Budget participatif et propreté.",
    )
    event = events_of(parse(client.get(feed_url(council_a))))[f"meeting-{meeting.pk}@testserver"]
    assert str(event["SUMMARY"]) == "Conseil de quartier Centre — Séance de décembre"
    assert str(event["LOCATION"]) == "Maison de quartier, 12 rue de la République"
    assert str(event["URL"]) == f"http://testserver{meeting.url}"
    assert "Budget participatif et propreté." in str(event["DESCRIPTION"])
    assert "https://visio.example.org/centre" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.DTSTART == paris(2026, 12, 8, 18, 30)
    assert event.DTEND == paris(2026, 12, 8, 20, 30)
    assert event["LAST-MODIFIED"].dt.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        # Last Sunday of October 2026: back to winter time (UTC+1) at 03:00 that morning.
        (paris(2026, 10, 25, 18), datetime(2026, 10, 25, 17, tzinfo=UTC)),
        # Last Sunday of March 2027: summer time (UTC+2) from 02:00 that morning.
        (paris(2027, 3, 28, 18), datetime(2027, 3, 28, 16, tzinfo=UTC)),
        # The day before each change, for contrast.
        (paris(2026, 10, 24, 18), datetime(2026, 10, 24, 16, tzinfo=UTC)),
        (paris(2027, 3, 27, 18), datetime(2027, 3, 27, 17, tzinfo=UTC)),
    ],
)
def test_meeting_on_a_daylight_saving_sunday_is_at_the_right_utc_instant(
    client, council_a, local_start, utc_start
):
    meeting = meeting_publish(council_a, start=local_start)
    for url in (feed_url(council_a), city_feed_url(), meeting.url + "calendrier/"):
        event = events_of(parse(client.get(url)))[f"meeting-{meeting.pk}@testserver"]
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event.DTSTART.astimezone(UTC) == utc_start
        assert event.DTEND.astimezone(UTC) == utc_start + timedelta(hours=2)


def test_vtimezone_carries_both_offsets_so_clients_can_resolve_the_local_time(client, council_a):
    meeting_publish(council_a)
    raw = client.get(feed_url(council_a)).content.decode()
    assert "TZOFFSETTO:+0100" in raw
    assert "TZOFFSETTO:+0200" in raw
    assert "DTSTART;TZID=Europe/Paris:20261208T183000" in raw


def test_uid_is_stable_across_edits_and_feeds(client, council_a):
    meeting = meeting_publish(council_a)
    uid = f"meeting-{meeting.pk}@testserver"
    before = events_of(parse(client.get(feed_url(council_a))))
    meeting.title = "Séance plénière (salle changée)"
    meeting.place_name = "Salle des fêtes"
    meeting.save_revision().publish()
    after = events_of(parse(client.get(feed_url(council_a))))
    city = events_of(parse(client.get(city_feed_url())))
    assert set(before) == set(after) == set(city) == {uid}
    assert str(after[uid]["LOCATION"]).startswith("Salle des fêtes")


def test_cancelled_meeting_stays_in_the_feeds_with_status_cancelled_and_a_higher_sequence(client, council_a):
    meeting = meeting_publish(council_a)
    uid = f"meeting-{meeting.pk}@testserver"
    before = events_of(parse(client.get(feed_url(council_a))))[uid]

    meeting = MeetingPage.objects.get(pk=meeting.pk)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = "Salle indisponible."
    meeting.save_revision().publish()

    for url in (feed_url(council_a), city_feed_url(), meeting.url + "calendrier/"):
        after = events_of(parse(client.get(url)))[uid]
        assert str(after["STATUS"]) == "CANCELLED"
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        assert "Salle indisponible." in str(after["DESCRIPTION"])
        assert after.DTSTART == before.DTSTART


def test_single_meeting_ics_is_an_attachment_with_one_event(client, council_a):
    meeting = meeting_publish(council_a, title="Séance de rentrée")
    response = client.get(meeting.url + "calendrier/")
    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="{meeting.slug}.ics"'
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Conseil de quartier Centre — Séance de rentrée"
    assert calendar["METHOD"] == "PUBLISH"


def test_feeds_are_served_inline(client, council_a):
    meeting_publish(council_a)
    assert client.get(feed_url(council_a))["Content-Disposition"].startswith("inline")
    assert client.get(city_feed_url())["Content-Disposition"].startswith("inline")


def test_council_feed_holds_only_that_councils_meetings(client, council_a, council_b):
    mine = meeting_publish(council_a)
    other = meeting_publish(council_b)
    uids = set(events_of(parse(client.get(feed_url(council_a)))))
    assert uids == {f"meeting-{mine.pk}@testserver"}
    city = set(events_of(parse(client.get(city_feed_url()))))
    assert city == {f"meeting-{mine.pk}@testserver", f"meeting-{other.pk}@testserver"}


def test_feeds_skip_meetings_older_than_a_year_but_keep_recent_past_ones(client, council_a):
    old = meeting_publish(council_a, title="Ancienne", start=paris(2025, 6, 1, 18))
    recent = meeting_publish(council_a, title="Récente", start=paris(2026, 3, 1, 18))
    uids = set(events_of(parse(client.get(feed_url(council_a)))))
    assert f"meeting-{recent.pk}@testserver" in uids
    assert f"meeting-{old.pk}@testserver" not in uids


def test_unpublished_private_and_sandbox_meetings_are_never_in_feeds(
    client, council_a, council_factory, member_a
):
    public = meeting_publish(council_a, title="Publique")
    draft = meeting_publish(council_a, title="Brouillon")
    draft.unpublish()
    private = meeting_publish(council_a, title="Réservée aux membres")
    meeting_make_private(private, council_a)
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    practice = meeting_publish(sandbox, title="Exercice")

    client.force_login(member_a)  # even a member gets the public feed: feed URLs are shared
    assert client.get(feed_url(sandbox)).status_code == 302  # the sandbox is closed to the public
    for url in (feed_url(council_a), city_feed_url()):
        uids = set(events_of(parse(client.get(url))))
        assert f"meeting-{draft.pk}@testserver" not in uids
        assert f"meeting-{private.pk}@testserver" not in uids
        assert f"meeting-{practice.pk}@testserver" not in uids
    assert f"meeting-{public.pk}@testserver" in set(events_of(parse(client.get(city_feed_url()))))


def test_private_meeting_ics_is_refused_to_anonymous_readers_and_served_to_members(
    client, council_a, member_a
):
    private = meeting_publish(council_a, title="Réservée aux membres")
    meeting_make_private(private, council_a)
    url = private.url + "calendrier/"

    response = client.get(url)
    assert response.status_code == 302
    assert b"VEVENT" not in response.content

    client.force_login(member_a)
    (event,) = parse(client.get(url)).walk("VEVENT")
    assert str(event["SUMMARY"]).endswith("Réservée aux membres")


def test_feeds_run_the_same_number_of_queries_for_one_meeting_as_for_thirty(
    client, council_a, django_assert_num_queries, django_assert_max_num_queries
):
    """Routing to the page costs what Wagtail's routing costs; the feed itself adds a constant few
    queries (view restrictions, meetings, councils) whatever the number of meetings."""
    url = feed_url(council_a)
    meeting_publish(council_a, title="Séance 0", start=paris(2026, 9, 7, 18), publish=False)
    client.get(url)  # warm Wagtail's site cache
    client.get(city_feed_url())
    with CaptureQueriesContext(connection) as one_council:
        client.get(url)
    with CaptureQueriesContext(connection) as one_city:
        client.get(city_feed_url())

    for n in range(1, FEED_MEETINGS):
        meeting_publish(
            council_a, title=f"Séance {n}", start=paris(2026, 9, 7, 18) + timedelta(days=n), publish=False
        )
    with django_assert_num_queries(len(one_council)):
        council_feed = parse(client.get(url))
    with django_assert_num_queries(len(one_city)):
        city_feed = parse(client.get(city_feed_url()))
    with django_assert_max_num_queries(14):
        client.get(url)
    # Meetings and events: each page type costs its query and Wagtail's `public()` restriction lookup.
    with django_assert_max_num_queries(12):
        client.get(city_feed_url())
    assert len(council_feed.walk("VEVENT")) == len(city_feed.walk("VEVENT")) == FEED_MEETINGS
