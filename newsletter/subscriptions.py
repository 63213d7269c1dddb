"""Services of subscription: sign up, confirm, change lists, leave, purge, export, erase.

Double opt-in: a sign-up creates a *pending* subscriber and emails a signed confirm link; only the POST of
the confirm page makes it *confirmed* (mail scanners follow links with GET, which changes nothing). Nothing
an unauthenticated form sends can change a confirmed subscriber's lists: signing up again with a confirmed
address only emails that address its preferences link. Every sign-up, whatever the address's state, gets
the same answer from the views (see `newsletter.views.subscribe`): the form never tells who subscribes.

Emails go through the outbox (`jobs.emails.email_queue`) with keys `newsletter-<kind>-<subscriber id>-…`,
so that erasing a subscriber also blanks the address and body of every email sent to them.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Page, PageViewRestriction

from core.visibility import space_model
from jobs.emails import email_queue

from .links import CONFIRM_MAX_AGE, PREFERENCES_MAX_AGE, absolute, subscriber_url
from .models import ConsentText, NewsletterList, Subscriber, SubscriberStatus, Subscription

#: At most one confirmation email per address in this many minutes, and so many a day.
CONFIRM_RESEND_MINUTES = getattr(settings, "PARVIS_NEWSLETTER_CONFIRM_RESEND_MINUTES", 10)
CONFIRMATIONS_PER_DAY = getattr(settings, "PARVIS_NEWSLETTER_CONFIRMATIONS_PER_DAY", 3)
#: At most one "your preferences link" email a day to an address already subscribed.
REMINDER_INTERVAL = timedelta(days=1)

ERASED_EMAIL_DOMAIN = "erased.invalid"
#: Lists in order: the city's first.
CITY_FIRST = F("council").asc(nulls_first=True)
EMAIL_KEY_PREFIX = "newsletter-"


@dataclass(frozen=True)
class SubscribeOutcome:
    """What a sign-up did (for tests and logs: the views answer the same whatever it is)."""

    #: "created", "pending" (signed up again before confirming), "confirmed" (already subscribed),
    #: "renewed" (had left, or the address had bounced: a new sign-up to confirm).
    kind: str
    subscriber: Subscriber
    #: Whether an email was queued (confirmation or preferences link); False when throttled.
    email_sent: bool


# -- Lists and consent ---------------------------------------------------------------------------


def newsletter_lists_ensure() -> int:
    """The city's list and one list per live council outside the sandbox. Cheap when nothing is missing
    (one query); returns how many lists were created."""
    councils = space_model().objects.filter(live=True, is_sandbox=False, newsletter_list__isnull=True)
    missing = [NewsletterList(council_id=pk) for pk in councils.values_list("pk", flat=True)]
    if not NewsletterList.objects.filter(council__isnull=True).exists():
        missing.append(NewsletterList(council=None))
    if not missing:
        return 0
    return len(NewsletterList.objects.bulk_create(missing, ignore_conflicts=True))


def consent_current() -> ConsentText | None:
    """The consent text sign-ups accept now: the highest version."""
    return ConsentText.objects.order_by("-version").first()


def footer_lists(page) -> list[NewsletterList]:
    """The lists the footer form offers on `page`: the city's, and the council's when the page is a
    council's space or below it (live, outside the sandbox) and public — the footer is the same for every
    reader, and a restricted page's footer (Wagtail's password form) must not name its council. Two
    queries at most, whatever the number of councils (plus one, once, if the council's list is missing)."""
    council = None
    path = getattr(page, "path", None)
    if path:
        steplen = Page.steplen
        ancestors = [path[:n] for n in range(steplen, len(path) + 1, steplen)]
        council = (
            space_model()
            .objects.filter(path__in=ancestors, live=True, is_sandbox=False)
            .annotate(restricted=Exists(PageViewRestriction.objects.filter(page__path__in=ancestors)))
            .only("pk", "title", "path")
            .order_by("-depth")
            .first()
        )
        if council is not None and council.restricted:
            council = None
    wanted = Q(council__isnull=True) | (Q(council=council) if council else Q(pk__in=[]))
    lists = list(NewsletterList.objects.filter(wanted).select_related("council").order_by(CITY_FIRST))
    if council is not None and not any(item.council_id == council.pk for item in lists) or not lists:
        newsletter_lists_ensure()
        lists = list(NewsletterList.objects.filter(wanted).select_related("council").order_by(CITY_FIRST))
    lists.sort(key=lambda item: item.council_id is not None)
    return lists


# -- Emails --------------------------------------------------------------------------------------


def _email(kind, subscriber, *, key, subject, headers=None, **extra):
    context = {
        "subscriber": subscriber,
        "lists": list(subscriber.lists.select_related("council").order_by(CITY_FIRST)),
        "site_url": absolute("/"),
        "newsletter_url": absolute("/lettre/"),
        **extra,
    }
    return email_queue(
        to=subscriber.email,
        subject=subject,
        body_text=render_to_string(f"newsletter/email/{kind}.txt", context),
        body_html=render_to_string(f"newsletter/email/{kind}.html", context),
        headers=headers,
        key=key,
    )


def _confirmation_allowed(subscriber, now) -> bool:
    """One confirmation email per address every CONFIRM_RESEND_MINUTES, CONFIRMATIONS_PER_DAY a day."""
    from jobs.models import OutboundEmail

    last = subscriber.confirmation_sent_at
    if last and now - last < timedelta(minutes=CONFIRM_RESEND_MINUTES):
        return False
    if subscriber.pk is None:
        return True
    sent_today = OutboundEmail.objects.filter(
        key__startswith=f"{EMAIL_KEY_PREFIX}confirm-{subscriber.pk}-", created_at__gte=now - timedelta(days=1)
    ).count()
    return sent_today < CONFIRMATIONS_PER_DAY


def _send_confirmation(subscriber, now) -> bool:
    if not _confirmation_allowed(subscriber, now):
        return False
    _email(
        "confirm",
        subscriber,
        key=f"{EMAIL_KEY_PREFIX}confirm-{subscriber.pk}-{int(now.timestamp())}",
        subject=_("Confirm your subscription to the newsletter"),
        confirm_url=subscriber_url(subscriber, "confirm"),
        days=CONFIRM_MAX_AGE.days,
        purge_days=settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS,
    )
    subscriber.confirmation_sent_at = now
    subscriber.save(update_fields=["confirmation_sent_at"])
    return True


def unsubscribe_headers(subscriber) -> dict:
    """RFC 2369 and RFC 8058 headers: a mail client's "unsubscribe" button POSTs to the signed link."""
    return {
        "List-Unsubscribe": f"<{subscriber_url(subscriber, 'unsubscribe')}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _send_preferences(subscriber, now, *, reminder: bool) -> bool:
    """The preferences link, to an address that is subscribed. `reminder`: at most once a day."""
    if reminder:
        last = subscriber.reminder_sent_at
        if last and now - last < REMINDER_INTERVAL:
            return False
    _email(
        "preferences",
        subscriber,
        key=f"{EMAIL_KEY_PREFIX}preferences-{subscriber.pk}-{int(now.timestamp())}",
        subject=_("Your newsletter preferences"),
        headers=unsubscribe_headers(subscriber),
        preferences_url=subscriber_url(subscriber, "preferences"),
        unsubscribe_url=subscriber_url(subscriber, "unsubscribe"),
        days=PREFERENCES_MAX_AGE.days,
    )
    subscriber.reminder_sent_at = now
    subscriber.save(update_fields=["reminder_sent_at"])
    return True


# -- Signing up, confirming, choosing, leaving ---------------------------------------------------


def _lists_set(subscriber, lists):
    wanted = {item.pk for item in lists}
    Subscription.objects.filter(subscriber=subscriber).exclude(newsletter_list_id__in=wanted).delete()
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter_list_id=pk) for pk in sorted(wanted)],
        ignore_conflicts=True,
    )


