"""Signed links of the newsletter: confirm (expires), preferences (expires, renewable) and unsubscribe
(never expires: it must work from an old email). Each carries the subscriber's id and `key`; erasing a
subscriber changes nothing that could be matched, and `subscriber_links_void` (a new key) voids them all.

The contract other modules use; the subscription helper owns the implementation details.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Subscriber

CONFIRM_MAX_AGE = timedelta(days=7)
PREFERENCES_MAX_AGE = timedelta(days=90)

_SALTS = {
    "confirm": "newsletter.confirm",
    "preferences": "newsletter.preferences",
    "unsubscribe": "newsletter.unsubscribe",
}
_URL_NAMES = {
    "confirm": "newsletter:confirm",
    "preferences": "newsletter:preferences",
    "unsubscribe": "newsletter:unsubscribe",
}


def subscriber_token(subscriber: Subscriber, purpose: str) -> str:
    return signing.TimestampSigner(salt=_SALTS[purpose]).sign(f"{subscriber.pk}.{subscriber.key}")


def subscriber_from_token(token: str, purpose: str) -> Subscriber | None:
    """The subscriber a valid, unexpired token names, or None (tampered, expired, voided, erased)."""
    max_age = {"confirm": CONFIRM_MAX_AGE, "preferences": PREFERENCES_MAX_AGE}.get(purpose)
    try:
        value = signing.TimestampSigner(salt=_SALTS[purpose]).unsign(token, max_age=max_age)
        pk, key = value.split(".", 1)
        pk = int(pk)
    except (signing.BadSignature, ValueError):
        return None
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or not signing.constant_time_compare(subscriber.key, key):
        return None
    return subscriber


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def subscriber_url(subscriber: Subscriber, purpose: str) -> str:
    """The absolute URL of a signed link (for emails)."""
    return absolute(reverse(_URL_NAMES[purpose], args=[subscriber_token(subscriber, purpose)]))
