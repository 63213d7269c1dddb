"""The real worker (`manage.py run_worker` in a subprocess, on this test database): killed while sending,
its email is neither lost nor sent twice; an invitation goes out through it end to end."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.emails import email_queue
from jobs.models import EmailStatus, OutboundEmail, ScheduledJob
from jobs.tasks import WORKER_LOST

pytestmark = pytest.mark.django_db(transaction=True)


def worker_env(email_dir, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobs.tests.worker_settings",
        "PARVIS_TEST_DB_NAME": settings.DATABASES["default"]["NAME"],
        "PARVIS_TEST_EMAIL_DIR": str(email_dir),
        "PARVIS_OUTBOX_FLUSH_AFTER": "0",
        **extra,
    }


def worker_start(email_dir, *args, **extra):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", *args],
        cwd=settings.BASE_DIR,
        env=worker_env(email_dir, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def worker_once(email_dir, **extra):
    """One full pass of a fresh worker (due scheduled jobs, then every ready task); its output."""
    process = worker_start(email_dir, "--once", **extra)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def sent_files(email_dir):
    return sorted(Path(email_dir).glob("*.log"))


def a_minute_passes(*names):
    """The scheduled runs of `names` come due (as they would a minute later)."""
    ScheduledJob.objects.filter(name__in=names).update(next_run_at=timezone.now())


def test_killed_worker_loses_nothing_and_sends_once(db_tasks, tmp_path):
    with transaction.atomic():
        email = email_queue(to="ada@example.org", subject="Inscription confirmée", body_text="À bientôt.")
    task = DBTaskResult.objects.get(task_path="jobs.tasks.email_deliver")

    # A worker starts sending it and is killed (SIGKILL: no cleanup of any kind) in the middle.
    worker = worker_start(tmp_path, PARVIS_TEST_EMAIL_DELAY="30")
    marker = tmp_path / f"sending-{worker.pid}.marker"
    deadline = time.monotonic() + 20
    while not marker.exists():
        assert worker.poll() is None, worker.stdout.read()
        assert time.monotonic() < deadline, "the worker never started sending"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    worker.stdout.close()

    assert sent_files(tmp_path) == []
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (EmailStatus.PENDING, 0, None)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # its worker is gone: nothing will ever close it

    # A minute later, another worker: the outbox flush sends it, the stale task is closed.
    a_minute_passes("outbox_flush", "tasks_stale_cleanup")
    output = worker_once(tmp_path, PARVIS_TEST_EMAIL_DELAY="0.2", PARVIS_TASK_STALE_AFTER="0")
    files = sent_files(tmp_path)
    assert len(files) == 1, output
    content = files[0].read_text()
    assert "Subject: =?utf-8?q?Inscription_confirm=C3=A9e?=" in content
    assert f"Message-ID: {email.message_id}" in content
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert "Task jobs.tasks.outbox_flush" in output and "SUCCESSFUL" in output

    # And a third worker, with every job due again, sends nothing more.
    a_minute_passes("outbox_flush")
    worker_once(tmp_path)
    assert sent_files(tmp_path) == files
    assert OutboundEmail.objects.get().status == EmailStatus.SENT


def test_invitation_goes_out_through_the_worker(db_tasks, tmp_path, council_a, city_staff):
    from members.services import invitation_create

    invitation_create(council=council_a, email="nouvelle@example.org", role="editor", invited_by=city_staff)
    assert OutboundEmail.objects.get().status == EmailStatus.PENDING  # committed, waiting for a worker

    output = worker_once(tmp_path)
    files = sent_files(tmp_path)
    assert len(files) == 1, output
    content = files[0].read_text()
    assert "To: nouvelle@example.org" in content
    assert "http://testserver/invitation/" in content
    assert "Content-Type: text/html" in content
    assert OutboundEmail.objects.get().status == EmailStatus.SENT
    assert "Task jobs.tasks.email_deliver" in output


def test_sigterm_lets_the_running_task_finish(db_tasks, tmp_path):
    with transaction.atomic():
        email = email_queue(to="ada@example.org", subject="Bonjour", body_text="Texte")
    worker = worker_start(tmp_path, PARVIS_TEST_EMAIL_DELAY="2")
    marker = tmp_path / f"sending-{worker.pid}.marker"
    deadline = time.monotonic() + 20
    while not marker.exists():
        assert worker.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)  # as systemd stops it: the email being sent is finished first
    output, _ = worker.communicate(timeout=15)
    assert worker.returncode == 0, output
    assert "shutting down gracefully" in output
    assert len(sent_files(tmp_path)) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
