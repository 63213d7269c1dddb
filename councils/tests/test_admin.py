"""The admin side of councils: provisioning through the admin, and the editor's dashboard."""

from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from councils.models import CouncilAccess, CouncilPage


def _edit_and_publish(client, page, **changes):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # StreamFields are rendered by JavaScript: post them as Wagtail's own tests do.
    data.update(nested_form_data({"body": streamfield([])}))
    data.update({**changes, "action-publish": "action-publish"})
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def _rights_of(group):
    return (
        sorted(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission_id")),
        sorted(
            GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection_id", "permission_id"
            )
        ),
        sorted(group.permissions.values_list("pk", flat=True)),
    )


def test_creating_a_council_in_the_admin_provisions_it(client, council_index, city_staff):
    client.force_login(city_staff)
    data = nested_form_data(
        {
            "title": "Conseil de quartier Bissy",
            "slug": "bissy",
            "kind": "neighbourhood",
            "area": "",
            "intro": "",
            "cover_image_alt": "",
            "body": streamfield([]),
            "contact_name": "",
            "contact_email": "",
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
            "comments-MIN_NUM_FORMS": 0,
            "comments-MAX_NUM_FORMS": 1000,
            "action-publish": "action-publish",
        }
    )
    response = client.post(
        reverse("wagtailadmin_pages:add", args=["councils", "councilpage", council_index.pk]), data
    )
    assert response.status_code == 302
    council = CouncilPage.objects.get(slug="bissy")
    access = CouncilAccess.objects.get(council=council)
    assert access.collection.name == "Conseil de quartier Bissy"
    assert {p.page_id for p in GroupPagePermission.objects.filter(group=access.editors_group)} == {council.pk}


def test_renaming_a_council_in_the_admin_renames_its_groups_and_collections(client, council_a, city_staff):
    client.force_login(city_staff)
    access = council_a.access
    response = _edit_and_publish(client, council_a, title="Conseil de quartier Centre-ville")
    assert response.status_code == 302
    access.refresh_from_db()
    for obj in (access.editors_group, access.members_group, access.collection, access.private_collection):
        obj.refresh_from_db()
    assert "Centre-ville" in access.editors_group.name
    assert "Centre-ville" in access.members_group.name
    assert access.collection.name == "Conseil de quartier Centre-ville"
    assert "Centre-ville" in access.private_collection.name


def test_an_editor_renaming_their_council_gains_no_right(client, council_a, council_b, editor_a):
    client.force_login(editor_a)
    access = council_a.access
    rights = _rights_of(access.editors_group)
    groups = sorted(editor_a.groups.values_list("pk", flat=True))
    response = _edit_and_publish(
        client, council_a, title="Conseil de quartier Biollay", slug="centre-renomme"
    )
    assert response.status_code == 302
    council_a.refresh_from_db()
    assert council_a.title == "Conseil de quartier Biollay"
    assert _rights_of(access.editors_group) == rights
    assert sorted(editor_a.groups.values_list("pk", flat=True)) == groups
    # Taking another council's name does not take its group: the names stay distinct.
    access.editors_group.refresh_from_db()
    assert access.editors_group.name != council_b.access.editors_group.name
    assert not council_b.permissions_for_user(editor_a).can_edit()


def test_deleting_a_council_removes_its_groups_and_keeps_its_collections(client, council_a, city_staff):
    access = council_a.access
    group_ids = [access.editors_group_id, access.members_group_id]
    collection_ids = [access.collection_id, access.private_collection_id]
    client.force_login(city_staff)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[council_a.pk]))
    assert response.status_code == 302
    assert not CouncilPage.objects.filter(pk=council_a.pk).exists()
    assert not Group.objects.filter(pk__in=group_ids).exists()
    assert Collection.objects.filter(pk__in=collection_ids).count() == 2


def test_the_dashboard_shows_an_editor_their_council(client, council_a, council_b, editor_a):
    client.force_login(editor_a)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-parvis-my-councils" in content
    assert f'data-council-id="{council_a.pk}"' in content
    assert reverse("wagtailadmin_explore", args=[council_a.pk]) in content
    assert reverse("wagtailadmin_pages:edit", args=[council_a.pk]) in content
    assert reverse("wagtailadmin_pages:add", args=["home", "standardpage", council_a.pk]) in content
    assert f"?collection_id={council_a.access.collection_id}" in content
    assert f'data-council-id="{council_b.pk}"' not in content
    assert reverse("wagtailadmin_explore", args=[council_b.pk]) not in content


def test_the_dashboard_links_to_adding_a_meeting_when_the_council_has_a_meetings_index(
    client, council_a, editor_a
):
    from meetings.models import MeetingIndexPage

    index = MeetingIndexPage.objects.child_of(council_a).get()  # created with the council
    client.force_login(editor_a)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", index.pk]) in content


def test_the_dashboard_counts_the_documents_of_the_council(client, council_a, editor_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail.documents import get_document_model

    for n in range(3):
        get_document_model().objects.create(
            title=f"doc {n}",
            collection=council_a.access.collection,
            file=SimpleUploadedFile(f"{n}.txt", b"x"),
        )
    client.force_login(editor_a)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "<span>3</span>" in content


def test_the_dashboard_has_no_council_panel_for_the_communications_team(client, council_a, city_staff):
    client.force_login(city_staff)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "data-parvis-my-councils" not in response.content.decode()


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, council_factory, editor_a, django_assert_max_num_queries
):
    from councils.services import council_add_editor

    for n in range(3):
        council_add_editor(council=council_factory(title=f"Conseil {n}", slug=f"conseil-{n}"), user=editor_a)
    client.force_login(editor_a)
    with django_assert_max_num_queries(60):
        assert client.get(reverse("wagtailadmin_home")).status_code == 200
