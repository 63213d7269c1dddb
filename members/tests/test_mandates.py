"""Mandates on the "Membres" admin screen: by college, moving, positions, ending, with the history."""

import datetime

from django.urls import reverse

from wagtail.models import PageLogEntry

import pytest
import time_machine

from councils.factories import CollegeFactory, MembershipFactory, UserFactory, working_group_create
from councils.models import Membership, Position
from councils.services import council_add_editor
from members import services
from members.models import Invitation, Role

TODAY = datetime.datetime(2030, 3, 10, 10, 0, tzinfo=datetime.UTC)


def _council_url(council):
    return reverse("members_admin:council", args=[council.pk])


def _mandate_url(membership):
    return reverse("members_admin:mandate", args=[membership.council_id, membership.pk])


def _end_url(membership):
    return reverse("members_admin:mandate_end", args=[membership.council_id, membership.pk])


def _actions(council):
    return list(PageLogEntry.objects.filter(page=council).values_list("action", flat=True))


@pytest.fixture
def editor_b(council_b):
    user = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=user)
    return user


@pytest.fixture
def colleges(council_a):
    return [
        CollegeFactory(council=council_a, name="Volontaires", sort_order=1),
        CollegeFactory(council=council_a, name="Tirés au sort", sort_order=2, drawn_by_lot=True),
    ]


@pytest.fixture
def mandate(council_a, colleges):
    user = UserFactory(username="camille", first_name="Camille", last_name="Martin")
    return MembershipFactory(council=council_a, user=user, college=colleges[1], position=Position.SECRETARY)


def test_the_members_screen_lists_mandates_by_college_then_those_without(
    client, council_a, editor_a, colleges, mandate
):
    volunteer = MembershipFactory(
        council=council_a, user=UserFactory(first_name="Zoé", last_name="Abel"), college=colleges[0]
    )
    client.force_login(editor_a)
    content = client.get(_council_url(council_a)).content.decode()
    volunteers, drawn, without = (
        content.index("Volontaires"),
        content.index("Tirés au sort"),
        content.index("Sans collège"),
    )
    assert volunteers < content.index(volunteer.user.email) < drawn < content.index(mandate.user.email)
    assert drawn < without < content.index(editor_a.email)  # the editor has no college
    assert "Secrétaire" in content
    # The editor manages the members' mandates, not their own nor another editor's.
    assert _end_url(mandate) in content and _mandate_url(mandate) in content
    assert _end_url(editor_a.memberships.get()) not in content


def test_an_editor_moves_a_member_to_another_college_and_changes_their_position(
    client, council_a, editor_a, colleges, mandate
):
    client.force_login(editor_a)
    assert client.get(_mandate_url(mandate)).status_code == 200
    response = client.post(_mandate_url(mandate), {"college": colleges[0].pk, "position": Position.PRESIDENT})
    assert response.status_code == 302 and response["Location"] == _council_url(council_a)
    mandate.refresh_from_db()
    assert (mandate.college, mandate.position) == (colleges[0], Position.PRESIDENT)
    entries = PageLogEntry.objects.filter(page=council_a, user=editor_a)
    move = entries.get(action=services.ACTION_COLLEGE_MOVE)
    assert (move.data["old_college"], move.data["college"]) == ("Tirés au sort", "Volontaires")
    assert "Tirés au sort" in move.message and "Volontaires" in move.message
    change = entries.get(action=services.ACTION_POSITION_CHANGE)
    assert (change.data["old_position"], change.data["position"]) == ("secretary", "president")
    # Saving the same values again records nothing.
    client.post(_mandate_url(mandate), {"college": colleges[0].pk, "position": Position.PRESIDENT})
    assert entries.count() == 2


def test_a_member_can_leave_every_college(client, council_a, editor_a, mandate):
    client.force_login(editor_a)
    assert client.post(_mandate_url(mandate), {"college": "", "position": ""}).status_code == 302
    mandate.refresh_from_db()
    assert (mandate.college, mandate.position) == (None, "")


def test_a_college_of_another_council_is_refused(client, council_a, council_b, editor_a, mandate):
    elsewhere = CollegeFactory(council=council_b, name="Ailleurs")
    client.force_login(editor_a)
    response = client.post(_mandate_url(mandate), {"college": elsewhere.pk, "position": ""})
    assert response.status_code == 200  # the form says the choice is not valid
    mandate.refresh_from_db()
    assert mandate.college.council_id == council_a.pk
    with pytest.raises(services.PermissionDenied):
        services.membership_update(membership=mandate, by=editor_a, college=elsewhere, position="")


