"""Feedback from the mail provider (bounces, complaints) through django-anymail's tracking webhooks.

When a provider is configured (README, "Newsletter": `ANYMAIL`, the webhook URL `/anymail/<esp>/tracking/`,
`ANYMAIL_WEBHOOK_SECRET`), anymail turns each provider's webhook call into a normalised `tracking` signal;
`provider_feedback` below stops sending to an address that cannot or must not receive mail:

- `bounced` (a hard bounce) and `rejected` (the provider refuses the address) → status "bounced";
- `complained` (marked as spam) → "complained";
- `unsubscribed` (the provider's own unsubscribe link or suppression) → "unsubscribed".

Soft bounces (reported by some providers as `bounced`, by most as `deferred`) change nothing: the address
may work tomorrow. An address that is no subscriber is ignored; the same event twice changes nothing more;
and the receiver never fails the webhook (a provider retries a failed call for days).
"""

import logging

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from anymail.signals import EventType, tracking

from .models import Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)

STATUS_OF_EVENT = {
    EventType.BOUNCED: SubscriberStatus.BOUNCED,
    EventType.REJECTED: SubscriberStatus.BOUNCED,
    EventType.COMPLAINED: SubscriberStatus.COMPLAINED,
    EventType.UNSUBSCRIBED: SubscriberStatus.UNSUBSCRIBED,
}
#: The statuses a provider's feedback may change: a subscriber who left stays as they left, except that a
#: complaint (the strongest signal: never write again) overrides any other.
STILL_RECEIVING = (SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED)
REASON_MAX_LENGTH = Subscriber._meta.get_field("status_reason").max_length


def _values(esp_event, keys):
    if not hasattr(esp_event, "get"):
        return []
    found = [esp_event.get(key) for key in keys]
    bounce = esp_event.get("bounce")
    if hasattr(bounce, "get"):
        found.append(bounce.get("bounceType"))  # Amazon SES: Permanent | Transient | Undetermined
    return [str(value).lower() for value in found if isinstance(value, str)]


def is_soft_bounce(event) -> bool:
    """A temporary failure reported as `bounced`: Postmark's `SoftBounce`, Brevo's and Mandrill's
    `soft_bounce`, MailerSend's `soft_bounced`, Amazon SES's `Transient` bounce type."""
    if event.event_type != EventType.BOUNCED:
        return False
    return any(
        "soft" in value or value == "transient"
        for value in _values(event.esp_event, ("Type", "event", "type"))
    )


def _reason(event, esp_name) -> str:
    detail = event.description or event.mta_response or event.reject_reason or event.event_type
    return f"{esp_name}: {detail}"[:REASON_MAX_LENGTH]


def subscriber_provider_feedback(*, email: str, status: str, reason: str) -> bool:
    """Record that the provider stopped (or must stop) delivering to `email`. Returns whether a subscriber
    changed. Idempotent; an address that is no subscriber changes nothing."""
    changeable = Subscriber.objects.filter(email__iexact=email.strip()).exclude(status=status)
    if status != SubscriberStatus.COMPLAINED:
        changeable = changeable.filter(status__in=STILL_RECEIVING)
    fields = {"status": status, "status_reason": reason}
    if status == SubscriberStatus.UNSUBSCRIBED:
        fields["unsubscribed_at"] = timezone.now()
    return changeable.update(**fields) > 0


@receiver(tracking, dispatch_uid="newsletter_provider_feedback")
def provider_feedback(sender, event, esp_name, **kwargs):
    """anymail's tracking signal → the subscriber's status. Never raises: the webhook answers 200 anyway."""
    status = STATUS_OF_EVENT.get(event.event_type)
    if status is None or not event.recipient or is_soft_bounce(event):
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the request's transaction usable
            changed = subscriber_provider_feedback(
                email=event.recipient, status=status, reason=_reason(event, esp_name)
            )
        if changed:
            logger.info("Newsletter: %s feedback %s (event %s)", esp_name, event.event_type, event.event_id)
    except Exception:
        logger.exception("Newsletter: could not record %s feedback %s", esp_name, event.event_type)
