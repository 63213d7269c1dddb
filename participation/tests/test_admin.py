"""The admin screen of a proposals page: who opens it, what it does, and its bounded queries."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from councils.factories import UserFactory
from councils.services import council_add_member
from participation.factories import ProposalFactory, ProposalIndexPageFactory, votes_cast
from participation.models import Proposal

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"participation_admin:{name}", args=args)


def test_the_councils_editor_and_the_city_open_the_screen(client, index, people, city_staff):
    ProposalFactory(index=index, title="Des bancs")
    for user in (people["editor"], city_staff):
        client.force_login(user)
        response = client.get(admin_url("index", index.pk))
        assert response.status_code == 200 and b"Des bancs" in response.content


@pytest.mark.parametrize("who", ["other_editor", "other_member", "alice"])
def test_anyone_else_gets_a_403_and_sees_nothing(client, index, people, who):
    proposal = ProposalFactory(index=index, title="Secret de conseil")
    client.force_login(people[who])
    for name, args in (
        ("index", [index.pk]),
        ("resolution", [index.pk]),
        ("hide", [index.pk, proposal.pk]),
        ("unhide", [index.pk, proposal.pk]),
        ("window", [index.pk, proposal.pk]),
    ):
        for method in (client.get, client.post):
            response = method(admin_url(name, *args), {"reason": "x", "title": "x", "body": "x"})
            assert response.status_code in (302, 403, 404), (name, response.status_code)
            assert b"Secret de conseil" not in response.content
    proposal.refresh_from_db()
    assert not proposal.is_hidden and Proposal.objects.count() == 1


def test_a_proposal_of_another_page_is_not_reached_through_this_one(client, index, council_b, people):
    other_index = ProposalIndexPageFactory(parent=council_b)
    other = ProposalFactory(index=other_index, title="Ailleurs")
    client.force_login(people["editor"])
    response = client.get(admin_url("hide", index.pk, other.pk))
    assert response.status_code in (403, 404) and b"Ailleurs" not in response.content
    assert client.get(admin_url("index", other_index.pk)).status_code == 403


def test_an_editor_hides_with_a_reason_then_shows_again(client, index, people):
    proposal = ProposalFactory(index=index)
    client.force_login(people["editor"])
    response = client.post(admin_url("hide", index.pk, proposal.pk), {"reason": ""})
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert not proposal.is_hidden
    response = client.post(admin_url("hide", index.pk, proposal.pk), {"reason": "Hors charte"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.hidden_reason == "Hors charte"
    assert b"Hors charte" in client.get(admin_url("index", index.pk)).content
    client.post(admin_url("unhide", index.pk, proposal.pk))
    proposal.refresh_from_db()
    assert not proposal.is_hidden


def test_an_editor_sets_the_window(client, index, people):
    proposal = ProposalFactory(index=index)
    client.force_login(people["editor"])
    response = client.post(
        admin_url("window", index.pk, proposal.pk),
        {"opens_at": "2030-03-01T18:00", "closes_at": "2030-03-01T17:00"},
    )
    assert response.status_code == 200
    response = client.post(
        admin_url("window", index.pk, proposal.pk),
        {"opens_at": "2030-03-01T18:00", "closes_at": "2030-03-08T18:00"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert timezone.localtime(proposal.vote_opens_at).hour == 18
    assert proposal.vote_closes_at - proposal.vote_opens_at == timedelta(days=7)


def test_an_editor_adds_a_plenary_resolution(client, index, people):
    client.force_login(people["editor"])
    response = client.post(
        admin_url("resolution", index.pk),
        {"title": "Résolution : zone 30", "body": "Texte", "opens_at": "", "closes_at": ""},
    )
    assert response.status_code == 302
    resolution = Proposal.objects.get()
    assert resolution.kind == "resolution" and resolution.author == people["editor"]


def test_the_page_explorer_shows_a_button_to_the_screen(client, index, people):
    client.force_login(people["editor"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[index.pk]))
    assert admin_url("index", index.pk).encode() in response.content


def _grow(index, people, council, count):
    """`count` proposals (a third open, a third closed, a third without a window), each with ballots from
    `count` extra members plus the fixture's."""
    extra = [UserFactory(username=f"membre-{count}-{i}") for i in range(count)]
    for user in extra:
        council_add_member(council=council, user=user)
    voters = [*extra, people["alice"], people["bruno"]]
    for number in range(count):
        kind = ("open_vote", "closed_vote", None)[number % 3]
        proposal = ProposalFactory(index=index, **({kind: True} if kind else {}))
        if kind:
            votes_cast(
                proposal=proposal, ballots={user: ("for", "against")[i % 2] for i, user in enumerate(voters)}
            )


@pytest.mark.parametrize("count", [3, 30])
def test_the_pages_run_a_bounded_number_of_queries(
    client, index, people, council_a, count, django_assert_max_num_queries
):
    council_a.vote_results_live = True
    council_a.save(update_fields=["vote_results_live"])
    _grow(index, people, council_a, count)
    closed = Proposal.objects.voting_closed().first()
    client.force_login(people["alice"])
    client.get(index.url)  # warm Wagtail's site caches
    with django_assert_max_num_queries(32):  # 30 + the newsletter footer
        assert client.get(index.url).status_code == 200
    with django_assert_max_num_queries(32):  # 30 + the newsletter footer
        assert client.get(f"{index.url}{closed.pk}/").status_code == 200
    client.force_login(people["editor"])
    with django_assert_max_num_queries(25):
        assert client.get(admin_url("index", index.pk)).status_code == 200
