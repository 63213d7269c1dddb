"""Dates and times on meeting pages and listings, in French typography (see core.typography)."""

import time_machine

from .conftest import paris

NBSP = "\u00a0"
WJ = "\u2060"


@time_machine.travel(paris(2026, 11, 20, 12, 0), tick=False)
def test_a_meeting_page_prints_its_date_and_times_in_french_typography(client, meeting_factory):
    meeting = meeting_factory(start=paris(2026, 12, 1, 18, 30), end=paris(2026, 12, 1, 20, 30))

    html = client.get(meeting.url).content.decode()

    assert f"mardi 1er{NBSP}décembre{NBSP}2026, 18{NBSP}h{NBSP}30</time>\u2013{WJ}<time" in html
    assert f">20{NBSP}h{NBSP}30</time>" in html
    assert "18 h 30" not in html


@time_machine.travel(paris(2026, 11, 20, 12, 0), tick=False)
def test_the_meetings_index_prints_dates_and_times_in_french_typography(
    client, meeting_index_a, meeting_factory
):
    meeting_factory(start=paris(2026, 12, 1, 9, 30), end=paris(2026, 12, 1, 12, 0))

    html = client.get(meeting_index_a.url).content.decode()

    assert f"1er{NBSP}décembre{NBSP}2026, 9{NBSP}h{NBSP}30</time>\u2013{WJ}<time" in html
    assert f">12{NBSP}h</time>" in html
