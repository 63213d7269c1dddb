import pytest

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings):
    """The database task backend (as in production) instead of the tests' immediate one: enqueued tasks
    wait in django_tasks_db's table for a worker."""
    settings.TASKS = DB_TASKS
