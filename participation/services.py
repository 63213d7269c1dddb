"""Proposals and votes: who may propose and vote, the voting window, one ballot per member, results.

Plain keyword-only functions; views, forms, signals and the admin only call them.

- The proposals page of a council is closed to everyone but the council's members, its editors and the
  communications team (`proposal_index_provision`, a Wagtail view restriction of type GROUPS); under a
  working group it inherits the group's own restriction.
- The electorate (`eligible_voters`) is the people with an active mandate in the council (editors and
  members); for a working group's proposal, only those who are also in the group.
- One ballot per member and proposal is enforced by the database (unique constraint; the vote is an
  `INSERT … ON CONFLICT (proposal, voter) DO UPDATE`), inside a transaction that locks the proposal row and
  checks the window again against the database's clock: a vote can neither slip in after the close nor
  be counted twice, whatever the number of requests.
- Ballots are secret: only the voter's own choice is ever read back (`proposals_open_for`, `my_vote`);
  results are totals, split by the college recorded on each ballot when it was cast.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import PageViewRestriction

from councils.membership import College, Membership
from councils.models import CouncilAccess, CouncilPage, WorkingGroupAccess, WorkingGroupPage
from councils.services import communications_team_group

from .models import Proposal, ProposalIndexPage, ProposalKind, Vote, VoteChoice

ACTION_HIDE = "parvis.proposal_hide"
ACTION_UNHIDE = "parvis.proposal_unhide"
ACTION_WINDOW = "parvis.proposal_window"
ACTION_RESOLUTION = "parvis.resolution_create"

CITY_PERMISSION = "moderation.moderate_councils"


# -- Where a proposals page sits ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The council a proposals page belongs to and, under a working group, that group."""

    council: CouncilPage
    working_group: WorkingGroupPage | None


def index_scope(*, index: ProposalIndexPage) -> Scope:
    """The council and working group of a proposals page (two queries, kept on the page instance)."""
    cached = getattr(index, "_parvis_scope", None)
    if cached is not None:
        return cached
    parent = index.get_parent().specific
    if isinstance(parent, WorkingGroupPage):
        scope = Scope(council=CouncilPage.objects.ancestor_of(parent).get(), working_group=parent)
    elif isinstance(parent, CouncilPage):
        scope = Scope(council=parent, working_group=None)
    else:
        raise ValidationError(_("A proposals page belongs under a council or a working group."))
    index._parvis_scope = scope
    return scope


@transaction.atomic
def proposal_index_provision(*, index: ProposalIndexPage) -> PageViewRestriction | None:
    """Close a council's proposals page to all but its members, its editors and the communications team.

    Kept both ways: the restriction holds exactly those groups. Under a working group the page inherits
    the group's restriction (members of the group, the council's editors, the team): nothing is added,
    and a restriction of its own would only widen it, so any is removed.
    """
    scope = index_scope(index=index)
    restrictions = PageViewRestriction.objects.filter(page=index)
    if scope.working_group is not None:
        restrictions.delete()
        return None
    access = CouncilAccess.objects.get(council=scope.council)
    restriction = restrictions.filter(restriction_type=PageViewRestriction.GROUPS).first()
    restrictions.exclude(restriction_type=PageViewRestriction.GROUPS).delete()
    if restriction is None:
        restriction = PageViewRestriction.objects.create(
            page=index, restriction_type=PageViewRestriction.GROUPS
        )
    restriction.groups.set([access.editors_group_id, access.members_group_id, communications_team_group().pk])
    return restriction


@transaction.atomic
def proposal_index_relocate(*, index: ProposalIndexPage) -> None:
    """After a move: the restriction, and the council and working group of its proposals, follow."""
    index = ProposalIndexPage.objects.get(pk=index.pk)
    proposal_index_provision(index=index)
    scope = index_scope(index=index)
    Proposal.objects.filter(index=index).update(council=scope.council, working_group=scope.working_group)


