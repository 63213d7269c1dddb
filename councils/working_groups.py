"""Working groups: private sub-spaces of a council (issue #16, item 3).

A working group is a `WorkingGroupPage` under its council's `WorkingGroupIndexPage` (`…/groupes/`). It
owns, outside the page tree (`WorkingGroupAccess`):

- a group of people, chosen by the council's editors among the council's members;
- a private collection, a child of the council's private collection, so the council's editors' collection
  rights reach it by inheritance and its documents and images are private by the collection's own view
  restriction.

Who opens it is said by Wagtail view restrictions of type GROUPS, as for the rest of Parvis, so every
route (page, child pages, listings, search, feeds, sitemap, agenda, document and image URLs) already
respects them: the working group's page and its collection let in the group, the council's editors and the
communications team; the index lets in the council's members and editors and the communications team (a
member only sees in it the groups they may open).

Provisioning is idempotent and keeps names and restrictions in step both ways (a group or an editor no
longer granted is taken off the restriction). It runs when such a page is saved, whether created as a draft
or published, through the admin or in code (`councils.signals`).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail.log_actions import log
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction

from .models import (
    CouncilPage,
    Membership,
    WorkingGroupAccess,
    WorkingGroupIndexPage,
    WorkingGroupPage,
)
from .services import communications_team_group, council_add_member, council_sync_names

INDEX_SLUG = "groupes"
ACTION_MEMBERS = "parvis.working_group_members"

# True while this module writes restrictions itself (the safety net in `councils.signals` then stays still).
_provisioning = ContextVar("working_group_provisioning", default=False)


@contextmanager
def _writing_restrictions():
    token = _provisioning.set(True)
    try:
        yield
    finally:
        _provisioning.reset(token)


def provisioning_in_progress() -> bool:
    return _provisioning.get()


# -- Names -----------------------------------------------------------------------------------------


def _name(*, council, working_group):
    return _("%(council)s — group %(title)s") % {"council": council.title, "title": working_group.title}


def _rename(obj, name, max_length):
    name = name[:max_length]
    if obj.name == name:
        return
    if isinstance(obj, Group) and Group.objects.filter(name=name).exclude(pk=obj.pk).exists():
        # Group names are unique: make room if another group already holds this name.
        name = f"{name[: max_length - 12]} #{obj.pk}"
    obj.name = name
    obj.save(update_fields=["name"])


def council_of(page) -> CouncilPage | None:
    """The council a page belongs to (its nearest council ancestor), or None."""
    return CouncilPage.objects.filter(
        path__in=[page.path[:n] for n in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    ).first()


# -- Restrictions ----------------------------------------------------------------------------------


def _sync_restriction(model, *, field, target, group_ids):
    """Exactly one GROUPS restriction on `target` (a page or a collection) holding exactly `group_ids`."""
    restrictions = list(model.objects.filter(**{field: target}).order_by("pk"))
    restriction = restrictions[0] if restrictions else None
    if restriction is None:
        restriction = model.objects.create(**{field: target, "restriction_type": model.GROUPS})
    elif restriction.restriction_type != model.GROUPS:
        restriction.restriction_type = model.GROUPS
        restriction.password = ""
        restriction.save(update_fields=["restriction_type", "password"])
    for extra in restrictions[1:]:
        extra.delete()
    held = set(restriction.groups.values_list("pk", flat=True))
    wanted = set(group_ids)
    if held - wanted:
        restriction.groups.remove(*(held - wanted))
    if wanted - held:
        restriction.groups.add(*(wanted - held))
    return restriction


@transaction.atomic
def working_group_index_provision(*, index: WorkingGroupIndexPage) -> PageViewRestriction | None:
    """The working-groups index of a council opens to its members, its editors and the city only."""
    council = council_of(index)
    if council is None:
        return None
    access = council_sync_names(council=council)
    with _writing_restrictions():
        return _sync_restriction(
            PageViewRestriction,
            field="page",
            target=index,
            group_ids=[access.members_group_id, access.editors_group_id, communications_team_group().pk],
        )


@transaction.atomic
def working_group_provision(*, working_group: WorkingGroupPage) -> WorkingGroupAccess | None:
    """Create or bring in step the group, the private collection and the view restrictions of one working
    group (idempotent). None when the page is not (yet) under a council."""
    council = council_of(working_group)
    if council is None:
        return None
    council_access = council_sync_names(council=council)
    name = _name(council=council, working_group=working_group)
    access = (
        WorkingGroupAccess.objects.select_related("group", "collection")
        .filter(working_group=working_group)
        .first()
    )
    created = access is None
    if created:
        group = Group.objects.create(name=f"tmp-working-group-{working_group.pk}")
        _rename(group, name, 150)
        collection = council_access.private_collection.add_child(name=name[:255])
        access = WorkingGroupAccess.objects.create(
            working_group=working_group, council=council, group=group, collection=collection
        )
    else:
        _rename(access.group, name, 150)
        if access.council_id != council.pk:
            # Moved to another council by the city: its collection follows, under the new council's
            # private collection (so the new editors' rights reach it and the old ones' no longer do).
            access.council = council
            access.save(update_fields=["council"])
        collection = access.collection
        parent = collection.get_parent()
        if parent is None or parent.pk != council_access.private_collection_id:
            collection.move(council_access.private_collection, pos="sorted-child")
            collection.refresh_from_db()
            access.collection = collection
        _rename(collection, name, 255)
    group_ids = [access.group_id, council_access.editors_group_id, communications_team_group().pk]
    with _writing_restrictions():
        _sync_restriction(
            CollectionViewRestriction, field="collection", target=access.collection, group_ids=group_ids
        )
        _sync_restriction(PageViewRestriction, field="page", target=working_group, group_ids=group_ids)
    index = working_group.get_parent().specific
    if isinstance(index, WorkingGroupIndexPage):
        working_group_index_provision(index=index)
    if created:
        # After the restrictions: the sections are private from their first save.
        working_group_sections_ensure(working_group=working_group)
    return access


def _section_specs():
    from documents.models import DocumentIndexPage
    from meetings.models import MeetingIndexPage

    return (
        (MeetingIndexPage, "reunions", _("Meetings"), _("The group's meetings.")),
        (DocumentIndexPage, "documents", _("Documents"), _("The group's documents, for its members only.")),
    )


def working_group_sections_ensure(*, working_group: WorkingGroupPage) -> list[Page]:
    """A new working group's sections (meetings, documents), found by type; live with a live group, else
    drafts published with it (`working_group_sections_publish`)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    existing = {page.content_type_id for page in working_group.get_children().only("content_type_id")}
    created = []
    for model, slug, title, intro in _section_specs():
        if ContentType.objects.get_for_model(model).pk in existing:
            continue
        if working_group.get_children().filter(slug=slug).exists():
            slug = f"{slug}-{working_group.pk}"
        now = timezone.now() if working_group.live else None
        section = model(
            title=title,
            slug=slug,
            intro=intro,
            show_in_menus=True,
            live=working_group.live,
            has_unpublished_changes=not working_group.live,
            first_published_at=now,
            last_published_at=now,
        )
        working_group.add_child(instance=section)
        created.append(section)
    return created


