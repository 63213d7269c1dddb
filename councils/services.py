"""Provisioning: the groups, collections and permissions that go with each council.

Roles are data. Every council owns an editors' group and a members' group, a public collection and a
private sub-collection; its editors hold page permissions on the council's subtree and collection
permissions on its collections, nothing else. The communications team holds the same rights on the whole
site. These functions are idempotent and sync both ways: calling them again grants what the policy
constants below grant, takes away what they no longer grant (for the council's own groups and the city's
group only), and changes nothing when everything already is in step.

A new council also gets its sections (meetings, documents), so its first editor can publish at once.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageViewRestriction,
)

from blog.models import BlogIndexPage
from documents.models import DocumentIndexPage
from meetings.models import MeetingIndexPage

from .models import CouncilAccess, CouncilPage, Membership, MembershipRole, WorkingGroupAccess

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
EDITOR_MODEL_PERMISSIONS = (("wagtailadmin", "access_admin"),)
MEMBER_MODEL_PERMISSIONS = ()
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
    ("members", "manage_roles"),
    ("training", "change_editorsguide"),
    ("moderation", "moderate_councils"),
    ("jobs", "view_outboundemail"),  # the outbox, read-only: which emails left, which failed
    # The newsletter: compose and send issues; see, export and erase subscribers (council editors never do).
    ("newsletter", "add_newsletterissue"),
    ("newsletter", "change_newsletterissue"),
    ("newsletter", "delete_newsletterissue"),
    ("newsletter", "view_newsletterissue"),
    ("newsletter", "send_newsletterissue"),
    ("newsletter", "view_subscriber"),
    ("newsletter", "delete_subscriber"),
    ("newsletter", "add_consenttext"),
    ("newsletter", "view_consenttext"),
    ("newsletter", "delete_consenttext"),  # only a version nobody accepted (the view refuses the others)
    # Promoted search results (Settings > Promoted search results): the communications team's picks.
    ("wagtailsearchpromotions", "add_searchpromotion"),
    ("wagtailsearchpromotions", "change_searchpromotion"),
    ("wagtailsearchpromotions", "delete_searchpromotion"),
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


def _sync_page_permissions(group, grants):
    """Make `group`'s page permissions exactly `grants` ({page: codenames}): add the missing ones, remove
    the ones the policy no longer grants. Touches this group only."""
    wanted = set()
    for page, codenames in grants.items():
        wanted |= {(page.pk, p.pk) for p in _page_permissions(codenames)} if codenames else set()
    held = {
        (page_id, permission_id): pk
        for pk, page_id, permission_id in GroupPagePermission.objects.filter(group=group).values_list(
            "pk", "page_id", "permission_id"
        )
    }
    extra = [pk for key, pk in held.items() if key not in wanted]
    if extra:
        GroupPagePermission.objects.filter(pk__in=extra).delete()
    GroupPagePermission.objects.bulk_create(
        [
            GroupPagePermission(group=group, page_id=page_id, permission_id=permission_id)
            for page_id, permission_id in sorted(wanted - held.keys())
        ]
    )


def _sync_collection_permissions(group, grants):
    """Make `group`'s collection permissions exactly `grants` ({collection: (app_label, codename) pairs})."""
    wanted = set()
    for collection, pairs in grants.items():
        wanted |= {(collection.pk, p.pk) for p in _permissions(pairs)} if pairs else set()
    held = {
        (collection_id, permission_id): pk
        for pk, collection_id, permission_id in GroupCollectionPermission.objects.filter(
            group=group
        ).values_list("pk", "collection_id", "permission_id")
    }
    extra = [pk for key, pk in held.items() if key not in wanted]
    if extra:
        GroupCollectionPermission.objects.filter(pk__in=extra).delete()
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection_id=collection_id, permission_id=permission_id)
            for collection_id, permission_id in sorted(wanted - held.keys())
        ]
    )


