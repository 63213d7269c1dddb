"""The members' pages: the list, the form, a proposal with its ballot and results, the vote."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest

from participation import services
from participation.factories import ProposalFactory, votes_cast
from participation.models import Proposal, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit_leftovers():
    from django.core.cache import cache

    cache.clear()


def url(index, *parts):
    return index.url + "".join(f"{part}/" for part in parts)


def test_the_list_shows_open_votes_first_then_upcoming_then_closed_with_results(client, index, people):
    now = timezone.now()
    closed = ProposalFactory(index=index, title="Clos", closed_vote=True)
    votes_cast(proposal=closed, ballots={people["alice"]: "for"})
    ProposalFactory(
        index=index,
        title="Bientôt",
        vote_opens_at=now + timedelta(days=1),
        vote_closes_at=now + timedelta(days=2),
    )
    ProposalFactory(index=index, title="Ouvert", open_vote=True)
    client.force_login(people["bruno"])
    response = client.get(url(index))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    assert html.index("Ouvert") < html.index("Bientôt") < html.index("Clos")
    assert "Pour 1 · Contre 0 · Abstention 0" in html


def test_hidden_proposals_are_listed_for_editors_only_with_the_reason(client, index, people):
    proposal = ProposalFactory(index=index, title="Masquée", open_vote=True)
    services.proposal_hide(proposal=proposal, by=people["editor"], reason="Propos hors charte")
    client.force_login(people["alice"])
    assert "Masquée" not in client.get(url(index)).content.decode()
    assert client.get(url(index, proposal.pk)).status_code == 404
    client.force_login(people["editor"])
    html = client.get(url(index)).content.decode()
    assert "Masquée" in html and "Propos hors charte" in html
    assert client.get(url(index, proposal.pk)).status_code == 200


@pytest.mark.parametrize("who", [None, "other_member", "other_editor"])
def test_outsiders_reach_no_proposal_page(client, index, people, who):
    proposal = ProposalFactory(index=index, title="Secret de conseil", open_vote=True)
    if who:
        client.force_login(people[who])
    for path in (url(index), url(index, "nouvelle"), url(index, proposal.pk)):
        response = client.get(path)
        assert response.status_code in (302, 403, 404)
        assert b"Secret de conseil" not in response.content
    response = client.post(url(index, proposal.pk, "vote"), {"choice": "for"})
    assert response.status_code in (302, 403, 404)
    response = client.post(url(index, "nouvelle"), {"title": "Intrus", "body": "Texte"})
    assert response.status_code in (302, 403, 404)
    assert not Vote.objects.exists()
    assert not Proposal.objects.filter(title="Intrus").exists()


def test_a_member_outside_the_working_group_reaches_none_of_its_proposals(client, group_index, people):
    proposal = ProposalFactory(index=group_index, title="Secret du groupe", open_vote=True)
    client.force_login(people["bruno"])
    for path in (url(group_index), url(group_index, proposal.pk)):
        response = client.get(path)
        assert response.status_code in (302, 403, 404)
        assert b"Secret du groupe" not in response.content
    client.post(url(group_index, proposal.pk, "vote"), {"choice": "for"})
    assert not Vote.objects.exists()
    client.force_login(people["alice"])
    assert client.get(url(group_index, proposal.pk)).status_code == 200


def test_a_member_votes_sees_their_choice_preselected_and_changes_it(client, index, people):
    proposal = ProposalFactory(index=index, open_vote=True)
    client.force_login(people["alice"])
    detail = url(index, proposal.pk)
    html = client.get(detail).content.decode()
    assert '<fieldset class="vote-form__choices"' in html and html.count('type="radio"') == 3
    vote_form = html.split('<fieldset class="vote-form__choices"')[1].split("</fieldset>")[0]
    assert "checked" not in vote_form
    response = client.post(url(index, proposal.pk, "vote"), {"choice": "for"})
    assert response.status_code == 303 and response["Location"].endswith(detail + "#vote")
    assert "private" in response["Cache-Control"]
    response = client.get(detail)
    html = response.content.decode()
    assert re.search(r'<input[^>]*value="for"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="against"[^>]*checked', html)
    assert "Votre vote est enregistré" in html and "Vous avez voté : <strong>Pour</strong>" in html
    client.post(url(index, proposal.pk, "vote"), {"choice": "abstain"})
    assert Vote.objects.get(proposal=proposal, voter=people["alice"]).choice == "abstain"


def test_a_vote_after_the_close_changes_nothing_and_says_why(client, index, people):
    proposal = ProposalFactory(index=index, open_vote=True)
    client.force_login(people["alice"])
    client.post(url(index, proposal.pk, "vote"), {"choice": "for"})
    Proposal.objects.filter(pk=proposal.pk).update(
        vote_opens_at=timezone.now() - timedelta(days=2), vote_closes_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(url(index, proposal.pk, "vote"), {"choice": "against"}, follow=True)
    assert "Le vote sur cette proposition est clos." in response.content.decode()
    assert Vote.objects.get(proposal=proposal).choice == "for"


def test_a_vote_on_a_hidden_proposal_changes_nothing(client, index, people):
    proposal = ProposalFactory(index=index, open_vote=True)
    services.proposal_hide(proposal=proposal, by=people["editor"], reason="Doublon")
    client.force_login(people["editor"])
    response = client.post(url(index, proposal.pk, "vote"), {"choice": "for"}, follow=True)
    assert "on ne peut pas voter dessus" in response.content.decode()
    assert not Vote.objects.exists()


def test_an_empty_ballot_is_refused_with_a_message(client, index, people):
    proposal = ProposalFactory(index=index, open_vote=True)
    client.force_login(people["alice"])
    response = client.post(url(index, proposal.pk, "vote"), {})
    assert response.status_code == 400
    assert "Choisissez pour, contre ou abstention." in response.content.decode()
    assert client.get(url(index, proposal.pk, "vote")).status_code == 405


def test_ballots_are_secret(client, index, people, council_a):
    council_a.vote_results_live = True
    council_a.save(update_fields=["vote_results_live"])
    open_one = ProposalFactory(index=index, open_vote=True)
    closed = ProposalFactory(index=index, closed_vote=True)
    for proposal in (open_one, closed):
        votes_cast(proposal=proposal, ballots={people["bruno"]: "against"})
    client.force_login(people["alice"])
    pages = [url(index), url(index, open_one.pk), url(index, closed.pk)]
    for path in pages:
        html = client.get(path).content.decode()
        assert "bruno" not in html.lower() and people["bruno"].last_name not in html
        assert "Vous avez voté" not in html
    client.force_login(people["editor"])
    for path in pages:
        html = client.get(path).content.decode()
        assert "bruno" not in html.lower() and people["bruno"].last_name not in html


def test_results_are_shown_after_the_close_only_unless_live(client, index, people, council_a):
    proposal = ProposalFactory(index=index, open_vote=True)
    votes_cast(proposal=proposal, ballots={people["bruno"]: "against"})
    client.force_login(people["alice"])
    html = client.get(url(index, proposal.pk)).content.decode()
    assert 'class="results"' not in html and "Les résultats s’affichent à la clôture du vote." in html
    council_a.vote_results_live = True
    council_a.save(update_fields=["vote_results_live"])
    html = client.get(url(index, proposal.pk)).content.decode()
    assert 'class="results"' in html and "Résultats provisoires" in html


def test_the_detail_of_a_closed_vote_shows_results_by_college_and_the_quorum(
    client, index, people, council_a
):
    council_a.vote_quorum_percent = 50
    council_a.save(update_fields=["vote_quorum_percent"])
    proposal = ProposalFactory(index=index, closed_vote=True)
    votes_cast(
        proposal=proposal,
        ballots={people["alice"]: "for", people["chloe"]: "for", people["bruno"]: "against"},
    )
    client.force_login(people["david"])
    html = client.get(url(index, proposal.pk)).content.decode()
    assert "Résultats par collège" in html and "Volontaires" in html and "Tirés au sort" in html
    assert "Quorum : 50\u00a0% des membres, soit 3 votants — atteint." in html
    assert "adoptée" in html and "non adoptée" not in html
    assert '<rect class="results__fill" width="67"' in html


def test_a_member_submits_a_proposal(client, index, people):
    client.force_login(people["chloe"])
    form = client.get(url(index, "nouvelle"))
    assert form.status_code == 200 and "private" in form["Cache-Control"]
    response = client.post(url(index, "nouvelle"), {"title": "Des arceaux vélo", "body": "Place du marché."})
    assert response.status_code == 303
    proposal = Proposal.objects.get(title="Des arceaux vélo")
    assert proposal.author == people["chloe"] and response["Location"].endswith(f"/{proposal.pk}/")
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "private" in detail["Cache-Control"]


def test_an_invalid_proposal_keeps_what_was_typed(client, index, people):
    client.force_login(people["chloe"])
    response = client.post(url(index, "nouvelle"), {"title": "", "body": "Mon long texte précieux"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mon long texte précieux" in html and "Donnez un titre à votre proposition." in html
    assert 'role="alert"' in html
    assert not Proposal.objects.exists()


def test_proposals_are_rate_limited_per_member(client, index, people, settings):
    client.force_login(people["chloe"])
    for number in range(10):
        assert client.post(url(index, "nouvelle"), {"title": f"P{number}", "body": "B"}).status_code == 303
    response = client.post(url(index, "nouvelle"), {"title": "P11", "body": "Gardé"})
    assert response.status_code == 429 and "Gardé" in response.content.decode()
    assert Proposal.objects.count() == 10


def test_the_city_team_reads_but_cannot_propose(client, index, city_staff):
    client.force_login(city_staff)
    assert client.get(url(index)).status_code == 200
    assert client.post(url(index, "nouvelle"), {"title": "T", "body": "B"}).status_code == 403
    assert not Proposal.objects.exists()
