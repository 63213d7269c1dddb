"""Test instruments of the app instances behind the test's Varnish (tests.varnish.server_settings only)."""

import time

from django.core.cache import cache


def slow_built_key(token):
    return f"varnish-test:slow-built:{token}"


class SlowAnswerMiddleware:
    """`X-Test-Slow: <seconds>` (with `X-Test-Slow-Id: <token>`): the answer is built from the database as
    usual, then marked built (in the shared cache) and held back that long before it leaves. A test can so
    make certain what is otherwise a matter of timing: a fetch that read the database before a publish
    committed, and reaches Varnish after the purge that followed it returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        delay = request.headers.get("X-Test-Slow")
        response = self.get_response(request)
        if delay:
            cache.set(slow_built_key(request.headers.get("X-Test-Slow-Id", "")), True, timeout=60)
            time.sleep(min(float(delay), 10.0))
        return response