@time_machine.travel(TODAY, tick=False)
def test_ending_a_mandate_asks_for_a_date_then_removes_access_and_working_groups(
    client, council_a, editor_a, mandate
):
    member = mandate.user
    group = working_group_create(council_a, "Mobilités", members=[member])
    members_group = council_a.access.members_group
    assert member.groups.filter(pk=group.access.group_id).exists()
    client.force_login(editor_a)
    page = client.get(_end_url(mandate))
    assert page.status_code == 200 and 'type="date"' in page.content.decode()
    assert member.groups.filter(pk=members_group.pk).exists()  # asking changes nothing

    response = client.post(_end_url(mandate), {"ended_on": "2030-03-01"})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.ended_on == datetime.date(2030, 3, 1)
    assert not member.groups.filter(pk__in=[members_group.pk, group.access.group_id]).exists()
    entry = PageLogEntry.objects.get(page=council_a, action=services.ACTION_MANDATE_END)
    assert (entry.user, entry.data["user_id"], entry.data["ended_on"]) == (editor_a, member.pk, "2030-03-01")
    assert "01/03/2030" in entry.message
    # An ended mandate is history: shown collapsed, no longer editable.
    content = client.get(_council_url(council_a)).content.decode()
    assert "<details" in content and "Mandats terminés (1)" in content
    assert client.get(_end_url(mandate)).status_code == 404
    assert client.get(_mandate_url(mandate)).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_mandate_cannot_end_in_the_future_nor_before_it_started(client, council_a, editor_a, colleges):
    mandate = MembershipFactory(council=council_a, started_on=datetime.date(2030, 2, 1))
    client.force_login(editor_a)
    for ended_on in ("2030-03-11", "2030-01-31", "pas une date"):
        response = client.post(_end_url(mandate), {"ended_on": ended_on})
        assert response.status_code == 200, ended_on
        assert 'role="alert"' in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.ended_on is None
    assert mandate.user.groups.filter(pk=council_a.access.members_group_id).exists()
    assert services.ACTION_MANDATE_END not in _actions(council_a)


def test_ending_a_mandate_withdraws_a_pending_invitation(council_a, city_staff, mandate):
    Invitation.objects.create(
        council=council_a, email=mandate.user.email, role=Role.MEMBER, user=mandate.user, token_hash="x" * 64
    )
    services.membership_end(membership=mandate, by=city_staff)
    assert not Invitation.objects.exists()


def test_an_editor_cannot_end_or_change_an_editors_mandate(client, council_a, editor_a):
    other = UserFactory(username="coediteur")
    other_mandate = council_add_editor(council=council_a, user=other)
    client.force_login(editor_a)
    for url in (_mandate_url(other_mandate), _end_url(other_mandate)):
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"ended_on": "2026-01-01", "college": "", "position": "president"}).status_code
            == 403
        )
    other_mandate.refresh_from_db()
    assert other_mandate.ended_on is None and other_mandate.position == ""
    assert other.groups.filter(pk=council_a.access.editors_group_id).exists()


def test_the_communications_team_ends_an_editors_mandate(client, council_a, editor_a, city_staff):
    mandate = editor_a.memberships.get()
    client.force_login(city_staff)
    assert client.post(_end_url(mandate), {"ended_on": ""}).status_code == 200  # a date is required
    assert client.post(_end_url(mandate), {"ended_on": datetime.date.today().isoformat()}).status_code == 302
    assert not editor_a.groups.filter(pk=council_a.access.editors_group_id).exists()
    assert PageLogEntry.objects.get(action=services.ACTION_MANDATE_END).data["role"] == "editor"


def test_another_councils_editor_cannot_see_or_touch_a_mandate(
    client, council_a, council_b, editor_b, mandate, colleges
):
    client.force_login(editor_b)
    before = list(Membership.objects.values_list("pk", "college_id", "position", "ended_on"))
    for url in (_mandate_url(mandate), _end_url(mandate)):
        response = client.get(url)
        assert response.status_code == 403, url
        assert mandate.user.email not in response.content.decode()
        response = client.post(url, {"ended_on": "2026-01-01", "college": colleges[0].pk, "position": ""})
        assert response.status_code == 403, url
    # Naming A's mandate under B's council is no way round: the mandate is not B's.
    wrong = reverse("members_admin:mandate", args=[council_b.pk, mandate.pk])
    assert client.get(wrong).status_code in (403, 404)
    assert client.post(reverse("members_admin:mandate_end", args=[council_b.pk, mandate.pk])).status_code in (
        403,
        404,
    )
    assert list(Membership.objects.values_list("pk", "college_id", "position", "ended_on")) == before


