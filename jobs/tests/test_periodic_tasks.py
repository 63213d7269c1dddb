"""The periodic tasks themselves: the sandbox reset, the stale-task cleanup, the prunes."""

from datetime import timedelta

from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from home.models import StandardPage
from jobs.models import EmailStatus, OutboundEmail
from jobs.tasks import WORKER_LOST, outbox_prune, tasks_stale_cleanup
from meetings.models import MeetingPage
from training.tasks import sandboxes_reset

pytestmark = pytest.mark.django_db


def test_the_weekly_task_resets_the_sandbox(council_factory):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    assert sandboxes_reset.enqueue().return_value == 1
    sandbox.add_child(instance=StandardPage(title="Essai raté", slug="essai"))
    assert sandboxes_reset.enqueue().return_value == 1
    assert not StandardPage.objects.filter(slug="essai").exists()
    assert StandardPage.objects.child_of(sandbox).get().slug == "page-d-exercice"
    assert MeetingPage.objects.descendant_of(sandbox).count() == 1


def _running(started_minutes_ago):
    result = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="jobs.tasks.outbox_flush",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=["dead"],
    )
    return result


def test_stale_cleanup_fails_only_tasks_running_too_long(db_tasks):
    dead, alive = _running(45), _running(5)
    cleanup = tasks_stale_cleanup.enqueue()  # waits in the queue: run it as a worker would
    DBTaskResult.objects.filter(pk=cleanup.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run_task(DBTaskResult.objects.get(pk=cleanup.id))
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert alive.status == TaskResultStatus.RUNNING
    finished = DBTaskResult.objects.get(pk=cleanup.id)
    assert (finished.status, finished.return_value) == (TaskResultStatus.SUCCESSFUL, 1)


def test_outbox_prune_empties_old_sent_bodies_only():
    old = OutboundEmail.objects.create(
        to="a@example.org",
        subject="Lien",
        body_text="https://x/secret",
        body_html="<a>secret</a>",
        status=EmailStatus.SENT,
        sent_at=timezone.now() - timedelta(days=8),
        key="k-old",
    )
    recent = OutboundEmail.objects.create(
        to="b@example.org", subject="Lien", body_text="t", status=EmailStatus.SENT, sent_at=timezone.now()
    )
    failed = OutboundEmail.objects.create(
        to="c@example.org", subject="Lien", body_text="t", status=EmailStatus.FAILED
    )
    assert outbox_prune.enqueue().return_value == 1
    old.refresh_from_db()
    assert (old.body_text, old.body_html, old.key, old.subject) == ("", "", "k-old", "Lien")
    assert OutboundEmail.objects.get(pk=recent.pk).body_text == "t"
    assert OutboundEmail.objects.get(pk=failed.pk).body_text == "t"