def proposal_indexes_provision() -> None:
    """Every proposals page (after `migrate`): the policy reaches existing pages."""
    for index in ProposalIndexPage.objects.all():
        proposal_index_provision(index=index)


# -- Who may do what --------------------------------------------------------------------------------------


def _memberships(*, council_id, working_group_id, on=None):
    memberships = Membership.objects.active(on=on).filter(council_id=council_id)
    if working_group_id is not None:
        group = WorkingGroupAccess.objects.filter(working_group_id=working_group_id).values("group_id")
        memberships = memberships.filter(user__groups__in=group)
    return memberships


def electorate_day(proposal: Proposal, now=None):
    """The day whose mandates make the electorate: the closing day once the vote has closed (so a closed
    vote's outcome never changes when people join or leave later), else today."""
    now = now or timezone.now()
    if proposal.vote_closes_at is not None and proposal.vote_closes_at <= now:
        return timezone.localdate(proposal.vote_closes_at)
    return None


def eligible_memberships(*, proposal: Proposal, on=None):
    """The mandates of the people who may vote on the proposal (running today, or on `on`)."""
    return _memberships(council_id=proposal.council_id, working_group_id=proposal.working_group_id, on=on)


def eligible_voters(*, proposal: Proposal):
    """The people who may vote: an active mandate in the council (editors and members), and for a
    working group's proposal, a place in the group too."""
    return get_user_model().objects.filter(pk__in=eligible_memberships(proposal=proposal).values("user_id"))


def _scope_memberships(scope: Scope):
    return _memberships(
        council_id=scope.council.pk,
        working_group_id=scope.working_group.pk if scope.working_group else None,
    )


def can_propose(*, index: ProposalIndexPage, user) -> bool:
    """Whether the user may submit a proposal on this page (the same people who vote)."""
    if not user.is_authenticated:
        return False
    return _scope_memberships(index_scope(index=index)).filter(user=user).exists()


def can_manage(*, council: CouncilPage, user) -> bool:
    """Editors of the council and the communications team manage its proposals (hide, window,
    resolutions)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(CITY_PERMISSION):
        return True
    return CouncilAccess.objects.filter(council=council, editors_group__in=user.groups.all()).exists()


# -- Proposals ------------------------------------------------------------------------------------------


def _clean_text(*, title, body):
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give your proposal a title.")
    elif len(title) > Proposal._meta.get_field("title").max_length:
        errors["title"] = _("The title is too long (200 characters at most).")
    if not body:
        errors["body"] = _("Write the text of your proposal.")
    elif len(body) > Proposal._meta.get_field("body").max_length:
        errors["body"] = _("The text is too long (10,000 characters at most).")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def proposal_submit(*, index: ProposalIndexPage, author, title: str, body: str) -> Proposal:
    """A member proposes: only the people who may vote on this page may submit."""
    if not can_propose(index=index, user=author):
        raise ValidationError(_("Only the members of this council or working group can submit a proposal."))
    title, body = _clean_text(title=title, body=body)
    scope = index_scope(index=index)
    return Proposal.objects.create(
        index=index,
        council=scope.council,
        working_group=scope.working_group,
        kind=ProposalKind.PROPOSAL,
        title=title,
        body=body,
        author=author,
    )


def _log(*, proposal, action, by, **data):
    log(
        instance=proposal.council,
        action=action,
        user=by,
        data={"proposal": proposal.pk, "title": proposal.title, **data},
    )


def _require_manager(*, council, by):
    if not can_manage(council=council, user=by):
        raise ValidationError(_("Only the council's editors and the communications team can do this."))


@transaction.atomic
def proposal_hide(*, proposal: Proposal, by, reason: str) -> Proposal:
    """Hide a proposal (a reason is required): members no longer see it nor vote on it; its ballots are
    kept."""
    _require_manager(council=proposal.council, by=by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is hidden.")})
    if len(reason) > Proposal._meta.get_field("hidden_reason").max_length:
        raise ValidationError({"reason": _("The reason is too long (500 characters at most).")})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.hidden_at = timezone.now()
    proposal.hidden_reason = reason
    proposal.hidden_by = by
    proposal.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    _log(proposal=proposal, action=ACTION_HIDE, by=by, reason=reason)
    return proposal


@transaction.atomic
def proposal_unhide(*, proposal: Proposal, by) -> Proposal:
    """Show a hidden proposal again."""
    _require_manager(council=proposal.council, by=by)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.hidden_at = None
    proposal.hidden_reason = ""
    proposal.hidden_by = None
    proposal.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    _log(proposal=proposal, action=ACTION_UNHIDE, by=by)
    return proposal


def _stamp(moment):
    """A moment for the history: local time, to the minute."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else None