def _sync_model_permissions(group, pairs):
    """Make `group`'s model permissions exactly `pairs`; no query beyond the read when in step."""
    wanted = {p.pk for p in _permissions(pairs)} if pairs else set()
    held = set(group.permissions.values_list("pk", flat=True))
    if held - wanted:
        group.permissions.remove(*(held - wanted))
    if wanted - held:
        group.permissions.add(*(wanted - held))


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
    _sync_page_permissions(group, {root_page: CITY_PAGE_PERMISSIONS} if root_page is not None else {})
    _sync_collection_permissions(
        group, {root_collection: COLLECTION_PERMISSIONS} if root_collection is not None else {}
    )
    _sync_model_permissions(group, CITY_MODEL_PERMISSIONS)
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
    created = access is None
    if created:
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

    editors, members = access.editors_group, access.members_group
    sandboxes = _sandboxes()
    _sync_model_permissions(editors, EDITOR_MODEL_PERMISSIONS)
    _sync_editor_rights(access, sandboxes)
    # Members read what the council restricts to them; they hold no permission of their own.
    _sync_model_permissions(members, MEMBER_MODEL_PERMISSIONS)
    _sync_page_permissions(members, {})
    _sync_collection_permissions(members, {})

    restriction, _created = CollectionViewRestriction.objects.get_or_create(
        collection=access.private_collection,
        defaults={"restriction_type": CollectionViewRestriction.GROUPS},
    )
    if restriction.restriction_type != CollectionViewRestriction.GROUPS:
        restriction.restriction_type = CollectionViewRestriction.GROUPS
        restriction.save(update_fields=["restriction_type"])
    restriction.groups.add(editors, members, communications_team_group())
    if council.is_sandbox:
        sandboxes_provision()
    elif created:
        for sandbox in sandboxes:
            _sandbox_restriction(sandbox).groups.add(editors)
    if created:
        council_sections_ensure(council=council)
    return access


# -- The sandbox: every council's editors practise there; the public never reads it ------------------


def _sandboxes():
    return list(
        CouncilAccess.objects.filter(council__is_sandbox=True).select_related("council", "collection")
    )


def _sync_editor_rights(access, sandboxes):
    """A council's editors: the editors' rights on their council and collection, and on every sandbox."""
    own = EDITOR_PAGE_PERMISSIONS
    if access.council.review_required:
        # Under the city's review, editors submit; the communications team publishes.
        own = tuple(codename for codename in own if codename != "publish_page")
    pages = {access.council: own}
    collections = {access.collection: COLLECTION_PERMISSIONS}
    for sandbox in sandboxes:
        pages[sandbox.council] = EDITOR_PAGE_PERMISSIONS
        collections[sandbox.collection] = COLLECTION_PERMISSIONS
    _sync_page_permissions(access.editors_group, pages)
    _sync_collection_permissions(access.editors_group, collections)


def council_editor_rights_sync(*, council: CouncilPage) -> None:
    """Bring a council's editors' page and collection rights in step with the policy (after a change of
    `review_required`, for instance)."""
    access = (
        CouncilAccess.objects.select_related("council", "editors_group", "collection")
        .filter(council=council)
        .first()
    )
    if access is not None:
        access.council = council
        _sync_editor_rights(access, _sandboxes())


def _sandbox_restriction(sandbox):
    restriction = PageViewRestriction.objects.filter(
        page_id=sandbox.council_id, restriction_type=PageViewRestriction.GROUPS
    ).first()
    return restriction or PageViewRestriction.objects.create(
        page_id=sandbox.council_id, restriction_type=PageViewRestriction.GROUPS
    )


def sandbox_in_step(*, council: CouncilPage) -> bool:
    """Whether other councils' editors hold rights on this council exactly when it is a sandbox."""
    access = CouncilAccess.objects.filter(council=council).first()
    if access is None:
        return True
    foreign = (
        GroupPagePermission.objects.filter(page=council, group__in=_editors_groups())
        .exclude(group_id=access.editors_group_id)
        .exists()
    )
    return foreign == council.is_sandbox


def _editors_groups():
    return CouncilAccess.objects.values("editors_group_id")


@transaction.atomic
def sandboxes_provision():
    """Every council's editors get the editors' rights on every sandbox council, and lose them on a
    council that is no longer one; each sandbox lets in only the editors and the city (no public)."""
    sandboxes = _sandboxes()
    accesses = list(CouncilAccess.objects.select_related("council", "editors_group", "collection"))
    for access in accesses:
        _sync_editor_rights(access, sandboxes)
    city = communications_team_group()
    for sandbox in sandboxes:
        _sandbox_restriction(sandbox).groups.set([*(a.editors_group_id for a in accesses), city.pk])


def _section_specs():
    return (
        (
            MeetingIndexPage,
            "reunions",
            _("Meetings"),
            _("The council's meetings: agendas before, minutes after."),
        ),
        (DocumentIndexPage, "documents", _("Documents"), _("The council's agendas, minutes and reports.")),
        (BlogIndexPage, "actualites", _("News"), _("The council's news.")),
    )


