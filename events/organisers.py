"""The organisers' side of registrations: who organises an event, which events a user may organise, and
the emails they get when an event fills up.

Organisers of a council's event are the council's editors; of a city event (under /agenda/), the city's
communications team. In the admin, whoever may *edit* the event page may see and export its registrations
and mark attendance (Wagtail's own page permissions: a council's editors for their council's events, the
communications team for all).

Fill thresholds (80 % and 100 % of capacity) are emailed once each. "Once" is decided by the database: an
atomic conditional UPDATE flips `EventSeats.notified_80` / `notified_100` only if it is still false and the
threshold is reached, so two requests taking the last seats at the same time send one email, not two.
A flag is re-armed only when the event's capacity changes (`seats_thresholds_rearm`, on publish) and the
event is back below the threshold — not when someone cancels: seats going 19 → 20 → 19 → 20 as people
cancel and accept offers must not flood the organisers.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.permission_policies.pages import PagePermissionPolicy

from councils.services import communications_team_group
from jobs.emails import email_queue
from moderation.services import council_editors, council_of

from .models import EventPage, EventSeats, Registration, RegistrationMode, RegistrationStatus

#: (percentage, flag) — checked in this order, so a jump from 70 % to full sends both.
THRESHOLDS = ((80, "notified_80"), (100, "notified_100"))


# -- Who organises ----------------------------------------------------------------------------------------


def event_organisers(event) -> list:
    """Active accounts with an email that hear about the event: the council's editors for a council's
    event, the communications team for a city event."""
    council = council_of(event)
    if council is not None:
        return list(council_editors(council))
    return list(
        get_user_model()
        .objects.filter(groups=communications_team_group(), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def can_organise(user, event) -> bool:
    """Whether the user may see the event's registrations: whoever may edit the event page."""
    return bool(user.is_authenticated and event.permissions_for_user(user).can_edit())


def events_organised_by(user):
    """Events taking registrations on Parvis whose page the user may edit, soonest first, with counts."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return (
        EventPage.objects.filter(pk__in=editable.values("pk"), registration_mode=RegistrationMode.PARVIS)
        .annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            offered_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.OFFERED)),
            waiting_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
            attended_count=Count(
                "registrations",
                filter=Q(
                    registrations__status=RegistrationStatus.CONFIRMED,
                    registrations__attended_at__isnull=False,
                ),
            ),
        )
        .order_by("-start", "pk")
    )


# -- Thresholds -----------------------------------------------------------------------------------------


def _reached(percentage):
    """taken / capacity >= percentage / 100, in integers (taken * 100 >= capacity * percentage)."""
    return GreaterThanOrEqual(F("taken") * 100, F("capacity") * percentage)


def _threshold_claim(event, percentage, flag) -> EventSeats | None:
    """Flip the flag if the threshold is reached and nobody flipped it yet; the counter when we did."""
    claimed = (
        EventSeats.objects.filter(event_id=event.pk, capacity__gt=0, **{flag: False})
        .filter(_reached(percentage))
        .update(**{flag: True})
    )
    return EventSeats.objects.get(event_id=event.pk) if claimed else None


def _threshold_email(event, seats, percentage, organisers):
    context = {
        "event": event,
        "percentage": percentage,
        "taken": seats.taken,
        "capacity": seats.capacity,
        "waiting": Registration.objects.filter(event_id=event.pk, status=RegistrationStatus.WAITING).count(),
        "registrations_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("events_admin:registrations", args=[event.pk]),
    }
    if percentage >= 100:
        subject = _("Full: %(title)s") % {"title": event.title}
    else:
        subject = _("%(percentage)s%% of the seats taken: %(title)s") % {
            "percentage": percentage,
            "title": event.title,
        }
    body_text = render_to_string("events/email/organiser_threshold.txt", context)
    body_html = render_to_string("events/email/organiser_threshold.html", context)
    for user in organisers:
        email_queue(
            to=user.email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            key=f"seats-{event.pk}-{percentage}-{seats.capacity}-{user.pk}",
        )


def seats_thresholds_notify(event) -> list[int]:
    """Email the organisers for each threshold the event has just reached (once each). Call it after
    seats are taken (a registration, an offer, an accepted offer, a smaller capacity). Returns the
    thresholds notified now."""
    notified = []
    organisers = None
    for percentage, flag in THRESHOLDS:
        seats = _threshold_claim(event, percentage, flag)
        if seats is None:
            continue
        if organisers is None:
            organisers = event_organisers(event)
        _threshold_email(event, seats, percentage, organisers)
        notified.append(percentage)
    return notified


def seats_thresholds_rearm(event) -> None:
    """After the capacity changed: a threshold the event is now below may be announced again."""
    for percentage, flag in THRESHOLDS:
        EventSeats.objects.filter(event_id=event.pk, **{flag: True}).filter(
            Q(capacity__isnull=True) | Q(LessThan(F("taken") * 100, F("capacity") * percentage))
        ).update(**{flag: False})


# -- Attendance -----------------------------------------------------------------------------------------


def registration_attendance_set(*, registration, present: bool, now=None) -> Registration:
    """Mark a confirmed person present (now) or not present; marking twice keeps the first time."""
    now = now or timezone.now()
    queryset = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.CONFIRMED)
    if present:
        queryset.filter(attended_at__isnull=True).update(attended_at=now)
    else:
        queryset.update(attended_at=None)
    registration.refresh_from_db(fields=["attended_at"])
    return registration