def working_group_sections_publish(*, working_group: WorkingGroupPage) -> None:
    """When a working group is first published: publish its sections that were never published."""
    for model, *_spec in _section_specs():
        for section in model.objects.child_of(working_group).filter(
            live=False, first_published_at__isnull=True
        ):
            section.save_revision().publish()


def working_groups_restore(*, page_id=None, collection_id=None) -> None:
    """After someone else changed or removed a view restriction: when it belonged to a working group (its
    page or collection) or a working-groups index, provision again, so the group stays private whatever
    was done in the admin's privacy dialog. Pages deleted meanwhile are skipped."""
    if collection_id is not None:
        working_group = WorkingGroupPage.objects.filter(access__collection_id=collection_id).first()
        if working_group is not None:
            working_group_provision(working_group=working_group)
        return
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    specific_class = page.specific_class
    if specific_class is WorkingGroupPage:
        working_group_provision(working_group=page.specific)
    elif specific_class is WorkingGroupIndexPage:
        working_group_index_provision(index=page.specific)


# -- Members ---------------------------------------------------------------------------------------


def working_group_manageable_by(*, user, council: CouncilPage) -> bool:
    """The council's editors and the communications team choose a working group's members."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("moderation.moderate_councils"):
        return True
    return user.groups.filter(pk=council.access.editors_group_id).exists()


def working_group_members(*, working_group: WorkingGroupPage):
    """The working group's members, by name."""
    access = WorkingGroupAccess.objects.filter(working_group=working_group).values("group_id")
    return get_user_model().objects.filter(groups__in=access).order_by("last_name", "first_name", "pk")


