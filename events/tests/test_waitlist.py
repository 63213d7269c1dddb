"""The waiting list makes offers: in order, valid for the event's offer time, accepted with one click
(POST), declined or lapsed → passed on to the next person by itself, with a frozen clock."""

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from core.typography import french_date, french_time
from events import seats, waitlist
from events.links import offer_url, registration_token
from events.models import EventSeats, Registration, RegistrationStatus
from events.tests.helpers import paris
from events.tests.waitlist_helpers import confirmed, emails_to, event_publish, taken, waiting
from events.waitlist import OfferOutcome

NOW = paris(2026, 11, 2, 9, 0)
EVENT_START = paris(2026, 12, 5, 9, 30)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def full_event(home, clock):
    """2 seats, both taken; three people waiting."""
    event = event_publish(capacity=2, start=EVENT_START, end=EVENT_START + timedelta(hours=8))
    people = confirmed(event, 2)
    return event, people, waiting(event, 3)


def _cancel(registration):
    """A confirmed person cancels (what the registration service does): the seat goes back."""
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)
    seats.seat_release(registration.event)


def _reload(*registrations):
    return [Registration.objects.get(pk=r.pk) for r in registrations]


def _path(registration):
    return reverse("events:offer_accept", args=[registration_token(registration)])


def test_a_freed_seat_is_offered_to_the_first_person_waiting_with_an_email_and_a_deadline(full_event):
    event, people, (first, second, third) = full_event
    _cancel(people[0])

    assert waitlist.offers_make(event) == 1

    first, second, third = _reload(first, second, third)
    assert first.status == RegistrationStatus.OFFERED
    assert first.offered_at == NOW
    assert first.offer_expires_at == NOW + timedelta(hours=48)
    assert (second.status, third.status) == (RegistrationStatus.WAITING, RegistrationStatus.WAITING)
    assert taken(event) == 2, "the offer holds the seat"
    [email] = emails_to(first.email)
    assert email.key == f"offer-{first.pk}-{int(NOW.timestamp())}"
    assert offer_url(first) in email.body_text
    assert event.title in email.subject
    expiry = first.offer_expires_at
    assert french_date(expiry) in email.body_text and french_time(expiry) in email.body_text
    assert "mercredi 4 novembre 2026" in email.body_text.replace("\u00a0", " ")
    assert email.body_html and offer_url(first) in email.body_html


def test_offers_follow_the_waiting_order_and_never_exceed_the_free_seats(full_event):
    event, people, (first, second, third) = full_event
    _cancel(people[0])
    _cancel(people[1])

    assert waitlist.offers_make(event) == 2
    assert waitlist.offers_make(event) == 0, "no seat left: nothing more to offer"

    statuses = [r.status for r in _reload(first, second, third)]
    assert statuses == [RegistrationStatus.OFFERED, RegistrationStatus.OFFERED, RegistrationStatus.WAITING]
    assert taken(event) == 2


def test_a_free_seat_nobody_waits_for_is_given_back(home, clock):
    event = event_publish(capacity=3, start=EVENT_START, end=EVENT_START + timedelta(hours=2))
    confirmed(event, 1)
    assert waitlist.offers_make(event) == 0
    assert taken(event) == 1


def test_no_offer_is_made_for_a_cancelled_or_started_event(full_event, clock):
    event, people, (first, *_) = full_event
    _cancel(people[0])
    event.status = "cancelled"
    assert waitlist.offers_make(event) == 0
    event.status = "planned"
    clock.move_to(EVENT_START + timedelta(minutes=1))
    assert waitlist.offers_make(event) == 0
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.WAITING


def test_an_offer_never_outlives_the_start_of_the_event(home, clock):
    start = NOW + timedelta(hours=10)
    event = event_publish(capacity=1, start=start, end=start + timedelta(hours=2))
    [person] = waiting(event)
    assert waitlist.offers_make(event) == 1
    assert Registration.objects.get(pk=person.pk).offer_expires_at == start


