"""Votes: who may vote, the window, changing one's vote, hidden proposals, results, quorum and colleges."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from councils.models import CouncilAccess, WorkingGroupAccess
from councils.services import communications_team_group, council_remove_member
from participation import services
from participation.factories import ProposalFactory, ProposalIndexPageFactory, VoteFactory, votes_cast
from participation.models import Proposal, Vote

pytestmark = pytest.mark.django_db


def _open(index, **kwargs):
    return ProposalFactory(index=index, open_vote=True, **kwargs)


def test_a_councils_proposals_page_is_closed_to_all_but_its_members_editors_and_the_city(index, council_a):
    restriction = PageViewRestriction.objects.get(page=index)
    access = CouncilAccess.objects.get(council=council_a)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert set(restriction.groups.values_list("pk", flat=True)) == {
        access.editors_group_id,
        access.members_group_id,
        communications_team_group().pk,
    }


def test_provisioning_takes_away_a_group_added_by_hand(index, council_b):
    restriction = PageViewRestriction.objects.get(page=index)
    restriction.groups.add(CouncilAccess.objects.get(council=council_b).members_group)
    services.proposal_indexes_provision()
    assert CouncilAccess.objects.get(council=council_b).members_group_id not in set(
        restriction.groups.values_list("pk", flat=True)
    )


def test_a_working_groups_proposals_page_adds_no_restriction_of_its_own(group_index):
    assert not PageViewRestriction.objects.filter(page=group_index).exists()
    # The group's own restriction covers it.
    assert PageViewRestriction.objects.filter(page__in=group_index.get_ancestors()).exists()


def test_the_electorate_is_the_councils_editors_and_members(index, people):
    proposal = _open(index)
    voters = set(services.eligible_voters(proposal=proposal).values_list("username", flat=True))
    assert voters == {"alice", "bruno", "chloe", "david", "redac"}


def test_a_working_groups_electorate_is_the_councils_members_in_the_group(group_index, people):
    proposal = _open(group_index)
    voters = set(services.eligible_voters(proposal=proposal).values_list("username", flat=True))
    assert voters == {"alice", "chloe"}


def test_a_member_votes_and_may_change_their_vote_until_the_close(index, people, colleges):
    proposal = _open(index)
    vote = services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    assert vote.choice == "for" and vote.college == colleges["volunteers"]
    first_cast = vote.cast_at
    vote = services.vote_cast(proposal=proposal, voter=people["alice"], choice="against")
    assert vote.choice == "against"
    assert vote.cast_at == first_cast and vote.changed_at >= first_cast
    assert Vote.objects.filter(proposal=proposal).count() == 1


@pytest.mark.parametrize("offset", [timedelta(hours=-2), timedelta(hours=2)], ids=["before", "after"])
def test_the_window_is_respected(index, people, offset):
    now = timezone.now()
    proposal = ProposalFactory(
        index=index, vote_opens_at=now - timedelta(hours=1), vote_closes_at=now + timedelta(hours=1)
    )
    with time_machine.travel(now + offset, tick=False), pytest.raises(ValidationError) as refused:
        services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    expected = "est clos" if offset > timedelta(0) else "pas encore ouvert"
    assert expected in refused.value.messages[0]
    assert not Vote.objects.filter(proposal=proposal).exists()
    # Inside the window (both clocks agree): accepted.
    services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_the_database_clock_refuses_a_vote_the_application_clock_would_take(index, people):
    now = timezone.now()
    proposal = ProposalFactory(
        index=index, vote_opens_at=now - timedelta(days=3), vote_closes_at=now - timedelta(days=1)
    )
    # This server's clock is two days late: the database's still says the vote is closed.
    with time_machine.travel(now - timedelta(days=2), tick=False), pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    assert not Vote.objects.exists()


def test_a_vote_without_a_window_is_refused(index, people):
    proposal = ProposalFactory(index=index)
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")


def test_a_hidden_proposal_cannot_be_voted_on(index, people):
    proposal = _open(index)
    services.proposal_hide(proposal=proposal, by=people["editor"], reason="Propos injurieux")
    with pytest.raises(ValidationError) as refused:
        services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    assert "masquée" in refused.value.messages[0]
    assert not Vote.objects.exists()


@pytest.mark.parametrize("who", ["other_member", "other_editor"])
def test_another_councils_people_cannot_vote(index, people, who):
    proposal = _open(index)
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people[who], choice="for")
    assert not Vote.objects.exists()


def test_a_member_outside_the_working_group_cannot_vote_on_its_proposals(group_index, people):
    proposal = _open(group_index)
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["bruno"], choice="for")
    services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    assert list(Vote.objects.values_list("voter__username", flat=True)) == ["alice"]


def test_a_member_whose_mandate_ended_cannot_vote(index, council_a, people):
    proposal = _open(index)
    council_remove_member(council=council_a, user=people["david"])
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["david"], choice="for")


def test_the_city_team_sees_but_does_not_vote(index, city_staff):
    proposal = _open(index)
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=city_staff, choice="for")


def test_an_unknown_choice_is_refused(index, people):
    proposal = _open(index)
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["alice"], choice="maybe")


def test_the_database_refuses_a_second_ballot_from_one_member(index, people):
    from django.db import IntegrityError, transaction

    proposal = _open(index)
    VoteFactory(proposal=proposal, voter=people["alice"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(proposal=proposal, voter=people["alice"], choice="against")


def test_the_database_refuses_a_window_closing_before_it_opens(index):
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(index=index, vote_opens_at=now, vote_closes_at=now - timedelta(hours=1))


def _ballots(proposal, people):
    votes_cast(
        proposal=proposal,
        ballots={
            people["alice"]: "for",
            people["bruno"]: "against",
            people["chloe"]: "for",
            people["editor"]: "abstain",
        },
    )


def test_results_quorum_and_college_split_on_an_example(index, council_a, people):
    council_a.vote_quorum_percent = 50
    council_a.save(update_fields=["vote_quorum_percent"])
    proposal = ProposalFactory(index=index, closed_vote=True)
    _ballots(proposal, people)
    results = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    total = results.total
    assert (total.votes_for, total.against, total.abstain, total.votes, total.eligible) == (2, 1, 1, 4, 5)
    assert total.participation_percent == 80
    assert (results.quorum_percent, results.quorum_needed, results.quorum_reached) == (50, 3, True)
    assert results.adopted and results.final
    split = {t.label: (t.votes_for, t.against, t.abstain, t.eligible) for t in results.colleges}
    assert split == {"Volontaires": (1, 1, 1, 3), "Tirés au sort": (1, 0, 0, 2)}
    assert [t.label for t in results.colleges] == ["Volontaires", "Tirés au sort"]


def test_a_vote_without_its_quorum_is_not_adopted(index, council_a, people):
    council_a.vote_quorum_percent = 90
    council_a.save(update_fields=["vote_quorum_percent"])
    proposal = ProposalFactory(index=index, closed_vote=True)
    _ballots(proposal, people)
    results = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    assert (results.quorum_needed, results.quorum_reached, results.adopted) == (5, False, False)


def test_a_tie_is_not_adopted_and_no_quorum_means_none_needed(index, people):
    proposal = ProposalFactory(index=index, closed_vote=True)
    votes_cast(proposal=proposal, ballots={people["alice"]: "for", people["bruno"]: "against"})
    results = services.proposal_results(proposal=proposal)
    assert results.quorum_percent is None and results.quorum_reached
    assert not results.adopted


def test_the_college_recorded_is_the_one_at_the_time_of_the_vote(index, council_a, people, colleges):
    proposal = _open(index)
    services.vote_cast(proposal=proposal, voter=people["alice"], choice="for")
    from councils.membership import Membership

    Membership.objects.filter(council=council_a, user=people["alice"]).update(college=colleges["drawn"])
    assert Vote.objects.get().college == colleges["volunteers"]


def test_results_are_hidden_until_the_close_unless_the_council_shows_them_live(index, council_a):
    proposal = _open(index)
    assert not services.results_visible(proposal=proposal)
    council_a.vote_results_live = True
    council_a.save(update_fields=["vote_results_live"])
    proposal.council.refresh_from_db()
    assert services.results_visible(proposal=proposal)
    closed = ProposalFactory(index=index, closed_vote=True)
    assert services.results_visible(proposal=closed)


def test_members_submit_others_cannot(index, group_index, people):
    proposal = services.proposal_submit(
        index=index, author=people["bruno"], title="  Un titre ", body="Texte"
    )
    assert proposal.title == "Un titre" and proposal.council_id == index.get_parent().pk
    with pytest.raises(ValidationError):
        services.proposal_submit(index=index, author=people["other_member"], title="T", body="B")
    with pytest.raises(ValidationError):
        services.proposal_submit(index=group_index, author=people["bruno"], title="T", body="B")
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(index=index, author=people["bruno"], title=" ", body="")
    assert set(refused.value.error_dict) == {"title", "body"}
    grouped = services.proposal_submit(index=group_index, author=people["alice"], title="T", body="B")
    assert grouped.working_group_id == group_index.get_parent().pk


def test_hiding_needs_a_reason_and_an_editor_and_is_in_the_history(index, council_a, people):
    from wagtail.models import PageLogEntry

    proposal = ProposalFactory(index=index)
    with pytest.raises(ValidationError):
        services.proposal_hide(proposal=proposal, by=people["editor"], reason="  ")
    with pytest.raises(ValidationError):
        services.proposal_hide(proposal=proposal, by=people["alice"], reason="Hors sujet")
    with pytest.raises(ValidationError):
        services.proposal_hide(proposal=proposal, by=people["other_editor"], reason="Hors sujet")
    services.proposal_hide(proposal=proposal, by=people["editor"], reason="Hors sujet")
    proposal.refresh_from_db()
    assert proposal.is_hidden and proposal.hidden_by == people["editor"]
    services.proposal_unhide(proposal=proposal, by=people["editor"])
    proposal.refresh_from_db()
    assert not proposal.is_hidden and proposal.hidden_reason == ""
    now = timezone.now()
    services.proposal_window_set(
        proposal=proposal, opens_at=now, closes_at=now + timedelta(days=2), by=people["editor"]
    )
    services.resolution_create(index=index, by=people["editor"], title="Résolution 1", body="Texte")
    actions = list(
        PageLogEntry.objects.filter(page=council_a, action__startswith="parvis.proposal")
        .order_by("pk")
        .values_list("action", flat=True)
    ) + list(
        PageLogEntry.objects.filter(page=council_a, action=services.ACTION_RESOLUTION).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        services.ACTION_HIDE,
        services.ACTION_UNHIDE,
        services.ACTION_WINDOW,
        services.ACTION_RESOLUTION,
    ]
    # The formatters are registered: the history shows a sentence, not the action code.
    entry = PageLogEntry.objects.filter(page=council_a, action=services.ACTION_HIDE).get()
    assert "Hors sujet" in entry.message


def test_a_window_closing_before_it_opens_is_refused_in_french(index, people):
    proposal = ProposalFactory(index=index)
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.proposal_window_set(proposal=proposal, opens_at=now, closes_at=now, by=people["editor"])
    with pytest.raises(ValidationError):
        services.proposal_window_set(proposal=proposal, opens_at=now, closes_at=None, by=people["editor"])


def test_a_resolution_session_must_be_one_of_the_councils(index, council_b, people):
    from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory

    other = MeetingPageFactory(parent=MeetingIndexPageFactory(parent=council_b))
    with pytest.raises(ValidationError):
        services.resolution_create(index=index, by=people["editor"], title="R", body="B", meeting=other)
    own = MeetingPageFactory(parent=MeetingIndexPageFactory(parent=index.get_parent()))
    resolution = services.resolution_create(
        index=index, by=people["editor"], title="R", body="B", meeting=own
    )
    assert resolution.kind == "resolution" and resolution.meeting == own


def test_open_proposals_for_a_member_carry_only_their_own_vote(index, group_index, people, rf):
    first = _open(index)
    second = _open(index)
    grouped = _open(group_index)
    ProposalFactory(index=index, closed_vote=True)
    hidden = _open(index)
    services.proposal_hide(proposal=hidden, by=people["editor"], reason="Doublon")
    services.vote_cast(proposal=first, voter=people["alice"], choice="against")
    services.vote_cast(proposal=first, voter=people["bruno"], choice="for")
    request = rf.get("/")
    request.user = people["alice"]
    mine = services.proposals_open_for(request=request)
    found = {p.pk: p.my_vote for p in mine}
    assert found == {first.pk: "against", second.pk: None, grouped.pk: None}
    assert {p.url for p in mine} >= {f"{index.url}{first.pk}/", f"{group_index.url}{grouped.pk}/"}
    request.user = people["bruno"]
    found = {p.pk: p.my_vote for p in services.proposals_open_for(request=request)}
    assert found == {first.pk: "for", second.pk: None}
    request.user = people["other_member"]
    assert services.proposals_open_for(request=request) == []


def test_a_working_groups_proposal_is_not_open_to_someone_who_left_the_group(group_index, people):
    proposal = _open(group_index)
    WorkingGroupAccess.objects.get(working_group=group_index.get_parent()).group.user_set.remove(
        people["chloe"]
    )
    with pytest.raises(ValidationError):
        services.vote_cast(proposal=proposal, voter=people["chloe"], choice="for")


def test_factories_reuse_the_proposals_page_of_a_parent(index, council_a):
    assert ProposalIndexPageFactory(parent=council_a).pk == index.pk


def test_a_proposals_page_goes_under_a_council_or_a_working_group_only(index, group_index, council_a, home):
    from councils.factories import working_group_create
    from participation.models import ProposalIndexPage

    assert ProposalIndexPage.can_create_at(working_group_create(council_a, "Budget participatif"))
    assert not ProposalIndexPage.can_create_at(group_index.get_parent())
    assert not ProposalIndexPage.can_create_at(home)
    assert not ProposalIndexPage.can_create_at(index)
    # One per council: the council already has one.
    assert not ProposalIndexPage.can_create_at(council_a)


def test_the_member_space_include_lists_open_votes_with_only_the_members_choice(index, people, rf):
    from django.template.loader import render_to_string

    proposal = _open(index, title="Des bancs à l’ombre")
    services.vote_cast(proposal=proposal, voter=people["alice"], choice="abstain")
    services.vote_cast(proposal=proposal, voter=people["bruno"], choice="for")
    request = rf.get("/")
    request.user = people["alice"]
    html = render_to_string(
        "participation/includes/open_votes.html",
        {"proposals": services.proposals_open_for(request=request)},
        request=request,
    )
    assert "Des bancs à l’ombre" in html and f'href="{index.url}{proposal.pk}/"' in html
    assert "Vous avez voté : Abstention" in html and "Pour" not in html


def test_a_closed_votes_outcome_does_not_change_when_people_join_later(index, council_a, people):
    from councils.factories import UserFactory
    from councils.services import council_add_member

    council_a.vote_quorum_percent = 50
    council_a.save(update_fields=["vote_quorum_percent"])
    proposal = ProposalFactory(index=index, closed_vote=True)
    _ballots(proposal, people)
    before = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    for number in range(10):  # a sortition panel joins today, after the close
        council_add_member(council=council_a, user=UserFactory(username=f"nouveau-{number}"))
    after = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    assert (after.total.eligible, after.quorum_reached, after.adopted) == (5, True, True)
    assert (before.total.eligible, before.adopted) == (after.total.eligible, after.adopted)


def test_a_closed_votes_window_is_fixed_and_an_open_one_can_only_be_extended(index, people):
    closed = ProposalFactory(index=index, closed_vote=True)
    with pytest.raises(ValidationError):
        services.proposal_window_set(
            proposal=closed,
            opens_at=closed.vote_opens_at,
            closes_at=timezone.now() + timedelta(days=3),
            by=people["editor"],
        )
    opened = ProposalFactory(index=index, open_vote=True)
    with pytest.raises(ValidationError):
        services.proposal_window_set(
            proposal=opened,
            opens_at=opened.vote_opens_at,
            closes_at=opened.vote_closes_at - timedelta(days=1),
            by=people["editor"],
        )
    later = opened.vote_closes_at + timedelta(days=2)
    services.proposal_window_set(
        proposal=opened, opens_at=opened.vote_opens_at, closes_at=later, by=people["editor"]
    )
    assert Proposal.objects.get(pk=opened.pk).vote_closes_at == later


def test_a_college_with_fewer_than_five_ballots_is_not_detailed(index, people):
    from django.template.loader import render_to_string

    proposal = ProposalFactory(index=index, closed_vote=True)
    _ballots(proposal, people)
    results = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    assert all(college.too_few_to_show for college in results.colleges)
    html = render_to_string("participation/includes/results.html", {"results": results})
    assert html.count("results__masked") == len(results.colleges) == 2


def test_the_results_count_ballots_in_french_with_their_plural(index, people):
    from django.template.loader import render_to_string

    proposal = ProposalFactory(index=index, closed_vote=True)
    _ballots(proposal, people)  # 2 for, 1 against, 1 abstention
    results = services.proposal_results(proposal=Proposal.objects.get(pk=proposal.pk))
    html = render_to_string("participation/includes/results.html", {"results": results})
    assert "2 voix (50\u00a0%)" in html
    assert "1 voix (25\u00a0%)" in html
    assert "votes (" not in html
