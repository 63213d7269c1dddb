"""Organisers: emailed at 80 % and 100 % of capacity (once each, the right people); registrations in the
admin for their own events only (listing, filters, CSV export safe for spreadsheets), attendance at the
door."""

import csv
import io

from django.urls import reverse
from django.utils import timezone

import pytest

from core.spreadsheets import csv_cell
from councils.factories import UserFactory
from councils.services import council_add_editor
from events import seats
from events.models import EventSeats, Registration, RegistrationStatus
from events.organisers import event_organisers, seats_thresholds_notify, seats_thresholds_rearm
from events.tests.waitlist_helpers import confirmed, event_publish, waiting
from jobs.models import OutboundEmail


@pytest.fixture
def council_event(council_a, editor_a):
    return event_publish(parent=council_a, capacity=10, title="Fête des voisins")


@pytest.fixture
def city_event(home):
    return event_publish(capacity=10, title="Rencontre des utilisateurs")


def _threshold_emails(event):
    return list(OutboundEmail.objects.filter(key__startswith=f"seats-{event.pk}-").order_by("pk"))


# -- Thresholds ------------------------------------------------------------------------------------------------


def test_the_council_s_editors_are_emailed_once_at_80_and_once_at_100_percent(
    council_event, editor_a, council_b
):
    other_editor = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=other_editor)

    confirmed(council_event, 7)
    assert seats_thresholds_notify(council_event) == []
    confirmed(council_event, 1)
    assert seats_thresholds_notify(council_event) == [80]
    assert seats_thresholds_notify(council_event) == [], "once only"
    confirmed(council_event, 1)
    assert seats_thresholds_notify(council_event) == []
    confirmed(council_event, 1)
    assert seats_thresholds_notify(council_event) == [100]
    assert seats_thresholds_notify(council_event) == []

    emails = _threshold_emails(council_event)
    assert [e.to for e in emails] == [editor_a.email, editor_a.email]
    eighty, full = emails
    assert "80" in eighty.subject and council_event.title in eighty.subject
    assert "8" in eighty.body_text and "10" in eighty.body_text
    assert reverse("events_admin:registrations", args=[council_event.pk]) in full.body_text
    assert council_event.title in full.subject
    seats_row = EventSeats.objects.get(event_id=council_event.pk)
    assert (seats_row.notified_80, seats_row.notified_100) == (True, True)


def test_a_jump_straight_to_full_sends_both_and_a_city_event_emails_the_communications_team(
    city_event, city_staff, editor_a
):
    confirmed(city_event, 10)
    assert seats_thresholds_notify(city_event) == [80, 100]
    assert {e.to for e in _threshold_emails(city_event)} == {city_staff.email}
    assert event_organisers(city_event) == [city_staff]


def test_cancellations_do_not_rearm_a_threshold_but_a_new_capacity_does(council_event, editor_a):
    people = confirmed(council_event, 10)
    seats_thresholds_notify(council_event)
    Registration.objects.filter(pk=people[0].pk).update(status=RegistrationStatus.CANCELLED)
    seats.seat_release(council_event)
    seats.seat_take(council_event)
    assert seats_thresholds_notify(council_event) == []

    # The organisers raise the capacity to 20: both thresholds are below again, and announced when reached.
    council_event.capacity = 20
    council_event.save_revision().publish()
    seats_row = EventSeats.objects.get(event_id=council_event.pk)
    assert (seats_row.capacity, seats_row.notified_80, seats_row.notified_100) == (20, False, False)
    confirmed(council_event, 6)
    assert seats_thresholds_notify(council_event) == [80]
    assert len(_threshold_emails(council_event)) == 3


def test_rearming_keeps_a_threshold_still_reached(council_event):
    confirmed(council_event, 9)
    seats_thresholds_notify(council_event)
    seats_thresholds_rearm(council_event)
    assert EventSeats.objects.get(event_id=council_event.pk).notified_80 is True


def test_an_event_without_a_limit_never_notifies(home):
    event = event_publish(capacity=None)
    confirmed(event, 50)
    assert seats_thresholds_notify(event) == []


def test_an_accepted_offer_that_fills_the_event_notifies(council_event, editor_a):
    from events import waitlist

    people = confirmed(council_event, 10)
    [person] = waiting(council_event)
    seats_thresholds_notify(council_event)
    EventSeats.objects.filter(event_id=council_event.pk).update(notified_100=False)
    Registration.objects.filter(pk=people[0].pk).update(status=RegistrationStatus.CANCELLED)
    seats.seat_release(council_event)
    assert waitlist.offers_make(council_event) == 1
    assert EventSeats.objects.get(event_id=council_event.pk).notified_100 is True


