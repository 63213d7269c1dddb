"""Invitations: the email, the single-use and expiring link, the account, the role."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest
import time_machine

from councils.factories import UserFactory
from members import services
from members.models import Invitation, Role

from .conftest import link_in

User = get_user_model()
PASSWORD = "Un-long-mot-de-passe-42"


def _accept(client, path, password=PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_inviting_a_new_person_creates_an_account_without_password_and_sends_a_french_email(
    council_a, city_staff, invite, mailoutbox
):
    invitation = invite(
        council=council_a, email="Alice.Martin@Example.org", role=Role.EDITOR, invited_by=city_staff
    )

    user = User.objects.get(email="alice.martin@example.org")
    assert invitation.user == user
    assert user.is_active and not user.has_usable_password()
    assert user.username == "alicemartin"
    assert not user.groups.filter(pk=council_a.access.editors_group.pk).exists()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice.martin@example.org"]
    assert "Conseil de quartier Centre" in message.subject
    assert "Invitation" in message.subject
    assert "Bonjour" in message.body
    assert "choisissez votre mot de passe" in message.body.lower()
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert link_in(message) in message.alternatives[0][0]


def test_the_token_is_stored_only_as_a_hash(council_a, city_staff, invite, mailoutbox):
    invitation = invite(council=council_a, email="bob@example.org", role=Role.MEMBER, invited_by=city_staff)
    token = link_in(mailoutbox[0]).split("/")[2]
    assert invitation.token_hash == services.token_hash(token)
    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_the_link_sets_the_password_gives_the_role_and_signs_the_editor_in(
    client, council_a, city_staff, invite, mailoutbox
):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    path = link_in(mailoutbox[0])

    page = client.get(path)
    assert page.status_code == 200
    assert "Choisissez votre mot de passe" in page.content.decode()

    response = _accept(client, path)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    user = User.objects.get(email="alice@example.org")
    assert user.check_password(PASSWORD)
    assert user.groups.filter(pk=council_a.access.editors_group.pk).exists()
    assert client.get(reverse("wagtailadmin_home")).status_code == 200  # signed in
    assert Invitation.objects.get(user=user).accepted_at is not None

    client.logout()
    assert client.login(username="alice@example.org", password=PASSWORD)


def test_a_member_lands_on_the_council_page(client, council_a, city_staff, invite, mailoutbox):
    invite(council=council_a, email="bob@example.org", role=Role.MEMBER, invited_by=city_staff)
    response = _accept(client, link_in(mailoutbox[0]))
    assert response.status_code == 302
    assert response["Location"] == council_a.url
    user = User.objects.get(email="bob@example.org")
    assert user.groups.filter(pk=council_a.access.members_group.pk).exists()
    assert not user.groups.filter(pk=council_a.access.editors_group.pk).exists()


def test_a_weak_password_is_refused_in_french_and_nothing_changes(
    client, council_a, city_staff, invite, mailoutbox
):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    path = link_in(mailoutbox[0])
    response = _accept(client, path, password="1234")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce mot de passe est trop court" in content
    user = User.objects.get(email="alice@example.org")
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert client.get(path).status_code == 200  # the link still works


def test_a_used_link_is_refused_with_410_and_changes_nothing(
    client, council_a, city_staff, invite, mailoutbox
):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    path = link_in(mailoutbox[0])
    assert _accept(client, path).status_code == 302
    client.logout()

    response = _accept(client, path, password="Un-autre-mot-de-passe-99")
    assert response.status_code == 410
    assert "déjà été utilisé" in response.content.decode()
    assert User.objects.get(email="alice@example.org").check_password(PASSWORD)


def test_an_expired_link_is_refused_with_410_and_changes_nothing(
    client, council_a, city_staff, invite, mailoutbox
):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    path = link_in(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client.get(path).status_code == 410
        response = _accept(client, path)
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    user = User.objects.get(email="alice@example.org")
    assert not user.has_usable_password()
    assert not user.groups.exists()


def test_a_link_is_still_valid_just_before_it_expires(client, council_a, city_staff, invite, mailoutbox):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(link_in(mailoutbox[0])).status_code == 200


@pytest.mark.parametrize("change", ["last character", "truncated", "other token"])
def test_a_tampered_link_is_refused_with_404_and_changes_nothing(
    client, council_a, city_staff, invite, mailoutbox, change
):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    token = link_in(mailoutbox[0]).split("/")[2]
    tampered = {
        "last character": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "truncated": token[:20],
        "other token": "x" * 43,
    }[change]
    response = _accept(client, f"/invitation/{tampered}/")
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()
    user = User.objects.get(email="alice@example.org")
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_existing_account_gets_the_role_at_once_and_keeps_its_password(
    council_a, city_staff, invite, mailoutbox
):
    existing = UserFactory(username="claire", email="claire@example.org", password="ancien-mot-de-passe")
    invitation = invite(
        council=council_a, email="CLAIRE@example.org", role=Role.MEMBER, invited_by=city_staff
    )

    assert invitation.user == existing
    assert User.objects.filter(email__iexact="claire@example.org").count() == 1
    existing.refresh_from_db()
    assert existing.check_password("ancien-mot-de-passe")
    assert existing.groups.filter(pk=council_a.access.members_group.pk).exists()
    assert invitation.accepted_at is not None
    body = mailoutbox[0].body
    assert "/invitation/" not in body
    assert "mot de passe habituel" in body


def test_a_new_invitation_replaces_the_pending_one(client, council_a, city_staff, invite, mailoutbox):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    first, second = link_in(mailoutbox[0]), link_in(mailoutbox[1])
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert Invitation.objects.count() == 1
    assert User.objects.filter(email="alice@example.org").count() == 1


def test_a_deactivated_account_is_not_invited(council_a, city_staff, invite):
    UserFactory(username="parti", email="parti@example.org", is_active=False)
    with pytest.raises(ValidationError):
        invite(council=council_a, email="parti@example.org", role=Role.MEMBER, invited_by=city_staff)
    assert not Invitation.objects.exists()


def test_each_change_is_recorded_in_the_council_history(client, council_a, city_staff, invite, mailoutbox):
    invite(council=council_a, email="alice@example.org", role=Role.EDITOR, invited_by=city_staff)
    _accept(client, link_in(mailoutbox[0]))
    alice = User.objects.get(email="alice@example.org")
    services.council_role_remove(council=council_a, user=alice, role=Role.EDITOR, by=city_staff)

    entries = list(PageLogEntry.objects.filter(page=council_a, action__startswith="parvis.").order_by("pk"))
    assert [(e.action, e.user_id) for e in entries] == [
        (services.ACTION_INVITE, city_staff.pk),
        (services.ACTION_ROLE_ADD, alice.pk),
        (services.ACTION_ROLE_REMOVE, city_staff.pk),
    ]
    assert [e.message for e in entries] == [
        "Invitation de alice@example.org comme éditeur",
        "Rôle éditeur donné à alice@example.org",
        "Rôle éditeur retiré à alice@example.org",
    ]

    client.force_login(city_staff)
    history = client.get(reverse("wagtailadmin_pages:history", args=[council_a.pk])).content.decode()
    assert "alice@example.org" in history
