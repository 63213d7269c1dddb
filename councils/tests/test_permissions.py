"""The permission matrix of delegated resident editors.

Invariant: a resident editor can change nothing outside their council's subtree and collection, and cannot
grant themselves more. Every action is checked twice: through Wagtail's permission API, and through the
real admin route the editor would use. After every refused write, the database is unchanged.
"""

import io
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageViewRestriction,
    Site,
    UploadedFile,
)
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

import pytest
from PIL import Image as PILImage

from councils.services import communications_team_group
from councils.tests.worlds import keys_of, two_councils_build, world_built_once, world_fresh
from home.models import StandardPage

# --- the world ------------------------------------------------------------------------------------------


def _standard_page(parent, title, slug):
    page = StandardPage(title=title, slug=slug, intro=f"{title}.")
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _document(title, collection):
    return get_document_model().objects.create(
        title=title, collection=collection, file=SimpleUploadedFile(f"{title}.txt", b"compte rendu")
    )


def _image(title, collection):
    return get_image_model().objects.create(
        title=title, collection=collection, file=SimpleUploadedFile(f"{title}.png", _png_bytes())
    )


def _world_build():
    """The conftest's two councils and three people, plus pages, documents and images in each council."""
    world = two_councils_build()
    council_a, council_b = world["council_a"], world["council_b"]
    world["page_a"] = _standard_page(council_a, "Fête de quartier Centre", "fete-centre")
    world["page_a2"] = _standard_page(council_a, "Jardins du Centre", "jardins-centre")
    world["page_b"] = page_b = _standard_page(council_b, "Jardin partagé Biollay", "jardin-biollay")
    world["site_page"] = _standard_page(world["home"], "Mentions légales", "mentions-legales")
    # An unpublished draft in B: nothing of it may reach A's editor, not even through a preview.
    page_b.title = "Brouillon secret Biollay"
    page_b.save_revision()
    access_a, access_b = council_a.access, council_b.access
    world.update(
        access_a=access_a,
        access_b=access_b,
        doc_a=_document("ordre-du-jour-centre", access_a.collection),
        doc_b=_document("ordre-du-jour-biollay", access_b.collection),
        doc_b_private=_document("notes-internes-biollay", access_b.private_collection),
        image_a=_image("photo-centre", access_a.collection),
        image_b=_image("photo-biollay", access_b.collection),
    )
    return keys_of(world)


@pytest.fixture(scope="module")
def world_keys(django_db_setup, django_db_blocker):
    """Built once for the module (it used to be built for each of its 109 tests: 40% of the suite)."""
    with world_built_once(django_db_blocker, _world_build) as keys:
        yield keys


@pytest.fixture
def world(world_keys, db):
    return world_fresh(world_keys)


def snapshot():
    """Everything a refused request must leave as it was."""
    user_model = get_user_model()
    return {
        "pages": list(
            Page.objects.order_by("pk").values_list(
                "pk", "title", "slug", "path", "live", "has_unpublished_changes", "locked", "owner_id"
            )
        ),
        "revisions": Page.objects.order_by("pk").values_list("latest_revision_id", flat=True)[::1],
        "documents": list(
            get_document_model().objects.order_by("pk").values_list("pk", "title", "collection_id")
        ),
        "images": list(get_image_model().objects.order_by("pk").values_list("pk", "title", "collection_id")),
        "collections": list(Collection.objects.order_by("pk").values_list("pk", "name", "path")),
        "groups": list(Group.objects.order_by("pk").values_list("pk", "name")),
        "memberships": sorted(user_model.groups.through.objects.values_list("user_id", "group_id")),
        "user_flags": list(
            user_model.objects.order_by("pk").values_list("pk", "is_superuser", "is_staff", "is_active")
        ),
        "user_permissions": sorted(user_model.user_permissions.through.objects.values_list("pk")),
        "group_permissions": sorted(
            Group.permissions.through.objects.values_list("group_id", "permission_id")
        ),
        "page_permissions": sorted(
            GroupPagePermission.objects.values_list("group_id", "page_id", "permission_id")
        ),
        "collection_permissions": sorted(
            GroupCollectionPermission.objects.values_list("group_id", "collection_id", "permission_id")
        ),
        "view_restrictions": sorted(PageViewRestriction.objects.values_list("page_id", "restriction_type")),
    }