# -- Permissions ----------------------------------------------------------------------------------------------


def _urls(event):
    return [
        reverse("events_admin:registrations", args=[event.pk]),
        reverse("events_admin:export", args=[event.pk]),
        reverse("events_admin:attendance", args=[event.pk]),
    ]


@pytest.fixture
def registered(council_event):
    [person] = confirmed(council_event, 1, name="Zoé Secrète", email="zoe.secrete@example.org")
    return person


def test_the_council_s_editor_and_the_city_team_see_the_registrations(
    client, council_event, registered, editor_a, city_staff
):
    for user in (editor_a, city_staff):
        client.force_login(user)
        for url in _urls(council_event):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            assert b"Zo\xc3\xa9 Secr\xc3\xa8te" in response.content, (user, url)
            assert "no-store" in response["Cache-Control"]


def test_another_council_s_editor_is_refused_on_every_screen(client, council_event, registered, council_b):
    other = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=other)
    client.force_login(other)
    for url in _urls(council_event):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"registration": registered.pk, "present": "1"})
            assert response.status_code == 403, (url, method)
            assert b"Secr" not in response.content
    assert Registration.objects.get(pk=registered.pk).attended_at is None
    response = client.get(reverse("events_admin:index"))
    assert response.status_code == 200 and council_event.title.encode() not in response.content


def test_a_member_is_refused(client, council_event, registered, member_a):
    client.force_login(member_a)
    for url in _urls(council_event):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"Secr" not in response.content


def test_an_id_that_is_not_an_event_is_refused_like_one_the_user_may_not_see(client, council_a, editor_a):
    client.force_login(editor_a)
    assert client.get(reverse("events_admin:registrations", args=[council_a.pk])).status_code == 403
    assert client.get(reverse("events_admin:registrations", args=[999_999])).status_code == 403


