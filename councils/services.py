"""Provisioning: the groups, collections and permissions that go with each council.

Roles are data. Every council owns an editors' group and a members' group, a public collection and a
private sub-collection; its editors hold page permissions on the council's subtree and collection
permissions on its collections, nothing else. The communications team holds the same rights on the whole
site. These functions are idempotent: calling them again brings everything back in step and changes
nothing when it already is.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)

from .models import CouncilAccess, CouncilPage

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
CITY_PAGE_PERMISSIONS = (*EDITOR_PAGE_PERMISSIONS, "bulk_delete_page")
COLLECTION_PERMISSIONS = (
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "delete_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "delete_image"),
    ("wagtailimages", "choose_image"),
)
CITY_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("home", "change_sitesettings"),
    ("wagtailredirects", "add_redirect"),
    ("wagtailredirects", "change_redirect"),
    ("wagtailredirects", "delete_redirect"),
    ("accounts", "add_user"),
    ("accounts", "change_user"),
    ("wagtailcore", "add_collection"),
    ("wagtailcore", "change_collection"),
)


def _permissions(pairs):
    """Permission objects for (app_label, codename) pairs, in one query."""
    from django.db.models import Q

    query = Q()
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = set(pairs) - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {sorted(missing)}")
    return found


def _page_permissions(codenames):
    content_type = ContentType.objects.get_for_model(Page)
    return _permissions([(content_type.app_label, codename) for codename in codenames])


def _grant_page_permissions(group, page, codenames):
    permissions = _page_permissions(codenames)
    held = set(
        GroupPagePermission.objects.filter(group=group, page=page).values_list("permission_id", flat=True)
    )
    GroupPagePermission.objects.bulk_create(
        [GroupPagePermission(group=group, page=page, permission=p) for p in permissions if p.pk not in held]
    )


def _grant_collection_permissions(group, collection):
    permissions = _permissions(COLLECTION_PERMISSIONS)
    held = set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission_id", flat=True
        )
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=collection, permission=p)
            for p in permissions
            if p.pk not in held
        ]
    )


def _rename_group(group, name):
    if group.name != name:
        # Group names are unique: make room if another group already holds this name.
        if Group.objects.filter(name=name).exclude(pk=group.pk).exists():
            name = f"{name} #{group.pk}"
        group.name = name[:150]
        group.save(update_fields=["name"])


def _group_names(council):
    return {
        "editors": _("%(council)s — editors") % {"council": council.title},
        "members": _("%(council)s — members") % {"council": council.title},
    }


def _collection_names(council):
    return {
        "public": council.title,
        "private": _("%(council)s — private documents") % {"council": council.title},
    }


def communications_team_group():
    return Group.objects.get_or_create(name=settings.PARVIS_COMMUNICATIONS_GROUP)[0]


@transaction.atomic
def communications_team_provision():
    """The city's communications team: every right on every page and collection, plus site settings."""
    group = communications_team_group()
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root_page is not None:
        _grant_page_permissions(group, root_page, CITY_PAGE_PERMISSIONS)
    if root_collection is not None:
        _grant_collection_permissions(group, root_collection)
    group.permissions.add(*_permissions(CITY_MODEL_PERMISSIONS))
    return group


def _sync_names(access):
    council = access.council
    groups = _group_names(council)
    collections = _collection_names(council)
    _rename_group(access.editors_group, groups["editors"])
    _rename_group(access.members_group, groups["members"])
    for collection, name in (
        (access.collection, collections["public"]),
        (access.private_collection, collections["private"]),
    ):
        if collection.name != name:
            collection.name = name
            collection.save(update_fields=["name"])


@transaction.atomic
def council_sync_names(*, council: CouncilPage) -> CouncilAccess:
    """After an edit: keep the groups' and collections' names in step with the council's title.

    Cheap (one query when nothing changed); provisions in full when the council has no access yet.
    """
    access = (
        CouncilAccess.objects.select_related(
            "council", "editors_group", "members_group", "collection", "private_collection"
        )
        .filter(council=council)
        .first()
    )
    if access is None:
        return council_provision(council=council)
    access.council = council
    _sync_names(access)
    return access


@transaction.atomic
def council_provision(*, council: CouncilPage) -> CouncilAccess:
    """Create or bring in step the groups, collections and permissions of one council."""
    groups = _group_names(council)
    collections = _collection_names(council)
    access = (
        CouncilAccess.objects.select_related(
            "editors_group", "members_group", "collection", "private_collection"
        )
        .filter(council=council)
        .first()
    )
    if access is None:
        editors = Group.objects.create(name=f"tmp-editors-{council.pk}")
        members = Group.objects.create(name=f"tmp-members-{council.pk}")
        _rename_group(editors, groups["editors"])
        _rename_group(members, groups["members"])
        root = Collection.get_first_root_node()
        collection = root.add_child(name=collections["public"])
        private = collection.add_child(name=collections["private"])
        access = CouncilAccess.objects.create(
            council=council,
            editors_group=editors,
            members_group=members,
            collection=collection,
            private_collection=private,
        )
    else:
        access.council = council
        _sync_names(access)

    editors = access.editors_group
    editors.permissions.add(*_permissions([("wagtailadmin", "access_admin")]))
    _grant_page_permissions(editors, council, EDITOR_PAGE_PERMISSIONS)
    _grant_collection_permissions(editors, access.collection)

    restriction, _created = CollectionViewRestriction.objects.get_or_create(
        collection=access.private_collection,
        defaults={"restriction_type": CollectionViewRestriction.GROUPS},
    )
    if restriction.restriction_type != CollectionViewRestriction.GROUPS:
        restriction.restriction_type = CollectionViewRestriction.GROUPS
        restriction.save(update_fields=["restriction_type"])
    restriction.groups.add(editors, access.members_group, communications_team_group())
    return access


@transaction.atomic
def council_create(
    *, parent: Page, title: str, slug: str = "", kind: str = "neighbourhood", **fields
) -> CouncilPage:
    """Create and publish a council under the council index; provisioning follows from the save."""
    council = CouncilPage(title=title, kind=kind, **fields)
    if slug:
        council.slug = slug
    parent.add_child(instance=council)
    council.save_revision().publish()
    council_provision(council=council)
    return council


def council_add_editor(*, council: CouncilPage, user) -> None:
    access = council_sync_names(council=council)
    user.groups.add(access.editors_group)


def council_add_member(*, council: CouncilPage, user) -> None:
    access = council_sync_names(council=council)
    user.groups.add(access.members_group)


def councils_edited_by(user):
    """The councils whose editors' group the user belongs to."""
    return CouncilPage.objects.filter(access__editors_group__in=user.groups.all()).order_by("title")
