"""Every calendar file reads the same in Mozilla's ical.js (Thunderbird's and Nextcloud's parser) as we meant.

The files are fetched through the test client (one meeting's .ics, one event's .ics, a council's feed, the
city's feed), handed to Node running ical.js (tests/icaljs/parse.mjs), and each VEVENT's instants, converted
to UTC by ical.js with the file's own VTIMEZONE, are compared with instants written here by hand from the
EU rules (last Sunday of March: UTC+2 from 01:00 UTC; last Sunday of October: UTC+1 from 01:00 UTC) and
checked against Python's zoneinfo. Node and ical.js are test requirements: `make test` installs ical.js
from package-lock.json (`npm ci`); without them these tests fail, they are never skipped.
"""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

import pytest
import time_machine

from core.dated import ItemStatus
from core.tests.dated_helpers import (
    city_feed_url,
    council_feed_url,
    event_publish,
    meeting_publish,
    paris,
)
from events.models import EventPage, EventSession

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PARSER = ROOT / "tests" / "icaljs" / "parse.mjs"
NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
HOW_TO_FIX = "run `make test` (it runs `npm ci` to install Mozilla's ical.js from package-lock.json)"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def iso(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# (what, local start in Paris, local end in Paris, the start in UTC written by hand, the end in UTC by hand)
MEETINGS = [
    ("avant l'heure d'hiver", paris(2026, 10, 24, 18), paris(2026, 10, 24, 20), utc(2026, 10, 24, 16), utc(2026, 10, 24, 18)),
    ("jour de l'heure d'hiver", paris(2026, 10, 25, 18), paris(2026, 10, 25, 20), utc(2026, 10, 25, 17), utc(2026, 10, 25, 19)),
    ("après l'heure d'hiver", paris(2026, 10, 26, 18), paris(2026, 10, 26, 20), utc(2026, 10, 26, 17), utc(2026, 10, 26, 19)),
    ("avant l'heure d'été", paris(2027, 3, 27, 18), paris(2027, 3, 27, 20), utc(2027, 3, 27, 17), utc(2027, 3, 27, 19)),
    ("jour de l'heure d'été", paris(2027, 3, 28, 18), paris(2027, 3, 28, 20), utc(2027, 3, 28, 16), utc(2027, 3, 28, 18)),
    ("après l'heure d'été", paris(2027, 3, 29, 18), paris(2027, 3, 29, 20), utc(2027, 3, 29, 16), utc(2027, 3, 29, 18)),
]  # fmt: skip
# Events, two of them through the night of the change (22:00 summer time to 04:00 winter time is 7 hours),
# one an hour and a half after the spring change (03:30 is the first half hour of summer time there is).
EVENTS = [
    ("nuit de l'heure d'hiver", paris(2026, 10, 24, 22), paris(2026, 10, 25, 4), utc(2026, 10, 24, 20), utc(2026, 10, 25, 3)),
    ("après l'heure d'hiver", paris(2026, 10, 26, 9, 30), paris(2026, 10, 26, 17), utc(2026, 10, 26, 8, 30), utc(2026, 10, 26, 16)),
    ("nuit de l'heure d'été", paris(2027, 3, 27, 22), paris(2027, 3, 28, 4), utc(2027, 3, 27, 21), utc(2027, 3, 28, 2)),
    ("après l'heure d'été", paris(2027, 3, 29, 18), paris(2027, 3, 29, 21), utc(2027, 3, 29, 16), utc(2027, 3, 29, 19)),
    ("petit matin de l'heure d'été", paris(2027, 3, 28, 3, 30), paris(2027, 3, 28, 5), utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 3)),
]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def icaljs_parse(ics: bytes, *, parser=PARSER, modules=ROOT / "node_modules"):
    """What ical.js reads in an iCalendar file: {"name", "timezones", "events": [...]}. Fails (never
    skips) when Node or ical.js is missing or stale."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Node.js is missing (the calendar cross-check runs ical.js with it): {HOW_TO_FIX}.")
    installed = modules / "ical.js" / "package.json"
    if not installed.exists():
        pytest.fail(f"ical.js is not installed in {modules}: {HOW_TO_FIX}.")
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["ical.js"]
    version = json.loads(installed.read_text())["version"]
    if version != pinned:
        pytest.fail(f"ical.js {version} is installed but package.json pins {pinned}: {HOW_TO_FIX}.")
    # A far-away local zone: a time ical.js failed to tie to Europe/Paris would be read wrong, visibly.
    env = {**os.environ, "TZ": "Pacific/Auckland"}
    result = subprocess.run(  # noqa: S603 - our own script, our own input
        [node, str(parser)], input=ics, capture_output=True, timeout=60, cwd=ROOT, env=env, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def by_uid(parsed):
    return {event["uid"]: event for event in parsed["events"]}


@pytest.fixture
def calendar_items(council_a):
    meetings = [
        (meeting_publish(council_a, title=f"Séance — {what}", start=start, hours=2), start_utc, end_utc)
        for what, start, _end, start_utc, end_utc in MEETINGS
    ]
    events = [
        # Council events and the city's own (children of the agenda).
        (
            event_publish(council_a if n % 2 else None, title=f"Fête — {what}", start=start, end=end),
            start_utc,
            end_utc,
        )
        for n, (what, start, end, start_utc, end_utc) in enumerate(EVENTS)
    ]
    return meetings, events


def test_the_hand_written_instants_agree_with_zoneinfo():
    for _what, start, end, start_utc, end_utc in [*MEETINGS, *EVENTS]:
        assert start.astimezone(UTC) == start_utc
        assert end.astimezone(UTC) == end_utc
    # Through the night of a change, an event lasts an hour more (autumn) or less (spring) than the clock says.
    assert EVENTS[0][4] - EVENTS[0][3] == timedelta(hours=7)
    assert EVENTS[2][4] - EVENTS[2][3] == timedelta(hours=5)


def test_every_calendar_output_reads_the_same_in_icaljs_across_daylight_saving_changes(
    client, council_a, calendar_items
):
    meetings, events = calendar_items
    expected = {}
    for item, start_utc, end_utc in [*meetings, *events]:
        expected[f"{item.ical_uid_prefix}-{item.pk}@testserver"] = (item, start_utc, end_utc)

    outputs = {
        "council feed": council_feed_url(council_a),
        "city feed": city_feed_url(),
    }
    for item, _start, _end in [*meetings, *events]:
        outputs[f"{item.ical_uid_prefix} {item.pk}"] = item.url + "calendrier/"

    seen = set()
    for name, url in outputs.items():
        response = client.get(url)
        assert response.status_code == 200, name
        parsed = icaljs_parse(response.content)
        assert parsed["timezones"] == ["Europe/Paris"], name
        read = by_uid(parsed)
        if name == "city feed":
            assert set(read) == set(expected), name
        elif name == "council feed":
            # The council's meetings and its own events, not the city's.
            council_uids = {
                uid
                for uid, (item, _s, _e) in expected.items()
                if item.ical_uid_prefix == "meeting" or item.get_parent().pk == council_a.pk
            }
            assert set(read) == council_uids, name
            assert len(council_uids) == len(MEETINGS) + len(EVENTS) // 2
        else:
            assert len(read) == 1, name
        for uid, event in read.items():
            item, start_utc, end_utc = expected[uid]
            assert event["tzid"] == "Europe/Paris", (name, uid)
            assert event["startUTC"] == iso(start_utc), (name, item.title)
            assert event["endUTC"] == iso(end_utc), (name, item.title)
            assert event["status"] == "CONFIRMED"
            assert event["url"] == f"http://testserver{item.url}"
            holder_is_council = item.ical_uid_prefix == "meeting" or item.get_parent().pk == council_a.pk
            title = f"{council_a.title} — {item.title}" if holder_is_council else item.title
            assert event["summary"] == title, (name, uid)
            seen.add(uid)
    assert seen == set(expected)


def test_a_cancelled_event_reads_as_cancelled_with_a_higher_sequence_in_icaljs(client, council_a):
    event = event_publish(council_a, title="Forum des associations", start=paris(2026, 10, 25, 14))
    uid = f"event-{event.pk}@testserver"
    before = by_uid(icaljs_parse(client.get(council_feed_url(council_a)).content))[uid]

    event = EventPage.objects.get(pk=event.pk)
    event.status = ItemStatus.CANCELLED
    event.cancellation_reason = "Gymnase fermé."
    event.save_revision().publish()

    for url in (council_feed_url(council_a), city_feed_url(), event.url + "calendrier/"):
        after = by_uid(icaljs_parse(client.get(url).content))[uid]
        assert after["status"] == "CANCELLED"
        assert after["sequence"] > before["sequence"]
        assert "Gymnase fermé." in after["description"]
        assert after["startUTC"] == before["startUTC"] == "2026-10-25T13:00:00Z"


def test_an_events_programme_and_place_read_back_in_icaljs(client):
    event = event_publish(
        title="Rencontre des utilisateurs",
        start=paris(2027, 3, 28, 9),
        hours=8,
        format="hybrid",
        online_url="https://visio.example.org/rencontre",
    )
    EventSession.objects.create(
        page=event, start_time=datetime(2027, 1, 1, 10).time(), title="Ouverture", room="Auditorium"
    )
    (read,) = icaljs_parse(client.get(event.url + "calendrier/").content)["events"]
    assert read["startUTC"] == "2027-03-28T07:00:00Z"  # summer time began at 02:00 that morning
    assert read["location"] == "Maison des associations, 12 rue de la République"
    assert "10:00 Ouverture (Auditorium)" in read["description"]
    assert "https://visio.example.org/rencontre" in read["description"]
    assert f"http://testserver{event.url}" in read["description"]


def test_the_cross_check_fails_rather_than_skips_without_icaljs(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="make test"):
        icaljs_parse(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", modules=tmp_path)


def test_the_cross_check_fails_rather_than_skips_without_node(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="make test"):
        icaljs_parse(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def test_icaljs_rejects_a_time_it_cannot_place(client):
    """The parser script itself refuses a floating time (a TZID without its VTIMEZONE), so a broken file
    cannot pass the comparisons above by luck."""
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//FR\r\nBEGIN:VEVENT\r\nUID:x@test\r\n"
        b"DTSTAMP:20260901T090000Z\r\nDTSTART;TZID=Europe/Paris:20261025T180000\r\n"
        b"DTEND;TZID=Europe/Paris:20261025T200000\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(AssertionError, match="floating time"):
        icaljs_parse(ics)