def test_the_menu_lists_the_events_one_organises_with_their_counts(
    client, council_event, registered, editor_a, django_assert_max_num_queries
):
    waiting(council_event, 2)
    client.force_login(editor_a)
    response = client.get(reverse("events_admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert council_event.title in html
    event = response.context["upcoming"][0]
    assert (event.confirmed_count, event.waiting_count) == (1, 2)


def test_the_event_s_admin_header_links_to_its_registrations(client, council_event, editor_a):
    client.force_login(editor_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[council_event.pk]))
    assert reverse("events_admin:registrations", args=[council_event.pk]).encode() in response.content
    assert reverse("events_admin:attendance", args=[council_event.pk]).encode() in response.content


# -- Listing and export ------------------------------------------------------------------------------------


def test_the_listing_shows_every_column_filters_by_status_and_ranks_the_waiting_list(
    client, council_event, editor_a
):
    confirmed(council_event, 1, name="Alice Martin", organisation="Amicale", accessibility_needs="Fauteuil")
    first, second = waiting(council_event, 2)
    client.force_login(editor_a)
    url = reverse("events_admin:registrations", args=[council_event.pk])
    response = client.get(url)
    html = response.content.decode()
    for text in ("Alice Martin", "Amicale", "Fauteuil", first.name, second.name, first.email):
        assert text in html
    rows = {r.pk: r for r in response.context["registrations"]}
    assert (rows[first.pk].waiting_rank, rows[second.pk].waiting_rank) == (1, 2)

    response = client.get(url, {"status": "waiting"})
    assert [r.pk for r in response.context["registrations"]] == [first.pk, second.pk]
    assert "Alice Martin" not in response.content.decode()
    response = client.get(url, {"status": "waiting", "q": second.name})
    assert [(r.pk, r.waiting_rank) for r in response.context["registrations"]] == [(second.pk, 2)]
    response = client.get(url, {"status": "nonsense"})
    assert len(response.context["registrations"]) == 3


def test_the_listing_runs_the_same_queries_for_3_or_30_registrations(
    client, council_event, editor_a, django_assert_max_num_queries
):
    client.force_login(editor_a)
    url = reverse("events_admin:registrations", args=[council_event.pk])
    confirmed(council_event, 3)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    council_event.capacity = 40
    council_event.save_revision().publish()
    confirmed(council_event, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def _csv(response):
    body = response.content
    assert body.startswith("\ufeff".encode()), "a BOM, for Excel to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_is_for_french_excel_and_keeps_the_filter(client, council_event, editor_a):
    confirmed(
        council_event, 1, name="Éloïse Dûpont", organisation="Comité ; quartier", accessibility_needs=""
    )
    waiting(council_event, 1)
    client.force_login(editor_a)
    response = client.get(reverse("events_admin:export", args=[council_event.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows[0]) == 8
    assert rows[1][0] == "Éloïse Dûpont" and rows[1][2] == "Comité ; quartier"
    assert len(rows) == 3
    rows = _csv(client.get(reverse("events_admin:export", args=[council_event.pk]), {"status": "waiting"}))
    assert len(rows) == 2 and rows[1][5] == "1"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+33 6 12", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_run_as_formulas(value):
    assert csv_cell(value) == "'" + value


def test_the_export_neutralises_formulas_typed_into_the_form(client, council_event, editor_a):
    confirmed(
        council_event, 1, name='=HYPERLINK("http://evil.example","clic")', organisation="@cmd|' /C calc'!A0"
    )
    client.force_login(editor_a)
    rows = _csv(client.get(reverse("events_admin:export", args=[council_event.pk])))
    assert rows[1][0].startswith("'=") and rows[1][2].startswith("'@")
    assert csv_cell("Jean-Marie") == "Jean-Marie" and csv_cell("") == ""


# -- Attendance ------------------------------------------------------------------------------------------------


def test_attendance_is_marked_and_undone_with_plain_posts_and_counted(client, council_event, editor_a):
    alice, bruno = confirmed(council_event, 2)
    [someone_waiting] = waiting(council_event)
    client.force_login(editor_a)
    url = reverse("events_admin:attendance", args=[council_event.pk])

    response = client.get(url)
    assert response.context["present"] == 0 and response.context["total"] == 2
    assert "0 / 2" in response.content.decode()
    assert someone_waiting.name not in response.content.decode(), "only confirmed people are at the door"

    response = client.post(url, {"registration": alice.pk, "present": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#r-{alice.pk}")
    marked = Registration.objects.get(pk=alice.pk).attended_at
    assert marked is not None
    client.post(url, {"registration": alice.pk, "present": "1"})
    assert Registration.objects.get(pk=alice.pk).attended_at == marked, "marking twice keeps the first time"
    assert client.get(url).context["present"] == 1

    client.post(url, {"registration": alice.pk, "present": "0"})
    assert Registration.objects.get(pk=alice.pk).attended_at is None

    # Someone waiting, or of another event, cannot be marked from here.
    client.post(url, {"registration": someone_waiting.pk, "present": "1"})
    assert Registration.objects.get(pk=someone_waiting.pk).attended_at is None
    client.post(url, {"registration": "not-a-number", "present": "1"})


def test_attendance_search_finds_people_by_name(client, council_event, editor_a):
    confirmed(council_event, 1, name="Camille Rousseau")
    confirmed(council_event, 1, name="Denis Lefèvre")
    client.force_login(editor_a)
    url = reverse("events_admin:attendance", args=[council_event.pk])
    response = client.get(url, {"q": "rous"})
    assert [p.name for p in response.context["people"]] == ["Camille Rousseau"]
    assert response.context["total"] == 2, "the count is the whole event's"
    response = client.post(
        url, {"registration": response.context["people"][0].pk, "present": "1", "q": "rous"}
    )
    assert "q=rous" in response["Location"]
    assert timezone.now() >= Registration.objects.get(name="Camille Rousseau").attended_at


def _queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(60) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_door_screen_runs_the_same_queries_for_3_or_30_people(
    client, council_event, editor_a, django_assert_max_num_queries
):
    client.force_login(editor_a)
    url = reverse("events_admin:attendance", args=[council_event.pk])
    confirmed(council_event, 3)
    client.get(url)
    small = _queries(client, url, django_assert_max_num_queries)
    council_event.capacity = 40
    council_event.save_revision().publish()
    people = confirmed(council_event, 27)
    Registration.objects.filter(pk__in=[p.pk for p in people[:10]]).update(attended_at=timezone.now())
    assert _queries(client, url, django_assert_max_num_queries) == small


def test_the_organiser_s_event_list_runs_the_same_queries_for_1_or_10_events(
    client, council_a, council_event, editor_a, django_assert_max_num_queries
):
    client.force_login(editor_a)
    url = reverse("events_admin:index")
    client.get(url)
    small = _queries(client, url, django_assert_max_num_queries)
    for _ in range(9):
        confirmed(event_publish(parent=council_a, capacity=5), 2)
    response = client.get(url)
    assert len(response.context["upcoming"]) == 10
    assert _queries(client, url, django_assert_max_num_queries) == small
