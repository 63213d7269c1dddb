"""Public views of the newsletter: the sign-up page and POST, the neutral "check your inbox" page, and the
pages reached from the emails' signed links (confirm, preferences, unsubscribe).

- The sign-up answers the same 303 to the same page whatever the address (new, pending, subscribed, gone)
  and to robots caught by the honeypot: nobody can learn who subscribes.
- The sign-up and "my preferences" forms carry no CSRF token (they sit on cached pages, the footer's on
  every page): nothing they send counts until the confirm page's POST, which has one.
- GET never changes anything (mail scanners follow links): confirming and leaving are POSTs.
- The unsubscribe POST is also RFC 8058's one-click endpoint: no session, no CSRF token, idempotent.
- Token pages are private (`no-store`), never indexed, and send no Referer outside the site.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from django_ratelimit.core import is_ratelimited

from accounts.lockout import client_ip
from core.middleware import mark_private

from .forms import PreferencesForm, PreferencesRequestForm, SubscribeForm, source_clean
from .links import CONFIRM_MAX_AGE, PREFERENCES_MAX_AGE, subscriber_from_token, subscriber_token
from .models import NewsletterList, SubscriberStatus
from .subscriptions import (
    CITY_FIRST,
    newsletter_lists_ensure,
    newsletter_subscribe,
    preferences_link_send,
    subscriber_confirm,
    subscriber_unsubscribe,
    subscriptions_set,
)

#: Sign-up and "my preferences" POSTs per client address (both counters always count).
RATE_SHORT = getattr(settings, "PARVIS_NEWSLETTER_RATE_SHORT", "10/10m")
RATE_LONG = getattr(settings, "PARVIS_NEWSLETTER_RATE", "30/h")
ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _client_key(group, request):
    return client_ip(request) or "unknown"


def _rate_limited(request) -> bool:
    short = is_ratelimited(
        request, group="newsletter.signup.short", key=_client_key, rate=RATE_SHORT, increment=True
    )
    long = is_ratelimited(request, group="newsletter.signup", key=_client_key, rate=RATE_LONG, increment=True)
    return short or long


def _private(request, response, *, referrer_policy="same-origin"):
    """Token pages: never stored, never indexed, and the token never leaves in a Referer to another site."""
    mark_private(request)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex"
    return response


def _lists_context():
    newsletter_lists_ensure()
    return list(NewsletterList.objects.offered().select_related("council"))


def _page(request, form, *, status=200, throttled=False):
    consent = form.consent
    context = {
        "form": form,
        "consent": consent,
        "throttled": throttled,
        "unconfirmed_days": settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS,
        "confirm_days": CONFIRM_MAX_AGE.days,
        # The sign-up page is found by search engines (core.seo); its answers to a POST are not.
        "seo_index": request.method == "GET" and status == 200,
    }
    return render(request, "newsletter/page.html", context, status=status)


def newsletter_page(request):
    """The full sign-up form: every list offered, the whole consent text. The same for everyone (cached)."""
    lists = _lists_context()
    initial = [item.pk for item in lists if item.council_id is None]
    wanted = request.GET.get("liste", "")
    if wanted.isdigit() and any(item.pk == int(wanted) for item in lists):
        initial.append(int(wanted))
    return _page(request, SubscribeForm(initial={"lists": initial, "source": request.path}))


def _source(request, form):
    source = form.cleaned_data.get("source") or ""
    if not source:
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
            source = source_clean(referer)
    return source


@csrf_exempt
def subscribe(request):
    """POST of the footer's or the page's form. Every accepted sign-up (and a robot's) gets the same 303."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("newsletter:page"))
    newsletter_lists_ensure()
    form = SubscribeForm(request.POST)
    done = HttpResponseSeeOther(reverse("newsletter:subscribe_done"))
    if _rate_limited(request):
        form.is_valid()
        form.add_error(None, _("Too many attempts from your connection. Please try again in a few minutes."))
        return _page(request, form, status=429, throttled=True)
    if form.is_robot():
        return done
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    newsletter_subscribe(
        email=data["email"], lists=data["lists"], consent_text=form.consent, source=_source(request, form)
    )
    return done


def subscribe_done(request):
    """The same page whatever happened: it reveals nothing about who subscribes."""
    return render(
        request,
        "newsletter/subscribe_done.html",
        {
            "confirm_days": CONFIRM_MAX_AGE.days,
            "unconfirmed_days": settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS,
        },
    )


def _invalid(request, *, kind, status=404):
    form = PreferencesRequestForm() if kind == "preferences" else None
    response = render(request, "newsletter/link_invalid.html", {"kind": kind, "form": form}, status=status)
    return _private(request, response)


def confirm(request, token):
    """GET: a page with the confirm button (scanners that follow the link confirm nobody). POST confirms."""
    subscriber = subscriber_from_token(token, "confirm")
    if subscriber is None:
        return _invalid(request, kind="confirm")
    if request.method == "POST":
        outcome = subscriber_confirm(subscriber=subscriber)
        if outcome == "refused":
            return _invalid(request, kind="confirm")
        return _private(request, HttpResponseSeeOther(f"{request.path}?etat={outcome}"))
    if subscriber.status not in (SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED):
        return _invalid(request, kind="confirm")
    context = {
        "subscriber": subscriber,
        "lists": list(subscriber.lists.select_related("council").order_by(CITY_FIRST)),
        "confirmed": subscriber.status == SubscriberStatus.CONFIRMED,
        "notice": request.GET.get("etat", ""),
        "preferences_path": reverse(
            "newsletter:preferences", args=[subscriber_token(subscriber, "preferences")]
        ),
    }
    return _private(request, render(request, "newsletter/confirm.html", context))


def preferences(request, token):
    """Choose one's lists, or leave every one. Reached from the signed link of the emails (expires)."""
    subscriber = subscriber_from_token(token, "preferences")
    if subscriber is None:
        return _invalid(request, kind="preferences")
    subscribed = subscriber.status == SubscriberStatus.CONFIRMED
    form = None
    status = 200
    if request.method == "POST" and subscribed:
        if request.POST.get("action") == "unsubscribe":
            subscriber_unsubscribe(subscriber=subscriber)
            return _private(request, HttpResponseSeeOther(f"{request.path}?etat=unsubscribed"))
        form = PreferencesForm(request.POST)
        if form.is_valid():
            subscriptions_set(subscriber=subscriber, lists=form.cleaned_data["lists"])
            return _private(request, HttpResponseSeeOther(f"{request.path}?etat=saved"))
        status = 400
    elif request.method == "POST":
        return _private(request, HttpResponseSeeOther(request.path))
    if subscribed and form is None:
        newsletter_lists_ensure()
        form = PreferencesForm(initial={"lists": list(subscriber.lists.values_list("pk", flat=True))})
    context = {
        "subscriber": subscriber,
        "subscribed": subscribed,
        "form": form,
        "notice": request.GET.get("etat", ""),
        "unsubscribe_path": reverse(
            "newsletter:unsubscribe", args=[subscriber_token(subscriber, "unsubscribe")]
        ),
        "days": PREFERENCES_MAX_AGE.days,
    }
    return _private(request, render(request, "newsletter/preferences.html", context, status=status))


@csrf_exempt
def preferences_request(request):
    """ "Change my preferences": type your address; if it is subscribed, the link is emailed to it. The
    answer is always the same."""
    form = PreferencesRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _rate_limited(request):
            form.is_valid()
            form.add_error(
                None, _("Too many attempts from your connection. Please try again in a few minutes.")
            )
            status = 429
        elif form.is_robot():
            return HttpResponseSeeOther(f"{request.path}?etat=envoye")
        elif form.is_valid():
            preferences_link_send(email=form.cleaned_data["email"])
            return HttpResponseSeeOther(f"{request.path}?etat=envoye")
        else:
            status = 400
    context = {"form": form, "sent": request.method == "GET" and request.GET.get("etat") == "envoye"}
    return render(request, "newsletter/preferences_request.html", context, status=status)


@csrf_exempt
def unsubscribe(request, token):
    """GET: one button. POST (the button, or a mail client's one-click, RFC 8058): leave every list.
    Works with the token alone — no session, no CSRF token — and twice is the same as once."""
    subscriber = subscriber_from_token(token, "unsubscribe")
    if subscriber is None:
        return _invalid(request, kind="unsubscribe")
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        if request.POST.get(ONE_CLICK_BODY[0]) == ONE_CLICK_BODY[1]:
            response = HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
            return _private(request, response, referrer_policy="no-referrer")
        return _private(request, HttpResponseSeeOther(f"{request.path}?etat=done"))
    context = {
        "subscriber": subscriber,
        "unsubscribed": subscriber.status == SubscriberStatus.UNSUBSCRIBED,
        "notice": request.GET.get("etat", ""),
    }
    return _private(request, render(request, "newsletter/unsubscribe.html", context))
