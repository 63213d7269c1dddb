"""Registering for an event without an account, and cancelling.

No overbooking, ever: a seat is taken only by `events.seats.seat_take` (one atomic conditional UPDATE,
backed by a CHECK constraint), and one active registration per email and event is the database's partial
unique constraint, not a check in Python before the insert. Both hold whatever the number of concurrent
requests (see events/tests/test_concurrency.py).

The form must reveal nothing about who registered: a second registration with the same email gets the
same answer as a first one, and an email to that address ("you are already registered; here is your
link") — never a second seat.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.typography import french_date, french_time
from jobs.emails import email_queue

from . import waitlist
from .ics import event_ics_attachment
from .links import manage_url
from .models import ACTIVE_STATUSES, SEAT_STATUSES, EventSeats, Registration, RegistrationStatus
from .organisers import seats_thresholds_notify
from .seats import seat_release, seat_take, seats_ensure

UNIQUE_EMAIL_CONSTRAINT = "events_one_active_registration_per_email"

NAME_MAX_LENGTH = 200
ORGANISATION_MAX_LENGTH = 200
ACCESSIBILITY_MAX_LENGTH = 1000


class RegistrationRefused(Exception):
    """The event does not take this registration now. `code` says why; `message` is for the person."""

    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    FULL = "full"
    CONSENT = "consent"

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RegistrationOutcome:
    """What happened. The public form must not tell `duplicate` apart: it shows the same page."""

    registration: Registration | None
    duplicate: bool = False

    @property
    def status(self):
        return self.registration.status if self.registration else None


# -- Rules -------------------------------------------------------------------------------------------------


def registration_state(event, *, now=None):
    """Where the event's registration stands: "none", "external", "unavailable", "cancelled",
    "not_open", "closed" or "open" (seats or waiting list are a separate question)."""
    from .models import RegistrationMode

    now = now or timezone.now()
    if event.registration_mode == RegistrationMode.EXTERNAL:
        return "external"
    if event.registration_mode != RegistrationMode.PARVIS:
        return "none"
    if not event.live:
        return "unavailable"
    if event.is_cancelled:
        return "cancelled"
    if event.is_past(now) or now >= event.registration_closing():
        return "closed"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open"
    return "open"


def registration_refusal(event, *, now=None):
    """The RegistrationRefused a registration would get now (None: registration is open)."""
    state = registration_state(event, now=now)
    if state == "open":
        return None
    if state == "cancelled":
        return RegistrationRefused(
            RegistrationRefused.CANCELLED, _("This event is cancelled: registration is closed.")
        )
    if state == "closed":
        return RegistrationRefused(RegistrationRefused.CLOSED, _("Registration for this event is closed."))
    if state == "not_open":
        opens = timezone.localtime(event.registration_opens_at)
        return RegistrationRefused(
            RegistrationRefused.NOT_OPEN,
            _("Registration opens on %(date)s at %(time)s.")
            % {"date": french_date(opens), "time": french_time(opens)},
        )
    return RegistrationRefused(
        RegistrationRefused.UNAVAILABLE, _("This event does not take registrations on this site.")
    )


def full_refusal():
    return RegistrationRefused(
        RegistrationRefused.FULL, _("The event is full and has no waiting list: registration is closed.")
    )


def registration_rank(registration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING or registration.waiting_since is None:
        return None
    since = registration.waiting_since
    return (
        Registration.objects.filter(event_id=registration.event_id, status=RegistrationStatus.WAITING)
        .filter(Q(waiting_since__lt=since) | Q(waiting_since=since, pk__lte=registration.pk))
        .count()
    )


# -- Services ----------------------------------------------------------------------------------------------


def seats_lock(event):
    """Lock the event's seat counter row (created if need be) until the end of the transaction."""
    locked = EventSeats.objects.select_for_update().filter(event_id=event.pk)
    seats = locked.first()
    if seats is None:
        seats_ensure(event)
        seats = locked.first()
    return seats


