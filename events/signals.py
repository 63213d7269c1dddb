"""After an event page is published: its seat counter takes the new capacity; seats added go to the people
waiting (in a task, after the commit), and the fill thresholds are re-armed or announced."""

from django.db import transaction

from wagtail.signals import page_published

from .models import EventPage, EventSeats
from .organisers import seats_thresholds_notify, seats_thresholds_rearm
from .seats import seats_capacity_sync


def event_seats_sync(event) -> bool:
    """Sync the counter with the page's capacity; True when seats were added (offers were enqueued)."""
    counter = EventSeats.objects.filter(event_id=event.pk).first()
    if counter is None and not event.takes_registrations:
        return False  # no counter for an event that takes no registrations here
    added = seats_capacity_sync(event)
    current = EventSeats.objects.filter(event_id=event.pk).values_list("capacity", flat=True).get()
    if counter is not None and current != counter.capacity:
        seats_thresholds_rearm(event)
        seats_thresholds_notify(event)
    if added:
        from .tasks import offers_make_for

        event_id = event.pk
        transaction.on_commit(lambda: offers_make_for.enqueue(event_id))
    return added


def event_published(sender, instance, **kwargs):
    event_seats_sync(instance)


def connect():
    page_published.connect(event_published, sender=EventPage, dispatch_uid="events_seats_on_publish")
