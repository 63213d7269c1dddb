"""Background work's knobs: a Django setting if the project defines it, else the environment, else a default.

PARVIS_WORKER_INTERVAL        seconds a worker sleeps when there is nothing to do (1)
PARVIS_EMAIL_MAX_ATTEMPTS     attempts before an email is marked failed (5)
PARVIS_OUTBOX_FLUSH_AFTER     seconds after which a pending email whose task was lost is sent by outbox_flush (60)
PARVIS_TASK_STALE_AFTER       seconds after which a task still "running" is taken for one whose worker died (1800)
"""

import os

from django.conf import settings

DEFAULTS = {
    "PARVIS_WORKER_INTERVAL": 1.0,
    "PARVIS_EMAIL_MAX_ATTEMPTS": 5,
    "PARVIS_OUTBOX_FLUSH_AFTER": 60,
    "PARVIS_TASK_STALE_AFTER": 1800,
}


def setting(name: str):
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None else type(default)(value)
