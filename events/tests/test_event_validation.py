"""The event editor's rules (events.admin_forms.EventPageForm), through Wagtail's own add and edit views:
a French message on the field to correct, and nothing saved."""

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import pytest
import time_machine

from events.admin_forms import EventPageForm
from events.models import EventPage, EventSession, Registration, RegistrationMode, RegistrationStatus
from events.seats import seat_take
from events.tests.event_page_helpers import NOW, city_agenda, event_publish
from events.tests.helpers import paris

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def session(title, start, end="", day="", room="", **extra):
    return {
        "day": day,
        "start_time": start,
        "end_time": end,
        "title": title,
        "room": room,
        "speakers": extra.get("speakers", ""),
        "description": extra.get("description", ""),
    }


def room(name, details="", **extra):
    return {"name": name, "details": details, **extra}


def event_form(*, rooms=(), sessions=(), **overrides):
    return nested_form_data(
        {
            "title": "Rencontre des utilisateurs",
            "slug": "rencontre",
            "start": "2026-03-28 09:30",
            "end": "2026-03-28 17:30",
            "status": "planned",
            "cancellation_reason": "",
            "format": "in_person",
            "place_name": "Maison des associations",
            "place_address": "12 rue de la République",
            "access_notes": "",
            "online_url": "",
            "summary": "Une journée d’échanges.",
            "lead_image": "",
            "lead_image_alt": "",
            "audience": "",
            "price": "0",
            "price_details": "",
            "body": streamfield([]),
            "rooms": inline_formset(list(rooms)),
            "sessions": inline_formset(list(sessions)),
            "registration_mode": "none",
            "registration_url": "",
            "capacity": "",
            "registration_opens_at": "",
            "registration_closes_at": "",
            "waiting_list": "on",
            "offer_hours": "48",
            "retention_days": "183",
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
            **overrides,
        }
    )


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["events", "eventpage", parent.pk])


def edit_url(event):
    return reverse("wagtailadmin_pages:edit", args=[event.pk])


def post(client, url, data):
    return client.post(url, {**data, "action-publish": "action-publish"})


def session_errors(response):
    return [dict(form.errors) for form in response.context["form"].formsets["sessions"].forms]


def room_errors(response):
    return [dict(form.errors) for form in response.context["form"].formsets["rooms"].forms]


@pytest.fixture
def staff(client, city_staff):
    client.force_login(city_staff)
    return client


MEETUP_ROOMS = [room("Auditorium", "Rez-de-chaussée"), room("Salle Léman", "1er étage")]


# -- A programme that fits ---------------------------------------------------------------------------------


