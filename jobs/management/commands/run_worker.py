"""`manage.py run_worker`: the background worker — django-tasks-db's Worker, plus the schedule.

Each pass enqueues the scheduled jobs that are due (`jobs.schedule`), then runs every ready task, then
sleeps PARVIS_WORKER_INTERVAL seconds. One log line per task. SIGTERM (or Ctrl+C) lets the running task
finish, then exits; a second signal stops the task at once (its transaction is rolled back: an email being
sent stays pending). Run as many workers as you like: tasks are claimed with row locks, scheduled runs with
a conditional UPDATE.
"""

import logging
import random
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string

from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
    validate_worker_id,
)

from jobs.conf import setting
from jobs.schedule import jobs_enqueue_due

logger = logging.getLogger("jobs.worker")


class ParvisWorker(Worker):
    """django-tasks-db's Worker in batch mode (one call = run every ready task), driven by `serve`, which
    enqueues the due scheduled jobs before each batch."""

    def run_task(self, db_task_result) -> None:
        started = time.monotonic()
        super().run_task(db_task_result)
        logger.info(
            "Task %s %s %s in %.2f s",
            db_task_result.task_path,
            db_task_result.id,
            db_task_result.status,
            time.monotonic() - started,
        )

    def serve(self, *, once: bool = False) -> None:
        logger.info("Worker %s started", self.worker_id)
        while self.running:
            close_old_connections()
            jobs_enqueue_due()
            self.run()
            if once:
                break
            if self.running:
                time.sleep(self.interval)
        logger.info("Worker %s stopped", self.worker_id)


class Command(BaseCommand):
    help = "Run the background worker: emails, scheduled jobs, every task (see the README)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=None,
            help="Seconds to sleep when there is nothing to do (default: PARVIS_WORKER_INTERVAL, 1).",
        )
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="Queues to process, comma-separated, '*' for all (default: %(default)r).",
        )
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            type=valid_backend_name,
            dest="backend_name",
            help="The task backend (a django-tasks-db one; default: %(default)r).",
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="Unique id of this worker (default: random).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="One pass: enqueue the due scheduled jobs, run every ready task, exit.",
        )

    def handle(self, *, interval, queue_name, backend_name, worker_id, once, verbosity, **options):
        self.logging_configure(verbosity)
        interval = setting("PARVIS_WORKER_INTERVAL") if interval is None else interval
        worker = ParvisWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=True,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            if not once and interval:
                time.sleep(random.random())  # noqa: S311 (several workers started together do not stampede)
            worker.serve(once=once)
        finally:
            worker.reset_signals()

    def logging_configure(self, verbosity: int) -> None:
        """Our one line per task replaces django-tasks' two (started, finished); its errors still show."""
        level = logging.WARNING if verbosity == 0 else logging.DEBUG if verbosity > 1 else logging.INFO
        for name in ("jobs", "training", "newsletter"):
            logging.getLogger(name).setLevel(level)
        quiet = logging.DEBUG if verbosity > 1 else logging.WARNING
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).setLevel(quiet)
