"""The schedule: every periodic job is registered and importable; each due run is enqueued once."""

import logging
import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

import pytest
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from jobs.models import ScheduledJob
from jobs.schedule import SCHEDULE, Job, jobs_enqueue_due

PARIS = ZoneInfo("Europe/Paris")

EXPECTED = {
    "newsletter_deliveries_resume": "newsletter.tasks.deliveries_resume",
    "newsletter_subscribers_purge": "newsletter.tasks.subscribers_purge",
    "outbox_flush": "jobs.tasks.outbox_flush",
    "offers_expire": "events.tasks.offers_expire",
    "registrations_erase": "events.tasks.registrations_erase",
    "sandboxes_reset": "training.tasks.sandboxes_reset",
    "tasks_stale_cleanup": "jobs.tasks.tasks_stale_cleanup",
    "outbox_prune": "jobs.tasks.outbox_prune",
    "task_results_prune": "jobs.tasks.task_results_prune",
    "pages_publish_scheduled": "core.tasks.pages_publish_scheduled",
    "cache_purge_time_passed": "core.tasks.cache_purge_time_passed",
}


def test_schedule_covers_every_job_and_each_task_imports():
    assert {job.name: job.task_path for job in SCHEDULE} == EXPECTED
    for job in SCHEDULE:
        assert isinstance(job.task(), Task), job.task_path  # fails while a module or function is missing


def test_next_runs():
    now = datetime(2026, 3, 28, 2, 59, tzinfo=PARIS)  # a Saturday, the night before summer time
    every = Job("a", "x.y", "", every=timedelta(minutes=10))
    daily = Job("b", "x.y", "", at=time(3, 30))
    sunday = Job("c", "x.y", "", at=time(3, 0), weekday=6)
    assert every.first_run(now) == now
    assert every.next_after(now) == now + timedelta(minutes=10)
    assert daily.next_after(now) == datetime(2026, 3, 28, 3, 30, tzinfo=PARIS)
    assert daily.next_after(datetime(2026, 3, 28, 3, 30, tzinfo=PARIS)) == datetime(
        2026, 3, 29, 3, 30, tzinfo=PARIS
    )
    assert daily.first_run(now) == daily.next_after(now)
    assert sunday.next_after(now) == datetime(2026, 3, 29, 3, 0, tzinfo=PARIS)
    assert sunday.next_after(datetime(2026, 3, 29, 3, 0, tzinfo=PARIS)) == datetime(
        2026, 4, 5, 3, 0, tzinfo=PARIS
    )
    assert [j.when() for j in (every, daily, sunday)] == [
        "every 10 minutes",
        "every day at 03:30",
        "every Sunday at 03:00",
    ]
    with pytest.raises(ValueError):
        Job("d", "x.y", "")


@pytest.mark.django_db
def test_due_jobs_enqueued_once_then_at_their_next_time(db_tasks):
    start = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    first = jobs_enqueue_due(now=start)
    # Periodic jobs run at once; daily and weekly ones wait for their time.
    assert sorted(first) == [
        "cache_purge_time_passed",
        "newsletter_deliveries_resume",
        "offers_expire",
        "outbox_flush",
        "pages_publish_scheduled",
        "tasks_stale_cleanup",
    ]
    assert jobs_enqueue_due(now=start + timedelta(seconds=30)) == []
    assert sorted(jobs_enqueue_due(now=start + timedelta(minutes=1))) == [
        "cache_purge_time_passed",
        "newsletter_deliveries_resume",
        "offers_expire",
        "outbox_flush",
        "pages_publish_scheduled",
    ]
    assert ScheduledJob.objects.get(name="registrations_erase").next_run_at == datetime(
        2026, 11, 25, 3, 30, tzinfo=PARIS
    )
    assert "registrations_erase" in jobs_enqueue_due(now=datetime(2026, 11, 25, 3, 31, tzinfo=PARIS))
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths.count("jobs.tasks.outbox_flush") == 3
    assert paths.count("events.tasks.registrations_erase") == 1


@pytest.mark.django_db
def test_missing_task_is_logged_and_its_run_claimed(db_tasks, caplog):
    ghost = Job("ghost", "events.tasks.no_such_task", "", every=timedelta(minutes=1))
    now = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    with caplog.at_level(logging.ERROR, logger="jobs.schedule"):
        assert jobs_enqueue_due(now=now, schedule=[ghost]) == []
        assert jobs_enqueue_due(now=now, schedule=[ghost]) == []
    assert caplog.text.count("cannot import events.tasks.no_such_task") == 1
    assert ScheduledJob.objects.get(name="ghost").next_run_at == now + timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_enqueue_each_due_run_once(db_tasks):
    """Eight workers (threads, each its own connection) pass at the same instant, three times."""
    schedule = [
        Job("often", "jobs.tasks.outbox_flush", "", every=timedelta(minutes=1)),
        Job("rarely", "jobs.tasks.outbox_prune", "", every=timedelta(minutes=10)),
    ]
    start = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    for minute in range(3):
        now = start + timedelta(minutes=minute)
        barrier = threading.Barrier(8)
        enqueued = []

        def worker(now=now, barrier=barrier, enqueued=enqueued):
            try:
                barrier.wait(10)
                enqueued.extend(jobs_enqueue_due(now=now, schedule=schedule))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(enqueued) == (["often", "rarely"] if minute == 0 else ["often"])
    assert DBTaskResult.objects.filter(task_path="jobs.tasks.outbox_flush").count() == 3
    assert DBTaskResult.objects.filter(task_path="jobs.tasks.outbox_prune").count() == 1
