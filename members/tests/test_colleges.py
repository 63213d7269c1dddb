"""A council's colleges: added, renamed, reordered, marked drawn by lot, deleted only when empty."""

from django.urls import reverse

from wagtail.models import PageLogEntry

import pytest

from councils.factories import CollegeFactory, MembershipFactory, UserFactory
from councils.models import College
from councils.services import council_add_editor
from members import services


def _colleges_url(council):
    return reverse("members_admin:colleges", args=[council.pk])


def _college_urls(college):
    args = [college.council_id, college.pk]
    return {
        "edit": reverse("members_admin:college", args=args),
        "delete": reverse("members_admin:college_delete", args=args),
        "move": reverse("members_admin:college_move", args=args),
    }


def _names(council):
    return list(
        College.objects.filter(council=council).order_by("sort_order", "name").values_list("name", flat=True)
    )


@pytest.fixture
def editor_b(council_b):
    user = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=user)
    return user


def test_an_editor_adds_colleges_in_order_and_it_is_recorded(client, council_a, editor_a):
    client.force_login(editor_a)
    assert client.get(_colleges_url(council_a)).status_code == 200
    for name, drawn in (("Volontaires", ""), ("Tirés au sort", "on"), ("Ateliers de quartier", "")):
        response = client.post(_colleges_url(council_a), {"name": name, "drawn_by_lot": drawn})
        assert response.status_code == 302
    assert _names(council_a) == ["Volontaires", "Tirés au sort", "Ateliers de quartier"]
    assert College.objects.get(name="Tirés au sort").drawn_by_lot
    entries = PageLogEntry.objects.filter(page=council_a, action=services.ACTION_COLLEGE_ADD, user=editor_a)
    assert sorted(entries.values_list("data__name", flat=True)) == sorted(_names(council_a))
    assert all(f"Collège « {entry.data['name']} » ajouté" in entry.message for entry in entries)


def test_a_college_name_is_unique_in_its_council_whatever_the_case(client, council_a, council_b, editor_a):
    CollegeFactory(council=council_a, name="Volontaires")
    CollegeFactory(council=council_b, name="Habitants")
    client.force_login(editor_a)
    response = client.post(_colleges_url(council_a), {"name": "volontaires"})
    assert (
        response.status_code == 200 and "Ce conseil a déjà un collège de ce nom." in response.content.decode()
    )
    assert (
        client.post(_colleges_url(council_a), {"name": "Habitants"}).status_code == 302
    )  # another council's
    assert College.objects.filter(council=council_a).count() == 2


def test_an_editor_renames_a_college_and_marks_it_drawn_by_lot(client, council_a, editor_a):
    college = CollegeFactory(council=council_a, name="Tirage")
    client.force_login(editor_a)
    url = _college_urls(college)["edit"]
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "Tirés au sort", "description": "Sur les listes", "drawn_by_lot": "on"}
    )
    assert response.status_code == 302
    college.refresh_from_db()
    assert (college.name, college.description, college.drawn_by_lot) == (
        "Tirés au sort",
        "Sur les listes",
        True,
    )
    entry = PageLogEntry.objects.get(page=council_a, action=services.ACTION_COLLEGE_CHANGE)
    assert entry.data["old_name"] == "Tirage"
    assert "Collège « Tirage » renommé en « Tirés au sort »" in entry.message


def test_colleges_move_up_and_down(client, council_a, editor_a):
    first, second, third = (CollegeFactory(council=council_a, name=name) for name in ("A", "B", "C"))
    client.force_login(editor_a)
    assert client.post(_college_urls(third)["move"], {"direction": "up"}).status_code == 302
    assert _names(council_a) == ["A", "C", "B"]
    client.post(_college_urls(first)["move"], {"direction": "down"})
    assert _names(council_a) == ["C", "A", "B"]
    client.post(_college_urls(second)["move"], {"direction": "down"})  # already last: nothing moves
    client.post(_college_urls(second)["move"], {"direction": "sideways"})
    assert _names(council_a) == ["C", "A", "B"]
    assert client.get(_college_urls(second)["move"]).status_code == 405


def test_an_empty_college_is_deleted_after_confirmation(client, council_a, editor_a):
    college = CollegeFactory(council=council_a, name="Ateliers")
    client.force_login(editor_a)
    urls = _college_urls(college)
    assert 'type="submit"' in client.get(urls["delete"]).content.decode()
    assert College.objects.filter(pk=college.pk).exists()
    assert client.post(urls["delete"]).status_code == 302
    assert not College.objects.filter(pk=college.pk).exists()
    entry = PageLogEntry.objects.get(page=council_a, action=services.ACTION_COLLEGE_DELETE)
    assert entry.data["name"] == "Ateliers" and "Collège « Ateliers » supprimé" in entry.message


def test_a_college_with_mandates_current_or_past_cannot_be_deleted(client, council_a, editor_a, city_staff):
    college = CollegeFactory(council=council_a, name="Volontaires")
    mandate = MembershipFactory(council=council_a, college=college)
    services.membership_end(membership=mandate, by=city_staff)  # even an ended mandate keeps it
    client.force_login(editor_a)
    urls = _college_urls(college)
    page = client.get(urls["delete"]).content.decode()
    assert "ne peut pas être supprimé : 1 mandat (en cours ou terminé) y est rattaché" in page
    assert "Oui, le supprimer" not in page
    response = client.post(urls["delete"], follow=True)
    assert "ne peut pas être supprimé" in response.content.decode()
    assert College.objects.filter(pk=college.pk).exists()
    assert services.ACTION_COLLEGE_DELETE not in PageLogEntry.objects.values_list("action", flat=True)


def test_another_councils_editor_cannot_see_or_touch_the_colleges(client, council_a, council_b, editor_b):
    college = CollegeFactory(council=council_a, name="Volontaires secrets")
    client.force_login(editor_b)
    urls = [_colleges_url(council_a), *_college_urls(college).values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (403, 405), url
        assert "Volontaires secrets" not in response.content.decode()
        response = client.post(url, {"name": "Piraté", "direction": "up"})
        assert response.status_code == 403, url
    # A's college named under B's council is not B's either.
    wrong = reverse("members_admin:college", args=[council_b.pk, college.pk])
    assert client.post(wrong, {"name": "Piraté"}).status_code in (403, 404)
    assert client.post(
        reverse("members_admin:college_delete", args=[council_b.pk, college.pk])
    ).status_code in (
        403,
        404,
    )
    college.refresh_from_db()
    assert college.name == "Volontaires secrets"
    assert not College.objects.filter(council=council_b).exists()


def test_a_member_cannot_manage_colleges(client, council_a, member_a):
    client.force_login(member_a)
    assert client.post(_colleges_url(council_a), {"name": "X"}).status_code in (302, 403)
    assert not College.objects.exists()
    with pytest.raises(services.PermissionDenied):
        services.college_create(council=council_a, by=member_a, name="X")