def _is_duplicate_email(error: IntegrityError, *, event=None, email=None) -> bool:
    """Whether the insert broke the one-active-registration-per-email index. PostgreSQL names the
    constraint; other databases (SQLite, the demo's) do not, so the active registration is looked up."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name is not None:
        return name == UNIQUE_EMAIL_CONSTRAINT
    return (
        event is not None
        and email is not None
        and Registration.objects.active().filter(event_id=event.pk, email__iexact=email).exists()
    )


def registration_create(
    *,
    event,
    name,
    email,
    organisation="",
    accessibility_needs="",
    consent: bool,
    now=None,
) -> RegistrationOutcome:
    """Register someone: a seat if one is free (CONFIRMED), else a place on the waiting list (WAITING)
    when the event has one, else RegistrationRefused (FULL).

    Raises RegistrationRefused when the event takes no registration now or consent is missing. A second
    active registration with the same email (any case) takes no seat and creates nothing: the outcome is
    `duplicate=True` and the address receives its manage link again.
    """
    now = now or timezone.now()
    if not consent:
        raise RegistrationRefused(
            RegistrationRefused.CONSENT, _("Tick the box to agree to the use of your data.")
        )
    refusal = registration_refusal(event, now=now)
    if refusal is not None:
        raise refusal
    email = email.strip()
    with transaction.atomic():
        # Registrations of one event queue on its counter row (a cancellation takes the same lock first):
        # a cancellation's offers then see every committed waiting registration. Correctness does not
        # rest on this lock but on the conditional UPDATE and the constraints.
        seats_lock(event)
        took_seat = seat_take(event)
        if not took_seat and not event.waiting_list:
            raise full_refusal()
        registration = Registration(
            event=event,
            name=name.strip()[:NAME_MAX_LENGTH],
            email=email,
            organisation=organisation.strip()[:ORGANISATION_MAX_LENGTH],
            accessibility_needs=accessibility_needs.strip()[:ACCESSIBILITY_MAX_LENGTH],
            consent_at=now,
        )
        if took_seat:
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
        else:
            registration.status = RegistrationStatus.WAITING
            registration.waiting_since = now
        try:
            with transaction.atomic():  # a savepoint: the unique constraint may refuse the row
                registration.save(force_insert=True)
        except IntegrityError as error:
            if not _is_duplicate_email(error, event=event, email=email):
                raise
            if took_seat:
                seat_release(event)
            existing = Registration.objects.active().filter(event=event, email__iexact=email).first()
            if existing is not None:
                _email_duplicate(existing, now=now)
            return RegistrationOutcome(registration=existing, duplicate=True)
        if took_seat:
            registration_email_confirmed(registration)
            seats_thresholds_notify(event)
        else:
            _email_waiting(registration)
    return RegistrationOutcome(registration=registration)


def registration_cancel(*, registration, now=None) -> tuple[Registration, bool]:
    """Cancel a registration (from the person's manage link). Idempotent: an inactive registration is
    left as it is and `False` returned. A seat given back goes to the waiting list (`offers_make`)."""
    now = now or timezone.now()
    event = registration.event
    with transaction.atomic():
        # Lock order, as in registration_create: the seat counter first, then the registration.
        seats_lock(event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in ACTIVE_STATUSES:
            return current, False
        held_seat = current.status in SEAT_STATUSES
        current.status = RegistrationStatus.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        if held_seat:
            seat_release(event)
        current.event = event
        _email_cancelled(current)
        if held_seat:
            waitlist.offers_make(event, now=now)
    return current, True


# -- Emails ------------------------------------------------------------------------------------------------

SUBJECTS = {
    "confirmed": gettext_lazy("Registration confirmed: %(event)s"),
    "waiting": gettext_lazy("Waiting list: %(event)s"),
    "duplicate": gettext_lazy("You are already registered: %(event)s"),
    "cancelled": gettext_lazy("Registration cancelled: %(event)s"),
}


def _email(kind, registration, *, key, attachments=None, **extra):
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "event_url": event.get_full_url(),
        "manage_url": manage_url(registration) if registration.status in ACTIVE_STATUSES else "",
        "start": timezone.localtime(event.start),
        "end": timezone.localtime(event.end),
        **extra,
    }
    return email_queue(
        to=registration.email,
        subject=str(SUBJECTS[kind]) % {"event": event.title},
        body_text=render_to_string(f"events/email/registration_{kind}.txt", context),
        body_html=render_to_string(f"events/email/registration_{kind}.html", context),
        attachments=attachments,
        key=key,
    )


def registration_email_confirmed(registration):
    """The confirmation with the .ics and the manage link (also sent when an offer is accepted: same key,
    so never twice)."""
    return _email(
        "confirmed",
        registration,
        key=f"registration-confirmed-{registration.pk}",
        attachments=[event_ics_attachment(registration.event)],
    )


def _email_waiting(registration):
    return _email(
        "waiting",
        registration,
        key=f"registration-waiting-{registration.pk}",
        rank=registration_rank(registration),
    )


def _email_duplicate(registration, *, now):
    # One notice a day per registration at most: repeated attempts cannot flood someone's mailbox.
    day = timezone.localdate(now).isoformat()
    return _email(
        "duplicate",
        registration,
        key=f"registration-duplicate-{registration.pk}-{day}",
        rank=registration_rank(registration),
    )


def _email_cancelled(registration):
    return _email("cancelled", registration, key=f"registration-cancelled-{registration.pk}")


#: The name events.waitlist used first.
_email_confirmed = registration_email_confirmed
