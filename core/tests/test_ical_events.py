"""Calendar output for events beside meetings: the VEVENT of an event, the council's and the city's feeds
listing both kinds, privacy, the calendar sequence on publish, and the feeds' query budget."""

from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine
from icalendar import Calendar

from core.dated import ItemStatus, dated_bump_sequence
from core.tests.dated_helpers import (
    city_feed_url,
    council_feed_url,
    event_make_private,
    event_publish,
    meeting_make_private,
    meeting_publish,
    paris,
)
from events.models import EventPage, EventSession
from meetings.models import MeetingPage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(response):
    return {str(event["UID"]) for event in parse(response).walk("VEVENT")}


def uid(item):
    return f"{item.ical_uid_prefix}-{item.pk}@testserver"


def test_an_events_vevent_describes_it_with_its_programme(client, council_a):
    event = event_publish(
        council_a,
        title="Forum des associations",
        start=paris(2026, 10, 10, 9, 30),
        hours=8,
        format="hybrid",
        online_url="https://visio.example.org/forum",
        summary="Rencontrez les associations du quartier.",
        access_notes="Entrée par la cour, accès de plain-pied.",
    )
    EventSession.objects.create(
        page=event,
        start_time=time(14),
        end_time=time(15),
        title="Table ronde",
        room="Salle 2",
        speakers="A, B",
    )
    EventSession.objects.create(page=event, start_time=time(10), end_time=time(10, 30), title="Accueil")
    response = client.get(event.url + "calendrier/")
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    (vevent,) = parse(response).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@testserver"
    assert str(vevent["SUMMARY"]) == "Conseil de quartier Centre — Forum des associations"
    assert str(vevent["LOCATION"]) == "Maison des associations, 12 rue de la République"
    assert str(vevent["URL"]) == f"http://testserver{event.url}"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == event.ical_sequence == 1
    assert vevent["LAST-MODIFIED"].dt.utcoffset() == timedelta(0)
    description = str(vevent["DESCRIPTION"])
    assert "Rencontrez les associations du quartier." in description
    assert "https://visio.example.org/forum" in description
    assert "Entrée par la cour" in description
    # The programme, in order of time, whatever order the sessions were entered in.
    assert "10:00–10:30 Accueil\n14:00–15:00 Table ronde (Salle 2) — A, B" in description
    assert description.endswith(f"http://testserver{event.url}")


def test_an_online_city_event_is_located_at_its_link_and_titled_alone(client):
    event = event_publish(
        title="Webinaire", format="online", place_name="", online_url="https://visio.example.org/w"
    )
    (vevent,) = parse(client.get(event.url + "calendrier/")).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Webinaire"
    assert str(vevent["LOCATION"]) == "https://visio.example.org/w"


def test_council_feed_lists_the_councils_meetings_and_events_and_the_city_feed_lists_everyone(
    client, council_a, council_b
):
    meeting_a = meeting_publish(council_a, start=paris(2026, 10, 1, 18))
    event_a = event_publish(council_a, start=paris(2026, 10, 2, 18))
    meeting_b = meeting_publish(council_b, start=paris(2026, 10, 3, 18))
    event_b = event_publish(council_b, start=paris(2026, 10, 4, 18))
    city_event = event_publish(start=paris(2026, 10, 5, 18))

    assert uids(client.get(council_feed_url(council_a))) == {uid(meeting_a), uid(event_a)}
    assert uids(client.get(council_feed_url(council_b))) == {uid(meeting_b), uid(event_b)}
    city = client.get(city_feed_url())
    assert uids(city) == {uid(i) for i in (meeting_a, event_a, meeting_b, event_b, city_event)}
    # In order of start, as subscribers' clients list them.
    assert [str(e["UID"]) for e in parse(city).walk("VEVENT")] == [
        uid(i) for i in (meeting_a, event_a, meeting_b, event_b, city_event)
    ]


