"""Fixtures shared by the whole suite: the site skeleton, councils, and people with roles."""

from django.core.cache import cache

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.services import communications_team_group, council_add_editor, council_add_member


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The site skeleton is built once per test run, right after the test database is created.

    Each test's transaction is rolled back, so the skeleton stays as built. A transactional test
    (browser tests) flushes the database when it ends: the `home` fixture then builds it again.
    """
    from home.services import site_structure_ensure

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
        from pytest_django.plugin import blocking_manager_key

        from home.services import site_structure_ensure

        with item.config.stash[blocking_manager_key].unblock():
            cache.clear()
            site_structure_ensure(hostname="testserver")
    return result


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