def _check_window(opens_at, closes_at):
    if (opens_at is None) != (closes_at is None):
        raise ValidationError(_("Give both the opening and the closing of the vote, or neither."))
    if opens_at is not None and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The vote must close after it opens.")})


def _shortened_or_moved(proposal, opens_at, closes_at):
    """For an open vote: does the new window move its opening or bring its close earlier? The admin form is
    precise to the minute, so an unchanged opening may come back without its seconds."""
    minute = timedelta(minutes=1)
    if opens_at is None or closes_at is None:
        return True
    return abs(opens_at - proposal.vote_opens_at) >= minute or closes_at < proposal.vote_closes_at - minute


@transaction.atomic
def proposal_window_set(
    *, proposal: Proposal, opens_at: datetime | None, closes_at: datetime | None, by
) -> Proposal:
    """Set (or clear) the voting window before the vote opens; once open, only a later close; once
    closed, never."""
    _require_manager(council=proposal.council, by=by)
    _check_window(opens_at, closes_at)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    status = proposal_status(proposal)
    if status == "closed":
        raise ValidationError(_("This vote is closed: its window can no longer change."))
    if status == "open" and _shortened_or_moved(proposal, opens_at, closes_at):
        raise ValidationError(
            _("This vote is open: its closing can only be moved later, and its opening cannot change.")
        )
    proposal.vote_opens_at, proposal.vote_closes_at = opens_at, closes_at
    proposal.save(update_fields=["vote_opens_at", "vote_closes_at"])
    _log(
        proposal=proposal,
        action=ACTION_WINDOW,
        by=by,
        opens_at=_stamp(opens_at),
        closes_at=_stamp(closes_at),
    )
    return proposal


