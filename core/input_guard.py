"""A safety net for addresses no view can read, and the French "bad request" page.

The views parse their own input and never fail on it (tests/test_public_inputs.py fuzzes every
public route). This middleware only refuses, before any view runs, what no page of the site can
mean: a null byte anywhere in the address, or a query string whose percent-encoded bytes are not
UTF-8 (a null byte cannot be stored in PostgreSQL text; malformed UTF-8 would reach the views as
replacement characters). The answer is a 400 with a French explanation, not a server error.
"""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.template import loader


def address_is_readable(request):
    """False when the path or the raw query string holds a null byte or bytes that are not UTF-8."""
    raw_query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path_info or "\x00" in raw_query:
        return False
    try:
        query_bytes = unquote_to_bytes(raw_query.encode("iso-8859-1"))
    except UnicodeEncodeError:
        return False
    if b"\x00" in query_bytes:
        return False
    try:
        query_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def bad_request(request, exception=None):
    """Django's handler400, in French, standalone: it must not read the request it could not parse."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


class InputGuardMiddleware:
    """Answer 400 (in French) to an address with a null byte or malformed UTF-8 in its query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not address_is_readable(request):
            return bad_request(request)
        return self.get_response(request)
