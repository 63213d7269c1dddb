"""The seat counter: the only way seats are taken or given back.

Taking a seat is one atomic conditional UPDATE (`taken < capacity`): two requests can never both take the
last seat, whatever the number of connections; the CHECK constraint on `EventSeats` backs it up.
"""

from django.db.models import F, Q

from core.http_cache import purge_after_commit

from .models import SEAT_STATUSES, EventPage, EventSeats, Registration


def _seats_shown_changed(event) -> None:
    """The counter changes by UPDATE (no signal): the event's page and the lists that show its seats left
    carry its tag (core.http_cache), purged once the transaction commits."""
    purge_after_commit({f"p{event.pk}"})


def seats_ensure(event: EventPage) -> EventSeats:
    """The event's counter, created with the page's capacity if it has none yet."""
    seats, _ = EventSeats.objects.get_or_create(event_id=event.pk, defaults={"capacity": event.capacity})
    return seats


def seat_take(event: EventPage) -> bool:
    """Take one seat if one is free. True when taken."""
    seats_ensure(event)
    taken = bool(
        EventSeats.objects.filter(event_id=event.pk)
        .filter(Q(capacity__isnull=True) | Q(taken__lt=F("capacity")))
        .update(taken=F("taken") + 1)
    )
    if taken:
        _seats_shown_changed(event)
    return taken


def seat_release(event: EventPage) -> None:
    """Give one seat back (a confirmed registration cancelled, an offer expired or declined)."""
    if EventSeats.objects.filter(event_id=event.pk, taken__gt=0).update(taken=F("taken") - 1):
        _seats_shown_changed(event)


def seats_free(event: EventPage) -> int | None:
    """Free seats now (None: no limit)."""
    seats = seats_ensure(event)
    if seats.capacity is None:
        return None
    return max(seats.capacity - seats.taken, 0)


def seats_capacity_sync(event: EventPage) -> bool:
    """After publishing: the counter takes the page's capacity. Returns True when seats were added (the
    waiting list should then receive offers). The page form refuses a capacity below the seats taken;
    should a race still bring one, the counter keeps `taken` as its capacity (never below)."""
    seats = seats_ensure(event)
    previous = seats.capacity
    capacity = event.capacity
    if capacity is not None and capacity < seats.taken:
        capacity = seats.taken
    if capacity == previous:
        return False
    EventSeats.objects.filter(pk=seats.pk).update(capacity=capacity)
    _seats_shown_changed(event)
    return previous is not None and (capacity is None or capacity > previous)


def seats_recount(event: EventPage) -> int:
    """Recompute `taken` from the registrations (repair tool; the counter is normally exact)."""
    taken = Registration.objects.filter(event_id=event.pk, status__in=SEAT_STATUSES).count()
    seats_ensure(event)
    EventSeats.objects.filter(event_id=event.pk).update(taken=taken)
    _seats_shown_changed(event)
    return taken
