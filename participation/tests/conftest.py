"""A council with colleges, members, an editor, a working group and a proposals page; another council."""

from datetime import timedelta

from django.utils import timezone

import pytest

from councils.factories import UserFactory, working_group_create
from councils.membership import College
from councils.models import WorkingGroupAccess
from councils.services import council_add_editor, council_add_member
from participation.factories import ProposalIndexPageFactory


@pytest.fixture
def colleges(council_a):
    return {
        "volunteers": College.objects.create(council=council_a, name="Volontaires", sort_order=1),
        "drawn": College.objects.create(
            council=council_a, name="Tirés au sort", sort_order=2, drawn_by_lot=True
        ),
    }


@pytest.fixture
def people(council_a, council_b, colleges):
    """Two members in each college, an editor (volunteers' college), another council's member and
    editor."""
    users = {}
    # Mandates begun a month ago: closed votes (closing yesterday) count the electorate of their last day.
    since = timezone.localdate() - timedelta(days=30)
    for name, college in (
        ("alice", "volunteers"),
        ("bruno", "volunteers"),
        ("chloe", "drawn"),
        ("david", "drawn"),
    ):
        users[name] = UserFactory(username=name)
        council_add_member(council=council_a, user=users[name], college=colleges[college], started_on=since)
    users["editor"] = UserFactory(username="redac")
    council_add_editor(
        council=council_a, user=users["editor"], college=colleges["volunteers"], started_on=since
    )
    users["other_member"] = UserFactory(username="ailleurs")
    council_add_member(council=council_b, user=users["other_member"])
    users["other_editor"] = UserFactory(username="redac-ailleurs")
    council_add_editor(council=council_b, user=users["other_editor"])
    return users


@pytest.fixture
def index(council_a, people):
    return ProposalIndexPageFactory(parent=council_a)


@pytest.fixture
def group_index(council_a, people):
    group = working_group_create(council_a, "Mobilités")
    WorkingGroupAccess.objects.get(working_group=group).group.user_set.add(people["alice"], people["chloe"])
    return ProposalIndexPageFactory(parent=group)