def assert_refused(response):
    """Wagtail refuses by redirecting to the dashboard with a message, or with a 403 (XHR) or a 404."""
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), response["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code


def assert_done(response):
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response["Location"] != reverse("wagtailadmin_home")


def assert_each(cases, check):
    """Run `check` on every case and report every failing one at once (setting up the world is slow)."""
    failures = []
    for case in cases:
        try:
            check(*case) if isinstance(case, tuple) else check(case)
        except AssertionError as error:
            failures.append(f"{case}: {error}")
    assert not failures, "\n".join(failures)


# --- 1. Wagtail's permission API ------------------------------------------------------------------------

PAGE_ACTIONS = {
    "edit": lambda perms: perms.can_edit(),
    "publish": lambda perms: perms.can_publish(),
    "unpublish": lambda perms: perms.can_unpublish(),
    "delete": lambda perms: perms.can_delete(),
    "add a subpage": lambda perms: perms.can_add_subpage(),
    "lock": lambda perms: perms.can_lock(),
    "unlock": lambda perms: perms.can_unlock(),
    "set view restrictions": lambda perms: perms.can_set_view_restrictions(),
    "reorder children": lambda perms: perms.can_reorder_children(),
    "move": lambda perms: perms.can_move(),
    "copy": lambda perms: perms.can_copy(),
}
OUTSIDE_A = ["council_b", "page_b", "site_page", "home", "council_index"]


def _expect(world, user, targets, actions, expected):
    def check(action, target):
        result = PAGE_ACTIONS[action](getattr(world, target).permissions_for_user(user))
        assert result is expected, f"expected {expected}, got {result}"

    assert_each([(action, target) for action in actions for target in targets], check)


@pytest.mark.parametrize("action", PAGE_ACTIONS)
def test_editor_of_a_may_not_act_on_pages_outside_a(world, action):
    _expect(world, world.editor_a, OUTSIDE_A, [action], False)


@pytest.mark.parametrize("action", PAGE_ACTIONS)
def test_editor_of_a_may_act_on_the_pages_of_a(world, action):
    _expect(world, world.editor_a, ["page_a"], [action], True)


def test_editor_of_a_may_edit_and_publish_the_council_page_itself(world):
    _expect(
        world, world.editor_a, ["council_a"], ["edit", "publish", "unpublish", "add a subpage", "lock"], True
    )


def test_a_member_may_act_on_no_page(world):
    _expect(world, world.member_a, ["council_a", "page_a", *OUTSIDE_A], PAGE_ACTIONS, False)


def test_the_communications_team_may_act_on_every_page(world):
    targets = ["council_a", "page_a", "council_b", "page_b", "site_page"]
    _expect(world, world.city_staff, targets, [a for a in PAGE_ACTIONS if a != "delete"], True)
    _expect(world, world.city_staff, ["page_a", "page_b", "site_page"], ["delete"], True)


MOVES_AND_COPIES_OUT = [
    ("page_a", "council_b"),
    ("page_a", "page_b"),
    ("page_a", "home"),
    ("page_a", "site_page"),
    ("page_b", "council_a"),
    ("page_b", "page_a"),
    ("site_page", "council_a"),
    ("site_page", "page_a"),
]


def test_editor_of_a_may_not_move_or_copy_across_the_border_of_a(world):
    def check(source, destination):
        perms = getattr(world, source).permissions_for_user(world.editor_a)
        assert perms.can_move_to(getattr(world, destination)) is False, "may move"
        assert perms.can_copy_to(getattr(world, destination)) is False, "may copy"

    assert_each(MOVES_AND_COPIES_OUT, check)


def test_editor_of_a_may_move_and_copy_within_a(world):
    perms = world.page_a.permissions_for_user(world.editor_a)
    assert perms.can_move_to(world.page_a2) is True
    assert perms.can_copy_to(world.council_a) is True


def test_the_communications_team_may_move_and_copy_anywhere(world):
    def check(source, destination):
        perms = getattr(world, source).permissions_for_user(world.city_staff)
        assert perms.can_move_to(getattr(world, destination)) is True, "may not move"
        assert perms.can_copy_to(getattr(world, destination)) is True, "may not copy"

    assert_each(MOVES_AND_COPIES_OUT, check)


def test_editor_of_a_may_not_move_or_delete_the_council_itself(world):
    perms = world.council_a.permissions_for_user(world.editor_a)
    assert perms.can_delete() is False
    assert perms.can_move_to(world.council_index) is False
    assert perms.can_copy_to(world.council_index) is False


# --- 2. The admin routes --------------------------------------------------------------------------------
# Each route is a function (client, world, page) -> response. Denied for A's editor on B and site pages,
# done on A's pages, done everywhere by the communications team.


def _edit_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))


