from django.contrib.auth.models import Group

from wagtail.models import Collection, CollectionViewRestriction, GroupPagePermission

from councils.models import CouncilAccess
from councils.services import council_provision


def test_creating_a_council_provisions_its_groups_collections_and_permissions(council_a):
    access = CouncilAccess.objects.get(council=council_a)
    assert access.editors_group.name == "Conseil de quartier Centre — éditeurs"
    assert access.members_group.name == "Conseil de quartier Centre — membres"
    assert access.collection.name == "Conseil de quartier Centre"
    assert access.private_collection.get_parent() == access.collection
    codenames = set(
        GroupPagePermission.objects.filter(group=access.editors_group).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}
    assert set(
        GroupPagePermission.objects.filter(group=access.editors_group).values_list("page_id", flat=True)
    ) == {council_a.pk}
    restriction = CollectionViewRestriction.objects.get(collection=access.private_collection)
    assert set(restriction.groups.all()) >= {access.editors_group, access.members_group}


def test_provisioning_twice_changes_nothing(council_a):
    before = (
        Group.objects.count(),
        Collection.objects.count(),
        GroupPagePermission.objects.count(),
        CollectionViewRestriction.objects.count(),
    )
    council_provision(council=council_a)
    council_provision(council=council_a)
    after = (
        Group.objects.count(),
        Collection.objects.count(),
        GroupPagePermission.objects.count(),
        CollectionViewRestriction.objects.count(),
    )
    assert before == after


def test_renaming_a_council_renames_its_groups_and_collections(council_a):
    council_a.title = "Conseil de quartier Centre-ville"
    council_a.save_revision().publish()
    access = CouncilAccess.objects.get(council=council_a)
    assert access.editors_group.name == "Conseil de quartier Centre-ville — éditeurs"
    assert access.collection.name == "Conseil de quartier Centre-ville"
