"""Settings of the real `manage.py run_worker` that test_sending_worker.py starts (not a test module): the
test settings, on the test database of the running test (PARVIS_TEST_DB_NAME), the database task backend,
and Django's SMTP backend pointed at the test's local SMTP sink (PARVIS_TEST_SMTP_PORT).

Importing it outside such a worker (pytest collects every test_*.py) changes nothing."""

import os

from config.settings.test import *  # noqa: F403

if os.environ.get("PARVIS_TEST_SMTP_PORT") and os.environ.get("PARVIS_TEST_DB_NAME"):
    from config.settings.test import DATABASES

    DATABASES["default"]["NAME"] = os.environ["PARVIS_TEST_DB_NAME"]
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["PARVIS_TEST_SMTP_PORT"])
    EMAIL_TIMEOUT = 10
    PARVIS_NEWSLETTER_BATCH_SIZE = int(os.environ.get("PARVIS_NEWSLETTER_BATCH_SIZE", "40"))
    PARVIS_NEWSLETTER_THREADS = int(os.environ.get("PARVIS_NEWSLETTER_THREADS", "2"))
    LOGGING["root"]["level"] = "INFO"  # noqa: F405