def council_sections_ensure(*, council: CouncilPage) -> list[Page]:
    """Create the council's sections (meetings, documents) that it lacks, one of each type.

    A section is found by type under the council, so a renamed or re-slugged one is kept. New sections are
    shown in menus and published when the council is live; under a draft council they wait as drafts and
    are published with it (`council_sections_publish`).
    """
    existing = {page.content_type_id for page in council.get_children().only("content_type_id")}
    created = []
    for model, slug, title, intro in _section_specs():
        content_type = ContentType.objects.get_for_model(model)
        if content_type.pk in existing:
            continue
        if council.get_children().filter(slug=slug).exists():
            slug = f"{slug}-{council.pk}"
        # Written live directly rather than through a revision: an empty section has nothing to review, and
        # a council is created often (tests, demo). Wagtail handles a page without revisions.
        now = timezone.now() if council.live else None
        section = model(
            title=title,
            slug=slug,
            intro=intro,
            show_in_menus=True,
            live=council.live,
            has_unpublished_changes=not council.live,
            first_published_at=now,
            last_published_at=now,
        )
        council.add_child(instance=section)
        created.append(section)
    return created


def council_sections_publish(*, council: CouncilPage) -> None:
    """When a council is first published: publish its sections that were never published."""
    for model, *_spec in _section_specs():
        for section in model.objects.child_of(council).filter(live=False, first_published_at__isnull=True):
            section.save_revision().publish()


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


def _membership_open(*, council, user, role, college=None, position=None, started_on=None):
    """Open (or update) the person's mandate in the council; the groups follow the role."""
    membership = (
        Membership.objects.select_for_update()
        .filter(council=council, user=user)
        .open()
        .order_by("pk")
        .first()
    )
    if membership is None:
        membership = Membership(council=council, user=user, role=role)
        if started_on is not None:
            membership.started_on = started_on
    membership.role = role
    if college is not None:
        membership.college = college
    if position is not None:
        membership.position = position
    membership.save()
    return membership


@transaction.atomic
def council_add_editor(
    *, council: CouncilPage, user, college=None, position=None, started_on=None
) -> Membership:
    """Make `user` an editor of the council: the editors' group, and an open mandate with the role."""
    access = council_sync_names(council=council)
    user.groups.add(access.editors_group)
    return _membership_open(
        council=council,
        user=user,
        role=MembershipRole.EDITOR,
        college=college,
        position=position,
        started_on=started_on,
    )


@transaction.atomic
def council_add_member(
    *, council: CouncilPage, user, college=None, position=None, started_on=None
) -> Membership:
    """Make `user` a member of the council: the members' group, and an open mandate (an editor's mandate
    keeps its role)."""
    access = council_sync_names(council=council)
    user.groups.add(access.members_group)
    current = (
        Membership.objects.filter(council=council, user=user).open().values_list("role", flat=True).first()
    )
    role = MembershipRole.EDITOR if current == MembershipRole.EDITOR else MembershipRole.MEMBER
    return _membership_open(
        council=council, user=user, role=role, college=college, position=position, started_on=started_on
    )


def _membership_close_if_no_role(*, council, user, access):
    group_ids = set(
        user.groups.filter(pk__in=[access.editors_group_id, access.members_group_id]).values_list(
            "pk", flat=True
        )
    )
    open_mandate = Membership.objects.filter(council=council, user=user).open()
    if not group_ids:
        today = timezone.localdate()
        for membership in open_mandate:
            membership.ended_on = max(today, membership.started_on)
            membership.save(update_fields=["ended_on"])
        working_groups_leave(council=council, user=user)
    elif access.editors_group_id not in group_ids:
        open_mandate.update(role=MembershipRole.MEMBER)


@transaction.atomic
def council_remove_editor(*, council: CouncilPage, user) -> None:
    """Take the editor's role away; the mandate ends unless the person is also a member."""
    access = council_sync_names(council=council)
    user.groups.remove(access.editors_group)
    _membership_close_if_no_role(council=council, user=user, access=access)


@transaction.atomic
def council_remove_member(*, council: CouncilPage, user) -> None:
    """Take the member's role away; the mandate ends unless the person is also an editor."""
    access = council_sync_names(council=council)
    user.groups.remove(access.members_group)
    _membership_close_if_no_role(council=council, user=user, access=access)


def working_groups_leave(*, council: CouncilPage, user) -> None:
    """A person whose mandate ends leaves every working group of the council."""
    for access in WorkingGroupAccess.objects.filter(council=council).select_related("group"):
        user.groups.remove(access.group)


def councils_edited_by(user):
    """The councils whose editors' group the user belongs to."""
    return CouncilPage.objects.filter(access__editors_group__in=user.groups.all()).order_by("title")
