"""Public registration views: the form on the event page (posted to `/inscriptions/evenement/<id>/`, where only
people with a session need a CSRF token: core.csrf; the page's `inscription/` route stays), the neutral
"check your inbox" page, and the manage/cancel page reached from the emails' signed link.

The form's answer reveals nothing about who registered: a new registration, a second one with the same
email, a place on the waiting list and a robot caught by the honeypot all get the same redirect to the
same page. Token pages are private (`no-store`) and send no Referer (the token is in their address).
"""

import hashlib
from urllib.parse import urlparse

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from django_ratelimit.core import is_ratelimited

from accounts.lockout import client_ip
from core.csrf import has_session, token_for_sessions_only
from core.middleware import mark_private

from .ics import event_ics, event_ics_filename
from .links import offer_url, registration_from_token
from .models import ACTIVE_STATUSES, RegistrationStatus
from .registration_forms import RegistrationForm
from .registrations import (
    RegistrationRefused,
    full_refusal,
    registration_cancel,
    registration_create,
    registration_rank,
    registration_refusal,
    registration_state,
)
from .waitlist import offers_expire_for_event

#: Registration attempts (POSTs) per client address: for one event, and over all events.
RATE_PER_EVENT = getattr(settings, "PARVIS_REGISTRATION_RATE_PER_EVENT", "10/10m")
RATE_OVERALL = getattr(settings, "PARVIS_REGISTRATION_RATE", "30/h")
#: Registration attempts per email address, over all events and connections: the site cannot be made to
#: write to one address again and again from many connections.
RATE_PER_EMAIL = getattr(settings, "PARVIS_REGISTRATION_RATE_PER_EMAIL", "5/h")
FORM_ANCHOR = "inscription"


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _client_key(group, request):
    return client_ip(request) or "unknown"


def _rate_limited(request, event) -> bool:
    """Count this attempt; True once this client made too many (both counters always count)."""
    per_event = is_ratelimited(
        request, group=f"events.register.{event.pk}", key=_client_key, rate=RATE_PER_EVENT, increment=True
    )
    overall = is_ratelimited(
        request, group="events.register", key=_client_key, rate=RATE_OVERALL, increment=True
    )
    return per_event or overall


def _email_key(group, request):
    address = (request.POST.get("email") or "").strip().lower()
    return hashlib.sha256(address.encode()).hexdigest()


def _email_rate_limited(request) -> bool:
    """Count this attempt for the address typed (a valid form: it would make the site write to it)."""
    if not (request.POST.get("email") or "").strip():
        return False
    return is_ratelimited(
        request, group="events.register.email", key=_email_key, rate=RATE_PER_EMAIL, increment=True
    )


def _seats_free(event):
    """Free seats (None: no limit), read without creating the counter (a GET writes nothing)."""
    capacity, taken = event.seats_counter()
    return None if capacity is None else max(capacity - taken, 0)


def registration_context(event, *, request=None, form=None, now=None):
    """What the registration block of an event page shows (events/includes/registration.html)."""
    state = registration_state(event, now=now)
    context = {"event": event, "state": state}
    if state == "external":
        context["external_host"] = urlparse(event.registration_url).hostname or event.registration_url
        return context
    if state == "none":
        return context
    free = _seats_free(event)
    context.update(
        {
            "seats_free": free,
            "full": free == 0,
            "opens_at": event.registration_opens_at,
            "closes_at": event.registration_closing(),
            "form": form if form is not None else RegistrationForm(event=event),
            "action": reverse("events:register", args=[event.pk]),
            "needs_token": request is not None and has_session(request),
            "retention_days": event.retention_days,
            "refused_full": state == "open" and free == 0 and not event.waiting_list,
        }
    )
    return context


def _form_page(request, event, form, *, status=200, throttled=False):
    context = {
        "page": event,
        "self": event,
        "registration_form": form,
        "throttled": throttled,
    }
    return render(request, "events/registration_form.html", context, status=status)


