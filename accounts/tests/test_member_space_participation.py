""" "Mon espace" (issue 16): for each council of the member, their working groups, the votes open to them
(with their own choice, or "not voted yet", and the close), the sessions open for check-in with a link to
`/emargement/`, and their consent to the public list of members — only theirs, and in a number of queries
that does not grow with the number of councils."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from attendance.factories import AttendanceFactory, CheckInCodeFactory
from councils.factories import UserFactory, working_group_create
from councils.services import council_add_editor, council_add_member
from events.tests.helpers import meeting_publish
from participation.factories import ProposalFactory, ProposalIndexPageFactory, VoteFactory

from .test_public_member_space import MEMBER_SPACE, council_content, main_content

pytestmark = pytest.mark.django_db


def _index(parent):
    index = ProposalIndexPageFactory(parent=parent)
    index.save_revision().publish()
    return type(index).objects.get(pk=index.pk)


def _session_open_for_check_in(council, title):
    meeting = meeting_publish(council, title=title, start=timezone.now() + timedelta(minutes=30))
    CheckInCodeFactory(meeting=meeting)
    return meeting


def participation_content(council, tag, *, voter=None, in_group=()):
    """A council's working groups (one with `in_group`, one without), open, closed and hidden proposals,
    a proposal in each working group, and a session open for check-in."""
    mine = working_group_create(council, f"Groupe jardin {tag}", members=in_group)
    other = working_group_create(council, f"Groupe voirie {tag}", members=())
    index = _index(council)
    voted = ProposalFactory(index=index, title=f"Des bancs {tag}", open_vote=True)
    ProposalFactory(index=index, title=f"Un composteur {tag}", open_vote=True)
    ProposalFactory(index=index, title=f"Ancienne {tag}", closed_vote=True)
    hidden = ProposalFactory(index=index, title=f"Masquée {tag}", open_vote=True)
    hidden.hidden_at, hidden.hidden_reason = timezone.now(), "Hors sujet"
    hidden.save()
    ProposalFactory(index=_index(mine), title=f"Idée du jardin {tag}", open_vote=True)
    ProposalFactory(index=_index(other), title=f"Idée de la voirie {tag}", open_vote=True)
    if voter is not None:
        VoteFactory(proposal=voted, voter=voter, choice="for")
    return _session_open_for_check_in(council, f"Plénière ouverte {tag}")


@pytest.fixture
def two_councils(council_a, council_b, member_a):
    session_a = participation_content(council_a, "A", voter=member_a, in_group=[member_a])
    participation_content(council_b, "B")
    return council_a, council_b, session_a


def test_a_member_sees_their_groups_votes_and_the_session_to_check_in(client, two_councils, member_a):
    council_a, council_b, session = two_councils
    client.force_login(member_a)
    response = client.get(MEMBER_SPACE)
    assert response.status_code == 200
    (space,) = response.context["spaces"]
    assert [group.title for group in space.working_groups] == ["Groupe jardin A"]
    assert {p.title: p.my_vote for p in space.proposals} == {
        "Des bancs A": "for",
        "Un composteur A": None,
        "Idée du jardin A": None,
    }
    assert [s.meeting.pk for s in space.check_ins] == [session.pk]
    assert space.membership is not None and space.membership.council_id == council_a.pk
    html = main_content(response)
    for proposal in space.proposals:
        assert f'href="{proposal.url}"' in html
        assert proposal.url.startswith(f"/conseils/{council_a.slug}/")
    assert 'href="/emargement/"' in html
    assert f'action="/mon-espace/visibilite/{council_a.pk}/"' in html
    assert "Groupe jardin A" in html and "Des bancs A" in html
    # Nothing of a group they are not in, of a closed or hidden proposal, nor of another council.
    for text in (
        "Groupe voirie",
        "Idée de la voirie",
        "Ancienne A",
        "Masquée A",
        "Des bancs B",
        "Groupe jardin B",
    ):
        assert text not in html, text


def test_the_voters_own_choice_is_shown_and_nobody_elses(client, two_councils, member_a):
    council_a, _council_b, _session = two_councils
    neighbour = UserFactory(username="voisine")
    council_add_member(council=council_a, user=neighbour)
    client.force_login(neighbour)
    proposals = client.get(MEMBER_SPACE).context["spaces"][0].proposals
    assert {p.title: p.my_vote for p in proposals} == {"Des bancs A": None, "Un composteur A": None}


def test_a_member_already_present_is_told_so_and_gets_no_link(client, two_councils, member_a):
    _council_a, _council_b, session = two_councils
    AttendanceFactory(meeting=session, member=member_a, status="present", method="code")
    client.force_login(member_a)
    response = client.get(MEMBER_SPACE)
    (check_in,) = response.context["spaces"][0].check_ins
    assert check_in.present
    assert 'href="/emargement/"' not in main_content(response)


def test_no_check_in_link_once_the_code_has_expired(client, two_councils, member_a):
    _council_a, _council_b, session = two_councils
    session.check_in_code.valid_until = timezone.now() - timedelta(minutes=1)
    session.check_in_code.save()
    client.force_login(member_a)
    response = client.get(MEMBER_SPACE)
    assert response.context["spaces"][0].check_ins == []
    assert 'href="/emargement/"' not in main_content(response)


def test_an_editor_without_a_mandate_as_member_sees_no_vote_of_a_group_they_are_not_in(client, two_councils):
    council_a, _council_b, _session = two_councils
    editor = UserFactory(username="redactrice")
    council_add_editor(council=council_a, user=editor)
    client.force_login(editor)
    (space,) = client.get(MEMBER_SPACE).context["spaces"]
    assert space.working_groups == []
    assert "Idée du jardin A" not in [p.title for p in space.proposals]


def test_the_page_runs_the_same_queries_for_one_or_five_councils_with_participation(
    client, council_factory, django_assert_max_num_queries
):
    user = UserFactory(username="participante")
    client.force_login(user)

    def council_with_everything(number):
        council = council_factory(title=f"Conseil {number}", slug=f"c{number}")
        council_content(council, str(number))
        council_add_member(council=council, user=user)
        if number % 2 == 0:
            council_add_editor(council=council, user=user)
        participation_content(council, str(number), voter=user, in_group=[user])
        return council

    council_with_everything(0)
    client.get(MEMBER_SPACE)  # warm the per-process caches (content types, site root paths)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as one:
        response = client.get(MEMBER_SPACE)
    (space,) = response.context["spaces"]
    assert len(space.working_groups) == 1 and len(space.proposals) == 3 and len(space.check_ins) == 1
    queries_for_one = len(one.captured_queries)

    for number in range(1, 5):
        council_with_everything(number)
    client.get(MEMBER_SPACE)
    with django_assert_max_num_queries(queries_for_one):
        response = client.get(MEMBER_SPACE)
    spaces = response.context["spaces"]
    assert len(spaces) == 5
    assert [len(s.working_groups) for s in spaces] == [1] * 5
    assert [len(s.proposals) for s in spaces] == [3] * 5
    assert [len(s.check_ins) for s in spaces] == [1] * 5
    assert all(s.membership is not None for s in spaces)
