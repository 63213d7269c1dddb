"""Accepting a seat offered from the waiting list, from the link in the offer email.

GET never changes anything (mail scanners and link previews follow links with GET): it shows the offer and
one button. POST accepts (or, with the secondary button, declines). The link is signed with the
registration's key: a tampered or erased one answers 404; an expired offer is explained; a second accept
says the seat is already confirmed and changes nothing.
"""

from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.middleware import mark_private

from . import waitlist
from .links import manage_url, registration_from_token
from .models import RegistrationStatus
from .waitlist import OfferOutcome

TEMPLATES = {
    OfferOutcome.ACCEPTED: "events/offer_accepted.html",
    OfferOutcome.ALREADY_CONFIRMED: "events/offer_already.html",
    OfferOutcome.DECLINED: "events/offer_declined.html",
    OfferOutcome.EXPIRED: "events/offer_expired.html",
    OfferOutcome.UNAVAILABLE: "events/offer_unavailable.html",
}
STATUS_OUTCOMES = {
    RegistrationStatus.CONFIRMED: OfferOutcome.ALREADY_CONFIRMED,
    RegistrationStatus.EXPIRED: OfferOutcome.EXPIRED,
}


def _private(request, response):
    mark_private(request)
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": with it, browsers send `Origin: null` with the page's POST forms, which
    # Django's CSRF check rightly refuses. "same-origin" still keeps the address (and its token) from
    # any other site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _render(request, registration, template, status=200):
    return _private(
        request,
        TemplateResponse(
            request,
            template,
            {
                "registration": registration,
                "event": registration.event,
                "manage_url": manage_url(registration),
            },
            status=status,
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def offer_accept(request, token):
    """GET shows the offer and one button; POST accepts it (or declines it: `action=decline`)."""
    registration = registration_from_token(token)
    if registration is None:
        # The same French explanation as the manage page, and never stored by a shared cache.
        return _private(request, TemplateResponse(request, "events/registration_invalid.html", status=404))
    now = timezone.now()
    # Lapsed offers of this event are processed first: an expired offer never shows as valid.
    waitlist.offers_expire_for_event(registration.event, now=now)
    registration.refresh_from_db()
    if request.method == "POST":
        action = waitlist.offer_decline if request.POST.get("action") == "decline" else waitlist.offer_accept
        outcome = action(registration=registration, now=now)
        registration.refresh_from_db()
        return _render(request, registration, TEMPLATES[outcome])
    if registration.status == RegistrationStatus.OFFERED:
        return _render(request, registration, "events/offer_detail.html")
    outcome = STATUS_OUTCOMES.get(registration.status, OfferOutcome.UNAVAILABLE)
    return _render(request, registration, TEMPLATES[outcome])
