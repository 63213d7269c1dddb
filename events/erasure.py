"""Erasing registrations' personal data a set time after the event (`EventPage.retention_days`, six months
by default), by the daily task `events.tasks.registrations_erase`. The period counts days of 24 hours
from the event's end.

What goes: name, email, organisation, accessibility needs, the key signed into the links of the emails
(so every old manage or offer link finds nothing), and the address and body of every email sent about the
registration (jobs.OutboundEmail, found by its idempotency key). What stays: the rows, their statuses, timestamps and
attendance — the counts organisers report on.

The email cannot be left empty: the database allows one active registration per email and event, and an
erased confirmed registration is still "confirmed". Each erased row gets an address of the reserved
`.invalid` domain made of its own id only (`<id>@erased.invalid`): unique, meaningless, undeliverable.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .models import EventPage, Registration

ERASED_EMAIL_DOMAIN = "erased.invalid"


def registrations_due_for_erasure(now=None):
    """Registrations not erased yet whose event ended more than its retention period ago.

    The period is per event, so the events are read first (few: those that ended and still hold data) —
    date arithmetic with a per-row number of days is not portable SQL (SQLite, the demo, has none)."""
    now = now or timezone.now()
    ended = (
        EventPage.objects.filter(end__lt=now, registrations__erased_at__isnull=True)
        .distinct()
        .values_list("pk", "end", "retention_days")
    )
    due = [pk for pk, end, days in ended if end + timedelta(days=days) <= now]
    return Registration.objects.filter(erased_at__isnull=True, event_id__in=due)


#: Outbox keys of the emails sent about one registration (events.registrations, events.waitlist).
_EMAIL_KEY_PATTERN = r"^(registration-[a-z]+|offer|offer-lapsed)-({ids})(-|$)"
_ERASE_BATCH = 500


def _emails_erase(registration_ids):
    """The emails sent about these registrations keep no address nor body either (the row stays, so an
    idempotency key is never reused)."""
    from jobs.models import OutboundEmail

    for start in range(0, len(registration_ids), _ERASE_BATCH):
        ids = "|".join(str(pk) for pk in registration_ids[start : start + _ERASE_BATCH])
        OutboundEmail.objects.filter(key__regex=_EMAIL_KEY_PATTERN.format(ids=ids)).update(
            to=Concat(Value("email-"), Cast("pk", CharField()), Value(f"@{ERASED_EMAIL_DOMAIN}")),
            body_text="",
            body_html="",
            attachments=[],
        )


@transaction.atomic
def registrations_erase(now=None) -> int:
    """Erase the personal data of every registration due, and of the emails sent about them; returns how
    many registrations were erased."""
    now = now or timezone.now()
    due = registrations_due_for_erasure(now)
    _emails_erase(list(due.values_list("pk", flat=True)))
    return due.update(
        name="",
        email=Concat(Cast("pk", CharField()), Value(f"@{ERASED_EMAIL_DOMAIN}"), output_field=CharField()),
        organisation="",
        accessibility_needs="",
        key="",
        erased_at=now,
    )