def _normalise(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def newsletter_subscribe(*, email, lists, consent_text, source, now=None) -> SubscribeOutcome:
    """A sign-up from a form (no account). Each case queues at most one email:

    - unknown address: a pending subscriber with its consent (text, time, page) and lists; a confirmation;
    - pending: lists and consent replaced by the new ones; a new confirmation (throttled);
    - confirmed: nothing changes (an anonymous form cannot change someone's lists); their preferences
      link, once a day at most;
    - unsubscribed: stays unsubscribed (the proof of leaving is kept) until the confirm button; the new
      consent and lists are recorded, the old links voided, a confirmation sent;
    - marked as spam, or an address that bounced: nothing changes and nothing is sent — a form anyone
      can fill in must not write again to someone who reported the newsletter, nor to a dead mailbox
      (the city team erases the row if the person asks to come back).
    """
    now = now or timezone.now()
    email = _normalise(email)
    lists = list(lists)
    consent = {"consent_text": consent_text, "consent_at": now, "consent_source": source[:500]}
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, status=SubscriberStatus.PENDING, **consent
                )
        except IntegrityError:  # the same address, signed up at the same instant
            subscriber = Subscriber.objects.select_for_update().get(email__iexact=email)
        else:
            _lists_set(subscriber, lists)
            return SubscribeOutcome("created", subscriber, _send_confirmation(subscriber, now))

    if subscriber.status == SubscriberStatus.CONFIRMED:
        return SubscribeOutcome("confirmed", subscriber, _send_preferences(subscriber, now, reminder=True))

    if subscriber.status in (SubscriberStatus.COMPLAINED, SubscriberStatus.BOUNCED):
        return SubscribeOutcome("blocked", subscriber, False)

    kind = "pending"
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        kind = "renewed"
        subscriber.key = Subscriber._meta.get_field("key").get_default()
    for field, value in consent.items():
        setattr(subscriber, field, value)
    subscriber.save(update_fields=["key", "consent_text", "consent_at", "consent_source"])
    _lists_set(subscriber, lists)
    return SubscribeOutcome(kind, subscriber, _send_confirmation(subscriber, now))


