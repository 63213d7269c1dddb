"""Fixtures shared by the whole suite: the site skeleton, councils, and people with roles."""

from django.core.cache import cache

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.services import communications_team_group, council_add_editor, council_add_member

SKELETON_SCHEMA = "pytest_skeleton"


class _Skeleton:
    """The database right after a flush and the skeleton's build, kept on this worker (in a schema of the
    test database outside the search path, so Django never sees it) once the first transactional test
    has ended; `tables` lists the tables it holds rows of (None until then)."""

    tables = None
    restoring = False


def _fast_flush_install():
    """A transactional test (browser, concurrency, worker tests) ends with Django's `flush`: a `TRUNCATE`
    of every table (PostgreSQL pays it per table: new files for each table and index, 2-4 s here for
    ~110 mostly empty tables), then `post_migrate` (content types, permissions, the city's roles: ~600
    queries), then the root conftest builds the skeleton again (~430 queries) — 4-6 s per test.

    Here the same flush `DELETE`s every table in one transaction (foreign keys, all deferrable, are
    checked at its end), and, once the first flush on this worker has rebuilt everything the usual way
    and `_skeleton_save` kept the result, puts those rows back in the same transaction instead of
    emitting `post_migrate` and rebuilding: the next test starts from the very same rows (same ids too)
    as a fresh rebuild would give, in ~0.3 s. Sequences are not reset either way (pytest-django flushes
    with `reset_sequences=False`); a flush asking to reset them or to cascade keeps Django's way.
    """
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "fast", False):
        return
    emit_post_migrate_signal = flush.emit_post_migrate_signal

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        _Skeleton.restoring = False
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Table names come from the model registry, quoted.
        sql = ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {self.quote_name(t)}" for t in tables)]  # noqa: S608
        kept = _Skeleton.tables
        if kept is not None and set(kept) <= set(tables):
            sql += [
                f"INSERT INTO {self.quote_name(t)} SELECT * FROM {SKELETON_SCHEMA}.{self.quote_name(t)}"  # noqa: S608
                for t in kept
            ]
            _Skeleton.restoring = True
        return sql

    def post_migrate_unless_restored(*args, **kwargs):
        if _Skeleton.restoring:  # the rows post_migrate would create are back already
            _Skeleton.restoring = False
            return
        emit_post_migrate_signal(*args, **kwargs)

    sql_flush.fast = True
    DatabaseOperations.sql_flush = sql_flush
    flush.emit_post_migrate_signal = post_migrate_unless_restored


def _skeleton_save():
    """Keep a copy of every non-empty table, right after a flush and the skeleton's rebuild."""
    from django.db import connection, transaction

    if connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    kept = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SKELETON_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SKELETON_SCHEMA}")
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {SKELETON_SCHEMA}.{quote(table)} AS TABLE {quote(table)}")
                kept.append(table)
    _Skeleton.tables = kept


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The site skeleton is built once per test run, right after the test database is created.

    Each test's transaction is rolled back, so the skeleton stays as built. A transactional test
    (browser tests) flushes the database when it ends: the `home` fixture then builds it again.
    """
    from home.services import site_structure_ensure

    _fast_flush_install()
    with django_db_blocker.unblock():
        site_structure_ensure(hostname="testserver")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, concurrency, worker tests) flushes the database when its fixtures are
    torn down, taking the site skeleton with it. Once every fixture of the test is finalised (the flush
    included, whichever fixture or marker asked for it), build the skeleton again, so that the next test
    on this worker — whatever fixtures it asks for and in whatever order xdist runs the tests — starts from
    the same database."""
    result = yield
    if nextitem is None:
        return result  # the last test: the session's fixtures, the test database included, are gone
    marker = item.get_closest_marker("django_db")
    flushed = "transactional_db" in getattr(item, "fixturenames", ()) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if flushed:
        from django.contrib.contenttypes.models import ContentType

        from pytest_django.plugin import blocking_manager_key

        from home.services import site_structure_ensure

        with item.config.stash[blocking_manager_key].unblock():
            cache.clear()
            ContentType.objects.clear_cache()
            # After a restored flush (see `_fast_flush_install`) this only finds the skeleton in place.
            site_structure_ensure(hostname="testserver")
            if _Skeleton.tables is None:
                _skeleton_save()
    return result


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: fragments (core.http_cache.cached) built from a previous test's
    rolled-back rows must not be served to the next one (in a rolled-back test, no commit ever purges)."""
    cache.clear()


@pytest.fixture
def home(db):
    """The home page of the skeleton (built once per run; rebuilt here only if a flush removed it)."""
    from home.services import site_structure_ensure

    # Wagtail caches the site root paths: a test that changed the Site must not leak into the next.
    cache.clear()
    return site_structure_ensure(hostname="testserver")


@pytest.fixture
def council_index(home):
    from councils.models import CouncilIndexPage

    return CouncilIndexPage.objects.get()


@pytest.fixture
def council_factory(council_index):
    def make(**kwargs):
        council = CouncilPageFactory(parent=council_index, **kwargs)
        council.save_revision().publish()
        return council

    return make


@pytest.fixture
def council_a(council_factory):
    return council_factory(title="Conseil de quartier Centre", slug="centre")


@pytest.fixture
def council_b(council_factory):
    return council_factory(title="Conseil de quartier Biollay", slug="biollay")


@pytest.fixture
def editor_a(council_a):
    user = UserFactory(username="editeur-centre")
    council_add_editor(council=council_a, user=user)
    return user


@pytest.fixture
def member_a(council_a):
    user = UserFactory(username="membre-centre")
    council_add_member(council=council_a, user=user)
    return user


@pytest.fixture
def city_staff(db):
    user = UserFactory(username="ville")
    user.groups.add(communications_team_group())
    return user
