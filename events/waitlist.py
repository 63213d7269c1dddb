"""The waiting list that makes offers.

When a seat frees (a cancellation, an expired or declined offer, a larger capacity), the first person
waiting is *offered* the seat: the seat is taken for them at once (an offer counts in `EventSeats.taken`,
so nobody else can take it meanwhile) and they have `event.offer_hours` to accept it with one click. An
offer nobody accepts expires: the seat is given back and offered to the next person, by itself.

Expiry is exact without a worker running every minute: the periodic task `events.tasks.offers_expire`
sweeps every event, and the event page and the offer link process the event's lapsed offers first
(`offers_expire_for_event`), so nobody can accept a lapsed offer or see a stale one.

Every write is one transaction: the seat counter's conditional UPDATE (`seats.seat_take`) locks the
event's counter row until the commit, and the person waiting is locked with `SKIP LOCKED`, so two
workers never offer the same seat or the same person twice. Like `registrations`, every transaction locks
the counter before any registration (one order everywhere: no deadlock).
"""

import enum
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.emails import email_queue

from . import seats
from .links import offer_url
from .models import EventPage, EventSeats, Registration, RegistrationStatus
from .organisers import seats_thresholds_notify


class OfferOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    ALREADY_CONFIRMED = "already_confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # waiting, cancelled: nothing to accept


def _event(event) -> EventPage:
    if isinstance(event, EventPage):
        return event
    return EventPage.objects.get(pk=getattr(event, "pk", event))


def offers_open(event, now=None) -> bool:
    """Whether seats may still be offered: a waiting list, an event neither cancelled nor started."""
    now = now or timezone.now()
    return bool(
        event.takes_registrations and event.waiting_list and not event.is_cancelled and event.start > now
    )


def _stamp(value) -> int:
    return int(value.timestamp())


# -- Emails ------------------------------------------------------------------------------------------------


def _context(registration, **extra):
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "event_url": event.get_full_url(),
        "start": timezone.localtime(event.start),
        "end": timezone.localtime(event.end),
        **extra,
    }


def _email(registration, *, template, subject, key, attachments=None, **extra):
    context = _context(registration, **extra)
    return email_queue(
        to=registration.email,
        subject=subject,
        body_text=render_to_string(f"events/email/{template}.txt", context),
        body_html=render_to_string(f"events/email/{template}.html", context),
        attachments=attachments,
        key=key,
    )


def offer_email_send(registration):
    """ "A seat is yours if you want it": the link, and until when."""
    return _email(
        registration,
        template="offer_made",
        subject=_("A seat is free for you: %(title)s") % {"title": registration.event.title},
        key=f"offer-{registration.pk}-{_stamp(registration.offered_at)}",
        offer_url=offer_url(registration),
    )


def offer_lapsed_email_send(registration):
    """The offer was not accepted in time: the seat went to the next person."""
    return _email(
        registration,
        template="offer_lapsed",
        subject=_("Your seat offer has expired: %(title)s") % {"title": registration.event.title},
        key=f"offer-lapsed-{registration.pk}-{_stamp(registration.offered_at)}",
    )


def registration_confirmation_send(registration):
    """The confirmation (with the .ics) of a seat accepted from the waiting list: the registration
    service's own confirmation email, so both paths send the same one (and never two: same key)."""
    from .registrations import registration_email_confirmed

    return registration_email_confirmed(registration)


# -- Making offers ---------------------------------------------------------------------------------------


def offers_make(event, now=None) -> int:
    """While a seat is free and someone waits, offer it to the first person waiting (by `waiting_since`,
    then id). Returns how many offers were made; the organisers hear when a threshold is reached."""
    event = _event(event)
    now = now or timezone.now()
    if not offers_open(event, now):
        return 0
    expires_at = min(now + timedelta(hours=event.offer_hours), event.start)
    made = 0
    with transaction.atomic():
        while seats.seat_take(event):
            registration = (
                Registration.objects.select_for_update(skip_locked=True)
                .filter(event_id=event.pk, status=RegistrationStatus.WAITING)
                .order_by("waiting_since", "pk")
                .first()
            )
            if registration is None:
                seats.seat_release(event)
                break
            registration.status = RegistrationStatus.OFFERED
            registration.offered_at = now
            registration.offer_expires_at = expires_at
            registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
            registration.event = event
            offer_email_send(registration)
            made += 1
        if made:
            seats_thresholds_notify(event)
    return made


