"""No overbooking, ever: concurrent registrations on real PostgreSQL connections.

Each registration runs in its own thread with its own database connection (Django opens one per thread),
released at the end of the thread. The threads start together behind a barrier. PostgreSQL's default
`max_connections` is 100 and other test workers hold some, so at most `connection_slots()` threads hold a
connection at the same moment (all of them when the server allows it); the 100 registrations are still
100 transactions on 100 connections racing for the last seats.
"""

import threading

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F

import pytest

from events.factories import RegistrationEventFactory
from events.models import EventIndexPage, EventSeats, Registration, RegistrationStatus
from events.registrations import registration_create
from events.seats import seats_ensure
from jobs.models import OutboundEmail

PEOPLE = 100
SEATS = 20
ROUNDS = 10
SAME_EMAIL_ATTEMPTS = 50


def connection_slots(wanted):
    """How many connections the test may hold at once: all it wants if the server has room, else what is
    free, keeping a margin for other clients."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
        in_use = cursor.fetchone()[0]
    return max(10, min(wanted, limit - in_use - 10))


def run_together(count, work):
    """Run work(i) for i in range(count), each in its own thread and connection, started together.
    Returns the exceptions raised (there should be none)."""
    barrier = threading.Barrier(count)
    slots = threading.BoundedSemaphore(connection_slots(count))
    errors = []

    def thread_main(i):
        try:
            barrier.wait(timeout=60)
            with slots:
                try:
                    work(i)
                finally:
                    connections.close_all()
        except Exception as error:  # noqa: BLE001 — reported by the test
            errors.append(error)

    threads = [threading.Thread(target=thread_main, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.fixture
def agenda(transactional_db, settings):
    from home.services import site_structure_ensure

    # Emails stay queued in the outbox (written in each registration's transaction, which is what matters
    # here); delivering them is the outbox's own tests' business and would only slow the race down.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    site_structure_ensure(hostname="testserver")
    return EventIndexPage.objects.get()


def test_100_simultaneous_registrations_for_20_seats_ten_times_in_a_row(agenda):
    for round_number in range(ROUNDS):
        event = RegistrationEventFactory(parent=agenda, capacity=SEATS, waiting_list=True)

        def register(i, event=event, round_number=round_number):
            registration_create(
                event=event,
                name=f"Personne {i}",
                email=f"personne{i}.tour{round_number}@example.org",
                consent=True,
            )

        errors = run_together(PEOPLE, register)
        assert errors == []
        statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
        assert statuses.count(RegistrationStatus.CONFIRMED) == SEATS
        assert statuses.count(RegistrationStatus.WAITING) == PEOPLE - SEATS
        assert len(statuses) == PEOPLE
        assert EventSeats.objects.get(event_id=event.pk).taken == SEATS
        # One email each, in the same transaction as the registration: 20 confirmations, 80 waiting.
        emails = OutboundEmail.objects.filter(key__startswith="registration-", subject__contains=event.title)
        assert emails.filter(key__startswith="registration-confirmed-").count() == SEATS
        assert emails.filter(key__startswith="registration-waiting-").count() == PEOPLE - SEATS


def test_50_simultaneous_attempts_with_one_email_make_one_registration(agenda):
    event = RegistrationEventFactory(parent=agenda, capacity=SEATS)
    outcomes = []

    def register(i):
        outcomes.append(
            registration_create(
                event=event,
                name=f"Essai {i}",
                email="meme.personne@example.org" if i % 2 else "Meme.Personne@Example.org",
                consent=True,
            )
        )

    errors = run_together(SAME_EMAIL_ATTEMPTS, register)
    assert errors == []
    assert Registration.objects.filter(event=event).count() == 1
    assert Registration.objects.active().filter(event=event).count() == 1
    assert EventSeats.objects.get(event_id=event.pk).taken == 1
    assert len(outcomes) == SAME_EMAIL_ATTEMPTS
    assert sum(not outcome.duplicate for outcome in outcomes) == 1


@pytest.mark.django_db
def test_the_database_refuses_more_seats_taken_than_the_capacity(home):
    event = RegistrationEventFactory(parent=EventIndexPage.objects.get(), capacity=2)
    seats_ensure(event)
    EventSeats.objects.filter(event_id=event.pk).update(taken=2)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        EventSeats.objects.filter(event_id=event.pk).update(taken=F("taken") + 1)
    assert "events_seats_taken_within_capacity" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventSeats.objects.filter(event_id=event.pk).update(capacity=1)
    assert EventSeats.objects.get(event_id=event.pk).taken == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_registration_for_one_email(home):
    event = RegistrationEventFactory(parent=EventIndexPage.objects.get())
    Registration.objects.create(
        event=event, status=RegistrationStatus.CONFIRMED, name="A", email="a@example.org"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event, status=RegistrationStatus.WAITING, name="B", email="A@EXAMPLE.org"
        )
    # A cancelled one does not count.
    Registration.objects.create(
        event=event, status=RegistrationStatus.CANCELLED, name="C", email="a@example.org"
    )
