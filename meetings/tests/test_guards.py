"""Guards a volunteer needs: minutes approved only once the meeting started, "held" shown by itself once
the meeting is over, the cancellation reason asked only when cancelling, and past or cancelled meetings
that stop inviting people to come or to join online."""

import json
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse

import pytest
import time_machine

from meetings.choices import MeetingFormat, MeetingStatus, MinutesStatus
from meetings.models import MeetingPage

from .conftest import paris
from .test_admin import meeting_form

NOW = paris(2026, 11, 20, 12, 0)
MEETING_START = paris(2026, 12, 1, 18, 30)
MEETING_END = paris(2026, 12, 1, 20, 30)


def errors_of(page):
    with pytest.raises(ValidationError) as caught:
        page.clean()
    return caught.value.message_dict


def meeting(**fields):
    return MeetingPage(
        **{
            "title": "Séance",
            "slug": "seance",
            "start": MEETING_START,
            "end": MEETING_END,
            "format": MeetingFormat.IN_PERSON,
            "place_name": "Maison des associations",
            **fields,
        }
    )


# -- Minutes ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_minutes_cannot_be_approved_before_the_meeting_has_started():
    errors = errors_of(meeting(minutes_status=MinutesStatus.APPROVED, minutes_approved_on=date(2026, 11, 19)))

    assert "minutes_status" in errors


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_draft_minutes_may_be_prepared_before_the_meeting():
    meeting(minutes_status=MinutesStatus.DRAFT, minutes="<p>Ordre du jour commenté</p>").clean()


@pytest.mark.django_db
@time_machine.travel(MEETING_START + timedelta(minutes=5), tick=False)
def test_minutes_may_be_approved_once_the_meeting_has_started():
    meeting(minutes_status=MinutesStatus.APPROVED, minutes_approved_on=date(2026, 12, 1)).clean()


@pytest.mark.django_db
@time_machine.travel(paris(2027, 1, 10, 12, 0), tick=False)
def test_an_approval_date_before_the_meeting_day_is_refused():
    errors = errors_of(meeting(minutes_status=MinutesStatus.APPROVED, minutes_approved_on=date(2026, 11, 30)))

    assert "minutes_approved_on" in errors
    assert "minutes_status" not in errors


@time_machine.travel(NOW, tick=False)
def test_the_editor_refuses_approved_minutes_for_a_meeting_to_come(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    data = meeting_form(
        [],
        start="2026-12-01 18:30",
        end="2026-12-01 20:30",
        minutes_status="approved",
        minutes_approved_on="2026-11-19",
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meeting_index_a.pk]),
        {**data, "action-publish": "action-publish"},
    )

    assert response.status_code == 200
    assert "minutes_status" in response.context["form"].errors
    assert not MeetingPage.objects.filter(slug="seance-octobre").exists()


# -- Held by itself --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_is_planned_until_it_ends_then_held_by_itself():
    page = meeting()

    with time_machine.travel(MEETING_END - timedelta(minutes=1), tick=False):
        assert page.display_status == MeetingStatus.PLANNED
        assert page.invites
    with time_machine.travel(MEETING_END + timedelta(minutes=1), tick=False):
        assert page.display_status == MeetingStatus.HELD
        assert page.is_held
        assert not page.invites


@pytest.mark.django_db
def test_a_cancelled_meeting_stays_cancelled_after_its_date():
    page = meeting(status=MeetingStatus.CANCELLED, cancellation_reason="Salle indisponible")

    with time_machine.travel(MEETING_END + timedelta(days=30), tick=False):
        assert page.display_status == MeetingStatus.CANCELLED
        assert not page.is_held


def test_the_meeting_page_shows_held_once_over_without_anyone_saving_it(client, meeting_factory):
    with time_machine.travel(NOW, tick=False):
        page = meeting_factory(start=MEETING_START, end=MEETING_END)
        assert "badge--held" not in client.get(page.url).content.decode()

    with time_machine.travel(MEETING_END + timedelta(hours=1), tick=False):
        html = client.get(page.url).content.decode()

    assert 'class="badge badge--held"' in html
    assert MeetingPage.objects.get(pk=page.pk).status == MeetingStatus.PLANNED  # nothing was stored


