from datetime import date, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

import pytest
from dateutil.rrule import MONTHLY, TU, rrule

from meetings.factories import MeetingIndexPageFactory
from meetings.models import MeetingPage, MeetingSeries
from meetings.services import MAX_SERIES_SESSIONS, meeting_series_create

from .conftest import PARIS, paris

FIRST_TUESDAYS_2025_2026 = [
    date(2025, 9, 2),
    date(2025, 10, 7),
    date(2025, 11, 4),
    date(2025, 12, 2),
    date(2026, 1, 6),
    date(2026, 2, 3),
    date(2026, 3, 3),
    date(2026, 4, 7),
    date(2026, 5, 5),
    date(2026, 6, 2),
]


def local(meeting):
    return meeting.start.astimezone(PARIS)


def test_first_tuesday_at_1830_from_september_to_june_gives_ten_sessions_at_1830_local(
    meeting_index_a, editor_a
):
    series = meeting_series_create(
        index=meeting_index_a,
        title="Séance plénière",
        first_start=paris(2025, 9, 1, 18, 30),
        duration_minutes=120,
        rule=rrule(MONTHLY, byweekday=TU(1)),
        until=date(2026, 6, 30),
        place_name="Maison des associations",
        user=editor_a,
        publish=True,
    )

    meetings = list(MeetingPage.objects.filter(series=series).order_by("start"))
    assert [local(m).date() for m in meetings] == FIRST_TUESDAYS_2025_2026
    # 18:30 stays 18:30 on both sides of the October DST change (UTC+2 then UTC+1).
    assert {local(m).time() for m in meetings} == {time(18, 30)}
    assert meetings[0].start.utcoffset() is not None
    assert [m.start.astimezone(PARIS).utcoffset().seconds // 3600 for m in meetings[:3]] == [2, 2, 1]
    assert all((m.end - m.start).total_seconds() == 7200 for m in meetings)
    assert all(m.live and m.get_parent().pk == meeting_index_a.pk for m in meetings)
    assert len({m.slug for m in meetings}) == 10
    assert meetings[1].title.startswith("Séance plénière — ")
    assert "FREQ=MONTHLY" in series.rule and "BYDAY=+1TU" in series.rule
    assert MeetingSeries.objects.get().meetings.count() == 10


def test_a_series_accepts_an_rrule_string_and_creates_drafts(meeting_index_a):
    series = meeting_series_create(
        index=meeting_index_a,
        title="Atelier",
        first_start=paris(2026, 3, 2, 19, 0),
        duration_minutes=90,
        rule="RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        until=date(2026, 4, 30),
        format="online",
        online_url="https://visio.example.org/atelier",
    )

    meetings = list(series.meetings.order_by("start"))
    assert [local(m).date() for m in meetings] == [
        date(2026, 3, 2),
        date(2026, 3, 16),
        date(2026, 3, 30),
        date(2026, 4, 13),
        date(2026, 4, 27),
    ]
    assert {local(m).time() for m in meetings} == {time(19, 0)}
    assert not any(m.live for m in meetings)


def test_series_sessions_get_unique_slugs_even_when_one_exists(meeting_index_a, meeting_factory):
    meeting_factory(slug="atelier-2026-03-02")
    series = meeting_series_create(
        index=meeting_index_a,
        title="Atelier",
        first_start=paris(2026, 3, 2, 19, 0),
        duration_minutes=60,
        rule="RRULE:FREQ=WEEKLY",
        until=date(2026, 3, 9),
        place_name="Salle B",
    )
    assert sorted(series.meetings.values_list("slug", flat=True)) == [
        "atelier-2026-03-02-1",
        "atelier-2026-03-09",
    ]


def test_a_series_is_capped_and_creates_nothing_beyond_the_cap(meeting_index_a):
    with pytest.raises(ValidationError) as caught:
        meeting_series_create(
            index=meeting_index_a,
            title="Permanence",
            first_start=paris(2025, 1, 1, 10, 0),
            duration_minutes=60,
            rule="RRULE:FREQ=WEEKLY",
            until=date(2027, 1, 1),
            place_name="Mairie",
        )
    assert str(MAX_SERIES_SESSIONS) in caught.value.messages[0]
    assert not MeetingPage.objects.exists()
    assert not MeetingSeries.objects.exists()


def test_an_editor_cannot_plan_a_series_in_another_council(council_b, editor_a):
    index_b = MeetingIndexPageFactory(parent=council_b)
    with pytest.raises(PermissionDenied):
        meeting_series_create(
            index=index_b,
            title="Intrus",
            first_start=paris(2025, 9, 1, 18, 30),
            duration_minutes=60,
            rule="RRULE:FREQ=WEEKLY",
            until=date(2025, 9, 30),
            place_name="Salle",
            user=editor_a,
        )
    assert not MeetingPage.objects.exists()


def series_form(**overrides):
    return {
        "title": "Séance plénière",
        "frequency": "monthly_weekday",
        "interval": "1",
        "weekday": "1",
        "position": "1",
        "first_date": "2025-09-01",
        "until": "2026-06-30",
        "start_time": "18:30",
        "duration_minutes": "120",
        "format": "in_person",
        "place_name": "Maison des associations",
        "place_address": "",
        "access_notes": "",
        "online_url": "",
        **overrides,
    }


def test_the_series_view_previews_the_dates_before_creating_anything(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    url = reverse("meetings_series_create", args=[meeting_index_a.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {**series_form(), "preview": "1"})

    assert response.status_code == 200
    occurrences = response.context["occurrences"]
    assert [o.start.date() for o in occurrences] == FIRST_TUESDAYS_2025_2026
    assert "data-series-preview" in response.content.decode()
    assert not MeetingPage.objects.exists()


def test_the_series_view_creates_published_sessions(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    url = reverse("meetings_series_create", args=[meeting_index_a.pk])

    response = client.post(url, {**series_form(), "publish": "on", "create": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[meeting_index_a.pk])
    meetings = MeetingPage.objects.child_of(meeting_index_a)
    assert meetings.count() == 10
    assert meetings.live().count() == 10
    assert {local(m).time() for m in meetings} == {time(18, 30)}


def test_the_series_view_refuses_a_plan_over_the_cap_with_a_message(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    url = reverse("meetings_series_create", args=[meeting_index_a.pk])

    response = client.post(
        url, {**series_form(frequency="weekly", first_date="2025-01-01", until="2027-12-31"), "create": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not MeetingPage.objects.exists()


def test_the_series_view_needs_a_place_for_an_in_person_series(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    url = reverse("meetings_series_create", args=[meeting_index_a.pk])

    response = client.post(url, {**series_form(place_name=""), "create": "1"})

    assert "place_name" in response.context["form"].errors
    assert not MeetingPage.objects.exists()


def test_the_series_view_is_forbidden_to_an_editor_of_another_council(client, editor_a, council_b):
    index_b = MeetingIndexPageFactory(parent=council_b)
    client.force_login(editor_a)
    url = reverse("meetings_series_create", args=[index_b.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {**series_form(), "create": "1"}).status_code == 403
    assert not MeetingPage.objects.exists()


def test_the_series_button_shows_on_the_editors_own_meeting_index_only(
    client, editor_a, meeting_index_a, council_b
):
    index_b = MeetingIndexPageFactory(parent=council_b)
    client.force_login(editor_a)
    own_url = reverse("meetings_series_create", args=[meeting_index_a.pk])

    response = client.get(reverse("wagtailadmin_explore", args=[meeting_index_a.pk]))

    assert own_url in response.content.decode()
    assert reverse("meetings_series_create", args=[index_b.pk]) not in response.content.decode()


def test_a_member_without_admin_access_is_sent_to_the_login(client, member_a, meeting_index_a):
    client.force_login(member_a)
    response = client.get(reverse("meetings_series_create", args=[meeting_index_a.pk]))
    assert response.status_code in (302, 403)
    assert not MeetingPage.objects.exists()
