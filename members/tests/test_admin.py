"""The "Membres" admin screens: who may open them, invite whom, and remove which role."""

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from councils.factories import UserFactory
from councils.services import council_add_editor, council_add_member
from members.models import Invitation, Role

User = get_user_model()


def _council_url(council):
    return reverse("members_admin:council", args=[council.pk])


def _remove_url(council, user, role):
    return reverse("members_admin:role_remove", args=[council.pk, user.pk, role])


@pytest.fixture
def editor_b(council_b):
    user = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=user)
    return user


def test_the_communications_team_sees_the_councils_people_and_can_invite_editors(
    client, council_a, editor_a, member_a, city_staff
):
    client.force_login(city_staff)
    response = client.get(_council_url(council_a))
    assert response.status_code == 200
    content = response.content.decode()
    assert editor_a.email in content and member_a.email in content
    assert 'value="editor"' in content and 'value="member"' in content
    mandate = editor_a.memberships.get(council=council_a)
    assert reverse("members_admin:mandate_end", args=[council_a.pk, mandate.pk]) in content


def test_the_communications_team_invites_an_editor_from_the_admin(
    client, council_a, city_staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_council_url(council_a), {"email": "alice@example.org", "role": "editor"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.council, invitation.role, invitation.invited_by) == (
        council_a,
        Role.EDITOR,
        city_staff,
    )
    assert mailoutbox[0].to == ["alice@example.org"]


def test_a_council_editor_may_invite_members_only(
    client, council_a, editor_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    content = client.get(_council_url(council_a)).content.decode()
    assert 'value="member"' in content
    assert 'value="editor"' not in content

    response = client.post(_council_url(council_a), {"email": "chef@example.org", "role": "editor"})
    assert response.status_code == 200  # the form refuses the choice
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="chef@example.org").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_council_url(council_a), {"email": "voisin@example.org", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.MEMBER
    assert len(mailoutbox) == 1


def test_a_council_editor_cannot_remove_another_editor(client, council_a, editor_a):
    other = UserFactory(username="coediteur")
    council_add_editor(council=council_a, user=other)
    client.force_login(editor_a)
    assert (
        _remove_url(council_a, other, Role.EDITOR) not in client.get(_council_url(council_a)).content.decode()
    )
    assert client.post(_remove_url(council_a, other, Role.EDITOR)).status_code == 403
    assert other.groups.filter(pk=council_a.access.editors_group.pk).exists()


def test_another_councils_editor_gets_403_and_nothing_changes(
    client, council_a, council_b, editor_a, member_a, editor_b
):
    client.force_login(editor_b)
    urls = [
        _council_url(council_a),
        _remove_url(council_a, member_a, Role.MEMBER),
        _remove_url(council_a, editor_a, Role.EDITOR),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert council_a.title not in response.content.decode()
        assert member_a.email not in response.content.decode()
    assert (
        client.post(_council_url(council_a), {"email": "x@example.org", "role": "member"}).status_code == 403
    )
    assert client.post(_remove_url(council_a, member_a, Role.MEMBER)).status_code == 403
    assert not Invitation.objects.exists()
    assert member_a.groups.filter(pk=council_a.access.members_group.pk).exists()


def test_an_unknown_council_looks_the_same_as_a_forbidden_one_to_an_editor(client, council_a, editor_b):
    client.force_login(editor_b)
    assert client.get(reverse("members_admin:council", args=[999999])).status_code == 403
    assert client.get(_council_url(council_a)).status_code == 403


def test_a_member_or_a_stranger_cannot_open_the_screens(client, council_a, member_a):
    client.force_login(member_a)
    assert client.get(reverse("members_admin:index")).status_code in (302, 403)
    assert client.get(_council_url(council_a)).status_code in (302, 403)
    client.logout()
    response = client.get(_council_url(council_a))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]


def test_removing_a_role_asks_first_then_takes_it_away(client, council_a, member_a, city_staff):
    client.force_login(city_staff)
    url = _remove_url(council_a, member_a, Role.MEMBER)
    page = client.get(url)
    assert page.status_code == 200
    assert member_a.groups.filter(pk=council_a.access.members_group.pk).exists()
    assert client.post(url).status_code == 302
    assert not member_a.groups.filter(pk=council_a.access.members_group.pk).exists()
    assert User.objects.filter(pk=member_a.pk).exists()  # the account stays


def test_withdrawing_a_pending_invitation_kills_its_link(client, council_a, city_staff, invite, mailoutbox):
    from .conftest import link_in

    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    alice = User.objects.get(email="alice@example.org")
    client.force_login(city_staff)
    url = _remove_url(council_a, alice, Role.EDITOR)
    assert url in client.get(_council_url(council_a)).content.decode()
    assert client.post(url).status_code == 302
    client.logout()
    assert client.get(link_in(mailoutbox[0])).status_code == 404
    assert not Invitation.objects.exists()


def test_removing_a_role_nobody_holds_or_was_invited_to_is_a_404(client, council_a, member_a, city_staff):
    client.force_login(city_staff)
    assert client.post(_remove_url(council_a, member_a, Role.EDITOR)).status_code == 404


def test_the_council_page_offers_a_members_button_to_those_who_manage_it(
    client, council_a, editor_a, city_staff
):
    for user in (city_staff, editor_a):
        client.force_login(user)
        content = client.get(reverse("wagtailadmin_explore", args=[council_a.pk])).content.decode()
        assert _council_url(council_a) in content


def test_the_members_menu_leads_an_editor_to_their_council(client, council_a, editor_a, member_a):
    client.force_login(editor_a)
    response = client.get(reverse("members_admin:index"))
    assert response.status_code == 302
    assert response["Location"] == _council_url(council_a)
    assert reverse("members_admin:index") in client.get(reverse("wagtailadmin_home")).content.decode()


def test_an_editor_of_two_councils_manages_both(client, council_a, council_b, editor_a):
    council_add_member(council=council_b, user=editor_a)  # a member there: still no say
    client.force_login(editor_a)
    assert client.get(_council_url(council_b)).status_code == 403
    council_add_editor(council=council_b, user=editor_a)
    assert client.get(_council_url(council_b)).status_code == 200
