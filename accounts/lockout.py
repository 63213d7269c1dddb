"""Sign-in throttling with django-axes: who counts as the same account, which address is the client's,
and the French page a locked-out person sees.

People sign in with their username or their email (`accounts.backends.EmailOrUsernameBackend`), in any
case: all of these count as one account, so guessing cannot be spread over its spellings.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render

from axes.helpers import get_cool_off


def client_username(request, credentials):
    """AXES_USERNAME_CALLABLE: the account's username (lower case) for whatever identifier was typed."""
    field = settings.AXES_USERNAME_FORM_FIELD
    typed = (credentials or {}).get(field)
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get(field)
    if not typed:
        return typed
    typed = str(typed).strip()
    user = (
        get_user_model()
        ._default_manager.filter(Q(username__iexact=typed) | Q(email__iexact=typed))
        .only("username")
        .first()
    )
    return (user.username if user is not None else typed).lower()


def client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, which clients can forge
    on the left)."""
    proxies = settings.PARVIS_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if ip.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a French page, in the admin's plain style or the public site's layout."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    in_admin = request.path.startswith("/admin/")
    template = "accounts/lockout_admin.html" if in_admin else "accounts/lockout.html"
    return render(
        request,
        template,
        {"cool_off_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
