"""`manage.py create_council`: provisions a council, changes nothing the second time, hands it to editors."""

from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

import pytest

from councils.factories import UserFactory
from councils.models import CouncilAccess, CouncilIndexPage, CouncilPage


def _create(*args):
    out = StringIO()
    call_command("create_council", *args, stdout=out)
    return out.getvalue()


def _counts():
    return {
        "pages": Page.objects.count(),
        "groups": Group.objects.count(),
        "collections": Collection.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "collection permissions": GroupCollectionPermission.objects.count(),
        "group permissions": Group.permissions.through.objects.count(),
    }


def test_create_council_creates_a_live_council_with_its_groups_and_collections(council_index):
    _create("Conseil de quartier Bissy", "--slug", "bissy", "--area", "Bissy")
    council = CouncilPage.objects.get(slug="bissy")
    assert council.live
    assert council.get_parent().pk == council_index.pk
    access = CouncilAccess.objects.get(council=council)
    assert access.collection.name == "Conseil de quartier Bissy"
    assert access.private_collection.get_parent().pk == access.collection.pk
    assert {p.page_id for p in GroupPagePermission.objects.filter(group=access.editors_group)} == {council.pk}
    assert set(
        GroupCollectionPermission.objects.filter(group=access.editors_group).values_list(
            "collection_id", flat=True
        )
    ) == {access.collection.pk}


def test_create_council_twice_changes_nothing(council_index):
    _create("Conseil de quartier Bissy", "--slug", "bissy")
    before = _counts()
    output = _create("Conseil de quartier Bissy", "--slug", "bissy")
    assert _counts() == before
    assert CouncilPage.objects.filter(slug="bissy").count() == 1
    assert "Conseil de quartier Bissy" in output


def test_create_council_defaults_the_slug_to_the_title(council_index):
    _create("Assemblée citoyenne")
    assert CouncilPage.objects.filter(slug="assemblee-citoyenne").exists()


def test_create_council_adds_editors_by_username_or_email(council_index):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob", email="bob@example.org")
    _create(
        "Conseil de quartier Bissy", "--slug", "bissy", "--editor", "alice", "--editor", "BOB@example.org"
    )
    access = CouncilPage.objects.get(slug="bissy").access
    assert access.editors_group in alice.groups.all()
    assert access.editors_group in bob.groups.all()


def test_adding_an_editor_to_an_existing_council_changes_no_permission(council_index):
    _create("Conseil de quartier Bissy", "--slug", "bissy")
    before = _counts()
    alice = UserFactory(username="alice")
    _create("Conseil de quartier Bissy", "--slug", "bissy", "--editor", "alice")
    assert _counts() == before
    assert alice.groups.count() == 1


def test_create_council_refuses_an_unknown_editor(council_index):
    with pytest.raises(CommandError, match="nobody"):
        _create("Conseil de quartier Bissy", "--slug", "bissy", "--editor", "nobody")
    assert not CouncilPage.objects.filter(slug="bissy").exists()


def test_create_council_without_a_council_index_says_what_to_do(home):
    CouncilIndexPage.objects.all().delete()
    with pytest.raises(CommandError, match="council index"):
        _create("Conseil de quartier Bissy")
    assert not CouncilPage.objects.exists()