@time_machine.travel(NOW, tick=False)
def test_the_editor_offers_planned_and_cancelled_but_not_held(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    add_url = reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meeting_index_a.pk])

    form = client.get(add_url).context["form"]

    assert [value for value, _label in form.fields["status"].choices] == ["planned", "cancelled"]
    response = client.post(add_url, {**meeting_form([], status="held"), "action-publish": "action-publish"})
    assert "status" in response.context["form"].errors


@time_machine.travel(NOW, tick=False)
def test_a_meeting_stored_as_held_by_older_data_opens_as_planned_in_the_editor(
    client, editor_a, meeting_factory
):
    page = meeting_factory(start=paris(2026, 11, 3, 18, 30), end=paris(2026, 11, 3, 20, 30))
    MeetingPage.objects.filter(pk=page.pk).update(status=MeetingStatus.HELD)
    client.force_login(editor_a)

    form = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).context["form"]

    assert form["status"].value() == MeetingStatus.PLANNED


# -- The cancellation reason, only when cancelling ---------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_cancellation_reason_is_shown_by_wagtails_rules_only_when_cancelled(
    client, editor_a, meeting_index_a
):
    client.force_login(editor_a)

    html = client.get(
        reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meeting_index_a.pk])
    ).content.decode()

    # The "Date and status" panel carries Wagtail's rules controller, resolved on every change…
    controller = html.index('data-controller="w-rules"')
    assert 'data-action="change-&gt;w-rules#resolve"' in html[controller - 300 : controller + 300] or (
        'data-action="change->w-rules#resolve"' in html[controller - 300 : controller + 300]
    )
    status = html.index('name="status"')
    reason = html.index('name="cancellation_reason"')
    assert controller < status < reason
    # …and the reason's wrapper is a "show" target whose rule is status = cancelled.
    wrapper = html.rindex("<div", 0, html.rindex('data-w-rules-target="show"', 0, reason) + 1)
    tag = html[wrapper : html.index(">", wrapper) + 1]
    assert 'data-w-rules-target="show"' in tag
    rule = re.search(r"data-w-rules=\"([^\"]+)\"", tag).group(1).replace("&quot;", '"')
    assert json.loads(rule) == {"status": ["cancelled"]}


# -- Past and cancelled meetings stop inviting ----------------------------------------------------------


ONLINE = {"format": MeetingFormat.HYBRID, "online_url": "https://visio.example.org/conseil"}


def invitations(html, page):
    return {
        "join online": 'href="https://visio.example.org/conseil"' in html,
        "add to calendar": f"{page.url}calendrier/" in html,
        "access notes": "accessible en fauteuil roulant" in html,
    }


def test_an_upcoming_meeting_invites_to_come_to_join_online_and_to_add_it(client, meeting_factory):
    with time_machine.travel(NOW, tick=False):
        page = meeting_factory(start=MEETING_START, end=MEETING_END, **ONLINE)
        html = client.get(page.url).content.decode()

    assert invitations(html, page) == {"join online": True, "add to calendar": True, "access notes": True}


def test_a_past_meeting_keeps_its_facts_but_stops_inviting(client, meeting_factory):
    with time_machine.travel(NOW, tick=False):
        page = meeting_factory(start=MEETING_START, end=MEETING_END, **ONLINE)
    with time_machine.travel(MEETING_END + timedelta(days=1), tick=False):
        html = client.get(page.url).content.decode()

    assert invitations(html, page) == {"join online": False, "add to calendar": False, "access notes": False}
    assert "Maison des associations" in html
    assert "12 rue de la République" in html
    assert "1er\u00a0décembre\u00a02026" in html


def test_a_cancelled_meeting_keeps_its_facts_but_stops_inviting(client, meeting_factory):
    with time_machine.travel(NOW, tick=False):
        page = meeting_factory(
            start=MEETING_START,
            end=MEETING_END,
            status=MeetingStatus.CANCELLED,
            cancellation_reason="La salle est réquisitionnée.",
            **ONLINE,
        )
        html = client.get(page.url).content.decode()

    assert invitations(html, page) == {"join online": False, "add to calendar": False, "access notes": False}
    assert "La salle est réquisitionnée." in html
    assert "Maison des associations" in html
