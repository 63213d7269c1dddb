"""Forms on pages the shared cache keeps for everyone: a CSRF token only for people with a session.

A CSRF token ties a form to one visitor's cookie, so a page that carries one cannot be shared. Forms that
anonymous readers fill without an account (an event's registration; the newsletter's sign-up has none at
all) are posted to views wrapped in `token_for_sessions_only`:

- a request with a session cookie (signed in, or having given a page's password) gets Django's full CSRF
  check: its page is private anyway and carries the token;
- an anonymous request must come from this site: a browser's cross-site POST carries an `Origin` (or, on
  HTTPS, a `Referer`) naming the other site, refused with 403 like a missing token. A client that sends
  neither is not a browser tricked by another site: CSRF has nothing to protect there.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt

REASON_FOREIGN_ORIGIN = "Origin or Referer names another site."


def has_session(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _same_site(request) -> bool:
    checker = CsrfViewMiddleware(lambda request: None)
    if "HTTP_ORIGIN" in request.META:
        return checker._origin_verified(request)
    referer = request.META.get("HTTP_REFERER")
    if referer is None:
        return True
    return urlsplit(referer).netloc == request.get_host()


def token_for_sessions_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            if has_session(request):
                refused = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
                if refused is not None:
                    return refused
            elif not _same_site(request):
                return csrf_failure(request, reason=REASON_FOREIGN_ORIGIN)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
