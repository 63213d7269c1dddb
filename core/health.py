"""`/healthz`: can this instance serve (its database, its cache), and is a background worker alive?

For the load balancer's probe and for monitoring. It answers 200 `{"status": "ok", "checks": {…}}` when
every check passes, 503 with the same shape, naming what failed, otherwise. Each check says only "ok" or
the exception's class: no host name, address or setting reaches the output (the error goes to the log).
Never cached (`never_cache`), and it writes nothing to the database: only a short-lived cache key.

- `database`: `SELECT 1` on the default connection.
- `cache`: set, read back and delete a key of its own (Redis in production).
- `worker`: the last heartbeat of any worker (`manage.py run_worker` writes the time to the cache on each
  pass) is at most `PARVIS_WORKER_HEARTBEAT_STALE` seconds old (120). Skipped when the task backend runs
  tasks in the request (the tests' immediate backend): no worker is needed then.

`?scope=web` leaves the worker out: Varnish's probe uses it, so that a stopped worker, which the web
instances do not need to serve pages, never takes them out of rotation.
"""

import logging
import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("core.health")

HEARTBEAT_KEY = "parvis:worker:heartbeat"
HEARTBEAT_STALE_DEFAULT = 120


def worker_heartbeat_write() -> None:
    """Record that a worker is alive now (called by the worker on each pass; shared by all workers)."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


def heartbeat_stale_after() -> float:
    value = getattr(settings, "PARVIS_WORKER_HEARTBEAT_STALE", None)
    if value is None:
        value = os.environ.get("PARVIS_WORKER_HEARTBEAT_STALE", HEARTBEAT_STALE_DEFAULT)
    return float(value)


def worker_needed() -> bool:
    """Whether a task backend in use leaves its tasks to a worker (django-tasks-db's database backend)."""
    from django_tasks_db.backend import DatabaseBackend

    for options in getattr(settings, "TASKS", {}).values():
        backend = options.get("BACKEND", "")
        try:
            if issubclass(import_string(backend), DatabaseBackend):
                return True
        except ImportError:
            continue
    return False


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def check_cache() -> dict:
    key = f"parvis:healthz:{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    read = cache.get(key)
    cache.delete(key)
    if read != token:
        return {"status": "failed", "error": "value not read back"}
    return {"status": "ok"}


def check_worker() -> dict:
    if not worker_needed():
        return {"status": "ok", "worker": "not used"}
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        return {"status": "failed", "error": "no heartbeat"}
    age = max(0.0, time.time() - float(beat))
    limit = heartbeat_stale_after()
    if age > limit:
        return {"status": "failed", "error": "stale heartbeat", "age": round(age, 1), "limit": limit}
    return {"status": "ok", "age": round(age, 1)}


CHECKS = {"database": check_database, "cache": check_cache, "worker": check_worker}


def run_check(name, check) -> dict:
    try:
        return check()
    except Exception as error:  # noqa: BLE001 (any failure is a failed check, reported by its class only)
        logger.warning("Health check %s failed: %s", name, error, exc_info=True)
        return {"status": "failed", "error": type(error).__name__}


@never_cache
@require_safe
def healthz(request):
    names = ["database", "cache"] if request.GET.get("scope") == "web" else list(CHECKS)
    checks = {name: run_check(name, CHECKS[name]) for name in names}
    healthy = all(result["status"] == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failed", "checks": checks}, status=200 if healthy else 503
    )
