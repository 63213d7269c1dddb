"""Factories for proposals and votes (tests and the demo build them the same way).

- `ProposalIndexPageFactory(parent=council_or_working_group)`: the proposals page (`…/propositions/`); an
  existing one under that parent is reused. Creating one runs `proposal_index_provision` (signal).
- `ProposalFactory(index=…)`: a proposal; its council is the index's council; pass `open_vote=True`
  (window open now for a week), `closed_vote=True` (closed yesterday) or the window fields yourself.
- `VoteFactory(proposal=…, voter=…, choice=…)`: a ballot; the college is taken from the voter's mandate.
- `votes_cast(proposal=…, ballots={user: "for", …})`: many ballots at once (one query), for the demo.
"""

from datetime import timedelta

from django.utils import timezone

import factory
import wagtail_factories

from councils.membership import Membership
from councils.models import CouncilPage

from .models import Proposal, ProposalIndexPage, ProposalKind, Vote, VoteChoice
from .services import index_scope


def council_of(page):
    """The council a proposals page belongs to (the council itself for a council)."""
    if isinstance(page, CouncilPage):
        return page
    return index_scope(index=page).council


def working_group_of(index):
    """The working group a proposals page belongs to, or None under a council."""
    return index_scope(index=index).working_group


class ProposalIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ProposalIndexPage

    title = "Propositions"
    slug = "propositions"
    intro = "Les propositions des membres, soumises au vote."
    show_in_menus = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """One proposals page per council or working group: reuse the existing one."""
        parent = kwargs.get("parent")
        existing = model_class.objects.child_of(parent).first() if parent is not None else None
        if existing is None:
            return super()._create(model_class, *args, **kwargs)
        return existing


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal
        exclude = ("open_vote", "closed_vote")

    open_vote = False
    closed_vote = False

    index = factory.SubFactory(ProposalIndexPageFactory)
    council = factory.LazyAttribute(lambda p: council_of(p.index))
    working_group = factory.LazyAttribute(lambda p: working_group_of(p.index))
    kind = ProposalKind.PROPOSAL
    title = factory.Sequence(lambda n: f"Proposition n° {n} : des bancs sur la place")
    body = "Installer des bancs à l’ombre sur la place, pour les personnes âgées et les familles."
    author = None
    vote_opens_at = factory.LazyAttribute(
        lambda p: (
            timezone.now() - timedelta(days=1)
            if p.open_vote
            else timezone.now() - timedelta(days=10)
            if p.closed_vote
            else None
        )
    )
    vote_closes_at = factory.LazyAttribute(
        lambda p: (
            timezone.now() + timedelta(days=7)
            if p.open_vote
            else timezone.now() - timedelta(days=1)
            if p.closed_vote
            else None
        )
    )


def _college_of(vote):
    membership = (
        Membership.objects.filter(council_id=vote.proposal.council_id, user=vote.voter)
        .open()
        .only("college_id")
        .first()
    )
    return membership.college if membership else None


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    proposal = factory.SubFactory(ProposalFactory)
    voter = factory.SubFactory("councils.factories.UserFactory")
    choice = VoteChoice.FOR
    college = factory.LazyAttribute(_college_of)


def votes_cast(*, proposal, ballots):
    """Record many ballots at once (`{user: choice}`), each with the voter's college (demo, tests)."""
    colleges = dict(
        Membership.objects.filter(council_id=proposal.council_id, user__in=list(ballots))
        .open()
        .values_list("user_id", "college_id")
    )
    now = timezone.now()
    return Vote.objects.bulk_create(
        [
            Vote(
                proposal=proposal,
                voter=user,
                choice=choice,
                college_id=colleges.get(user.pk),
                cast_at=now,
                changed_at=now,
            )
            for user, choice in ballots.items()
        ],
        update_conflicts=True,
        unique_fields=["proposal", "voter"],
        update_fields=["choice", "college", "changed_at"],
    )