@transaction.atomic
def resolution_create(
    *,
    index: ProposalIndexPage,
    by,
    title: str,
    body: str,
    meeting=None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Proposal:
    """An editor records a plenary resolution, put to the members' vote the same way (optionally tied to
    one of the council's sessions)."""
    scope = index_scope(index=index)
    _require_manager(council=scope.council, by=by)
    title, body = _clean_text(title=title, body=body)
    _check_window(opens_at, closes_at)
    if (
        meeting is not None
        and not CouncilPage.objects.ancestor_of(meeting).filter(pk=scope.council.pk).exists()
    ):
        raise ValidationError({"meeting": _("Choose a session of this council.")})
    proposal = Proposal.objects.create(
        index=index,
        council=scope.council,
        working_group=scope.working_group,
        kind=ProposalKind.RESOLUTION,
        title=title,
        body=body,
        author=by,
        meeting=meeting,
        vote_opens_at=opens_at,
        vote_closes_at=closes_at,
    )
    _log(proposal=proposal, action=ACTION_RESOLUTION, by=by)
    return proposal


# -- Voting ---------------------------------------------------------------------------------------------


def proposal_status(proposal: Proposal, now=None) -> str:
    """hidden | draft (no window) | upcoming | open | closed."""
    now = now or timezone.now()
    if proposal.hidden_at is not None:
        return "hidden"
    if proposal.vote_opens_at is None:
        return "draft"
    if now < proposal.vote_opens_at:
        return "upcoming"
    if now < proposal.vote_closes_at:
        return "open"
    return "closed"


@transaction.atomic
def vote_cast(*, proposal: Proposal, voter, choice: str, now=None) -> Vote:
    """Record (or change) the voter's ballot: for, against or abstain.

    Refused, with a French message and nothing changed, when the person may not vote here, the proposal
    is hidden or the window is not open. The proposal row is locked while the ballot is written, and the
    window is checked against the clock given (`now`, for imports and tests) or else against both the
    application's and the database's clocks; the ballot is one row per (proposal, voter), written by an
    upsert, so any number of simultaneous requests leave one ballot, the last one.
    """
    if choice not in VoteChoice.values:
        raise ValidationError(_("Choose for, against or abstain."))
    if voter is None or not voter.is_authenticated:
        raise ValidationError(_("Sign in to vote."))
    locked = Proposal.objects.select_for_update().filter(pk=proposal.pk)
    if now is None:
        now = timezone.now()
        # The database's own clock, read under the lock: a ballot arriving after the close is refused
        # even if this server's clock runs late.
        locked = locked.filter(
            Q(vote_opens_at__isnull=True) | Q(vote_opens_at__lte=Now(), vote_closes_at__gt=Now())
        )
    current = locked.first()
    database_refused = current is None
    if database_refused:
        current = Proposal.objects.get(pk=proposal.pk)
    status = proposal_status(current, now)
    if status == "hidden":
        raise ValidationError(_("This proposal was hidden by the council's editors: it cannot be voted on."))
    if status == "closed":
        raise ValidationError(_("Voting on this proposal is closed."))
    if status != "open":
        raise ValidationError(_("Voting on this proposal has not opened yet."))
    if database_refused:
        raise ValidationError(_("Voting is not open on this proposal."))
    membership = eligible_memberships(proposal=current).filter(user=voter).order_by("-started_on").first()
    if membership is None:
        raise ValidationError(
            _("Only the members of this council or working group can vote on this proposal.")
        )
    stamp = timezone.now()
    Vote.objects.bulk_create(
        [
            Vote(
                proposal=current,
                voter=voter,
                choice=choice,
                college_id=membership.college_id,
                cast_at=stamp,
                changed_at=stamp,
            )
        ],
        update_conflicts=True,
        unique_fields=["proposal", "voter"],
        update_fields=["choice", "college", "changed_at"],
    )
    return Vote.objects.get(proposal=current, voter=voter)


def my_vote(*, proposal: Proposal, user) -> Vote | None:
    """The user's own ballot on the proposal (the only ballot anyone ever reads back)."""
    if not user.is_authenticated:
        return None
    return Vote.objects.filter(proposal=proposal, voter=user).first()


# -- Results --------------------------------------------------------------------------------------------


#: Below this many ballots, a college's split is not shown: it would reveal how its few members voted.
COLLEGE_SPLIT_MINIMUM = 5


@dataclass
class Tally:
    label: str
    votes_for: int = 0
    against: int = 0
    abstain: int = 0
    eligible: int = 0

    @property
    def votes(self):
        return self.votes_for + self.against + self.abstain

    @property
    def too_few_to_show(self):
        """A college with a handful of ballots (or a unanimous few) would give away each ballot."""
        return 0 < self.votes < COLLEGE_SPLIT_MINIMUM

    def percent(self, count):
        return round(100 * count / self.votes) if self.votes else 0

    @property
    def for_percent(self):
        return self.percent(self.votes_for)

    @property
    def against_percent(self):
        return self.percent(self.against)

    @property
    def abstain_percent(self):
        return self.percent(self.abstain)

    @property
    def participation_percent(self):
        return round(100 * self.votes / self.eligible) if self.eligible else 0

    def add(self, choice, count):
        if choice == VoteChoice.FOR:
            self.votes_for += count
        elif choice == VoteChoice.AGAINST:
            self.against += count
        else:
            self.abstain += count


@dataclass
class Results:
    total: Tally
    colleges: list[Tally] = field(default_factory=list)
    quorum_percent: int | None = None
    quorum_needed: int = 0
    quorum_reached: bool = True
    adopted: bool = False
    final: bool = False

    @property
    def eligible(self):
        return self.total.eligible

    @property
    def participation(self):
        return self.total.votes


def proposal_results(*, proposal: Proposal, now=None) -> Results:
    """Totals for, against and abstaining, participation against the electorate, the quorum (the council's
    `vote_quorum_percent` of the electorate must take part; none when empty), adoption (more for than
    against, quorum reached), and the split by the college recorded on each ballot. Three queries."""
    council = proposal.council
    counts = list(
        Vote.objects.filter(proposal=proposal)
        .values("college_id", "choice")
        .annotate(count=Count("pk"))
        .order_by()
    )
    electorate = list(
        eligible_memberships(proposal=proposal, on=electorate_day(proposal, now))
        .values("college_id")
        .annotate(count=Count("user_id", distinct=True))
        .order_by()
    )
    college_ids = {row["college_id"] for row in counts} | {row["college_id"] for row in electorate}
    names = dict(
        College.objects.filter(pk__in=[pk for pk in college_ids if pk is not None])
        .order_by("sort_order", "name")
        .values_list("pk", "name")
    )
    total = Tally(label=_("All members"))
    by_college = {pk: Tally(label=name) for pk, name in names.items()}
    if None in college_ids and names:
        by_college[None] = Tally(label=_("Without a college"))
    for row in counts:
        total.add(row["choice"], row["count"])
        if row["college_id"] in by_college:
            by_college[row["college_id"]].add(row["choice"], row["count"])
    for row in electorate:
        total.eligible += row["count"]
        if row["college_id"] in by_college:
            by_college[row["college_id"]].eligible += row["count"]
    quorum = council.vote_quorum_percent
    needed = math.ceil(total.eligible * quorum / 100) if quorum else 0
    reached = total.votes >= needed if quorum else True
    status = proposal_status(proposal, now)
    return Results(
        total=total,
        colleges=list(by_college.values()) if names else [],
        quorum_percent=quorum,
        quorum_needed=needed,
        quorum_reached=reached,
        adopted=reached and total.votes_for > total.against,
        final=status == "closed",
    )


def results_visible(*, proposal: Proposal, now=None) -> bool:
    """After the close; while the vote is open only when the council shows results live."""
    status = proposal_status(proposal, now)
    if status == "closed":
        return True
    return status == "open" and proposal.council.vote_results_live


# -- Listings -------------------------------------------------------------------------------------------


def proposals_for_index(*, index: ProposalIndexPage, user, now=None):
    """The proposals of a page, grouped for the list: open first (closing soonest first), then upcoming,
    then closed (latest first), then those without a window; hidden ones only for those who manage the
    council. Each carries `.status`, `.my_vote` (the reader's own choice), `.vote_count` and, when shown,
    `.results`. Bounded: a fixed number of queries whatever the number of proposals and ballots."""
    now = now or timezone.now()
    scope = index_scope(index=index)
    manager = can_manage(council=scope.council, user=user)
    proposals = (
        Proposal.objects.filter(index=index)
        .select_related("council", "author", "meeting")
        .annotate(vote_count=Count("votes"))
        .order_by("-created_at", "-pk")
    )
    if not manager:
        proposals = proposals.shown()
    proposals = list(proposals)
    mine = {}
    if user.is_authenticated and proposals:
        mine = dict(
            Vote.objects.filter(proposal__in=proposals, voter=user).values_list("proposal_id", "choice")
        )
    groups = {"open": [], "upcoming": [], "closed": [], "draft": [], "hidden": []}
    for proposal in proposals:
        proposal.council = scope.council
        proposal.status = proposal_status(proposal, now)
        proposal.my_vote = mine.get(proposal.pk)
        proposal.my_vote_label = VoteChoice(proposal.my_vote).label if proposal.my_vote else ""
        groups[proposal.status].append(proposal)
    groups["open"].sort(key=lambda p: p.vote_closes_at)
    groups["upcoming"].sort(key=lambda p: p.vote_opens_at)
    groups["closed"].sort(key=lambda p: p.vote_closes_at, reverse=True)
    _attach_results(groups["closed"], now=now)
    if scope.council.vote_results_live:
        _attach_results(groups["open"], now=now)
    return groups, manager


def _attach_results(proposals, *, now):
    """Results of many proposals in three queries (ballots, electorate, colleges)."""
    if not proposals:
        return
    counts = {}
    for row in (
        Vote.objects.filter(proposal__in=proposals)
        .values("proposal_id", "choice")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts.setdefault(row["proposal_id"], []).append(row)
    scopes = {(p.council_id, p.working_group_id, electorate_day(p, now)) for p in proposals}
    electorate = {}
    for council_id, working_group_id, day in scopes:
        electorate[(council_id, working_group_id, day)] = (
            _memberships(council_id=council_id, working_group_id=working_group_id, on=day)
            .values("user_id")
            .distinct()
            .count()
        )
    for proposal in proposals:
        total = Tally(
            label=_("All members"),
            eligible=electorate[
                (proposal.council_id, proposal.working_group_id, electorate_day(proposal, now))
            ],
        )
        for row in counts.get(proposal.pk, []):
            total.add(row["choice"], row["count"])
        quorum = proposal.council.vote_quorum_percent
        needed = math.ceil(total.eligible * quorum / 100) if quorum else 0
        reached = total.votes >= needed if quorum else True
        proposal.results = Results(
            total=total,
            quorum_percent=quorum,
            quorum_needed=needed,
            quorum_reached=reached,
            adopted=reached and total.votes_for > total.against,
            final=proposal.status == "closed",
        )


def proposals_open_for(*, request, now=None) -> list[Proposal]:
    """The open, shown proposals the signed-in user may vote on (all their councils and working groups),
    closing soonest first, each with `.my_vote` (their own choice or None), `.my_vote_label` and `.url`.
    Three queries whatever the number of councils."""
    user = request.user
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    memberships = Membership.objects.active().filter(user=user)
    groups = WorkingGroupAccess.objects.filter(group__in=user.groups.all()).values("working_group_id")
    proposals = list(
        Proposal.objects.voting_open(now)
        .filter(council_id__in=memberships.values("council_id"))
        .filter(Q(working_group__isnull=True) | Q(working_group_id__in=groups))
        .select_related("index", "council")
        .order_by("vote_closes_at", "pk")
    )
    mine = dict(Vote.objects.filter(proposal__in=proposals, voter=user).values_list("proposal_id", "choice"))
    for proposal in proposals:
        proposal.my_vote = mine.get(proposal.pk)
        proposal.my_vote_label = VoteChoice(proposal.my_vote).label if proposal.my_vote else ""
        proposal.status = "open"
        proposal.url = proposal_url(proposal=proposal, request=request)
    return proposals


def proposal_url(*, proposal: Proposal, request=None) -> str:
    """The proposal's page on the public site (its proposals page's route)."""
    index = proposal.index
    return (index.get_url(request) or "") + index.reverse_subpage("detail", args=[proposal.pk])


# -- Admin listing ---------------------------------------------------------------------------------------


def proposals_admin_rows(*, index: ProposalIndexPage, now=None):
    """Every proposal of a page with its status and ballot counts (for/against/abstain), in two queries."""
    now = now or timezone.now()
    proposals = list(
        Proposal.objects.filter(index=index)
        .select_related("author", "hidden_by", "meeting", "council")
        .annotate(
            vote_count=Count("votes"),
            for_count=Count("votes", filter=Q(votes__choice=VoteChoice.FOR)),
            against_count=Count("votes", filter=Q(votes__choice=VoteChoice.AGAINST)),
            abstain_count=Count("votes", filter=Q(votes__choice=VoteChoice.ABSTAIN)),
        )
        .order_by("-created_at", "-pk")
    )
    for proposal in proposals:
        proposal.status = proposal_status(proposal, now)
        # Editors see the split only when members may: after the close, or live if the council says so.
        proposal.tally_visible = proposal.status == "closed" or proposal.council.vote_results_live
    return proposals