def test_an_unclaimed_offer_expires_on_time_and_passes_to_the_next_person_by_itself(full_event, clock):
    event, people, (first, second, third) = full_event
    _cancel(people[0])
    waitlist.offers_make(event)

    clock.move_to(NOW + timedelta(hours=47, minutes=59))
    assert waitlist.offers_expire() == 0
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.OFFERED

    clock.move_to(NOW + timedelta(hours=48))
    assert waitlist.offers_expire() == 1

    first, second, third = _reload(first, second, third)
    assert first.status == RegistrationStatus.EXPIRED
    assert second.status == RegistrationStatus.OFFERED
    assert second.offer_expires_at == NOW + timedelta(hours=96)
    assert third.status == RegistrationStatus.WAITING
    assert taken(event) == 2
    offer, lapsed = emails_to(first.email)
    assert "expired" in lapsed.subject or "expir" in lapsed.subject
    assert lapsed.key.startswith(f"offer-lapsed-{first.pk}-")
    assert len(emails_to(second.email)) == 1

    # And again, two days later: the third person gets it; nobody is left, the seat waits for a taker.
    clock.move_to(NOW + timedelta(hours=96))
    assert waitlist.offers_expire() == 1
    assert Registration.objects.get(pk=third.pk).status == RegistrationStatus.OFFERED
    clock.move_to(NOW + timedelta(hours=144))
    assert waitlist.offers_expire() == 1
    assert taken(event) == 1, "the last lapsed offer gave its seat back"
    assert waitlist.offers_expire() == 0, "expiring twice does nothing"


def test_the_periodic_task_expires_offers(full_event, clock):
    from events.tasks import offers_expire

    event, people, (first, second, _third) = full_event
    _cancel(people[0])
    waitlist.offers_make(event)
    clock.move_to(NOW + timedelta(hours=49))
    offers_expire.enqueue()  # tests run tasks at once (immediate backend)
    assert [r.status for r in _reload(first, second)] == [
        RegistrationStatus.EXPIRED,
        RegistrationStatus.OFFERED,
    ]


# -- The offer page ------------------------------------------------------------------------------------------


@pytest.fixture
def offered(full_event):
    event, people, (first, second, third) = full_event
    _cancel(people[0])
    waitlist.offers_make(event)
    return event, Registration.objects.get(pk=first.pk), second


def test_the_offer_page_shows_one_button_and_get_changes_nothing(client, offered):
    event, first, _second = offered
    before = len(emails_to(first.email))
    response = client.get(_path(first))
    assert response.status_code == 200
    html = response.content.decode()
    assert event.title in html
    assert html.count('name="action" value="accept"') == 1
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.OFFERED
    assert len(emails_to(first.email)) == before
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["Referrer-Policy"] == "same-origin"


def test_accepting_confirms_the_seat_and_sends_the_confirmation_with_the_calendar_file(client, offered):
    event, first, second = offered
    response = client.post(_path(first), {"action": "accept"})
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED
    assert first.confirmed_at == NOW
    assert taken(event) == 2, "the seat was counted when offered: accepting takes no second seat"
    confirmation = emails_to(first.email)[-1]
    assert any(
        a["filename"].endswith(".ics") and "BEGIN:VEVENT" in a["content"] for a in confirmation.attachments
    )
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.WAITING
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_replayed_accept_says_so_and_changes_nothing(client, offered):
    _event, first, _second = offered
    client.post(_path(first), {"action": "accept"})
    first.refresh_from_db()
    emails = len(emails_to(first.email))

    response = client.post(_path(first), {"action": "accept"})
    assert response.status_code == 200
    assert "events/offer_already.html" in [t.name for t in response.templates]
    again = Registration.objects.get(pk=first.pk)
    assert (again.status, again.confirmed_at) == (RegistrationStatus.CONFIRMED, first.confirmed_at)
    assert len(emails_to(first.email)) == emails
    assert "events/offer_already.html" in [t.name for t in client.get(_path(first)).templates]


def test_declining_cancels_and_offers_the_seat_to_the_next_person(client, offered):
    event, first, second = offered
    response = client.post(_path(first), {"action": "decline"})
    assert response.status_code == 200
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.OFFERED
    assert taken(event) == 2
    # Declined: accepting afterwards is refused.
    client.post(_path(first), {"action": "accept"})
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.CANCELLED


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_answers_404_and_changes_nothing(client, offered, method):
    _event, first, _second = offered
    token = registration_token(first)
    forged = signing.dumps({"r": first.pk, "k": "guessed"}, salt="events.registration", compress=True)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nothing"):
        response = getattr(client, method)(reverse("events:offer_accept", args=[bad]), {"action": "accept"})
        assert response.status_code == 404
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.OFFERED


