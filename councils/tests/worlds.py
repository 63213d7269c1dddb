"""Worlds built once per test module, for modules whose every test needs the same costly data.

A module-scoped fixture builds the world inside a transaction rolled back when the module ends; each test
runs in its own savepoint inside it (pytest-django's `db`), so what a test changes is undone before the
next one. The module keeps only primary keys: `world_fresh` gives every test new instances, so nothing
cached on a page or a user (Wagtail's permission caches) survives from one test to the next.

    @pytest.fixture(scope="module")
    def world_keys(django_db_setup, django_db_blocker):
        with world_built_once(django_db_blocker, build) as keys:
            yield keys

    @pytest.fixture
    def world(world_keys, db):
        return world_fresh(world_keys)
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.core.cache import cache
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group, council_add_editor, council_add_member
from home.services import site_structure_ensure


@contextmanager
def world_built_once(django_db_blocker, build):
    """Run `build()` (which returns {name: (model, pk)}) in a transaction rolled back on exit."""
    with django_db_blocker.unblock(), transaction.atomic():
        keys = build()
        yield keys
        for item in [*get_document_model().objects.all(), *get_image_model().objects.all()]:
            item.file.delete(save=False)
        transaction.set_rollback(True)


def world_fresh(keys):
    """New instances of everything in the world, and an empty Django cache (Wagtail's site paths)."""
    cache.clear()
    return SimpleNamespace(**{name: model.objects.get(pk=pk) for name, (model, pk) in keys.items()})


def council_publish(council_index, title, slug, **fields):
    council = CouncilPageFactory(parent=council_index, title=title, slug=slug, **fields)
    council.save_revision().publish()
    return council


def two_councils_build():
    """What the conftest fixtures home, council_index, council_a, council_b, editor_a, member_a and
    city_staff build (same titles, slugs and usernames), as {name: instance}."""
    home = site_structure_ensure(hostname="testserver")  # built once per run: this only checks it
    council_index = CouncilIndexPage.objects.get()
    council_a = council_publish(council_index, "Conseil de quartier Centre", "centre")
    council_b = council_publish(council_index, "Conseil de quartier Biollay", "biollay")
    editor_a = UserFactory(username="editeur-centre")
    council_add_editor(council=council_a, user=editor_a)
    member_a = UserFactory(username="membre-centre")
    council_add_member(council=council_a, user=member_a)
    city_staff = UserFactory(username="ville")
    city_staff.groups.add(communications_team_group())
    return {
        "home": home,
        "council_index": council_index,
        "council_a": council_a,
        "council_b": council_b,
        "editor_a": editor_a,
        "member_a": member_a,
        "city_staff": city_staff,
    }


def keys_of(instances):
    """{name: instance} -> {name: (model, pk)}, what `world_fresh` takes back."""
    return {name: (type(instance), instance.pk) for name, instance in instances.items()}