def test_a_member_cannot_open_the_mandate_screens(client, council_a, member_a, mandate):
    client.force_login(member_a)
    assert client.get(_mandate_url(mandate)).status_code in (302, 403)
    assert client.post(_end_url(mandate), {"ended_on": "2026-01-01"}).status_code in (302, 403)
    mandate.refresh_from_db()
    assert mandate.ended_on is None


def test_an_invitation_opens_a_mandate_in_its_college_with_its_position(
    client, council_a, editor_a, colleges, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _council_url(council_a),
            {
                "email": "lea@example.org",
                "role": "member",
                "college": colleges[1].pk,
                "position": "treasurer",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.college, invitation.position) == (colleges[1], "treasurer")
    client.logout()
    link = mailoutbox[0].body.split("http://testserver", 1)[1].split()[0]
    response = client.post(
        link, {"new_password1": "Un-Mot-De-Passe-42", "new_password2": "Un-Mot-De-Passe-42"}
    )
    assert response.status_code == 302
    mandate = Membership.objects.get(user__email="lea@example.org")
    assert (mandate.college, mandate.position, mandate.role) == (colleges[1], "treasurer", "member")


def test_an_existing_account_gets_the_college_and_position_at_once(council_a, editor_a, colleges):
    user = UserFactory(email="sam@example.org")
    services.invitation_create(
        council=council_a,
        email="sam@example.org",
        role=Role.MEMBER,
        invited_by=editor_a,
        college=colleges[0],
        position="spokesperson",
    )
    mandate = Membership.objects.open().get(user=user)
    assert (mandate.college, mandate.position) == (colleges[0], "spokesperson")


def test_an_invitation_to_another_councils_college_is_refused(council_a, council_b, editor_a):
    elsewhere = CollegeFactory(council=council_b, name="Ailleurs")
    with pytest.raises(services.PermissionDenied):
        services.invitation_create(
            council=council_a, email="x@example.org", role=Role.MEMBER, invited_by=editor_a, college=elsewhere
        )
    assert not Invitation.objects.exists()


def test_an_editor_still_cannot_give_the_editor_role(client, council_a, editor_a, colleges):
    client.force_login(editor_a)
    response = client.post(
        _council_url(council_a), {"email": "chef@example.org", "role": "editor", "college": colleges[0].pk}
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_the_history_shows_the_mandate_changes(client, council_a, editor_a, city_staff, colleges, mandate):
    services.membership_update(membership=mandate, by=editor_a, college=colleges[0], position="president")
    services.membership_end(membership=mandate, by=editor_a)
    client.force_login(city_staff)
    response = client.get(reverse("wagtailadmin_pages:history", args=[council_a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for label in ("Changement de collège", "Changement de fonction", "Fin de mandat"):
        assert label in content


def _people(council, colleges, count):
    for number in range(count):
        MembershipFactory(
            council=council,
            user=UserFactory(first_name=f"Prénom{number}", last_name=f"Nom{number}"),
            college=colleges[number % 3] if number % 4 else None,
            position=Position.SECRETARY if number % 5 == 0 else None,
        )


@pytest.mark.parametrize("count", [6, 60])
def test_the_members_screen_runs_a_bounded_number_of_queries(
    client, council_a, city_staff, count, django_assert_max_num_queries
):
    colleges = [CollegeFactory(council=council_a, name=f"Collège {n}") for n in range(3)]
    _people(council_a, colleges, count)
    for mandate in Membership.objects.filter(council=council_a).order_by("pk")[: count // 5]:
        services.membership_end(membership=mandate, by=city_staff)
    client.force_login(city_staff)
    client.get(_council_url(council_a))  # warm the caches (site, permissions)
    with django_assert_max_num_queries(30):
        response = client.get(_council_url(council_a))
    assert response.status_code == 200
    assert response.content.decode().count('class="title"') == count


def test_someone_with_access_but_no_mandate_is_still_shown(client, council_a, city_staff):
    stray_editor, stray_member = UserFactory(username="sans-mandat-1"), UserFactory(username="sans-mandat-2")
    stray_editor.groups.add(council_a.access.editors_group, council_a.access.members_group)
    stray_member.groups.add(council_a.access.members_group)
    assert services.council_people_without_mandate(council=council_a, mandates=[]) == [
        (user, role)
        for user, role in sorted(
            [(stray_editor, Role.EDITOR), (stray_member, Role.MEMBER)],
            key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].username),
        )
    ]
    client.force_login(city_staff)
    content = client.get(_council_url(council_a)).content.decode()
    assert "Accès sans mandat enregistré" in content and stray_member.email in content
    assert reverse("members_admin:role_remove", args=[council_a.pk, stray_member.pk, "member"]) in content
