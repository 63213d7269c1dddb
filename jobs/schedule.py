"""The periodic jobs, and their claim: however many workers run, each due run is enqueued once.

Every pass of every worker calls `jobs_enqueue_due`. A run is claimed by one conditional UPDATE on its
`ScheduledJob` row (`next_run_at <= now` → the next time); the task is enqueued in that same transaction, so
a claim never goes without its task, nor a task without its claim. Tasks are named by dotted path and
imported only when enqueued: a job whose module is missing is logged (once per run due) and skipped.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob

logger = logging.getLogger("jobs.schedule")


@dataclass(frozen=True)
class Job:
    """One periodic job: every `every`, or each day (or each `weekday`, 0 = Monday) at `at`, local time."""

    name: str
    task_path: str
    description: str
    every: timedelta | None = None
    at: time | None = None
    weekday: int | None = None

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"{self.name}: give `every` or `at`, not both")

    def when(self) -> str:
        """The schedule in words (README, logs)."""
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return "every minute" if minutes == 1 else f"every {minutes} minutes"
        day = (
            "every day"
            if self.weekday is None
            else "every " + "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()[self.weekday]
        )
        return f"{day} at {self.at:%H:%M}"

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after `moment`."""
        if self.every is not None:
            return moment + self.every
        day = timezone.localtime(moment).date()
        for offset in range(8):
            candidate_day = day + timedelta(days=offset)
            if self.weekday is not None and candidate_day.weekday() != self.weekday:
                continue
            candidate = timezone.make_aware(datetime.combine(candidate_day, self.at))
            if candidate > moment:
                return candidate
        raise AssertionError("unreachable: a week always holds the next run")

    def first_run(self, now: datetime) -> datetime:
        """A job never run before: periodic ones run at once, daily and weekly ones at their next time."""
        return now if self.every is not None else self.next_after(now)

    def task(self):
        return import_string(self.task_path)


SCHEDULE: list[Job] = [
    Job(
        "outbox_flush",
        "jobs.tasks.outbox_flush",
        "Sends the emails whose delivery task was lost (a worker killed while sending).",
        every=timedelta(minutes=1),
    ),
    Job(
        "offers_expire",
        "events.tasks.offers_expire",
        "Expires unanswered waiting-list offers and offers the seat to the next person.",
        every=timedelta(minutes=1),
    ),
    Job(
        "registrations_erase",
        "events.tasks.registrations_erase",
        "Erases the personal data of registrations past their event's retention period.",
        at=time(3, 30),
    ),
    Job(
        "sandboxes_reset",
        "training.tasks.sandboxes_reset",
        "Empties every training sandbox and puts back its practice material.",
        at=time(3, 0),
        weekday=6,
    ),
    Job(
        "newsletter_deliveries_resume",
        "newsletter.tasks.deliveries_resume",
        "Resumes newsletter sends whose worker stopped (killed or crashed) halfway.",
        every=timedelta(minutes=1),
    ),
    Job(
        "newsletter_subscribers_purge",
        "newsletter.tasks.subscribers_purge",
        "Erases newsletter sign-ups never confirmed within the set delay.",
        at=time(3, 45),
    ),
    Job(
        "tasks_stale_cleanup",
        "jobs.tasks.tasks_stale_cleanup",
        "Marks as failed the tasks whose worker died while running them.",
        every=timedelta(minutes=10),
    ),
    Job(
        "outbox_prune",
        "jobs.tasks.outbox_prune",
        "Empties the bodies of emails sent more than 7 days ago (personal links).",
        at=time(4, 15),
    ),
    Job(
        "pages_publish_scheduled",
        "core.tasks.pages_publish_scheduled",
        "Publishes the pages whose go-live time has come and unpublishes the expired ones.",
        every=timedelta(minutes=1),
    ),
    Job(
        "cache_purge_time_passed",
        "core.tasks.cache_purge_time_passed",
        "Purges from the shared cache the lists a meeting or an event leaves as it starts or ends.",
        every=timedelta(minutes=1),
    ),
    Job(
        "task_results_prune",
        "jobs.tasks.task_results_prune",
        "Forgets the results of tasks finished more than 14 days ago.",
        at=time(4, 0),
    ),
]


def jobs_enqueue_due(*, now: datetime | None = None, schedule: list[Job] | None = None) -> list[str]:
    """Enqueue each job whose run is due and that no other worker claimed. Returns the names enqueued."""
    now = now or timezone.now()
    schedule = SCHEDULE if schedule is None else schedule
    # One SELECT per pass when nothing is due; rows are created the first time a job is seen.
    next_runs = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    if any(job.name not in next_runs for job in schedule):
        ScheduledJob.objects.bulk_create(
            [ScheduledJob(name=job.name, next_run_at=job.first_run(now)) for job in schedule],
            ignore_conflicts=True,
        )
        next_runs = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    due = [job for job in schedule if next_runs[job.name] <= now]
    enqueued = []
    for job in due:
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=job.next_after(now), last_enqueued_at=now
            )
            if not claimed:
                continue
            try:
                task = job.task()
            except ImportError:
                # Claimed all the same: the error is logged once per due run, not at every pass.
                logger.exception("Scheduled job %s: cannot import %s", job.name, job.task_path)
                continue
            task.enqueue()
            enqueued.append(job.name)
    if enqueued:
        logger.info("Scheduled jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