def register(request, event):
    """POST from the event page's form (EventPage route `inscription/`). GET goes back to the form."""
    page_url = event.get_url(request) or event.url
    if request.method != "POST":
        return HttpResponseRedirect(f"{page_url}#{FORM_ANCHOR}")
    form = RegistrationForm(request.POST, event=event)
    thanks = HttpResponseSeeOther(page_url + event.reverse_subpage("register_thanks"))
    if _rate_limited(request, event):
        form.is_valid()
        form.add_error(
            None,
            _("Too many registration attempts from your connection. Please try again in a few minutes."),
        )
        return _form_page(request, event, form, status=429, throttled=True)
    if form.is_robot():
        return thanks
    if form.is_valid() and _email_rate_limited(request):
        form.add_error(None, _("Too many registrations for this email address. Please try again in an hour."))
        return _form_page(request, event, form, status=429, throttled=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration_create(
                event=event,
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                accessibility_needs=data["accessibility_needs"],
                consent=data["consent"],
            )
        except RegistrationRefused as refusal:
            form.add_refusal(refusal)
        else:
            return thanks
    else:
        # Closed or full: say so first, whatever else is wrong with the form.
        state = registration_state(event)
        if state != "open":
            form.add_error(None, registration_refusal(event).message)
        elif _seats_free(event) == 0 and not event.waiting_list:
            form.add_error(None, full_refusal().message)
    return _form_page(request, event, form)


@token_for_sessions_only
def register_posted(request, event_id):
    """The form's POST, outside the page tree so that only people with a session need a CSRF token. The
    event is one this request may open (live, its view restrictions accepted), as the page route checks."""
    from .models import EventPage

    event = EventPage.objects.visible_to(request).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return register(request, event.specific)


def register_thanks(request, event):
    """The same page whatever happened: it reveals nothing about who registered."""
    return render(request, "events/registration_thanks.html", {"page": event, "self": event})


def _private(request, response, *, referrer_policy="no-referrer"):
    """Token pages: never stored, never indexed, and the token never leaves in a Referer."""
    mark_private(request)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex"
    return response


def registration_manage(request, token):
    """See one's registration and its status, download the .ics, cancel (POST only: email scanners
    follow links with GET, which never changes anything)."""
    registration = registration_from_token(token)
    if registration is None:
        return _private(request, render(request, "events/registration_invalid.html", status=404))
    event = registration.event
    now = timezone.now()
    # An offer that lapsed since the worker's last pass is expired now, so the page tells the truth.
    if registration.status == RegistrationStatus.OFFERED and offers_expire_for_event(event, now=now):
        registration.refresh_from_db()
    if request.method == "POST":
        notice = "already_cancelled"
        if (
            request.POST.get("action") == "cancel"
            and registration.status in ACTIVE_STATUSES
            and not event.is_past(now)
        ):
            registration, changed = registration_cancel(registration=registration)
            notice = "cancelled" if changed else "already_cancelled"
        return _private(request, HttpResponseSeeOther(f"{request.path}?etat={notice}"))
    if "calendrier" in request.GET and registration.status == RegistrationStatus.CONFIRMED:
        response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event_ics_filename(event)}"'
        return _private(request, response)
    context = {
        "registration": registration,
        "event": event,
        "event_url": event.get_url(request),
        "is_active": registration.status in ACTIVE_STATUSES,
        "is_past": event.is_past(now),
        "rank": registration_rank(registration),
        "offer_url": offer_url(registration) if registration.status == RegistrationStatus.OFFERED else "",
        "confirming": "annuler" in request.GET and registration.status in ACTIVE_STATUSES,
        "notice": request.GET.get("etat", ""),
    }
    # The cancel confirmation holds a POST form: under `no-referrer` browsers send `Origin: null`, which
    # Django's CSRF check rightly refuses. `same-origin` still sends nothing to any other site.
    policy = "same-origin" if context["confirming"] else "no-referrer"
    response = render(request, "events/registration_manage.html", context)
    return _private(request, response, referrer_policy=policy)
