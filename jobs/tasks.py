"""Tasks of background work (django-tasks, run by `manage.py run_worker`).

Each task derives its work from the database (the outbox, the schedule), never from its arguments alone, so
running one twice, or late, is harmless: what matters is committed state.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from django_tasks import TaskResultStatus, task

from .conf import setting

logger = logging.getLogger("jobs")

WORKER_LOST = "jobs.tasks.WorkerLost"


@task()
def email_deliver(email_id: int) -> bool:
    """Send one queued email unless it has been sent: row lock (skip locked), send, mark sent, commit."""
    from .emails_delivery import deliver

    return deliver(email_id)


@task()
def outbox_flush() -> int:
    """Every minute: send the pending emails whose task was lost (killed worker) or is overdue."""
    from .emails_delivery import outbox_flush as flush

    return flush()


@task(takes_context=True)
def tasks_stale_cleanup(context) -> int:
    """Mark as failed the task results still "running" long after they started (PARVIS_TASK_STALE_AFTER):
    their worker was killed (SIGKILL, out of memory, a machine lost) and nothing else would ever close them.

    They are marked failed, never made ready again: a task that died halfway may have done part of its work,
    and running it again blindly could do that part twice. Parvis's own work is safe either way — its state
    lives in the outbox, the schedule and the registrations, and the periodic jobs (outbox_flush,
    offers_expire…) pick up whatever the dead task left.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(seconds=setting("PARVIS_TASK_STALE_AFTER"))
    stale = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .exclude(pk=context.task_result.id)  # this very task is running too
    )
    count = stale.update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback="Worker lost: the task was still running when its worker stopped (killed or crashed).",
    )
    if count:
        logger.warning("Marked %s task(s) failed: their worker stopped while running them", count)
    return count


@task()
def task_results_prune() -> int:
    """Daily: forget finished task results older than 14 days (the outbox keeps each email's own history)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@task()
def outbox_prune() -> int:
    """Daily: empty the bodies of emails sent more than 7 days ago (they may hold a personal link); the row
    stays — recipient, subject, key, dates — so an idempotency key is never reused."""
    from .models import EmailStatus, OutboundEmail

    cutoff = timezone.now() - timedelta(days=7)
    return (
        OutboundEmail.objects.filter(status=EmailStatus.SENT, sent_at__lt=cutoff)
        .exclude(body_text="", body_html="", attachments=[])
        .update(body_text="", body_html="", attachments=[])
    )
