"""`/emargement/`: a member checks in to the session happening now with the code shown in the room.

Signed-in members only (anyone else is sent to sign in, and back). The answer is the same for a code that
matches no session and for a session of a council the person is not a member of. Attempts are limited per
person and per connection; the page is never stored by a shared cache.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_protect

from django_ratelimit.core import is_ratelimited

from accounts.lockout import client_ip
from core.middleware import mark_private

from . import services
from .forms import CheckInForm

#: Check-in attempts (POSTs) per signed-in person.
RATE = getattr(settings, "PARVIS_CHECK_IN_RATE", "10/10m")
#: Failed attempts per connection: a whole assembly may share one address (venue Wi-Fi, carrier NAT),
#: so only failures count there, with room for a room full of typos.
IP_FAILURE_RATE = getattr(settings, "PARVIS_CHECK_IN_IP_FAILURE_RATE", "100/10m")


def _client_key(group, request):
    return client_ip(request) or "unknown"


def _user_key(group, request):
    return str(request.user.pk)


def _rate_limited(request) -> bool:
    """Count this person's attempt; True once they, or their connection's failures, went over the limit."""
    per_user = is_ratelimited(
        request, group="attendance.check_in.user", key=_user_key, rate=RATE, increment=True
    )
    per_ip = is_ratelimited(
        request, group="attendance.check_in.ip", key=_client_key, rate=IP_FAILURE_RATE, increment=False
    )
    return per_user or per_ip


def _failure_count(request) -> None:
    """A failed attempt counts against the connection too (guessing from many accounts)."""
    is_ratelimited(
        request, group="attendance.check_in.ip", key=_client_key, rate=IP_FAILURE_RATE, increment=True
    )


@csrf_protect
def check_in(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mark_private(request)
    form = CheckInForm(request.POST or None)
    done = None
    status = 200
    throttled = False
    if request.method == "POST":
        if _rate_limited(request):
            throttled = True
            status = 429
        elif form.is_valid():
            try:
                done = services.check_in(user=request.user, code=form.cleaned_data["code"])
            except services.CheckInError as error:
                _failure_count(request)
                form.add_error("code", error.message)
                status = 400
            else:
                form = CheckInForm()
        else:
            _failure_count(request)
            status = 400
    response = render(
        request,
        "attendance/check_in.html",
        {
            "form": form,
            "done": done,
            "throttled": throttled,
            "sessions": services.sessions_to_check_in(user=request.user),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