@transaction.atomic
def subscriber_confirm(*, subscriber, now=None) -> str:
    """The confirm button: "confirmed" (done now), "already" (it was), or "refused" (the subscriber is not
    waiting for confirmation: they left after the link was sent, or the address bounced or complained).

    Someone who had left comes back only here: their sign-up sent a confirmation after they left."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return "already"
    coming_back = (
        subscriber.status == SubscriberStatus.UNSUBSCRIBED
        and subscriber.confirmation_sent_at is not None
        and (
            subscriber.unsubscribed_at is None or subscriber.confirmation_sent_at > subscriber.unsubscribed_at
        )
    )
    if subscriber.status != SubscriberStatus.PENDING and not coming_back:
        return "refused"
    subscriber.status = SubscriberStatus.CONFIRMED
    subscriber.confirmed_at = now or timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.status_reason = ""
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "status_reason"])
    return "confirmed"


@transaction.atomic
def subscriptions_set(*, subscriber, lists) -> None:
    """The preferences page: exactly these lists (at least one: leaving everything is unsubscribing)."""
    lists = list(lists)
    if not lists:
        raise ValueError("subscriptions_set needs at least one list: use subscriber_unsubscribe")
    _lists_set(subscriber, lists)


@transaction.atomic
def subscriber_unsubscribe(*, subscriber, now=None) -> bool:
    """Leave every list (idempotent: False when there was nothing to do). The row stays, so that the
    unsubscription is provable and a late issue is not sent; it keeps no list."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    had_lists = Subscription.objects.filter(subscriber=subscriber).delete()[0] > 0
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return had_lists
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = now or timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    return True


