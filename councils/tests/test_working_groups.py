"""Working groups: provisioning, who opens them (every route), choosing their members, the admin screen."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, PageLogEntry, PageViewRestriction

import pytest

from councils.factories import CollegeFactory, MembershipFactory, UserFactory, working_group_create
from councils.models import WorkingGroupAccess, WorkingGroupIndexPage, WorkingGroupPage
from councils.services import (
    communications_team_group,
    council_add_editor,
    council_add_member,
    council_remove_member,
)
from councils.tests.worlds import two_councils_build
from councils.working_groups import (
    ACTION_MEMBERS,
    working_group_members,
    working_group_members_set,
    working_group_provision,
    working_groups_of,
)
from documents.models import DocumentIndexPage
from documents.services import document_create
from events.tests.helpers import meeting_publish
from home.models import StandardPage

SECRET = "Mésange"
GROUP_TITLE = "Groupe Mésange"
FILE_BYTES = b"%PDF-1.4 dossier mesange du groupe"

OUTSIDERS = ("anonymous", "member_a", "member_b", "editor_b")
INSIDERS = ("wg_member", "editor_a", "city_staff")
# What would betray the group (the reader's own query, echoed back, is no leak).
LEAKS = (
    "groupe mésange",
    "groupe-mesange",
    "atelier mésange",
    "réunion mésange",
    "dossier mésange",
    "photo mésange",
    "haie mésange",
    "mesange-dossier",
    "mesange.png",
    "mesange_",
)


def _standard_page(parent, title, slug, body=()):
    page = StandardPage(title=title, slug=slug, intro="", body=list(body))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two councils; in A a working group with a child page, a meeting, a document and an image, and a
    public page of A pointing to the group's document and image. Built once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = two_councils_build()
        council_a, council_b = built["council_a"], built["council_b"]
        member_b = UserFactory(username="membre-biollay")
        council_add_member(council=council_b, user=member_b)
        editor_b = UserFactory(username="editeur-biollay")
        council_add_editor(council=council_b, user=editor_b)
        college = CollegeFactory(council=council_a, name="Habitants")
        wg_member = UserFactory(username="membre-groupe", first_name="Aline")
        MembershipFactory(council=council_a, user=wg_member, college=college)
        group = working_group_create(
            council_a, GROUP_TITLE, members=[wg_member], intro="Les haies du quartier"
        )
        access = group.access
        child = _standard_page(group, "Atelier Mésange", "atelier-mesange")
        meeting = meeting_publish(group, title="Réunion Mésange", start=timezone.now() + timedelta(days=3))
        document = document_create(
            title="Dossier Mésange",
            file=ContentFile(FILE_BYTES, name="mesange-dossier.pdf"),
            collection=access.collection,
            kind="report",
        )
        image = get_image_model().objects.create(
            title="Photo Mésange",
            collection=access.collection,
            file=get_test_image_file(filename="mesange.png"),
        )
        rendition_url = image.get_rendition("width-400").url
        public_page = _standard_page(
            council_a,
            "Page publique",
            "page-publique",
            body=[
                {"type": "document", "value": {"document": document.pk, "label": ""}},
                {
                    "type": "image",
                    "value": {"image": image.pk, "alt_text": "Haie Mésange", "decorative": False},
                },
            ],
        )
        yield {
            **built,
            "member_b": member_b,
            "editor_b": editor_b,
            "wg_member": wg_member,
            "college": college,
            "group": group,
            "access": access,
            "child": child,
            "meeting": meeting,
            "document": document,
            "image": image,
            "rendition_url": rendition_url,
            "public_page": public_page,
            "index": WorkingGroupIndexPage.objects.child_of(council_a).get(),
        }
        for item in (document, image):
            item.file.delete(save=False)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    from django.core.cache import cache

    cache.clear()
    return world


def _client(w, who):
    client = Client()
    if who != "anonymous":
        client.force_login(w[who])
    return client


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- Provisioning ----------------------------------------------------------------------------------


def _restriction_groups(model, **lookup):
    restrictions = list(model.objects.filter(**lookup))
    assert len(restrictions) == 1
    assert restrictions[0].restriction_type == model.GROUPS
    return set(restrictions[0].groups.values_list("pk", flat=True))


def test_a_working_group_gets_its_group_private_collection_and_restrictions(w):
    access, council = w["access"], w["council_a"]
    expected = {access.group_id, council.access.editors_group_id, communications_team_group().pk}
    assert access.council_id == council.pk
    assert access.group.name == f"{council.title} — groupe {GROUP_TITLE}"
    assert access.collection.get_parent().pk == council.access.private_collection_id
    assert _restriction_groups(PageViewRestriction, page=w["group"]) == expected
    assert _restriction_groups(CollectionViewRestriction, collection=access.collection) == expected
    assert _restriction_groups(PageViewRestriction, page=w["index"]) == {
        council.access.members_group_id,
        council.access.editors_group_id,
        communications_team_group().pk,
    }
    assert w["index"].slug == "groupes"


def test_provisioning_again_changes_nothing(w, django_assert_max_num_queries):
    counts = (Group.objects.count(), Collection.objects.count(), PageViewRestriction.objects.count())
    with django_assert_max_num_queries(30):
        again = working_group_provision(working_group=w["group"])
    assert again.pk == w["access"].pk
    assert (Group.objects.count(), Collection.objects.count(), PageViewRestriction.objects.count()) == counts


def test_provisioning_takes_back_what_was_added_and_restores_what_was_removed(w):
    group, access = w["group"], w["access"]
    stranger = Group.objects.create(name="Intrus")
    PageViewRestriction.objects.get(page=group).groups.add(stranger)
    CollectionViewRestriction.objects.filter(collection=access.collection).delete()
    working_group_provision(working_group=group)
    assert stranger.pk not in _restriction_groups(PageViewRestriction, page=group)
    assert access.group_id in _restriction_groups(CollectionViewRestriction, collection=access.collection)
    PageViewRestriction.objects.filter(page=group).update(restriction_type=PageViewRestriction.LOGIN)
    working_group_provision(working_group=group)
    assert access.group_id in _restriction_groups(PageViewRestriction, page=group)


def test_renaming_a_working_group_renames_its_group_and_collection(w):
    group = w["group"]
    group.title = "Groupe Rouge-gorge"
    group.save_revision().publish()
    access = WorkingGroupAccess.objects.select_related("group", "collection").get(working_group=group)
    assert access.group.name.endswith("— groupe Groupe Rouge-gorge")
    assert access.collection.name == access.group.name


def test_a_working_group_created_as_a_draft_is_provisioned_at_once(w):
    group = WorkingGroupPage(title="Brouillon", slug="brouillon", live=False)
    w["index"].add_child(instance=group)
    assert not group.live
    access = WorkingGroupAccess.objects.get(working_group=group)
    assert PageViewRestriction.objects.filter(page=group, groups=access.group).exists()
    sections = list(group.get_children().specific())
    assert {type(s).__name__ for s in sections} == {"MeetingIndexPage", "DocumentIndexPage"}
    assert not any(s.live for s in sections)
    group.save_revision().publish()
    assert all(s.live for s in group.get_children())


def test_a_working_group_created_as_a_draft_in_the_admin_is_provisioned(w):
    client = _client(w, "editor_a")
    response = client.post(
        f"/admin/pages/add/councils/workinggrouppage/{w['index'].pk}/",
        {"title": "Groupe Hirondelle", "slug": "groupe-hirondelle", "intro": "Les nids", "body-count": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    group = WorkingGroupPage.objects.get(slug="groupe-hirondelle")
    assert not group.live
    access = WorkingGroupAccess.objects.get(working_group=group)
    assert access.council_id == w["council_a"].pk
    assert PageViewRestriction.objects.filter(page=group, groups=access.group).exists()
    assert group.numchild == group.get_children().count() == 2


def test_deleting_a_working_group_deletes_its_group_and_keeps_its_collection_private(w):
    group, access = w["group"], w["access"]
    group_id, collection_id = access.group_id, access.collection_id
    group.delete()
    assert not Group.objects.filter(pk=group_id).exists()
    assert CollectionViewRestriction.objects.filter(collection_id=collection_id).exists()


# -- Who opens it ----------------------------------------------------------------------------------


def _private_urls(w):
    return [
        w["group"].url,
        w["child"].url,
        w["meeting"].url,
        w["meeting"].url + "calendrier/",
        w["document"].url,
        w["rendition_url"],
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_group_opens_its_pages_meetings_documents_or_images(w, who):
    client = _client(w, who)
    for url in _private_urls(w):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert FILE_BYTES not in _body(response)
        assert SECRET.encode() not in _body(response), url


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_listing_search_sitemap_or_feed_names_the_group_to_an_outsider(w, who):
    client = _client(w, who)
    urls = [
        "/",
        w["council_a"].url,
        "/recherche/?q=mesange",
        "/recherche/?q=Mésange",
        "/sitemap.xml",
        "/agenda/",
        "/agenda/calendrier/",
        w["council_a"].url + "reunions/",
        w["council_a"].url + "reunions/calendrier/",
        w["council_a"].url + "documents/",
        w["public_page"].url,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        text = _body(response).decode().lower()
        for leak in LEAKS:
            assert leak not in text, (url, leak)


def test_the_index_shows_a_member_of_the_council_no_group_and_refuses_outsiders(w):
    response = _client(w, "member_a").get(w["index"].url)
    assert response.status_code == 200
    assert GROUP_TITLE not in response.content.decode()
    assert "private" in response["Cache-Control"]
    for who in ("anonymous", "member_b", "editor_b"):
        response = _client(w, who).get(w["index"].url)
        assert response.status_code in (302, 403, 404), who
        assert GROUP_TITLE.encode() not in response.content


@pytest.mark.parametrize("who", INSIDERS)
def test_the_group_the_councils_editors_and_the_city_open_everything(w, who):
    client = _client(w, who)
    for url, text in (
        (w["index"].url, GROUP_TITLE),
        (w["group"].url, GROUP_TITLE),
        (w["child"].url, "Atelier Mésange"),
        (w["meeting"].url, "Réunion Mésange"),
        (w["group"].url + "documents/", "Dossier Mésange"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert text in response.content.decode(), url
    assert _body(client.get(w["document"].url)) == FILE_BYTES
    assert client.get(w["rendition_url"]).status_code == 200
    assert b"BEGIN:VEVENT" in client.get(w["meeting"].url + "calendrier/").content
    public = client.get(w["public_page"].url).content.decode()
    assert "Dossier Mésange" in public
    assert "Haie Mésange" in public


def test_the_group_page_shows_its_purpose_next_meetings_sections_and_first_names(w):
    text = _client(w, "wg_member").get(w["group"].url).content.decode()
    assert "Les haies du quartier" in text
    assert "Réunion Mésange" in text
    assert "Atelier Mésange" in text
    assert "Aline" in text
    assert w["wg_member"].last_name not in text
    assert w["wg_member"].email not in text


def test_the_councils_documents_page_never_lists_the_groups_documents(w):
    for who in ("member_a", "wg_member", "editor_a"):
        text = _client(w, who).get(w["council_a"].url + "documents/").content.decode()
        assert "Dossier Mésange" not in text, who


def test_the_group_documents_page_lists_the_groups_collection(w):
    index = DocumentIndexPage.objects.child_of(w["group"]).get()
    text = _client(w, "wg_member").get(index.url).content.decode()
    assert "Dossier Mésange" in text
    assert w["document"].url in text


def test_the_group_pages_query_count_does_not_grow_with_its_members(w, django_assert_max_num_queries):
    client = _client(w, "wg_member")
    client.get(w["group"].url)
    with django_assert_max_num_queries(40) as small:
        client.get(w["group"].url)
    council = w["council_a"]
    people = [UserFactory() for _n in range(30)]
    for person in people:
        council_add_member(council=council, user=person)
    working_group_members_set(working_group=w["group"], users=[w["wg_member"], *people], by=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(w["group"].url)
    assert response.status_code == 200


# -- Members ---------------------------------------------------------------------------------------


def test_members_are_chosen_among_the_councils_members_only(w):
    group = w["group"]
    for outsider in (UserFactory(), w["member_b"], w["editor_b"]):
        with pytest.raises(ValidationError):
            working_group_members_set(working_group=group, users=[w["wg_member"], outsider], by=w["editor_a"])
    assert list(working_group_members(working_group=group)) == [w["wg_member"]]


def test_an_ended_mandate_cannot_join(w):
    person = UserFactory()
    council_add_member(council=w["council_a"], user=person)
    council_remove_member(council=w["council_a"], user=person)
    with pytest.raises(ValidationError):
        working_group_members_set(working_group=w["group"], users=[person], by=w["editor_a"])


@pytest.mark.parametrize("who", ["editor_b", "member_a", "wg_member"])
def test_only_the_councils_editors_and_the_city_choose_members(w, who):
    with pytest.raises(PermissionDenied):
        working_group_members_set(working_group=w["group"], users=[w["member_a"]], by=w[who])


def test_setting_members_is_recorded_in_the_councils_history(w):
    result = working_group_members_set(
        working_group=w["group"], users=[w["member_a"], w["editor_a"]], by=w["city_staff"]
    )
    assert result == {
        "added": sorted([w["member_a"].email, w["editor_a"].email]),
        "removed": [w["wg_member"].email],
    }
    entry = PageLogEntry.objects.filter(page=w["council_a"], action=ACTION_MEMBERS).latest("timestamp")
    assert entry.user_id == w["city_staff"].pk
    assert entry.data["removed"] == [w["wg_member"].email]
    assert w["member_a"].email in entry.message
    # The new member opens the group; the one removed no longer does.
    assert _client(w, "member_a").get(w["group"].url).status_code == 200
    assert _client(w, "wg_member").get(w["group"].url).status_code in (302, 403)


def test_ending_a_mandate_removes_the_person_from_the_group(w):
    council_remove_member(council=w["council_a"], user=w["wg_member"])
    assert not w["wg_member"].groups.filter(pk=w["access"].group_id).exists()
    assert _client(w, "wg_member").get(w["group"].url).status_code in (302, 403)
    assert working_groups_of(user=w["wg_member"]) == []


def test_working_groups_of_lists_the_live_groups_of_a_person(w):
    groups = working_groups_of(user=w["wg_member"])
    assert [g.pk for g in groups] == [w["group"].pk]
    assert groups[0].council.pk == w["council_a"].pk
    assert working_groups_of(user=w["member_a"]) == []


# -- Documents, images and the reference fence -----------------------------------------------------


def test_the_councils_editors_may_use_and_upload_to_the_groups_collection_and_no_one_else(w):
    from wagtail.permissions import policy_registry

    from core.references import usable_collection_ids

    policy = policy_registry.get_by_type(get_document_model())

    collection_id = w["access"].collection_id
    document_model = get_document_model()
    assert collection_id in usable_collection_ids(w["editor_a"], document_model)
    assert collection_id in usable_collection_ids(w["editor_a"], get_image_model())
    assert collection_id not in usable_collection_ids(w["editor_b"], document_model)
    assert collection_id not in usable_collection_ids(w["editor_b"], get_image_model())
    assert policy.collections_user_has_permission_for(w["editor_a"], "add").filter(pk=collection_id).exists()
    assert (
        not policy.collections_user_has_permission_for(w["editor_b"], "add").filter(pk=collection_id).exists()
    )


def test_another_councils_editor_may_not_reference_the_groups_document(w):
    from core.references import refused_references

    page = StandardPage(
        title="Essai",
        slug="essai",
        body=[{"type": "document", "value": {"document": w["document"].pk, "label": ""}}],
    )
    assert refused_references([page], w["editor_b"])
    assert not refused_references([page], w["editor_a"])


# -- The admin screen ------------------------------------------------------------------------------


def _admin_url(w):
    return f"/admin/groupes/{w['group'].pk}/membres/"


@pytest.mark.parametrize("who", ["editor_b", "member_a", "wg_member", "member_b"])
def test_the_admin_screen_is_refused_to_anyone_but_the_councils_editors_and_the_city(w, who):
    client = _client(w, who)
    response = client.get(_admin_url(w))
    assert response.status_code in (302, 403, 404), response.status_code
    assert GROUP_TITLE.encode() not in response.content
    response = client.post(_admin_url(w), {"members": [w["member_a"].pk]})
    assert response.status_code in (302, 403, 404)
    assert list(working_group_members(working_group=w["group"])) == [w["wg_member"]]


def test_an_unknown_working_group_is_refused_like_a_forbidden_one(w):
    response = _client(w, "editor_b").get("/admin/groupes/999999/membres/")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("who", ["editor_a", "city_staff"])
def test_the_admin_screen_lists_the_councils_members_and_saves_the_choice(w, who):
    client = _client(w, who)
    response = client.get(_admin_url(w))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'value="{w["wg_member"].pk}"' in text
    assert f'value="{w["member_a"].pk}"' in text
    assert f'value="{w["member_b"].pk}"' not in text
    assert "Habitants" in text
    response = client.post(_admin_url(w), {"members": [w["member_a"].pk, w["wg_member"].pk]})
    assert response.status_code == 302
    assert set(working_group_members(working_group=w["group"])) == {w["member_a"], w["wg_member"]}


def test_the_admin_screen_refuses_someone_outside_the_council(w):
    response = _client(w, "editor_a").post(_admin_url(w), {"members": [w["member_b"].pk]})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    # Someone outside the council is not named, whatever id was posted.
    assert w["member_b"].email not in response.content.decode()
    # (Their full name: a random last name alone may be a word of the admin's own, e.g. « Barre latérale ».)
    assert f"{w['member_b'].first_name} {w['member_b'].last_name}" not in response.content.decode()
    assert list(working_group_members(working_group=w["group"])) == [w["wg_member"]]


def test_the_group_page_header_has_a_members_button_for_its_editors_only(w):
    url = _admin_url(w)
    assert url in _client(w, "editor_a").get(f"/admin/pages/{w['group'].pk}/edit/").content.decode()
    assert url in _client(w, "editor_a").get(f"/admin/pages/{w['index'].pk}/").content.decode()


def test_the_admin_screens_query_count_does_not_grow_with_the_members(w, django_assert_max_num_queries):
    client = _client(w, "editor_a")
    client.get(_admin_url(w))
    with django_assert_max_num_queries(60) as small:
        client.get(_admin_url(w))
    council = w["council_a"]
    for n in range(40):
        council_add_member(council=council, user=UserFactory(username=f"foule-{n}"), college=w["college"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_admin_url(w))
    assert response.content.decode().count('name="members"') >= 42


def test_a_privacy_change_made_in_the_admin_is_put_back(w, django_capture_on_commit_callbacks):
    group, access = w["group"], w["access"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=group).delete()
    assert access.group_id in _restriction_groups(PageViewRestriction, page=group)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.get(page=w["index"]).groups.clear()
    assert w["council_a"].access.members_group_id in _restriction_groups(PageViewRestriction, page=w["index"])
    with django_capture_on_commit_callbacks(execute=True):
        CollectionViewRestriction.objects.get(collection=access.collection).groups.remove(access.group)
    assert access.group_id in _restriction_groups(CollectionViewRestriction, collection=access.collection)


@pytest.mark.parametrize(
    "model",
    ["councils.WorkingGroupPage", "councils.WorkingGroupIndexPage", "participation.ProposalIndexPage"],
)
def test_the_privacy_dialog_is_not_offered_where_provisioning_keeps_the_restriction(db, model):
    from django.apps import apps

    page = apps.get_model(model)(title="x")
    tester = page.permissions_for_user(UserFactory.build(is_superuser=True))
    assert tester.can_set_view_restrictions() is False


def test_a_group_moved_to_another_council_follows_it(w):
    from councils.working_groups import working_group_index_ensure

    council_b = w["council_b"]
    group, access = w["group"], w["access"]
    group.move(working_group_index_ensure(council=council_b), pos="last-child")
    access.refresh_from_db()
    assert access.council_id == council_b.pk
    assert access.collection.get_parent().pk == council_b.access.private_collection_id
    expected = {access.group_id, council_b.access.editors_group_id, communications_team_group().pk}
    assert _restriction_groups(PageViewRestriction, page=group) == expected
    assert _restriction_groups(CollectionViewRestriction, collection=access.collection) == expected


def test_the_index_query_count_does_not_grow_with_the_groups(w, django_assert_max_num_queries):
    client = _client(w, "editor_a")
    client.get(w["index"].url)
    with django_assert_max_num_queries(40) as small:
        client.get(w["index"].url)
    small = len(small.captured_queries)  # read now: the next request empties the connection's query log
    for n in range(10):
        working_group_create(w["council_a"], f"Groupe {n}", members=[w["wg_member"]])
    client.get(w["index"].url)  # new restrictions: the visibility paths are read again once (fragment cache)
    with django_assert_max_num_queries(small):
        response = client.get(w["index"].url)
    assert response.content.decode().count("working-group-card") == 11
