"""A member's consent to their name in a council's public list, from "Mon espace"."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from councils.factories import MembershipFactory, UserFactory
from councils.models import Membership
from members import services


def _url(council):
    return reverse("members_space:consent", args=[council.pk])


def test_the_consent_url_is_under_mon_espace(council_a):
    assert _url(council_a) == f"/mon-espace/visibilite/{council_a.pk}/"


def test_member_consents_lists_the_persons_open_mandates_by_council(
    council_a, council_b, member_a, city_staff
):
    ended = MembershipFactory(council=council_b, user=member_a)
    services.membership_end(membership=ended, by=city_staff)
    assert services.member_consents(member_a) == [(council_a, member_a.memberships.open().get())]
    assert services.member_consents(UserFactory()) == []


def test_a_member_shows_then_hides_their_name(client, council_a, member_a):
    client.force_login(member_a)
    response = client.post(_url(council_a), {"listed": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:member_space")
    assert member_a.memberships.get().listed_publicly
    assert "private" in response.get("Cache-Control", "") or "no-cache" in response.get("Cache-Control", "")
    client.post(_url(council_a), {"listed": "0"})
    assert not member_a.memberships.get().listed_publicly


def test_the_consent_view_takes_posts_only_and_a_signed_in_person(client, council_a, member_a):
    assert client.post(_url(council_a), {"listed": "1"}).status_code == 302  # to the sign-in page
    assert not member_a.memberships.get().listed_publicly
    client.force_login(member_a)
    response = client.get(_url(council_a))  # a link followed or a reload: back to "Mon espace", no change
    assert (response.status_code, response["Location"]) == (302, "/mon-espace/")


def test_nobody_changes_someone_elses_consent(client, council_a, council_b, member_a, editor_a):
    client.force_login(editor_a)  # the council's editor: their own mandate only
    client.post(_url(council_a), {"listed": "1"})
    assert not member_a.memberships.get().listed_publicly
    assert editor_a.memberships.get().listed_publicly
    client.force_login(member_a)
    assert client.post(_url(council_b), {"listed": "1"}).status_code == 404  # not a member there
    assert client.post(reverse("members_space:consent", args=[999999]), {"listed": "1"}).status_code == 404
    assert not Membership.objects.filter(council=council_b).exists()


def test_an_ended_mandate_has_no_switch(client, council_a, member_a, city_staff):
    services.membership_end(membership=member_a.memberships.get(), by=city_staff)
    client.force_login(member_a)
    assert client.post(_url(council_a), {"listed": "1"}).status_code == 404


def test_the_consent_needs_the_csrf_token(council_a, member_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    assert client.post(_url(council_a), {"listed": "1"}).status_code == 403
    assert not member_a.memberships.get().listed_publicly


def test_the_include_offers_the_switch_for_the_current_state(council_a, member_a):
    request = RequestFactory().get("/mon-espace/")
    request.user = member_a
    ((council, membership),) = services.member_consents(member_a)
    html = render_to_string(
        "members/includes/consent_form.html", {"council": council, "membership": membership}, request=request
    )
    assert _url(council_a) in html and 'name="listed" value="1"' in html and "csrfmiddlewaretoken" in html
    membership.listed_publicly = True
    html = render_to_string(
        "members/includes/consent_form.html", {"council": council, "membership": membership}, request=request
    )
    assert 'name="listed" value="0"' in html