def _edit_form_data(client, w, page, **changes):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    if response.status_code != 200:
        # Refused already: post what a forger would post.
        return {"title": "Piraté", "slug": page.slug, **changes}
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # StreamFields are rendered by JavaScript: post them as Wagtail's own tests do.
    data.update(nested_form_data({"body": streamfield([])}))
    data.update(changes)
    return data


def _edit_publish_post(client, w, page):
    data = _edit_form_data(client, w, page, title="Piraté", **{"action-publish": "action-publish"})
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def _edit_draft_post(client, w, page):
    data = _edit_form_data(client, w, page, title="Piraté")
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def _add_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:add", args=["home", "standardpage", page.pk]))


def _add_publish_post(client, w, page):
    data = nested_form_data(
        {
            "title": "Nouvelle page",
            "slug": "nouvelle-page",
            "intro": "",
            "body": streamfield([]),
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
            "comments-MIN_NUM_FORMS": 0,
            "comments-MAX_NUM_FORMS": 1000,
            "action-publish": "action-publish",
        }
    )
    return client.post(reverse("wagtailadmin_pages:add", args=["home", "standardpage", page.pk]), data)


def _add_subpage_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:add_subpage", args=[page.pk]))


def _unpublish_post(client, w, page):
    return client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))


def _delete_post(client, w, page):
    return client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))


def _lock_post(client, w, page):
    return client.post(reverse("wagtailadmin_pages:lock", args=[page.pk]))


def _set_privacy_post(client, w, page):
    return client.post(
        reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), {"restriction_type": "login"}
    )


def _history_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))


def _revisions_view_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:revisions_view", args=[page.pk, page.latest_revision_id]))


def _view_draft_get(client, w, page):
    return client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))


def _preview_post(client, w, page):
    data = _edit_form_data(client, w, page)
    return client.post(reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]), data)


def _reorder_post(client, w, page):
    child = page.get_children().first() or page
    return client.post(reverse("wagtailadmin_pages:set_page_position", args=[child.pk]) + "?position=0")


PAGE_ROUTES = {
    "edit (GET)": _edit_get,
    "edit and publish (POST)": _edit_publish_post,
    "save a draft (POST)": _edit_draft_post,
    "add a page (GET)": _add_get,
    "add and publish a page (POST)": _add_publish_post,
    "choose the type of a new subpage (GET)": _add_subpage_get,
    "unpublish (POST)": _unpublish_post,
    "delete (POST)": _delete_post,
    "lock (POST)": _lock_post,
    "set privacy (POST)": _set_privacy_post,
    "view a revision (GET)": _revisions_view_get,
    "view the draft (GET)": _view_draft_get,
    "preview (POST)": _preview_post,
}


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_editor_of_a_is_refused_every_page_route_outside_a(client, world, route):
    client.force_login(world.editor_a)

    def check(target):
        before = snapshot()
        response = PAGE_ROUTES[route](client, world, getattr(world, target))
        assert_refused(response)
        assert snapshot() == before, "the database changed"
        assert "Brouillon secret" not in response.content.decode()

    assert_each(["council_b", "page_b", "site_page", "home"], check)


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_editor_of_a_may_use_every_page_route_inside_a(client, world, route):
    client.force_login(world.editor_a)
    assert_done(PAGE_ROUTES[route](client, world, world.page_a))


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_the_communications_team_may_use_every_page_route_everywhere(client, world, route):
    client.force_login(world.city_staff)
    assert_each(
        ["page_b", "site_page"],
        lambda target: assert_done(PAGE_ROUTES[route](client, world, getattr(world, target))),
    )


def test_publishing_through_the_editor_changes_the_live_page_of_a(client, world):
    client.force_login(world.editor_a)
    _edit_publish_post(client, world, world.page_a)
    world.page_a.refresh_from_db()
    assert world.page_a.title == "Piraté"
    assert world.page_a.live


def test_adding_through_the_editor_creates_a_live_page_in_a(client, world):
    client.force_login(world.editor_a)
    _add_publish_post(client, world, world.council_a)
    created = StandardPage.objects.get(slug="nouvelle-page")
    assert created.live
    assert created.get_parent().pk == world.council_a.pk


