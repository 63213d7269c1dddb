"""Settings of the app instances that tests/varnish/ starts behind its Varnish: the test settings, on the
test database of the running worker (DATABASE_URL), with the instances' shared cache in Redis (REDIS_URL,
CACHE_KEY_PREFIX: one prefix per test worker) and purges sent to the test's Varnish (VARNISH_PURGE_URLS) by
the immediate task backend, right after each commit, in the process that committed."""

import os

from config.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ["CACHE_KEY_PREFIX"],
    }
}
VARNISH_PURGE_URLS = [url for url in os.environ.get("VARNISH_PURGE_URLS", "").split(",") if url]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A couple of responses the contract must hold for but that no public page gives on demand (tests.varnish.urls).
ROOT_URLCONF = "tests.varnish.urls"
MIDDLEWARE = ["tests.varnish.probes.SlowAnswerMiddleware", *MIDDLEWARE]  # noqa: F405
