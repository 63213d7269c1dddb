""" "Mon espace": what a signed-in person's councils hold for them, in a fixed number of queries.

A person belongs to a council through its groups (`councils.CouncilAccess`: members' and editors'
groups). For each such council — live and outside the sandbox — they see the pages restricted to one of
their groups that they may open (`core.visibility`), the council's upcoming meetings and events they may
open (`visible_to(request)`), at most `UPCOMING_PER_COUNCIL` each, their working groups in it
(`councils.working_groups.working_groups_of`), the proposals open to their vote with their own choice
(`participation.services.proposals_open_for`), the sessions open for check-in now
(`attendance.services.sessions_to_check_in`) and their consent to the public list of members
(`members.services.member_consents`). The queries do not depend on the number of councils: one for the
person's groups, one for their councils, one for the restricted pages, one per dated page type, one batch
per kind of participation for all their councils, plus the visibility rules' own (memoised on the request).
"""

from dataclasses import dataclass, field

from django.db.models import F, Q, Window, prefetch_related_objects
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction

from core.dated import DatedPage, dated_light
from core.visibility import VisiblePageQuerySet
from councils.models import CouncilAccess, CouncilPage, WorkingGroupPage
from events.models import EventPage
from meetings.models import MeetingPage

UPCOMING_PER_COUNCIL = 5
DATED_PAGE_TYPES = (MeetingPage, EventPage)


@dataclass
class CouncilSpace:
    """One council as its member or editor sees it in "Mon espace"."""

    council: CouncilPage
    is_member: bool
    is_editor: bool
    pages: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    working_groups: list = field(default_factory=list)
    proposals: list = field(default_factory=list)
    check_ins: list = field(default_factory=list)
    membership: object = None  # their open mandate, for the consent switch (None: no mandate)


def _under(councils):
    query = Q()
    for council in councils:
        query |= Q(path__startswith=council.path)
    return query


def _council_of(item, councils):
    return next((c for c in councils if item.path.startswith(c.path)), None)


def _upcoming(model, *, request, councils, now):
    """The next items of each council, `UPCOMING_PER_COUNCIL` at most per council, in one query.

    Councils are siblings (children of the council index), so the first `len(council.path)` characters
    of an item's path name its council: the window numbers each council's items by start.
    """
    council_prefix = Substr("path", 1, len(councils[0].path))
    return list(
        dated_light(model.objects.visible_to(request).upcoming(now).filter(_under(councils)))
        .annotate(
            council_rank=Window(
                RowNumber(), partition_by=[council_prefix], order_by=[F("start").asc(), F("pk").asc()]
            )
        )
        .filter(council_rank__lte=UPCOMING_PER_COUNCIL)
    )


def member_space_councils(*, request, now=None) -> list[CouncilSpace]:
    """The councils of the signed-in user, each with its members-only pages and upcoming items."""
    if not request.user.is_authenticated:
        return []
    # The user's groups, fetched once: every view restriction checked for this request (Wagtail's
    # `accept_request` reads `user.groups.all()`) then uses them instead of a query each.
    user = getattr(request.user, "_wrapped", request.user)
    prefetch_related_objects([user], "groups")
    group_ids = {group.pk for group in user.groups.all()}
    if not group_ids:
        return []
    accesses = list(
        CouncilAccess.objects.filter(Q(members_group_id__in=group_ids) | Q(editors_group_id__in=group_ids))
        .filter(council__in=CouncilPage.objects.visible_to(request).values("pk"))
        .select_related("council")
        .order_by("council__title", "council_id")
    )
    if not accesses:
        return []
    spaces = [
        CouncilSpace(
            council=access.council,
            is_member=access.members_group_id in group_ids,
            is_editor=access.editors_group_id in group_ids,
        )
        for access in accesses
    ]
    councils = [space.council for space in spaces]
    by_council = {space.council.pk: space for space in spaces}

    restricted = list(
        VisiblePageQuerySet(Page)
        .visible_to(request)
        .filter(_under(councils))
        .filter(
            pk__in=PageViewRestriction.objects.filter(
                restriction_type=PageViewRestriction.GROUPS, groups__in=group_ids
            ).values("page_id")
        )
        .only("id", "title", "path", "depth", "url_path", "content_type_id", "live", "locale_id")
        .order_by("path")
    )
    restricted_paths = [page.path for page in restricted]
    for page in restricted:
        page_class = page.specific_class
        if page_class is not None and issubclass(page_class, DatedPage):
            continue  # meetings and events are listed with the upcoming items
        if page_class is WorkingGroupPage:
            continue  # listed with the person's working groups
        council = _council_of(page, councils)
        if council is not None:
            by_council[council.pk].pages.append(page)

    now = now or timezone.now()
    items = [
        item
        for model in DATED_PAGE_TYPES
        for item in _upcoming(model, request=request, councils=councils, now=now)
    ]
    items.sort(key=lambda item: (item.start, item.pk))
    for item in items:
        council = _council_of(item, councils)
        space = by_council[council.pk]
        if len(space.upcoming) < UPCOMING_PER_COUNCIL:
            item.is_members_only = any(item.path.startswith(path) for path in restricted_paths)
            space.upcoming.append(item)
    _participation(request=request, by_council=by_council, now=now)
    return spaces


def _participation(*, request, by_council, now):
    """Working groups, open votes, sessions open for check-in and consents: one batch per kind, for all the
    councils at once (each service runs a fixed number of queries), then dealt out to the councils."""
    from attendance.services import sessions_to_check_in
    from councils.working_groups import working_groups_of
    from members.services import member_consents
    from participation.services import proposals_open_for

    user = request.user
    for working_group in working_groups_of(user=user):
        space = by_council.get(working_group.council.pk)
        if space is not None:
            space.working_groups.append(working_group)
    for proposal in proposals_open_for(request=request, now=now):
        space = by_council.get(proposal.council_id)
        if space is not None:
            proposal.url = proposal.index.get_url(request) + proposal.index.reverse_subpage(
                "detail", args=[proposal.pk]
            )
            space.proposals.append(proposal)
    for session in sessions_to_check_in(user=user, now=now):
        space = by_council.get(session.council.pk)
        if space is not None:
            space.check_ins.append(session)
    for council, membership in member_consents(user):
        space = by_council.get(council.pk)
        if space is not None:
            space.membership = membership
