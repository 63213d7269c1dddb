"""`/healthz`: 200 when the database, the cache and a worker's heartbeat are fine, 503 naming what is not,
never cached, nothing written to the database, nothing of the configuration in the answer."""

import os
import time

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from core.health import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db

# A real Redis (database 5), with a prefix of this process's own: parallel runs never share the heartbeat.
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/5",
        "KEY_PREFIX": f"health-test-{os.getpid()}",
    }
}
# Nothing listens on port 1: every cache call fails with a connection error.
DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/5"}
}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def redis_cache(settings):
    from django.core.cache import cache

    settings.CACHES = REDIS
    cache.delete(HEARTBEAT_KEY)
    yield cache
    cache.delete(HEARTBEAT_KEY)


def statuses(response):
    return {name: check["status"] for name, check in response.json()["checks"].items()}


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection, as in production
def test_all_well_after_a_worker_pass(client, settings, redis_cache):
    settings.TASKS = DB_TASKS
    call_command("run_worker", "--once", verbosity=0)  # a pass writes the heartbeat
    assert time.time() - redis_cache.get(HEARTBEAT_KEY) < 60

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert statuses(response) == {"database": "ok", "cache": "ok", "worker": "ok"}
    assert [query["sql"] for query in queries] == ["SELECT 1"]  # no write, nothing else
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "xkey" not in response


def test_cache_down_is_a_503_that_names_it_and_nothing_more(client, settings):
    settings.CACHES = DEAD_REDIS

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["cache"] == {"status": "failed", "error": "ConnectionError"}
    body = response.content.decode()
    assert "127.0.0.1" not in body and "redis" not in body.lower()


def test_stale_or_missing_heartbeat_is_a_503_but_not_for_the_probe(client, settings, redis_cache):
    settings.TASKS = DB_TASKS

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"status": "failed", "error": "no heartbeat"}

    redis_cache.set(HEARTBEAT_KEY, time.time() - 300)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert statuses(response) == {"database": "ok", "cache": "ok", "worker": "failed"}
    assert response.json()["checks"]["worker"]["error"] == "stale heartbeat"

    # The load balancer's probe leaves the worker out: the web instances still serve.
    response = client.get("/healthz?scope=web")
    assert response.status_code == 200
    assert statuses(response) == {"database": "ok", "cache": "ok"}

    settings.PARVIS_WORKER_HEARTBEAT_STALE = 600
    assert client.get("/healthz").status_code == 200


def test_no_worker_needed_with_the_immediate_backend(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {"status": "ok", "worker": "not used"}


def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