def test_the_communications_team_can_publish_in_b(client, world):
    client.force_login(world.city_staff)
    _edit_publish_post(client, world, world.page_b)
    world.page_b.refresh_from_db()
    assert world.page_b.title == "Piraté"


# Moving and copying


def _move_post(client, source, destination):
    return client.post(reverse("wagtailadmin_pages:move_confirm", args=[source.pk, destination.pk]))


def _copy_post(client, source, destination):
    return client.post(
        reverse("wagtailadmin_pages:copy", args=[source.pk]),
        {
            "new_title": "Copie",
            "new_slug": "copie",
            "new_parent_page": destination.pk,
            "copy_subpages": "",
            "publish_copies": "on",
        },
    )


def test_editor_of_a_is_refused_moving_across_the_border_of_a(client, world):
    client.force_login(world.editor_a)

    def check(source, destination):
        before = snapshot()
        assert_refused(_move_post(client, getattr(world, source), getattr(world, destination)))
        assert snapshot() == before, "the database changed"

    assert_each(MOVES_AND_COPIES_OUT, check)


def test_editor_of_a_is_refused_copying_across_the_border_of_a(client, world):
    client.force_login(world.editor_a)

    def check(source, destination):
        before = snapshot()
        response = _copy_post(client, getattr(world, source), getattr(world, destination))
        # Refused outright, or the form comes back: the destination is not one the editor may choose.
        assert response.status_code in (200, 302, 403, 404), response.status_code
        if response.status_code == 302:
            assert_refused(response)
        assert snapshot() == before, "the database changed"

    assert_each(MOVES_AND_COPIES_OUT, check)


def test_editor_of_a_moves_and_copies_within_a(client, world):
    client.force_login(world.editor_a)
    assert_done(_move_post(client, world.page_a, world.page_a2))
    world.page_a.refresh_from_db()
    assert world.page_a.get_parent().pk == world.page_a2.pk
    assert_done(_copy_post(client, world.page_a2, world.council_a))
    assert StandardPage.objects.child_of(world.council_a).filter(slug="copie").exists()


def test_the_communications_team_moves_and_copies_across_councils(client, world):
    client.force_login(world.city_staff)
    assert_done(_move_post(client, world.page_b, world.council_a))
    world.page_b.refresh_from_db()
    assert world.page_b.get_parent().pk == world.council_a.pk
    assert_done(_copy_post(client, world.site_page, world.council_b))
    assert StandardPage.objects.child_of(world.council_b).filter(slug="copie").exists()


def test_editor_of_a_is_refused_deleting_or_moving_the_council_itself(client, world):
    client.force_login(world.editor_a)
    world.page_a.delete()
    world.page_a2.delete()
    before = snapshot()
    assert_refused(client.post(reverse("wagtailadmin_pages:delete", args=[world.council_a.pk])))
    assert_refused(_move_post(client, world.council_a, world.council_index))
    assert snapshot() == before


# Listings: nothing outside A is even listed.

# What of B must not be listed: the council itself, its pages (live title and draft title), its documents
# and images. (B's name may still appear as a breadcrumb when a URL names B directly: it is public.)
B_CONTENT = (
    "Jardin partagé",
    "Brouillon secret",
    "ordre-du-jour-biollay",
    "notes-internes-biollay",
    "photo-biollay",
)
B_TITLES = ("Conseil de quartier Biollay", *B_CONTENT)


