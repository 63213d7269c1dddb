"""Wake the workers as soon as a task is enqueued, instead of at their next pass.

On PostgreSQL every enqueue on the database task backend runs `NOTIFY parvis_tasks` on the connection that
wrote the task: PostgreSQL delivers it when that transaction commits (at once in autocommit), never for
one that rolls back, so a woken worker always finds the task. Workers LISTEN on a connection of their own
(`run_worker`) and wait for it up to PARVIS_WORKER_INTERVAL seconds. SQLite has no such thing: its
workers keep polling.
"""

from django.db import connections, router

from django_tasks_db.backend import DatabaseBackend

TASKS_CHANNEL = "parvis_tasks"


def workers_wake(sender, **kwargs) -> None:
    """`task_enqueued` receiver (connected in jobs.apps): NOTIFY the workers of a task in the queue table."""
    if not (isinstance(sender, type) and issubclass(sender, DatabaseBackend)):
        return  # the immediate backend (tests) has already run it
    from django_tasks_db.models import DBTaskResult

    connection = connections[router.db_for_write(DBTaskResult)]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {TASKS_CHANNEL}")
