"""`manage.py run_worker`: the background worker — django-tasks-db's Worker, plus the schedule.

Each pass writes the worker's heartbeat (`/healthz`, core.health), enqueues the scheduled jobs that are due
(`jobs.schedule`), runs every ready task, then waits PARVIS_WORKER_INTERVAL seconds — on PostgreSQL only
until a task is enqueued: it LISTENs on `parvis_tasks` on a connection of its own, and every enqueue
NOTIFYs it at commit (jobs.signals). One log line per task. SIGTERM (or Ctrl+C) lets the running task
finish, then exits; a second signal stops the task at once (its transaction is rolled back: an email being
sent stays pending). Run as many workers as you like: tasks are claimed with row locks, scheduled runs with
a conditional UPDATE.
"""

import logging
import random
import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.utils.crypto import get_random_string

import psycopg
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
    validate_worker_id,
)

from core.health import worker_heartbeat_write
from jobs.conf import setting
from jobs.schedule import jobs_enqueue_due
from jobs.signals import TASKS_CHANNEL

logger = logging.getLogger("jobs.worker")


class ParvisWorker(Worker):
    """django-tasks-db's Worker in batch mode (one call = run every ready task), driven by `serve`, which
    enqueues the due scheduled jobs before each batch."""

    def run_task(self, db_task_result) -> None:
        heartbeat()  # a batch of long tasks keeps the worker's heartbeat fresh
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
        wakeup = TaskWakeup()
        try:
            while self.running:
                close_old_connections()
                heartbeat()
                jobs_enqueue_due()
                self.run()
                if once:
                    break
                if self.running:
                    wakeup.wait(self.interval, lambda: self.running)
        finally:
            wakeup.close()
        logger.info("Worker %s stopped", self.worker_id)


def heartbeat() -> None:
    """Tell /healthz this worker is alive; a cache that is down must not stop the work."""
    try:
        worker_heartbeat_write()
    except Exception as error:  # noqa: BLE001
        logger.warning("Worker heartbeat not written: %s", error)


class TaskWakeup:
    """Waits between passes: until a task is enqueued (PostgreSQL's LISTEN, on a connection of its own)
    or `interval` seconds, whichever comes first; a plain sleep on SQLite or while PostgreSQL is away.

    The wait is cut in slices of at most a second so that SIGTERM is heard even with a long interval.
    A notification that comes while the worker runs tasks waits in the connection: the next wait ends at
    once, so a task enqueued during a pass is not left for the next interval.
    """

    SLICE = 1.0

    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.alias = alias
        self.connection = None

    def listen(self) -> bool:
        if self.connection is not None:
            return True
        wrapper = connections[self.alias]
        if wrapper.vendor != "postgresql":
            return False
        params = wrapper.get_connection_params()
        params.pop("cursor_factory", None)
        try:
            self.connection = psycopg.connect(**params, autocommit=True)
            self.connection.execute(f"LISTEN {TASKS_CHANNEL}")
        except psycopg.Error as error:
            logger.warning("Worker cannot LISTEN for new tasks (%s): polling", error)
            self.close()
            return False
        return True

    def wait(self, interval: float, running) -> bool:
        """Whether a notification came (False: the interval passed, or the worker is stopping)."""
        deadline = time.monotonic() + interval
        if not self.listen():
            while running() and (remaining := deadline - time.monotonic()) > 0:
                time.sleep(min(remaining, self.SLICE))
            return False
        while running() and (remaining := deadline - time.monotonic()) > 0:
            try:
                if list(self.connection.notifies(timeout=min(remaining, self.SLICE), stop_after=1)):
                    list(self.connection.notifies(timeout=0))  # drain the rest: one pass serves them all
                    return True
            except psycopg.Error as error:
                logger.warning("Worker lost its LISTEN connection (%s): reconnecting at the next wait", error)
                self.close()
                return False
        return False

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


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
