from datetime import date, timedelta

from django.core.exceptions import ValidationError

import pytest

from meetings.factories import agenda_item
from meetings.models import MeetingFormat, MeetingPage, MeetingStatus, MinutesStatus, format_minutes

from .conftest import paris

# Building a Page looks up its content type (cached, but the cache may have been cleared by then).
pytestmark = pytest.mark.django_db


def meeting(**fields):
    values = {
        "title": "Séance",
        "slug": "seance",
        "start": paris(2025, 10, 7, 18, 30),
        "end": paris(2025, 10, 7, 20, 30),
        "format": MeetingFormat.IN_PERSON,
        "place_name": "Maison des associations",
        **fields,
    }
    return MeetingPage(**values)


def errors_of(page):
    with pytest.raises(ValidationError) as caught:
        page.clean()
    return caught.value.message_dict


def test_a_complete_in_person_meeting_is_valid():
    meeting().clean()


def test_a_meeting_must_end_after_it_starts():
    assert "end" in errors_of(meeting(end=paris(2025, 10, 7, 18, 30)))


def test_an_in_person_or_hybrid_meeting_needs_a_place():
    assert "place_name" in errors_of(meeting(place_name=""))
    assert "place_name" in errors_of(
        meeting(format=MeetingFormat.HYBRID, place_name="", online_url="https://visio.example.org/x")
    )


def test_an_online_or_hybrid_meeting_needs_a_link():
    assert "online_url" in errors_of(meeting(format=MeetingFormat.ONLINE, place_name=""))
    assert "online_url" in errors_of(meeting(format=MeetingFormat.HYBRID))
    meeting(format=MeetingFormat.ONLINE, place_name="", online_url="https://visio.example.org/x").clean()


def test_a_cancelled_meeting_needs_a_reason():
    assert "cancellation_reason" in errors_of(
        meeting(status=MeetingStatus.CANCELLED, cancellation_reason=" ")
    )
    meeting(status=MeetingStatus.CANCELLED, cancellation_reason="Salle indisponible").clean()


def test_approved_minutes_need_their_approval_date():
    assert "minutes_approved_on" in errors_of(meeting(minutes_status=MinutesStatus.APPROVED))
    meeting(minutes_status=MinutesStatus.APPROVED, minutes_approved_on=date(2025, 11, 4)).clean()


def test_an_agenda_longer_than_the_meeting_is_refused_with_both_durations():
    page = meeting(
        agenda=[
            agenda_item("Accueil", 15),
            agenda_item("Budget", 60),
            agenda_item("Travaux", 60, sub_items=["Rue A"]),
        ]
    )
    message = errors_of(page)["agenda"][0]
    assert "2 h 15 min" in message
    assert "2 h" in message.replace("2 h 15 min", "")


def test_an_agenda_that_exactly_fills_the_meeting_is_accepted():
    meeting(agenda=[agenda_item("Accueil", 60), agenda_item("Budget", 60)]).clean()


def test_full_clean_reports_the_agenda_error_on_the_agenda_field(meeting_index_a):
    page = meeting(agenda=[agenda_item("Budget", 180)])
    with pytest.raises(ValidationError) as caught:
        page.full_clean(exclude=["path", "depth"])
    assert list(caught.value.message_dict) == ["agenda"]


def test_agenda_items_start_one_after_the_other():
    page = meeting(agenda=[agenda_item("Accueil", 15), agenda_item("Budget", 45), agenda_item("Travaux", 30)])
    starts = [start for _block, start in page.agenda_schedule]
    assert starts == [page.start, page.start + timedelta(minutes=15), page.start + timedelta(minutes=60)]


def test_durations_read_like_people_write_them():
    assert str(format_minutes(45)) == "45 min"
    assert str(format_minutes(120)) == "2 h"
    assert str(format_minutes(135)) == "2 h 15 min"