# -- Expiry ---------------------------------------------------------------------------------------------


def _counter_lock(event_id):
    """Lock the event's seat counter first, as `registrations` does: every transaction that touches both
    the counter and a registration takes them in the same order, so two of them never deadlock."""
    EventSeats.objects.select_for_update().filter(event_id=event_id).first()


def _lapsed(now):
    return Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now)


def offers_expire_for_event(event, now=None) -> int:
    """Expire the event's lapsed offers (seat given back, the person told), then offer the seats to the
    next people. Cheap when there is nothing to do (one query): the event page and offer links call it."""
    now = now or timezone.now()
    event_id = getattr(event, "pk", event)
    if not _lapsed(now).filter(event_id=event_id).exists():
        return 0
    event = _event(event)
    with transaction.atomic():
        _counter_lock(event.pk)
        lapsed = list(
            _lapsed(now)
            .filter(event_id=event.pk)
            .select_for_update(skip_locked=True)
            .order_by("offer_expires_at", "pk")
        )
        for registration in lapsed:
            registration.status = RegistrationStatus.EXPIRED
            registration.save(update_fields=["status"])
            seats.seat_release(event)
            registration.event = event
            offer_lapsed_email_send(registration)
        if lapsed:
            offers_make(event, now=now)
    return len(lapsed)


def offers_expire(now=None) -> int:
    """Every lapsed offer of every event (the periodic task). Returns how many expired."""
    now = now or timezone.now()
    event_ids = sorted(set(_lapsed(now).values_list("event_id", flat=True)))
    return sum(offers_expire_for_event(event_id, now=now) for event_id in event_ids)


# -- Answering an offer ---------------------------------------------------------------------------------


def _locked(registration):
    _counter_lock(registration.event_id)
    return Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)


def offer_accept(*, registration, now=None) -> OfferOutcome:
    """Accept the seat offered: CONFIRMED (the seat was counted when offered) and the confirmation email.
    A lapsed offer is expired (and passed on) instead; a second click changes nothing."""
    now = now or timezone.now()
    offers_expire_for_event(registration.event_id, now=now)
    with transaction.atomic():
        registration = _locked(registration)
        if registration.status == RegistrationStatus.CONFIRMED:
            return OfferOutcome.ALREADY_CONFIRMED
        if registration.status == RegistrationStatus.EXPIRED:
            return OfferOutcome.EXPIRED
        if registration.status != RegistrationStatus.OFFERED:
            return OfferOutcome.UNAVAILABLE
        if registration.offer_expires_at <= now:
            # Locked by a sweep running right now: it will expire it; this click is too late anyway.
            return OfferOutcome.EXPIRED
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        registration_confirmation_send(registration)
        seats_thresholds_notify(registration.event)
    return OfferOutcome.ACCEPTED


def offer_decline(*, registration, now=None) -> OfferOutcome:
    """Decline the seat offered: the registration is cancelled and the seat offered to the next person."""
    now = now or timezone.now()
    offers_expire_for_event(registration.event_id, now=now)
    with transaction.atomic():
        registration = _locked(registration)
        if registration.status == RegistrationStatus.CONFIRMED:
            return OfferOutcome.ALREADY_CONFIRMED
        if registration.status == RegistrationStatus.EXPIRED:
            return OfferOutcome.EXPIRED
        if registration.status != RegistrationStatus.OFFERED or registration.offer_expires_at <= now:
            return OfferOutcome.UNAVAILABLE
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        seats.seat_release(registration.event)
        offers_make(registration.event, now=now)
    return OfferOutcome.DECLINED
