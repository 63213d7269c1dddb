"""Background work of events (django-tasks): offers that lapse, offers after a capacity increase, and the
erasure of registrations' personal data. `jobs` schedules `offers_expire` (every few minutes) and
`registrations_erase` (daily) by their dotted paths."""

from django_tasks import task


@task()
def offers_expire() -> int:
    """Expire every lapsed offer and pass each seat on to the next person waiting."""
    from .waitlist import offers_expire as expire

    return expire()


@task()
def offers_make_for(event_id: int) -> int:
    """Offer the free seats of one event to the people waiting (after its capacity grew)."""
    from .models import EventPage
    from .waitlist import offers_make

    event = EventPage.objects.filter(pk=event_id).first()
    return offers_make(event) if event is not None else 0


@task()
def registrations_erase() -> int:
    """Erase the personal data of registrations whose event ended more than its retention period ago."""
    from .erasure import registrations_erase as erase

    return erase()
