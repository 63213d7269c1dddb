"""Links in registration emails: signed, tied to the registration's current key.

A tampered link fails the signature; after erasure (key cleared) or for a wrong key, it finds nothing.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Registration

SALT = "events.registration"


def registration_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "k": registration.key}, salt=SALT, compress=True)


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("k"):
        return None
    return (
        Registration.objects.select_related("event")
        .filter(pk=data.get("r"), key=data["k"], erased_at__isnull=True)
        .first()
    )


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def manage_url(registration: Registration) -> str:
    """The page where the person sees their registration and may cancel it."""
    return _absolute(reverse("events:registration_manage", args=[registration_token(registration)]))


def offer_url(registration: Registration) -> str:
    """The page where the person accepts the seat offered to them (one button)."""
    return _absolute(reverse("events:offer_accept", args=[registration_token(registration)]))
