"""Settings of a real `manage.py run_worker` started by the tests: the test settings, on the test database
the test runs on (PARVIS_TEST_DB_NAME), with the database task backend and a file email backend."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["PARVIS_TEST_DB_NAME"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "jobs.tests.backends.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["PARVIS_TEST_EMAIL_DIR"]
LOGGING["root"]["level"] = "INFO"  # noqa: F405
