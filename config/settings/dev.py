"""Settings for the one-command demo: embedded SQLite, console email, debug on."""

import os

os.environ.setdefault("SECRET_KEY", "demo-only-insecure-key-never-use-in-production")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, dj_database_url, env  # noqa: E402

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
# Background work: the database task backend (base.py, TASKS), run by the worker `make demo` starts beside
# the server (`manage.py run_worker`); emails leave through the outbox and the worker prints them in that
# terminal (console backend).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]

# WhiteNoise serves collected files in production; here Django's finders serve them.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