def working_group_candidates(*, council: CouncilPage):
    """Active mandates of the council (the people who may join its working groups), by college and
    name."""
    return (
        Membership.objects.active()
        .filter(council=council, user__is_active=True)
        .select_related("user", "college")
        .order_by("college__sort_order", "college__name", "user__last_name", "user__first_name", "pk")
    )


@transaction.atomic
def working_group_members_set(*, working_group: WorkingGroupPage, users, by) -> dict:
    """Make the working group's members exactly `users`, who must all hold an active mandate in the
    council. `by` is the person acting (the council's editors and the communications team may); None only
    for code acting on its own behalf (demo, tests). Recorded in the council's history. Returns
    {"added": [emails], "removed": [emails]}."""
    access = working_group_provision(working_group=working_group)
    if access is None:
        raise ValidationError(_("This working group is not inside a council."))
    council = access.council
    if by is not None and not working_group_manageable_by(user=by, council=council):
        raise PermissionDenied
    # Lock the group's row: two editors saving at once apply one after the other.
    Group.objects.select_for_update().filter(pk=access.group_id).first()
    users = {user.pk: user for user in users}
    allowed = set(
        Membership.objects.active()
        .filter(council=council, user_id__in=users, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    outsiders = [pk for pk in users if pk not in allowed]
    if outsiders:
        # No names: the caller may have been handed ids of people it may not know.
        raise ValidationError(
            ngettext(
                "Only current members of the council may join its working groups: %(count)d person chosen "
                "is not one.",
                "Only current members of the council may join its working groups: %(count)d people chosen "
                "are not.",
                len(outsiders),
            )
            % {"count": len(outsiders)},
            code="not_a_member",
        )
    user_model = get_user_model()
    current = dict(user_model.objects.filter(groups=access.group).values_list("pk", "email"))
    added = [pk for pk in users if pk not in current]
    removed = [pk for pk in current if pk not in users]
    if added:
        access.group.user_set.add(*added)
    if removed:
        access.group.user_set.remove(*removed)
    result = {
        "added": sorted(users[pk].email for pk in added),
        "removed": sorted(current[pk] for pk in removed),
    }
    if added or removed:
        log(
            instance=council,
            action=ACTION_MEMBERS,
            user=by,
            data={
                "working_group": working_group.title,
                "working_group_id": working_group.pk,
                **result,
            },
        )
    return result


def working_groups_of(*, user):
    """The live working groups `user` is a member of (outside sandboxes), by council then title.

    Each carries `.council` (its council page)."""
    if user is None or not user.is_authenticated:
        return []
    groups = list(
        WorkingGroupPage.objects.live()
        .outside_sandbox()
        .filter(access__group__in=user.groups.all())
        .select_related("access__council")
        .order_by("access__council__title", "title")
    )
    for working_group in groups:
        working_group.council = working_group.access.council
    return groups


# -- Creation (demo, tests, other apps' tests) -------------------------------------------------------


@transaction.atomic
def working_group_index_ensure(*, council: CouncilPage) -> WorkingGroupIndexPage:
    """The council's working-groups index, created (live with the council) when missing."""
    index = WorkingGroupIndexPage.objects.child_of(council).first()
    if index is not None:
        return index
    slug = INDEX_SLUG
    if council.get_children().filter(slug=slug).exists():
        slug = f"{slug}-{council.pk}"
    index = WorkingGroupIndexPage(
        title=_("Working groups"),
        slug=slug,
        intro=_("The council's working groups. Each is open to its members and the council's editors."),
        show_in_menus=False,
    )
    council.add_child(instance=index)
    if council.live:
        index.save_revision().publish()
    return index


@transaction.atomic
def working_group_create(
    *, council: CouncilPage, title: str, members=(), intro: str = "", live: bool = True, by=None
) -> WorkingGroupPage:
    """Create a working group under the council's index (created when missing), provisioned, with
    `members`; people not yet members of the council are made members first."""
    index = working_group_index_ensure(council=council)
    working_group = WorkingGroupPage(title=title, intro=intro, live=False, has_unpublished_changes=True)
    index.add_child(instance=working_group)
    if live:
        working_group.save_revision().publish()
    members = list(members)
    if members:
        active = set(
            Membership.objects.active()
            .filter(council=council, user__in=members)
            .values_list("user_id", flat=True)
        )
        for user in members:
            if user.pk not in active:
                council_add_member(council=council, user=user)
        working_group_members_set(working_group=working_group, users=members, by=by)
    working_group.refresh_from_db()
    return working_group


# -- Public pages (read through `councils/templatetags/working_group_tags.py`) -----------------------


def working_group_index_context(*, index: WorkingGroupIndexPage, request) -> dict:
    """The groups of this index the request may open (Wagtail has already let the reader into the index:
    the council's members and editors, the city), each with `is_member`. Two queries."""
    groups = list(WorkingGroupPage.objects.child_of(index).visible_to(request).order_by("title"))
    user = getattr(request, "user", None)
    own = set()
    if user is not None and user.is_authenticated and groups:
        own = set(
            WorkingGroupAccess.objects.filter(
                working_group__in=groups, group__in=user.groups.all()
            ).values_list("working_group_id", flat=True)
        )
    for working_group in groups:
        working_group.is_member = working_group.pk in own
    return {"working_groups": groups, "own_count": len(own)}


def working_group_page_context(*, working_group: WorkingGroupPage, request, now=None) -> dict:
    """What a working group's page shows its readers: its sections, its next meetings, its members' first
    names (only people let in by the page's restriction ever read it). Four queries."""
    from core.visibility import VisiblePageQuerySet
    from meetings.models import MeetingPage

    sections = list(
        VisiblePageQuerySet(Page).child_of(working_group).visible_to(request).specific().order_by("path")
    )
    meetings = list(
        MeetingPage.objects.descendant_of(working_group)
        .visible_to(request)
        .upcoming(now)
        .order_by("start")[:3]
    )
    first_names = sorted(
        (
            user.first_name or user.get_username()
            for user in working_group_members(working_group=working_group).only("first_name", "username")
        ),
        key=str.casefold,
    )
    return {"sections": sections, "next_meetings": meetings, "member_first_names": first_names}


def working_group_documents_visible_to(*, request, working_group_id) -> list:
    """The documents of a working group's private collection, newest first, when the request may see the
    collection (the same check Wagtail's document serving view makes); each with `is_private`."""
    from wagtail.documents import get_document_model

    from core.visibility import collection_visible_to

    collection_id = (
        WorkingGroupAccess.objects.filter(working_group_id=working_group_id)
        .values_list("collection_id", flat=True)
        .first()
    )
    if collection_id is None or not collection_visible_to(collection_id, request):
        return []
    documents = list(
        get_document_model()
        .objects.filter(collection_id=collection_id, is_ready=True)
        .order_by("-created_at", "-pk")
    )
    for document in documents:
        document.is_private = True
    return documents