def preferences_link_send(*, email, now=None) -> bool:
    """ "Change my preferences": email the link if the address is subscribed (the view answers the same
    either way). Throttled like the reminders: once a day per address."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(email__iexact=_normalise(email), status=SubscriberStatus.CONFIRMED)
            .first()
        )
        if subscriber is None:
            return False
        return _send_preferences(subscriber, now, reminder=True)


# -- Retention: purge, export, erase -------------------------------------------------------------


def _emails_erase(subscribers):
    """Blank the address and body of every newsletter email sent to these subscribers (the outbox row
    stays, so that an idempotency key is never reused)."""
    from jobs.models import EmailStatus, OutboundEmail

    subscribers = list(subscribers)
    if not subscribers:
        return 0
    ids = "|".join(str(pk) for pk, _email in subscribers)
    addresses = [email for _pk, email in subscribers]
    return (
        OutboundEmail.objects.filter(key__startswith=EMAIL_KEY_PREFIX)
        .filter(Q(key__regex=rf"^{EMAIL_KEY_PREFIX}[a-z]+-({ids})-") | Q(to__in=addresses))
        .update(
            to=Concat(Value("email-"), Cast("pk", CharField()), Value(f"@{ERASED_EMAIL_DOMAIN}")),
            body_text="",
            body_html="",
            attachments=[],
            headers={},
            # A server's refusal quotes the address; a confirmation not yet sent never will be.
            last_error="",
            status=Case(
                When(status=EmailStatus.PENDING, then=Value(EmailStatus.FAILED)), default=F("status")
            ),
        )
    )


@transaction.atomic
def subscriber_erase(*, subscriber) -> None:
    """Erase everything about a subscriber: the row, its subscriptions and deliveries (cascade), and the
    address and body of the emails the outbox kept. Every link ever sent to them finds nothing."""
    _emails_erase([(subscriber.pk, subscriber.email)])
    Subscriber.objects.filter(pk=subscriber.pk).delete()


@transaction.atomic
def subscribers_purge_unconfirmed(now=None) -> int:
    """Erase the sign-ups not confirmed within PARVIS_NEWSLETTER_UNCONFIRMED_DAYS of their (latest)
    consent. Confirmed, unsubscribed and bounced subscribers are never purged here. Returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS)
    due = Subscriber.objects.filter(status=SubscriberStatus.PENDING, consent_at__lt=limit)
    rows = list(due.values_list("pk", "email"))
    for start in range(0, len(rows), 500):
        _emails_erase(rows[start : start + 500])
    Subscriber.objects.filter(pk__in=[pk for pk, _email in rows]).delete()
    return len(rows)


def subscriber_export(*, subscriber) -> dict:
    """Everything kept about a subscriber, for the administrator to hand over (JSON-ready)."""
    from .models import Delivery

    def iso(value):
        return timezone.localtime(value).isoformat() if value else None

    deliveries = list(
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("issue")
        .order_by("pk")
        .values("issue__subject", "status", "sent_at")
    )
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "status_reason": subscriber.status_reason,
        "lists": [str(item) for item in subscriber.lists.select_related("council").order_by(CITY_FIRST)],
        "consent": {
            "version": subscriber.consent_text.version,
            "text": subscriber.consent_text.text,
            "accepted_at": iso(subscriber.consent_at),
            "source": subscriber.consent_source,
        },
        "created_at": iso(subscriber.created_at),
        "confirmation_sent_at": iso(subscriber.confirmation_sent_at),
        "confirmed_at": iso(subscriber.confirmed_at),
        "unsubscribed_at": iso(subscriber.unsubscribed_at),
        "deliveries": {
            "count": len(deliveries),
            "items": [
                {"issue": row["issue__subject"], "status": row["status"], "sent_at": iso(row["sent_at"])}
                for row in deliveries
            ],
        },
    }