def test_drafts_members_only_and_sandbox_events_are_never_in_feeds(
    client, council_a, council_factory, member_a
):
    public = event_publish(council_a, title="Publique")
    draft = event_publish(council_a, title="Brouillon")
    draft.unpublish()
    private = event_publish(council_a, title="Réservée aux membres")
    event_make_private(private, council_a)
    private_meeting = meeting_publish(council_a, title="Séance réservée")
    meeting_make_private(private_meeting, council_a)
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    practice = event_publish(sandbox, title="Exercice")
    city_private = event_publish(title="Ville, réservée")
    event_make_private(city_private, council_a)

    client.force_login(member_a)  # even a member gets the public feed: feed URLs are shared
    for url in (council_feed_url(council_a), city_feed_url()):
        found = uids(client.get(url))
        assert uid(public) in found
        for hidden in (draft, private, private_meeting, practice, city_private):
            assert uid(hidden) not in found, hidden.title


def test_a_members_only_events_ics_is_refused_to_anonymous_readers_and_served_to_members(
    client, council_a, member_a
):
    private = event_publish(council_a, title="Réservée aux membres")
    event_make_private(private, council_a)
    response = client.get(private.url + "calendrier/")
    assert response.status_code == 302
    assert b"VEVENT" not in response.content
    client.force_login(member_a)
    (vevent,) = parse(client.get(private.url + "calendrier/")).walk("VEVENT")
    assert str(vevent["SUMMARY"]).endswith("Réservée aux membres")


def test_publishing_bumps_the_sequence_of_events_and_meetings_once_each_time(council_a):
    event = event_publish(council_a)
    meeting = meeting_publish(council_a)
    assert (event.ical_sequence, meeting.ical_sequence) == (1, 1)
    for item in (EventPage.objects.get(pk=event.pk), MeetingPage.objects.get(pk=meeting.pk)):
        item.status = ItemStatus.CANCELLED
        item.cancellation_reason = "Salle indisponible."
        item.save_revision().publish()
    assert EventPage.objects.get(pk=event.pk).ical_sequence == 2
    assert MeetingPage.objects.get(pk=meeting.pk).ical_sequence == 2
    dated_bump_sequence(item=event)
    assert EventPage.objects.get(pk=event.pk).ical_sequence == 3


def test_republishing_an_old_revision_of_an_event_does_not_take_its_sequence_back(council_a):
    event = event_publish(council_a)
    first_revision = event.latest_revision
    event = EventPage.objects.get(pk=event.pk)
    event.title = "Nouveau titre"
    event.save_revision().publish()
    first_revision.publish()
    assert EventPage.objects.get(pk=event.pk).ical_sequence == 3


def test_feeds_run_the_same_number_of_queries_for_one_item_of_each_kind_as_for_ten(
    client, council_a, django_assert_num_queries, django_assert_max_num_queries
):
    start = paris(2026, 9, 7, 18)

    def add(n):
        meeting_publish(council_a, title=f"Séance {n}", start=start + timedelta(days=n), publish=False)
        event = event_publish(
            council_a, title=f"Fête {n}", start=start + timedelta(days=n, hours=1), publish=False
        )
        EventSession.objects.create(page=event, start_time=time(18, 30), title=f"Atelier {n}")
        event_publish(title=f"Ville {n}", start=start + timedelta(days=n, hours=2), publish=False)

    add(0)
    urls = [council_feed_url(council_a), city_feed_url()]
    baseline = {}
    for url in urls:
        client.get(url)  # warm Wagtail's site cache
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baseline[url] = len(queries)
    for n in range(1, 10):
        add(n)
    for url in urls:
        with django_assert_num_queries(baseline[url]):
            response = client.get(url)
        assert len(parse(response).walk("VEVENT")) == (20 if url != city_feed_url() else 30)
    with django_assert_max_num_queries(16):
        client.get(urls[0])
    with django_assert_max_num_queries(13):
        client.get(urls[1])
