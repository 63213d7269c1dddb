"""Roles are data kept by provisioning (both ways), and a council is ready when created."""

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from wagtail.models import GroupCollectionPermission, GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from councils import services as council_services
from councils.models import CouncilIndexPage, CouncilPage
from documents.models import DocumentIndexPage
from meetings.models import MeetingIndexPage, MeetingPage


def _page_codenames(group, page):
    return set(
        GroupPagePermission.objects.filter(group=group, page=page).values_list(
            "permission__codename", flat=True
        )
    )


def test_narrowing_the_editors_page_policy_reaches_an_existing_council(council_a, monkeypatch):
    editors = council_a.access.editors_group
    assert "lock_page" in _page_codenames(editors, council_a)

    monkeypatch.setattr(
        council_services, "EDITOR_PAGE_PERMISSIONS", ("add_page", "change_page", "publish_page")
    )
    council_services.council_provision(council=council_a)

    assert _page_codenames(editors, council_a) == {"add_page", "change_page", "publish_page"}


def test_provisioning_removes_what_was_granted_by_hand_to_a_council_group(council_a, council_b):
    access = council_a.access
    delete = Permission.objects.get(content_type__app_label="wagtailcore", codename="delete_page")
    GroupPagePermission.objects.create(group=access.editors_group, page=council_a, permission=delete)
    GroupPagePermission.objects.create(group=access.editors_group, page=council_b, permission=delete)
    GroupPagePermission.objects.create(group=access.members_group, page=council_a, permission=delete)
    change_user = Permission.objects.get(content_type__app_label="accounts", codename="change_user")
    access.editors_group.permissions.add(change_user)
    access.members_group.permissions.add(change_user)
    delete_image = Permission.objects.get(content_type__app_label="wagtailimages", codename="delete_image")
    GroupCollectionPermission.objects.create(
        group=access.members_group, collection=access.private_collection, permission=delete_image
    )

    council_services.council_provision(council=council_a)

    assert set(
        GroupPagePermission.objects.filter(group=access.editors_group).values_list("page_id", flat=True)
    ) == {council_a.pk}
    assert "delete_page" not in _page_codenames(access.editors_group, council_a)
    assert not GroupPagePermission.objects.filter(group=access.members_group).exists()
    assert not GroupCollectionPermission.objects.filter(group=access.members_group).exists()
    assert set(access.editors_group.permissions.values_list("codename", flat=True)) == {"access_admin"}
    assert not access.members_group.permissions.exists()
    # Council B's groups are not touched by council A's provisioning.
    assert _page_codenames(council_b.access.editors_group, council_b) == set(
        council_services.EDITOR_PAGE_PERMISSIONS
    )


def test_narrowing_the_city_policy_reaches_the_communications_team(db, monkeypatch):
    group = council_services.communications_team_provision()
    assert group.permissions.filter(codename="change_sitesettings").exists()
    narrowed = tuple(p for p in council_services.CITY_MODEL_PERMISSIONS if p[1] != "change_sitesettings")
    monkeypatch.setattr(council_services, "CITY_MODEL_PERMISSIONS", narrowed)
    monkeypatch.setattr(
        council_services,
        "COLLECTION_PERMISSIONS",
        (("wagtaildocs", "add_document"), ("wagtaildocs", "choose_document")),
    )

    council_services.communications_team_provision()

    assert not group.permissions.filter(codename="change_sitesettings").exists()
    assert group.permissions.filter(codename="access_admin").exists()
    assert set(
        GroupCollectionPermission.objects.filter(group=group).values_list("permission__codename", flat=True)
    ) == {"add_document", "choose_document"}


def test_provisioning_in_step_writes_nothing(council_a, django_assert_max_num_queries):
    council_services.council_provision(council=council_a)
    before = (GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count())
    with django_assert_max_num_queries(30):
        council_services.council_provision(council=council_a)
    assert (GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count()) == before


def test_a_new_council_has_its_meetings_and_documents_sections_published(council_a):
    meetings = MeetingIndexPage.objects.child_of(council_a).get()
    documents = DocumentIndexPage.objects.child_of(council_a).get()
    assert (meetings.slug, documents.slug) == ("reunions", "documents")
    assert meetings.live and documents.live
    assert meetings.show_in_menus and documents.show_in_menus
    assert meetings.url == "/conseils/centre/reunions/"


def test_sections_are_not_duplicated(council_a):
    council_services.council_sections_ensure(council=council_a)
    council_services.council_provision(council=council_a)
    assert MeetingIndexPage.objects.child_of(council_a).count() == 1
    assert DocumentIndexPage.objects.child_of(council_a).count() == 1


def test_a_renamed_section_is_kept_not_replaced(council_a):
    meetings = MeetingIndexPage.objects.child_of(council_a).get()
    meetings.slug = "seances"
    meetings.save()
    assert council_services.council_sections_ensure(council=council_a) == []
    assert MeetingIndexPage.objects.child_of(council_a).get().slug == "seances"


def test_the_first_editor_can_add_a_meeting_at_once(client, council_a, editor_a):
    meetings = MeetingIndexPage.objects.child_of(council_a).get()
    client.force_login(editor_a)
    add_url = reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meetings.pk])
    assert client.get(add_url).status_code == 200
    start = timezone.localtime() + timedelta(days=14)
    data = nested_form_data(
        {
            "title": "Première séance",
            "slug": "premiere-seance",
            "start": start.strftime("%Y-%m-%d 18:30"),
            "end": start.strftime("%Y-%m-%d 20:30"),
            "status": "planned",
            "cancellation_reason": "",
            "format": "in_person",
            "place_name": "Maison de quartier",
            "place_address": "12 rue de la République",
            "access_notes": "",
            "online_url": "",
            "summary": "",
            "agenda": streamfield([]),
            "related_documents": inline_formset([]),
            "minutes_status": "none",
            "minutes_approved_on": "",
            "attendee_count": "",
            "minutes": rich_text(""),
            "decisions": streamfield([]),
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
        }
    )
    response = client.post(add_url, {**data, "action-publish": "action-publish"})
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = MeetingPage.objects.child_of(meetings).get()
    assert meeting.live


def test_a_council_created_as_a_draft_in_the_admin_gets_draft_sections_published_with_it(client, city_staff):
    index = CouncilIndexPage.objects.get()
    client.force_login(city_staff)
    add_url = reverse("wagtailadmin_pages:add", args=["councils", "councilpage", index.pk])
    form = nested_form_data(
        {
            "title": "Conseil des Hauts",
            "slug": "hauts",
            "kind": "neighbourhood",
            "area": "",
            "intro": "",
            "cover_image_alt": "",
            "body": streamfield([]),
            "contact_name": "",
            "contact_email": "",
            "comments": inline_formset([]),
        }
    )
    response = client.post(add_url, form)  # "Save draft"
    assert response.status_code == 302, response.content.decode()[-3000:]
    council = CouncilPage.objects.get(slug="hauts")
    meetings = MeetingIndexPage.objects.child_of(council).get()
    assert not council.live and not meetings.live
    assert client.get("/conseils/hauts/reunions/").status_code == 404

    council.get_latest_revision().publish()

    meetings.refresh_from_db()
    assert meetings.live
    assert DocumentIndexPage.objects.child_of(council).get().live
    assert client.get("/conseils/hauts/reunions/").status_code == 200
