"""Settings for the test suite: PostgreSQL for real, fast hashing, in-memory cache and email."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, dj_database_url  # noqa: E402

DEBUG = False
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/parvis", conn_max_age=0
    )
}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_parvis")}
# A throwaway database need not wait for each commit to reach the disk: transactional tests (browser,
# concurrency, worker) commit every write, ~3-4 ms each with the default, ~0.3 ms without. Visibility and
# locking are unchanged; only a crash of PostgreSQL itself could lose the last commits.
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "options": "-c synchronous_commit=off",
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
ALLOWED_HOSTS = ["*"]
WAGTAILADMIN_BASE_URL = "http://testserver"

# WhiteNoise serves collected files in production; here Django's finders serve them.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405

# Quiet tests: page and task INFO lines drown real failures.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["wagtail"] = {"level": "WARNING"}  # noqa: F405
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405
LOGGING["loggers"]["axes"] = {"level": "ERROR"}  # noqa: F405 (every failed sign-in is a WARNING)
# Every 403/404 is a WARNING with its traceback formatted: the sweeps make ~8,000 of them. 5xx stay logged.
LOGGING["loggers"]["django.request"]["level"] = "ERROR"  # noqa: F405

# django-axes stays on (the lock-out tests need it); Client.login() passes no request, which axes'
# backend refuses, so the suite uses a variant that lets request-less authenticate() through.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.RequestOptionalAxesBackend",
    *(b for b in AUTHENTICATION_BACKENDS if b != "axes.backends.AxesStandaloneBackend"),  # noqa: F405
]
