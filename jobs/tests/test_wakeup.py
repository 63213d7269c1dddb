"""A worker waiting between passes wakes as soon as a task is enqueued (PostgreSQL LISTEN/NOTIFY), and the
notification leaves only with the transaction that enqueued the task."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection, transaction

import psycopg
import pytest

from jobs.emails import email_queue
from jobs.models import EmailStatus, OutboundEmail
from jobs.signals import TASKS_CHANNEL
from jobs.tests.test_worker import sent_files, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

HOUR = 3600


def listener():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    conn = psycopg.connect(**params, autocommit=True)
    conn.execute(f"LISTEN {TASKS_CHANNEL}")
    return conn


def notifications(conn, timeout):
    return list(conn.notifies(timeout=timeout, stop_after=1))


def test_enqueue_notifies_the_workers_at_commit_only(db_tasks):
    conn = listener()
    try:
        with transaction.atomic():
            email_queue(to="ada@example.org", subject="Bonjour", body_text="Texte")
            assert notifications(conn, 0) == []  # not before the task is visible
        assert [n.channel for n in notifications(conn, 30)] == [TASKS_CHANNEL]

        with pytest.raises(RuntimeError), transaction.atomic():
            email_queue(to="bob@example.org", subject="Bonjour", body_text="Texte")
            raise RuntimeError
        assert notifications(conn, 0.2) == []  # rolled back: no task, no wake-up
    finally:
        conn.close()


def listening_workers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
            [f"LISTEN {TASKS_CHANNEL}"],
        )
        return cursor.fetchone()[0]


def sent_count():
    return OutboundEmail.objects.filter(status=EmailStatus.SENT).count()


def wait_for(condition, worker, what, limit=60):
    """Bounded polling: `condition()` comes true while the worker lives (a failure names what never came)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert worker.poll() is None, worker.stdout.read()
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_waiting_worker_runs_a_new_task_long_before_its_interval(db_tasks, tmp_path):
    # The worker sleeps an hour between passes: only the notification can make it run the task.
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--interval", str(HOUR)],
        cwd=settings.BASE_DIR,
        env=worker_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Its first pass is over (nothing to do) once it LISTENs: it now waits for up to an hour.
        wait_for(lambda: listening_workers() == 1, worker, "the worker never listened")

        for n, address in enumerate(["ada@example.org", "bob@example.org"], start=1):
            with transaction.atomic():
                email_queue(to=address, subject="Bonjour", body_text="Texte")
            wait_for(lambda n=n: sent_count() == n, worker, f"email {n} not sent: no wake-up")
        assert len(sent_files(tmp_path)) == 2

        # Stopping is not held up by the hour-long wait.
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, output
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.communicate()
