"""Roles cannot be escalated through Wagtail's user admin (issue 13, item 4).

The communications team manages council roles; only the platform administrator makes administrators,
adds people to the communications team (or any other group), or touches those accounts.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse

import pytest

from councils.factories import UserFactory
from councils.models import CouncilAccess
from councils.services import communications_team_group

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_a(council_a):
    return CouncilAccess.objects.get(council=council_a)


@pytest.fixture
def resident(council_a):
    return UserFactory(username="habitante", first_name="Anne", last_name="Habitante")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def other_group(db):
    return Group.objects.create(name="Groupe créé à la main")


def edit_data(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name or "Prénom",
        "last_name": user.last_name or "Nom",
        "is_active": "on",
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return data


def create_data(username, **overrides):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "Nouvelle",
        "last_name": "Personne",
        "password1": "un-mot-de-passe-solide-42",
        "password2": "un-mot-de-passe-solide-42",
    }
    data.update(overrides)
    return data


def group_ids(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("pk", flat=True))


def test_city_team_is_refused_when_it_posts_is_superuser_on_an_edit(client, city_staff, resident):
    client.force_login(city_staff)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[resident.pk]), edit_data(resident, is_superuser="on")
    )
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "superuser_refused")
    assert not User.objects.get(pk=resident.pk).is_superuser


def test_city_team_is_refused_when_it_creates_a_superuser(client, city_staff):
    client.force_login(city_staff)
    response = client.post(reverse("wagtailusers_users:add"), create_data("pirate", is_superuser="on"))
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "superuser_refused")
    assert not User.objects.filter(username="pirate").exists()


def test_city_team_cannot_make_itself_superuser(client, city_staff):
    client.force_login(city_staff)
    client.post(
        reverse("wagtailusers_users:edit", args=[city_staff.pk]), edit_data(city_staff, is_superuser="on")
    )
    assert not User.objects.get(pk=city_staff.pk).is_superuser


def test_city_team_is_refused_when_it_adds_someone_to_the_communications_team(client, city_staff, resident):
    client.force_login(city_staff)
    city_group = communications_team_group()
    response = client.post(
        reverse("wagtailusers_users:edit", args=[resident.pk]), edit_data(resident, groups=[city_group.pk])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["groups"]
    assert group_ids(resident) == set()


def test_city_team_is_refused_when_it_creates_a_member_of_a_non_council_group(
    client, city_staff, other_group
):
    client.force_login(city_staff)
    response = client.post(reverse("wagtailusers_users:add"), create_data("intrus", groups=[other_group.pk]))
    assert response.status_code == 200
    assert not User.objects.filter(username="intrus").exists()


def test_city_team_is_only_offered_council_roles(client, city_staff, access_a, other_group):
    client.force_login(city_staff)
    response = client.get(reverse("wagtailusers_users:add"))
    offered = set(response.context["form"].fields["groups"].queryset.values_list("pk", flat=True))
    assert offered == {access_a.editors_group_id, access_a.members_group_id}
    assert "is_superuser" not in response.context["form"].fields


def test_city_team_gives_a_council_role(client, city_staff, resident, access_a):
    client.force_login(city_staff)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[resident.pk]),
        edit_data(resident, groups=[access_a.editors_group_id]),
    )
    assert response.status_code == 302
    assert group_ids(resident) == {access_a.editors_group_id}


def test_city_team_keeps_its_own_group_when_it_edits_itself(client, city_staff, access_a):
    client.force_login(city_staff)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[city_staff.pk]),
        edit_data(city_staff, first_name="Camille", groups=[access_a.members_group_id]),
    )
    assert response.status_code == 302
    assert group_ids(city_staff) == {communications_team_group().pk, access_a.members_group_id}


@pytest.mark.parametrize("target", ["superuser", "colleague"])
@pytest.mark.parametrize("url_name", ["edit", "delete"])
def test_city_team_cannot_open_or_post_to_a_protected_account(
    client, city_staff, superuser, url_name, target
):
    colleague = UserFactory(username="collegue")
    colleague.groups.add(communications_team_group())
    account = superuser if target == "superuser" else colleague
    before = User.objects.filter(pk=account.pk).values().get()
    client.force_login(city_staff)
    url = reverse(f"wagtailusers_users:{url_name}", args=[account.pk])
    assert client.get(url).status_code in (302, 403)
    response = client.post(
        url, edit_data(account, password1="Nouveau-mdp-2024!", password2="Nouveau-mdp-2024!")
    )
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/users/" not in response["Location"]
    assert User.objects.filter(pk=account.pk).values().get() == before


def test_city_team_cannot_assign_the_city_group_through_the_bulk_action(client, city_staff, resident):
    client.force_login(city_staff)
    city_group = communications_team_group()
    url = reverse("wagtail_bulk_action", args=["accounts", "user", "assign_role"]) + f"?id={resident.pk}"
    response = client.post(url, {"role": city_group.pk})
    assert response.status_code == 200
    assert group_ids(resident) == set()


def test_city_team_cannot_deactivate_a_superuser_through_the_bulk_action(client, city_staff, superuser):
    client.force_login(city_staff)
    url = (
        reverse("wagtail_bulk_action", args=["accounts", "user", "set_active_state"]) + f"?id={superuser.pk}"
    )
    client.post(url, {"mark_as_active": "False"})
    assert User.objects.get(pk=superuser.pk).is_active


def test_superuser_can_make_an_administrator_and_give_any_group(client, superuser, resident, other_group):
    client.force_login(superuser)
    city_group = communications_team_group()
    response = client.post(
        reverse("wagtailusers_users:edit", args=[resident.pk]),
        edit_data(resident, is_superuser="on", groups=[city_group.pk, other_group.pk]),
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_superuser
    assert group_ids(resident) == {city_group.pk, other_group.pk}


def test_superuser_can_assign_the_city_group_through_the_bulk_action(client, superuser, resident):
    client.force_login(superuser)
    city_group = communications_team_group()
    url = reverse("wagtail_bulk_action", args=["accounts", "user", "assign_role"]) + f"?id={resident.pk}"
    response = client.post(url, {"role": city_group.pk})
    assert response.status_code == 302
    assert group_ids(resident) == {city_group.pk}


def resident_editor_urls(editor, other, group):
    return [
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:add"),
        reverse("wagtailusers_users:edit", args=[editor.pk]),
        reverse("wagtailusers_users:edit", args=[other.pk]),
        reverse("wagtailusers_users:delete", args=[other.pk]),
        reverse("wagtailusers_users:history", args=[other.pk]),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailusers_groups:add"),
        reverse("wagtailusers_groups:edit", args=[group.pk]),
        reverse("wagtailusers_groups:delete", args=[group.pk]),
        reverse("wagtail_bulk_action", args=["accounts", "user", "assign_role"]) + f"?id={editor.pk}",
    ]


def test_resident_editor_never_reaches_the_user_or_group_admin(client, editor_a, resident, access_a):
    client.force_login(editor_a)
    before = group_ids(editor_a)
    for url in resident_editor_urls(editor_a, resident, access_a.editors_group):
        for response in (client.get(url), client.post(url, {"role": communications_team_group().pk})):
            assert response.status_code in (302, 403), url
            if response.status_code == 302:
                assert response["Location"].rstrip("/").endswith("/admin"), url
    assert group_ids(editor_a) == before
