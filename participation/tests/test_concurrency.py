"""One ballot per member under concurrency: simultaneous votes on real PostgreSQL connections.

Each cast runs in its own thread with its own database connection, started together behind a barrier (the
same harness as `events/tests/test_concurrency.py`). Whatever the interleaving, the database holds one
ballot per member and proposal, and it is one of the choices sent.
"""

import random

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_member
from events.tests.test_concurrency import run_together
from participation.factories import ProposalFactory, ProposalIndexPageFactory
from participation.models import Vote
from participation.services import vote_cast

SAME_MEMBER_ATTEMPTS = 30
MEMBERS = 20


@pytest.fixture
def world(transactional_db):
    from home.services import site_structure_ensure

    site_structure_ensure(hostname="testserver")
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title="Assemblée", slug="assemblee")
    council.save_revision().publish()
    members = [UserFactory(username=f"votant{i}") for i in range(MEMBERS)]
    for member in members:
        council_add_member(council=council, user=member)
    index = ProposalIndexPageFactory(parent=council)
    return index, members


def test_many_simultaneous_casts_by_one_member_leave_one_ballot(world):
    index, members = world
    proposal = ProposalFactory(index=index, open_vote=True)
    choices = [random.choice(["for", "against", "abstain"]) for _ in range(SAME_MEMBER_ATTEMPTS)]  # noqa: S311
    member = members[0]

    errors = run_together(
        SAME_MEMBER_ATTEMPTS, lambda i: vote_cast(proposal=proposal, voter=member, choice=choices[i])
    )
    assert errors == []
    ballots = list(Vote.objects.filter(proposal=proposal).values_list("voter_id", "choice"))
    assert len(ballots) == 1
    assert ballots[0][0] == member.pk and ballots[0][1] in choices


def test_members_voting_at_once_each_twice_leave_one_ballot_each(world):
    index, members = world
    proposal = ProposalFactory(index=index, open_vote=True)
    # Each member sends two ballots at the same moment (a double click, two devices).
    attempts = [(member, choice) for member in members for choice in ("for", "against")]

    errors = run_together(
        len(attempts), lambda i: vote_cast(proposal=proposal, voter=attempts[i][0], choice=attempts[i][1])
    )
    assert errors == []
    voters = list(Vote.objects.filter(proposal=proposal).values_list("voter_id", flat=True))
    assert sorted(voters) == sorted(member.pk for member in members)
