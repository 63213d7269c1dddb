"""Building blocks for the waiting-list, organisers' and erasure tests: events with seats taken the real
way (through `events.seats`), and people waiting in order."""

from datetime import timedelta

from django.utils import timezone

from events import seats
from events.factories import RegistrationEventFactory, RegistrationFactory
from events.models import EventIndexPage, RegistrationStatus
from jobs.models import OutboundEmail


def event_publish(parent=None, **fields):
    """An event taking registrations (20 seats unless told), published through a revision."""
    parent = parent or EventIndexPage.objects.get()
    event = RegistrationEventFactory(parent=parent, **fields)
    event.save_revision().publish()
    event.refresh_from_db()
    seats.seats_ensure(event)
    return event


def confirmed(event, count=1, **fields):
    """`count` confirmed registrations, each taking its seat."""
    people = []
    for _ in range(count):
        assert seats.seat_take(event), "no seat left"
        people.append(RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED, **fields))
    return people


def waiting(event, count=1, *, since=None):
    """`count` people on the waiting list, one minute apart (the first waits longest)."""
    since = since or timezone.now() - timedelta(days=1)
    return [
        RegistrationFactory(
            event=event,
            status=RegistrationStatus.WAITING,
            confirmed_at=None,
            waiting_since=since + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def taken(event):
    return event.__class__.objects.get(pk=event.pk).seats.taken


def emails_to(address):
    return list(OutboundEmail.objects.filter(to=address).order_by("pk"))