def test_a_lapsed_offer_is_explained_and_passed_on_as_soon_as_its_link_is_opened(client, offered, clock):
    """Lazy expiry: no worker ran, the link itself expires the offer first."""
    _event, first, second = offered
    clock.move_to(NOW + timedelta(hours=48, seconds=1))
    response = client.get(_path(first))
    assert response.status_code == 200
    assert "events/offer_expired.html" in [t.name for t in response.templates]
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.EXPIRED
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.OFFERED

    response = client.post(_path(first), {"action": "accept"})
    assert "events/offer_expired.html" in [t.name for t in response.templates]
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.EXPIRED


def test_the_manage_page_of_a_lapsed_offer_tells_the_truth_before_the_worker_passes(client, offered, clock):
    _event, first, second = offered
    clock.move_to(NOW + timedelta(hours=48, seconds=1))
    response = client.get(reverse("events:registration_manage", args=[registration_token(first)]))
    assert response.status_code == 200
    assert response.context["registration"].status == RegistrationStatus.EXPIRED
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.OFFERED


def test_accepting_one_second_late_is_refused(offered, clock):
    _event, first, second = offered
    clock.move_to(first.offer_expires_at)
    assert waitlist.offer_accept(registration=first) == OfferOutcome.EXPIRED
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.EXPIRED
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.OFFERED


def test_a_waiting_person_s_link_offers_nothing_to_accept(client, offered):
    _event, _first, second = offered
    response = client.post(_path(second), {"action": "accept"})
    assert "events/offer_unavailable.html" in [t.name for t in response.templates]
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.WAITING


def test_the_event_s_lapsed_offers_are_processed_by_the_lazy_check(offered, clock):
    event, first, second = offered
    clock.move_to(NOW + timedelta(hours=50))
    assert waitlist.offers_expire_for_event(event) == 1
    assert waitlist.offers_expire_for_event(event) == 0
    assert [r.status for r in _reload(first, second)] == [
        RegistrationStatus.EXPIRED,
        RegistrationStatus.OFFERED,
    ]


# -- Capacity grows on publish -------------------------------------------------------------------------------


def test_publishing_a_larger_capacity_offers_the_new_seats(full_event, django_capture_on_commit_callbacks):
    event, _people, (first, second, third) = full_event
    event.capacity = 4
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    assert EventSeats.objects.get(event_id=event.pk).capacity == 4
    statuses = [r.status for r in _reload(first, second, third)]
    assert statuses == [RegistrationStatus.OFFERED, RegistrationStatus.OFFERED, RegistrationStatus.WAITING]
    assert taken(event) == 4


def test_publishing_without_a_capacity_change_makes_no_offer(full_event, django_capture_on_commit_callbacks):
    event, people, (first, *_rest) = full_event
    event.title = "Nouveau titre"
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.WAITING


# -- Concurrency (separate connections) ------------------------------------------------------------------------


def _in_threads(count, function):
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_simultaneous_workers_offer_each_seat_once_and_expire_each_offer_once(transactional_db):
    from home.services import site_structure_ensure

    site_structure_ensure(hostname="testserver")
    start = timezone.now() + timedelta(days=10)
    event = event_publish(capacity=5, start=start, end=start + timedelta(hours=2))
    confirmed(event, 2)
    people = waiting(event, 6)

    assert sum(_in_threads(8, lambda: waitlist.offers_make(event))) == 3
    offered = Registration.objects.filter(event=event, status=RegistrationStatus.OFFERED)
    assert sorted(offered.values_list("pk", flat=True)) == [p.pk for p in people[:3]]
    assert taken(event) == 5

    later = timezone.now() + timedelta(hours=49)
    assert sum(_in_threads(8, lambda: waitlist.offers_expire(now=later))) == 3
    statuses = [r.status for r in _reload(*people)]
    assert statuses == [RegistrationStatus.EXPIRED] * 3 + [RegistrationStatus.OFFERED] * 3
    assert taken(event) == 5
    for person in people[:3]:
        assert len(emails_to(person.email)) == 2, "one offer, one lapse notice — never twice"