def test_an_event_with_rooms_and_a_programme_is_published_from_the_admin(staff, home):
    data = event_form(
        rooms=MEETUP_ROOMS,
        sessions=[
            session("Accueil", "09:30", "10:00"),
            session("Ouverture", "10:00", "11:00", room="auditorium", speakers="Claire Dumas"),
            session("Atelier", "11:00", "12:00", room="Salle Léman"),
        ],
    )

    response = post(staff, add_url(city_agenda()), data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    event = EventPage.objects.get(slug="rencontre")
    assert event.live
    assert [s.title for s in event.sessions.all()] == ["Accueil", "Ouverture", "Atelier"]
    # A room written in another case is stored as the room is named.
    assert event.sessions.get(title="Ouverture").room == "Auditorium"
    assert [r.name for r in event.rooms.all()] == ["Auditorium", "Salle Léman"]


def test_the_event_form_is_the_page_base_form():
    assert EventPage.base_form_class is EventPageForm


NB = "\u00a0"


@pytest.mark.parametrize(
    ("sessions", "field", "message", "params"),
    [
        ([session("Atelier", "11:00", "10:30")], "end_time", "The session must end after it starts.", {}),
        ([session("Atelier", "11:00", "11:00")], "end_time", "The session must end after it starts.", {}),
        (
            [session("Petit-déjeuner", "08:00", "09:00")],
            "start_time",
            "The session starts before the event (%(start)s).",
            {"start": f"9{NB}h{NB}30"},
        ),
        (
            [session("Soirée", "17:00", "19:00")],
            "end_time",
            "The session ends after the event (%(end)s).",
            {"end": f"17{NB}h{NB}30"},
        ),
        (
            [session("Nocturne", "18:00")],
            "start_time",
            "The session starts after the event has ended (%(end)s).",
            {"end": f"17{NB}h{NB}30"},
        ),
        (
            [session("Lendemain", "10:00", "11:00", day="2026-03-29")],
            "day",
            "The event takes place on %(day)s only.",
            {"day": f"samedi 28{NB}mars{NB}2026"},
        ),
    ],
    ids=["ends-before-start", "ends-at-start", "before-event", "after-event", "after-end", "wrong-day"],
)
def test_a_session_outside_the_event_is_refused_on_its_field(staff, home, sessions, field, message, params):
    response = post(staff, add_url(city_agenda()), event_form(sessions=sessions))

    assert response.status_code == 200
    [errors] = session_errors(response)
    assert errors == {field: [_(message) % params if params else _(message)]}
    assert not EventPage.objects.exists()


def test_the_messages_give_the_event_hours_in_french(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(
            sessions=[session("Petit-déjeuner", "08:00", "09:00"), session("Soirée", "17:00", "19:00")]
        ),
    )

    before, after = session_errors(response)
    assert before["start_time"] == [
        _("The session starts before the event (%(start)s).") % {"start": "9\u00a0h\u00a030"}
    ]
    assert after["end_time"] == [
        _("The session ends after the event (%(end)s).") % {"end": "17\u00a0h\u00a030"}
    ]


def test_a_session_on_a_day_outside_a_multi_day_event_names_its_days(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(
            end="2026-03-29 17:00",
            sessions=[
                session("Dimanche", "10:00", "11:00", day="2026-03-29"),
                session("Lundi", "10:00", "11:00", day="2026-03-30"),
                session("Dimanche soir", "16:00", "18:00", day="2026-03-29"),
            ],
        ),
    )

    sunday, monday, late = session_errors(response)
    assert sunday == {}
    assert monday["day"] == [
        _("This day is not one of the event's days (from %(first)s to %(last)s).")
        % {"first": "samedi 28\u00a0mars\u00a02026", "last": "dimanche 29\u00a0mars\u00a02026"}
    ]
    assert late["end_time"] == [
        _("The session ends after the event (%(end)s).") % {"end": "dimanche 29\u00a0mars, 17\u00a0h"}
    ]


def test_a_session_on_the_second_day_may_start_before_the_first_day_opening_hour(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(end="2026-03-29 17:00", sessions=[session("Café", "08:30", "09:00", day="2026-03-29")]),
    )

    assert response.status_code == 302
    assert EventSession.objects.get().day.isoformat() == "2026-03-29"


def test_a_session_room_must_be_one_of_the_event_rooms(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(rooms=MEETUP_ROOMS, sessions=[session("Atelier", "10:00", "11:00", room="Salle Annecy")]),
    )

    [errors] = session_errors(response)
    assert errors == {
        "room": [_("Choose one of the event's rooms: %(rooms)s.") % {"rooms": "Auditorium, Salle Léman"}]
    }
    assert not EventPage.objects.exists()
    # The editor sees it beside the session's room, in the Programme tab.
    assert escape(errors["room"][0]) in response.content.decode()


def test_any_room_name_is_accepted_when_the_event_lists_no_rooms(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(sessions=[session("Atelier", "10:00", "11:00", room="Salle 3")]),
    )

    assert response.status_code == 302
    assert EventSession.objects.get().room == "Salle 3"


def test_a_room_cannot_hold_two_sessions_at_once(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(
            rooms=MEETUP_ROOMS,
            sessions=[
                session("Ouverture", "10:00", "11:00", room="Auditorium"),
                session("Atelier", "10:30", "11:30", room="Salle Léman"),
                session("Conférence", "10:45", "11:15", room="Auditorium"),
                session("Clôture", "11:00", "12:00", room="Auditorium"),
            ],
        ),
    )

    opening, workshop, talk, closing = session_errors(response)
    assert opening == {} and workshop == {} and closing == {}
    assert talk == {
        "start_time": [
            _("The room “%(room)s” is already taken by “%(title)s” (%(time)s).")
            % {"room": "Auditorium", "title": "Ouverture", "time": "10\u00a0h–\u206011\u00a0h"}
        ]
    }


def test_two_rooms_cannot_share_a_name(staff, home):
    response = post(
        staff, add_url(city_agenda()), event_form(rooms=[room("Auditorium"), room(" auditorium ")])
    )

    assert room_errors(response) == [{}, {"name": [_("Another room already has this name.")]}]


def test_a_deleted_session_is_not_checked(staff, home):
    data = event_form(sessions=[session("Supprimée", "06:00", "07:00")])
    data["sessions-0-DELETE"] = "on"

    response = post(staff, add_url(city_agenda()), data)

    assert response.status_code == 302
    assert not EventSession.objects.exists()


def test_an_editor_gets_the_same_rules_in_a_council(client, editor_a, council_a):
    client.force_login(editor_a)

    response = post(client, add_url(council_a), event_form(sessions=[session("Atelier", "11:00", "10:00")]))

    assert response.status_code == 200
    assert list(session_errors(response)[0]) == ["end_time"]

    response = post(client, add_url(council_a), event_form(sessions=[session("Atelier", "10:00", "11:00")]))
    assert response.status_code == 302
    assert EventPage.objects.child_of(council_a).count() == 1


# -- Registration ------------------------------------------------------------------------------------------


def registered_event(count, *, capacity=20, waiting=0):
    event = event_publish(slug="inscriptions", registration_mode=RegistrationMode.PARVIS, capacity=capacity)
    for n in range(count):
        assert seat_take(event)
        Registration.objects.create(
            event=event, status=RegistrationStatus.CONFIRMED, name=f"P{n}", email=f"p{n}@example.org"
        )
    for n in range(waiting):
        Registration.objects.create(
            event=event,
            status=RegistrationStatus.WAITING,
            name=f"W{n}",
            email=f"w{n}@example.org",
            waiting_since=NOW,
        )
    return event


def edit_form(event, **overrides):
    fields = {
        "title": event.title,
        "slug": event.slug,
        "registration_mode": "parvis",
        "capacity": str(event.capacity or ""),
    }
    return event_form(**{**fields, **overrides})


def test_the_capacity_cannot_go_below_the_seats_taken_and_says_how_many(staff, home):
    event = registered_event(5)

    response = post(staff, edit_url(event), edit_form(event, capacity="3"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["capacity"] == [
        _(
            "Seats already taken: %(taken)s. The capacity cannot be lower; to welcome fewer people, "
            "cancel registrations first."
        )
        % {"taken": 5}
    ]
    assert EventPage.objects.get(pk=event.pk).capacity == 20

    response = post(staff, edit_url(event), edit_form(event, capacity="5"))
    assert response.status_code == 302
    assert EventPage.objects.get(pk=event.pk).capacity == 5


def test_an_unlimited_capacity_is_allowed_and_zero_seats_is_not(staff, home):
    event = registered_event(2)

    response = post(staff, edit_url(event), edit_form(event, capacity="0"))
    assert response.context["form"].errors["capacity"] == [
        _("Give at least one seat, or leave the capacity empty for no limit.")
    ]

    response = post(staff, edit_url(event), edit_form(event, capacity=""))
    assert response.status_code == 302
    assert EventPage.objects.get(pk=event.pk).capacity is None


def test_registration_stays_on_the_site_once_people_are_registered(staff, home):
    event = registered_event(3)

    for mode in ("none", "external"):
        response = post(
            staff,
            edit_url(event),
            edit_form(event, registration_mode=mode, registration_url="https://billetterie.example.org/"),
        )
        assert response.status_code == 200
        assert "registration_mode" in response.context["form"].errors
        assert "(3)" in response.context["form"].errors["registration_mode"][0]
    assert EventPage.objects.get(pk=event.pk).registration_mode == RegistrationMode.PARVIS


def test_the_waiting_list_stays_while_people_wait(staff, home):
    event = registered_event(2, capacity=2, waiting=1)
    data = edit_form(event)
    del data["waiting_list"]  # an unticked box is not posted

    response = post(staff, edit_url(event), data)

    assert response.status_code == 200
    assert "(1)" in response.context["form"].errors["waiting_list"][0]


def test_registration_must_open_before_the_event_starts(staff, home):
    response = post(
        staff,
        add_url(city_agenda()),
        event_form(registration_mode="parvis", capacity="30", registration_opens_at="2026-03-28 10:00"),
    )

    assert response.context["form"].errors["registration_opens_at"] == [
        _("Registration must open before the event starts: it closes then, unless you set a closing date.")
    ]

    response = post(
        staff,
        add_url(city_agenda()),
        event_form(registration_mode="parvis", capacity="30", registration_opens_at="2026-03-10 10:00"),
    )
    assert response.status_code == 302
    assert EventPage.objects.get().registration_opens_at == paris(2026, 3, 10, 10)


def test_a_new_event_with_registration_and_no_capacity_takes_everyone(staff, home):
    response = post(staff, add_url(city_agenda()), event_form(registration_mode="parvis", capacity=""))

    assert response.status_code == 302
    assert EventPage.objects.get().capacity is None


# -- Preview -----------------------------------------------------------------------------------------------


def test_the_preview_shows_the_programme_being_edited(staff, home):
    url = reverse("wagtailadmin_pages:preview_on_add", args=["events", "eventpage", city_agenda().pk])
    data = event_form(
        rooms=MEETUP_ROOMS,
        sessions=[
            session("Ouverture", "10:00", "11:00", room="Auditorium"),
            session("Atelier", "11:00", "12:00", room="Salle Léman"),
        ],
    )

    assert staff.post(url, data).json()["is_valid"] is True
    html = staff.get(url).content.decode()

    assert "Ouverture" in html and "Atelier" in html
    assert 'id="programme-par-salle"' in html
    assert not EventPage.objects.exists()


def test_the_preview_refuses_a_session_outside_the_event(staff, home):
    url = reverse("wagtailadmin_pages:preview_on_add", args=["events", "eventpage", city_agenda().pk])

    response = staff.post(url, event_form(sessions=[session("Soirée", "17:00", "19:00")]))

    assert response.json()["is_valid"] is False