def _text(response):
    """What a person would read: choosers answer with JSON holding the HTML (where é is escaped)."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return (
            data.get("html", "")
            if isinstance(data, dict) and "html" in data
            else json.dumps(data, ensure_ascii=False)
        )
    return response.content.decode()


def _listed_titles_absent(response, titles=B_TITLES):
    content = _text(response)
    for title in titles:
        assert title not in content, f"{title!r} listed"


LISTINGS = {
    "explorer of B": lambda w: reverse("wagtailadmin_explore", args=[w.council_b.pk]),
    "explorer of the council index": lambda w: reverse("wagtailadmin_explore", args=[w.council_index.pk]),
    "explorer of the home page": lambda w: reverse("wagtailadmin_explore", args=[w.home.pk]),
    "explorer root": lambda w: reverse("wagtailadmin_explore_root"),
    "explorer search of the whole tree": lambda w: (
        reverse("wagtailadmin_explore", args=[w.council_a.pk]) + "?q=Biollay&search_all=1"
    ),
    "admin page search": lambda w: reverse("wagtailadmin_pages:search") + "?q=Biollay",
    "page chooser at the council index": lambda w: reverse(
        "wagtailadmin_choose_page_child", args=[w.council_index.pk]
    ),
    "page chooser inside B": lambda w: reverse("wagtailadmin_choose_page_child", args=[w.council_b.pk]),
    "page chooser at the root": lambda w: reverse("wagtailadmin_choose_page"),
    "page chooser search": lambda w: reverse("wagtailadmin_choose_page_search") + "?q=Biollay",
    "usage of the standard page type": lambda w: reverse(
        "wagtailadmin_pages:type_use", args=["home", "standardpage"]
    ),
    "admin API page listing": lambda w: "/admin/api/main/pages/?child_of=" + str(w.council_index.pk),
    "admin API page search": lambda w: "/admin/api/main/pages/?search=Biollay",
    "site history report": lambda w: reverse("wagtailadmin_reports:site_history"),
    "aging pages report": lambda w: reverse("wagtailadmin_reports:aging_pages"),
    "locked pages report": lambda w: reverse("wagtailadmin_reports:locked_pages"),
    "dashboard": lambda w: reverse("wagtailadmin_home"),
    "documents": lambda w: reverse("wagtaildocs:index"),
    "document chooser": lambda w: reverse("wagtaildocs_chooser:choose"),
    "document chooser search": lambda w: reverse("wagtaildocs_chooser:choose_results") + "?q=biollay",
    "images": lambda w: reverse("wagtailimages:index"),
    "image chooser": lambda w: reverse("wagtailimages_chooser:choose"),
    "image chooser search": lambda w: reverse("wagtailimages_chooser:choose_results") + "?q=biollay",
}


def test_editor_of_a_sees_nothing_of_b_in_any_listing(client, world):
    client.force_login(world.editor_a)

    def check(listing):
        response = client.get(LISTINGS[listing](world), follow=True)
        assert response.status_code in (200, 403, 404), response.status_code
        names_b = listing in ("explorer of B", "page chooser inside B")
        _listed_titles_absent(response, B_CONTENT if names_b else B_TITLES)

    assert_each(list(LISTINGS), check)


def test_editor_of_a_sees_no_site_wide_page_in_listings(client, world):
    client.force_login(world.editor_a)
    urls = [
        LISTINGS["explorer of the home page"](world),
        LISTINGS["explorer root"](world),
        LISTINGS["page chooser at the root"](world),
        reverse("wagtailadmin_choose_page_child", args=[world.home.pk]),
        reverse("wagtailadmin_pages:search") + "?q=Mentions",
        reverse("wagtailadmin_choose_page_search") + "?q=Mentions",
    ]
    assert_each(urls, lambda url: _listed_titles_absent(client.get(url, follow=True), ("Mentions légales",)))


def test_editor_of_a_sees_the_content_of_a(client, world):
    cases = [
        (reverse("wagtailadmin_explore", args=[world.council_a.pk]), "Fête de quartier Centre"),
        (reverse("wagtailadmin_pages:search") + "?q=Centre", "Fête de quartier Centre"),
        (reverse("wagtailadmin_choose_page_child", args=[world.council_a.pk]), "Fête de quartier Centre"),
        (
            reverse("wagtailadmin_choose_page_child", args=[world.council_index.pk]),
            "Conseil de quartier Centre",
        ),
        (reverse("wagtaildocs:index"), "ordre-du-jour-centre"),
        (reverse("wagtaildocs_chooser:choose"), "ordre-du-jour-centre"),
        (reverse("wagtailimages:index"), "photo-centre"),
    ]
    client.force_login(world.editor_a)

    def check(url, title):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert title in _text(response), "not listed"

    assert_each(cases, check)


def test_the_communications_team_sees_b_in_listings(client, world):
    client.force_login(world.city_staff)
    cases = [
        ("explorer of B", "Brouillon secret Biollay"),  # the explorer shows the latest draft's title
        ("page chooser inside B", "Brouillon secret Biollay"),
        ("page chooser at the council index", "Conseil de quartier Biollay"),
        ("documents", "ordre-du-jour-biollay"),
        ("images", "photo-biollay"),
    ]
    assert_each(cases, lambda listing, title: _listed_title_present(client, LISTINGS[listing](world), title))


def _listed_title_present(client, url, title):
    assert title in _text(client.get(url, follow=True)), "not listed"


def test_explorer_of_b_sends_a_s_editor_back_to_a(client, world):
    client.force_login(world.editor_a)
    response = client.get(reverse("wagtailadmin_explore", args=[world.council_b.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[world.council_a.pk])


# --- 3. Documents and images -----------------------------------------------------------------------------


def _doc_upload(collection):
    return {
        "title": "Tract",
        "file": SimpleUploadedFile("tract.txt", b"tract"),
        "collection": collection.pk,
        "kind": "other",
        "description": "",
        "tags": "",
    }


def _image_upload(collection):
    return {
        "title": "Affiche",
        "file": SimpleUploadedFile("affiche.png", _png_bytes(), content_type="image/png"),
        "collection": collection.pk,
        "tags": "",
    }


MEDIA_WRITES = {
    "upload a document": lambda c, col: c.post(reverse("wagtaildocs:add"), _doc_upload(col)),
    "upload documents in bulk": lambda c, col: c.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("tract.txt", b"tract"), "collection": col.pk},
        headers={"x-requested-with": "XMLHttpRequest"},
    ),
    "upload an image": lambda c, col: c.post(reverse("wagtailimages:add"), _image_upload(col)),
    "upload images in bulk": lambda c, col: c.post(
        reverse("wagtailimages:add_multiple"),
        {
            "files[]": SimpleUploadedFile("affiche.png", _png_bytes(), content_type="image/png"),
            "collection": col.pk,
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    ),
}


def _uploads_in(collection, write):
    """Saved images or documents, plus pending bulk uploads: a bulk-uploaded document waits for its kind
    (a required field) in Wagtail's `UploadedFile` until the editor completes it, in a form that checks
    the collection again."""
    model = get_image_model() if "image" in write else get_document_model()
    return model.objects.filter(collection=collection).count() + UploadedFile.objects.count()


@pytest.mark.parametrize("write", MEDIA_WRITES)
def test_editor_of_a_cannot_upload_into_another_collection(client, world, write):
    client.force_login(world.editor_a)

    def check(collection):
        before = snapshot()
        response = MEDIA_WRITES[write](client, collection)
        assert response.status_code in (200, 302, 400, 403), response.status_code
        assert snapshot() == before, "the database changed"

    collections = [
        world.access_b.collection,
        world.access_b.private_collection,
        Collection.get_first_root_node(),
    ]
    assert_each(collections, check)


@pytest.mark.parametrize("write", MEDIA_WRITES)
def test_editor_of_a_uploads_into_the_collections_of_a(client, world, write):
    client.force_login(world.editor_a)

    def check(collection):
        before = _uploads_in(collection, write)
        MEDIA_WRITES[write](client, collection)
        assert _uploads_in(collection, write) == before + 1, "not saved"

    assert_each([world.access_a.collection, world.access_a.private_collection], check)


@pytest.mark.parametrize("write", MEDIA_WRITES)
def test_the_communications_team_uploads_into_b(client, world, write):
    client.force_login(world.city_staff)
    before = _uploads_in(world.access_b.collection, write)
    MEDIA_WRITES[write](client, world.access_b.collection)
    assert _uploads_in(world.access_b.collection, write) == before + 1


MEDIA_ROUTES = {
    "edit a document (GET)": lambda c, w, doc, img: c.get(reverse("wagtaildocs:edit", args=[doc.pk])),
    "edit a document (POST)": lambda c, w, doc, img: c.post(
        reverse("wagtaildocs:edit", args=[doc.pk]),
        {"title": "Piraté", "collection": w.access_a.collection.pk, "kind": "other", "tags": ""},
    ),
    "delete a document (POST)": lambda c, w, doc, img: c.post(reverse("wagtaildocs:delete", args=[doc.pk])),
    "edit an image (GET)": lambda c, w, doc, img: c.get(reverse("wagtailimages:edit", args=[img.pk])),
    "edit an image (POST)": lambda c, w, doc, img: c.post(
        reverse("wagtailimages:edit", args=[img.pk]),
        {"title": "Piraté", "collection": w.access_a.collection.pk, "tags": ""},
    ),
    "delete an image (POST)": lambda c, w, doc, img: c.post(reverse("wagtailimages:delete", args=[img.pk])),
}


@pytest.mark.parametrize("route", MEDIA_ROUTES)
def test_editor_of_a_cannot_touch_the_documents_and_images_of_b(client, world, route):
    client.force_login(world.editor_a)
    before = snapshot()
    for doc in (world.doc_b, world.doc_b_private):
        assert_refused(MEDIA_ROUTES[route](client, world, doc, world.image_b))
    assert snapshot() == before


@pytest.mark.parametrize("route", MEDIA_ROUTES)
def test_editor_of_a_may_manage_the_documents_and_images_of_a(client, world, route):
    client.force_login(world.editor_a)
    assert_done(MEDIA_ROUTES[route](client, world, world.doc_a, world.image_a))


def test_editor_of_a_cannot_move_a_document_of_a_into_b(client, world):
    client.force_login(world.editor_a)
    before = snapshot()
    response = client.post(
        reverse("wagtaildocs:edit", args=[world.doc_a.pk]),
        {"title": "Déplacé", "collection": world.access_b.collection.pk, "kind": "other", "tags": ""},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert snapshot() == before


# --- 4. People, groups, settings: no way to grant oneself more -------------------------------------------


def _self_promotion_post(client, w):
    groups = [w.access_b.editors_group.pk, communications_team_group().pk, w.access_a.editors_group.pk]
    return client.post(
        reverse("wagtailusers_users:edit", args=[w.editor_a.pk]),
        {
            "username": w.editor_a.username,
            "email": w.editor_a.email,
            "first_name": "A",
            "last_name": "B",
            "is_active": "on",
            "is_superuser": "on",
            "groups": groups,
        },
    )


ADMIN_ROUTES = {
    "list users": lambda c, w: c.get(reverse("wagtailusers_users:index")),
    "edit own user (GET)": lambda c, w: c.get(reverse("wagtailusers_users:edit", args=[w.editor_a.pk])),
    "add self to groups (POST)": _self_promotion_post,
    "create a user (POST)": lambda c, w: c.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "complice",
            "email": "c@example.org",
            "password1": "x-Y-z-123456",
            "password2": "x-Y-z-123456",
        },
    ),
    "list groups": lambda c, w: c.get(reverse("wagtailusers_groups:index")),
    "edit own group (POST)": lambda c, w: c.post(
        reverse("wagtailusers_groups:edit", args=[w.access_a.editors_group.pk]), {"name": "Tout-puissants"}
    ),
    "site settings (GET)": lambda c, w: c.get(
        reverse("wagtailsettings:edit", args=["home", "sitesettings", Site.objects.get().pk])
    ),
    "site settings (POST)": lambda c, w: c.post(
        reverse("wagtailsettings:edit", args=["home", "sitesettings", Site.objects.get().pk]),
        {"site_name": "Piraté", "primary_colour": "#000000"},
    ),
    "collections": lambda c, w: c.get(reverse("wagtailadmin_collections:index")),
    "add a collection (POST)": lambda c, w: c.post(
        reverse("wagtailadmin_collections:add"), {"name": "Pirate", "parent": w.access_a.collection.pk}
    ),
    "collection privacy of B (POST)": lambda c, w: c.post(
        reverse("wagtailadmin_collections:set_privacy", args=[w.access_b.private_collection.pk]),
        {"restriction_type": "none"},
    ),
    "sites": lambda c, w: c.get(reverse("wagtailsites:index")),
    "redirects": lambda c, w: c.get(reverse("wagtailredirects:index")),
    "workflows": lambda c, w: c.get(reverse("wagtailadmin_workflows:index")),
}


def test_editor_of_a_cannot_manage_people_groups_or_settings(client, world):
    client.force_login(world.editor_a)

    def check(route):
        before = snapshot()
        assert_refused(ADMIN_ROUTES[route](client, world))
        assert snapshot() == before, "the database changed"

    assert_each(list(ADMIN_ROUTES), check)


def test_the_communications_team_manages_users_and_site_settings(client, world):
    client.force_login(world.city_staff)
    routes = ["list users", "edit own user (GET)", "site settings (GET)", "redirects"]
    assert_each(routes, lambda route: _status_is_ok(ADMIN_ROUTES[route](client, world)))


def _status_is_ok(response):
    assert response.status_code == 200, response.status_code


def test_a_member_cannot_enter_the_admin(client, world):
    client.force_login(world.member_a)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
