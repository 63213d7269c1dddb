"""Content can only point to what its author may use — checked on every field and block, by construction.

The sweep below finds every reference-bearing field of every Parvis page type (foreign keys, StreamField
chooser blocks at any depth, rich text, inline children) from the models themselves, so a field or block
added later is covered without editing this file. The admin tests then go through the real save and
preview routes, and the render tests read the published page as each kind of reader.
"""

import json
import re
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from modelcluster.models import get_all_child_relations
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Page, PageViewRestriction, get_page_models
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from core.models import BasePage
from core.references import MESSAGES, refused_references
from councils.factories import UserFactory
from councils.services import council_add_editor
from home.models import StandardPage
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory

PARVIS_APPS = {"home", "councils", "meetings", "documents", "events", "blog", "participation", "newsletter"}


def parvis_page_models():
    return [m for m in get_page_models() if m._meta.app_label in PARVIS_APPS]


def _document(title, collection):
    return get_document_model().objects.create(
        title=title, collection=collection, file=SimpleUploadedFile(f"{title}.pdf", b"%PDF-1.4 compte rendu")
    )


def _image(title, collection):
    return get_image_model().objects.create(
        title=title, collection=collection, file=get_test_image_file(filename=f"{title}.png")
    )


def _page(parent, title, slug, *, live=True, members_of=None):
    page = StandardPage(title=title, slug=slug, intro="", live=live)
    parent.add_child(instance=page)
    if live:
        page.save_revision().publish()
    else:
        page.save_revision()
    if members_of is not None:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(members_of)
    return page


def build_world():
    from councils.factories import CouncilPageFactory
    from councils.models import CouncilIndexPage
    from councils.services import council_add_member
    from home.services import site_structure_ensure

    site_structure_ensure(hostname="testserver")
    index = CouncilIndexPage.objects.get()
    councils = []
    for title, slug in (("Conseil de quartier Centre", "centre"), ("Conseil de quartier Biollay", "biollay")):
        council = CouncilPageFactory(parent=index, title=title, slug=slug)
        council.save_revision().publish()
        councils.append(council)
    council_a, council_b = councils
    editor_a = UserFactory(username="editeur-centre")
    council_add_editor(council=council_a, user=editor_a)
    editor_b = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=editor_b)
    member_a = UserFactory(username="membre-centre")
    council_add_member(council=council_a, user=member_a)
    member_b = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=member_b)
    a, b = council_a.access, council_b.access
    return SimpleNamespace(
        council_a=council_a,
        council_b=council_b,
        editor_a=editor_a,
        editor_b=editor_b,
        member_a=member_a,
        member_b=member_b,
        doc_a_private=_document("notes-internes-centre", a.private_collection),
        doc_a_public=_document("ordre-du-jour-centre", a.collection),
        doc_b_private=_document("notes-internes-biollay", b.private_collection),
        doc_site=_document("charte-des-conseils", Collection.get_first_root_node()),
        image_a_private=_image("photo-privee-centre", a.private_collection),
        image_b=_image("photo-biollay", b.collection),
        page_a_private=_page(council_a, "Espace membres Centre", "espace-centre", members_of=a.members_group),
        page_a_draft=_page(council_a, "Brouillon Centre", "brouillon-centre", live=False),
        page_a_public=_page(council_a, "Fête de quartier Centre", "fete-centre"),
    )


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


# --- the sweep: every field and block that can hold a reference --------------------------------------


def _leaf_kinds(block):
    from wagtail.documents.blocks import DocumentChooserBlock
    from wagtail.images.blocks import ImageChooserBlock

    if isinstance(block, DocumentChooserBlock):
        return ["document"]
    if isinstance(block, ImageChooserBlock):
        return ["image"]
    if isinstance(block, blocks.PageChooserBlock):
        return ["page"]
    if isinstance(block, blocks.RichTextBlock):
        return _rich_text_kinds(block.features)
    return []


def _rich_text_kinds(features):
    from wagtail.rich_text import features as feature_registry

    features = features if features is not None else feature_registry.get_default_features()
    return [
        kind
        for feature, kind in (("link", "page"), ("document-link", "document"), ("image", "image"))
        if feature in features
    ]


def block_reference_paths(block, path=()):
    """(path of child names, kind) for every place a block tree can hold a reference."""
    for kind in _leaf_kinds(block):
        yield path, kind
    if isinstance(block, blocks.ListBlock):
        yield from block_reference_paths(block.child_block, (*path, "item"))
    elif isinstance(block, (blocks.StreamBlock, blocks.StructBlock)) and not _leaf_kinds(block):
        for name, child in block.child_blocks.items():
            yield from block_reference_paths(child, (*path, name))


def _raw(block, path, leaf):
    if not path:
        return leaf
    name, rest = path[0], path[1:]
    if isinstance(block, blocks.StreamBlock):
        return [{"type": name, "value": _raw(block.child_blocks[name], rest, leaf)}]
    if isinstance(block, blocks.ListBlock):
        return [{"type": "item", "value": _raw(block.child_block, rest, leaf)}]
    value = {key: child.get_prep_value(child.get_default()) for key, child in block.child_blocks.items()}
    value[name] = _raw(block.child_blocks[name], rest, leaf)
    return value


RICH_TEXT = {
    "page": '<p><a linktype="page" id="{pk}">voir</a></p>',
    "document": '<p><a linktype="document" id="{pk}">lire</a></p>',
    "image": '<embed embedtype="image" id="{pk}" format="left" alt="x"/>',
}


def _leaf(block_or_field, kind, pk):
    if isinstance(block_or_field, (blocks.RichTextBlock, RichTextField)):
        return RICH_TEXT[kind].format(pk=pk)
    return pk


def reference_cases(model):
    """(description, a function setting a reference of `kind` to `pk` on a fresh instance, kind)."""
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False):
            continue
        if isinstance(field, StreamField):
            for path, kind in block_reference_paths(field.stream_block):
                leaf_block = field.stream_block
                for name in path:
                    leaf_block = (
                        leaf_block.child_block
                        if isinstance(leaf_block, blocks.ListBlock)
                        else leaf_block.child_blocks[name]
                    )
                yield (
                    f"{model.__name__}.{field.name}.{'.'.join(path)}",
                    field.name,
                    kind,
                    lambda obj, pk, f=field, p=path, b=leaf_block, k=kind: setattr(
                        obj, f.name, _raw(f.stream_block, p, _leaf(b, k, pk))
                    ),
                )
        elif isinstance(field, RichTextField):
            for kind in _rich_text_kinds(field.features):
                yield (
                    f"{model.__name__}.{field.name}",
                    field.name,
                    kind,
                    lambda obj, pk, f=field, k=kind: setattr(obj, f.name, RICH_TEXT[k].format(pk=pk)),
                )
        elif field.is_relation and field.many_to_one:
            related = field.related_model
            kind = (
                "document"
                if issubclass(related, get_document_model())
                else "image"
                if issubclass(related, get_image_model())
                else "page"
                if issubclass(related, Page)
                else None
            )
            if kind:
                yield (
                    f"{model.__name__}.{field.name}",
                    field.name,
                    kind,
                    lambda obj, pk, f=field: setattr(obj, f.attname, pk),
                )


def all_reference_cases():
    cases = []
    for model in parvis_page_models():
        for description, field_name, kind, setter in reference_cases(model):
            cases.append((model, None, description, field_name, kind, setter))
        for relation in get_all_child_relations(model):
            child_model = relation.related_model
            for description, field_name, kind, setter in reference_cases(child_model):
                if field_name != relation.field.name:
                    cases.append((model, child_model, description, field_name, kind, setter))
    return cases


CASES = all_reference_cases()


def test_every_parvis_page_type_is_built_on_the_fenced_base():
    models = parvis_page_models()
    assert len(models) >= 8
    offenders = [m.__name__ for m in models if not issubclass(m, BasePage)]
    assert offenders == []


def test_the_sweep_finds_the_reference_fields_we_know_of():
    found = {description for _m, _c, description, _f, _k, _s in CASES}
    # A floor, so that a broken walker cannot make the sweep vacuous.
    for known in (
        "CouncilPage.cover_image",
        "CouncilPage.body.document.document",
        "CouncilPage.body.image.image",
        "StandardPage.body.paragraph",
        "MeetingDocument.document",
    ):
        assert known in found, sorted(found)


def _target(world, kind, mine):
    if kind == "document":
        return world.doc_b_private if mine else world.doc_a_private
    if kind == "image":
        return world.image_b if mine else world.image_a_private
    return world.council_b if mine else world.page_a_private


@pytest.mark.parametrize(
    ("model", "child", "description", "field_name", "kind", "setter"),
    CASES,
    ids=[c[2] + ":" + c[4] for c in CASES],
)
def test_every_reference_to_another_councils_private_item_is_refused(
    world, model, child, description, field_name, kind, setter
):
    obj = (child or model)()
    setter(obj, _target(world, kind, mine=False).pk)
    assert [r[1:3] for r in refused_references([obj], world.editor_b)] == [(field_name, kind)], description
    # The same reference is the council's own business for its own editor.
    assert refused_references([obj], world.editor_a) == [], description


@pytest.mark.parametrize(
    ("model", "child", "description", "field_name", "kind", "setter"),
    CASES,
    ids=[c[2] + ":" + c[4] for c in CASES],
)
def test_every_reference_to_the_editors_own_items_is_allowed(
    world, model, child, description, field_name, kind, setter
):
    obj = (child or model)()
    setter(obj, _target(world, kind, mine=True).pk)
    assert refused_references([obj], world.editor_b) == [], description


def test_drafts_and_other_councils_public_documents_are_refused_site_wide_ones_allowed(world):
    page = StandardPage()
    page.body = [{"type": "paragraph", "value": RICH_TEXT["page"].format(pk=world.page_a_draft.pk)}]
    assert [r[1:3] for r in refused_references([page], world.editor_b)] == [("body", "page")]
    page.body = [{"type": "paragraph", "value": RICH_TEXT["page"].format(pk=world.page_a_public.pk)}]
    assert refused_references([page], world.editor_b) == []
    page.body = [{"type": "document", "value": {"document": world.doc_a_public.pk, "label": ""}}]
    assert [r[1:3] for r in refused_references([page], world.editor_b)] == [("body", "document")]
    page.body = [{"type": "document", "value": {"document": world.doc_site.pk, "label": ""}}]
    assert refused_references([page], world.editor_b) == []


# --- through the real admin: save and preview ------------------------------------------------------


def shows(body, message):
    """Whether the admin's answer shows this message: as HTML, or inside the JSON a StreamField's
    errors are rendered from (non-ASCII characters escaped)."""
    message = str(message)
    as_json = json.dumps(message)[1:-1]
    return any(form in body for form in (escape(message), as_json, escape(as_json)))


def standard_page_form(body, title="Notre page"):
    return nested_form_data(
        {
            "title": title,
            "slug": "notre-page",
            "intro": "",
            "body": streamfield(body),
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
        }
    )


BODY_CASES = {
    "document block": lambda w: [("document", {"document": w.doc_a_private.pk, "label": ""})],
    "image block": lambda w: [
        ("image", {"image": w.image_a_private.pk, "alt_text": "photo", "decorative": "", "caption": ""})
    ],
    "rich-text page link": lambda w: [
        ("paragraph", rich_text(RICH_TEXT["page"].format(pk=w.page_a_private.pk)))
    ],
    "rich-text document link": lambda w: [
        ("paragraph", rich_text(RICH_TEXT["document"].format(pk=w.doc_a_private.pk)))
    ],
}


@pytest.mark.parametrize("case", BODY_CASES)
def test_an_editor_cannot_save_a_page_pointing_to_another_councils_private_item(client, world, case):
    client.force_login(world.editor_b)
    pages_before = Page.objects.count()
    url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", world.council_b.pk])

    response = client.post(url, standard_page_form(BODY_CASES[case](world)))

    assert response.status_code == 200
    assert Page.objects.count() == pages_before
    body = response.content.decode()
    assert any(shows(body, message) for message in MESSAGES.values()), case
    # The refusal names nothing of the other council's item.
    for secret in ("notes-internes-centre", "photo-privee-centre", "Espace membres Centre"):
        assert secret not in body


@pytest.mark.parametrize("case", BODY_CASES)
def test_an_editor_cannot_preview_a_page_pointing_to_another_councils_private_item(client, world, case):
    client.force_login(world.editor_b)
    page = _page(world.council_b, "Page Biollay", "page-biollay")
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])

    response = client.post(url, standard_page_form(BODY_CASES[case](world), title="Page Biollay"))

    assert response.json()["is_valid"] is False
    preview = client.get(url)
    for secret in ("notes-internes-centre", "photo-privee-centre", "Espace membres Centre"):
        assert secret not in preview.content.decode()


def test_an_editor_cannot_set_another_councils_private_image_as_cover(client, world):
    client.force_login(world.editor_b)
    council = world.council_b
    url = reverse("wagtailadmin_pages:edit", args=[council.pk])
    data = nested_form_data(
        {
            "title": council.title,
            "slug": council.slug,
            "kind": council.kind,
            "area": "",
            "intro": "",
            "cover_image": world.image_a_private.pk,
            "cover_image_alt": "Une photo",
            "body": streamfield([]),
            "contact_name": "",
            "contact_email": "",
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
        }
    )
    revisions_before = council.revisions.count()

    response = client.post(url, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert shows(body, MESSAGES["image"])
    assert "photo-privee-centre" not in body
    council.refresh_from_db()
    assert council.cover_image_id is None
    assert council.revisions.count() == revisions_before


def test_an_editor_cannot_attach_another_councils_private_document_to_a_meeting(client, world):
    from meetings.tests.test_admin import meeting_form

    index = MeetingIndexPageFactory(parent=world.council_b)
    client.force_login(world.editor_b)
    url = reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", index.pk])
    data = meeting_form([], related_documents=inline_formset([{"document": world.doc_a_private.pk}]))

    response = client.post(url, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert shows(body, MESSAGES["document"])
    assert "notes-internes-centre" not in body
    assert not index.get_children().exists()


def test_an_editor_may_use_their_own_councils_private_document(client, world):
    client.force_login(world.editor_b)
    url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", world.council_b.pk])

    response = client.post(
        url, standard_page_form([("document", {"document": world.doc_b_private.pk, "label": ""})])
    )

    assert response.status_code == 302
    assert StandardPage.objects.filter(slug="notre-page").exists()


# --- rendering: nothing private to those without access --------------------------------------------


@pytest.fixture
def public_page_pointing_to_private_items(world):
    a = world.council_a
    page = StandardPage(
        title="Compte rendu public",
        slug="compte-rendu-public",
        body=[
            {"type": "document", "value": {"document": world.doc_a_private.pk, "label": ""}},
            {
                "type": "image",
                "value": {
                    "image": world.image_a_private.pk,
                    "alt_text": "Réunion du bureau",
                    "decorative": False,
                },
            },
            {"type": "paragraph", "value": RICH_TEXT["document"].format(pk=world.doc_a_private.pk)},
        ],
    )
    a.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_a_public_page_shows_nothing_of_a_private_document_or_image_to_the_public(
    client, world, public_page_pointing_to_private_items
):
    for reader in (None, world.member_b):
        client.logout()
        if reader:
            client.force_login(reader)
        body = client.get(public_page_pointing_to_private_items.url).content.decode()
        assert "notes-internes-centre" not in body
        assert "Réunion du bureau" not in body
        assert "photo-privee-centre" not in body
        # The rich-text link stays, pointing to the checking view, not to the file.
        assert reverse("document_by_id", args=[world.doc_a_private.pk]) in body


def test_a_member_sees_their_councils_private_document_and_image_on_a_public_page(
    client, world, public_page_pointing_to_private_items
):
    client.force_login(world.member_a)
    body = client.get(public_page_pointing_to_private_items.url).content.decode()
    assert "notes-internes-centre" in body
    assert "Réunion du bureau" in body


def test_the_document_link_view_checks_access_before_naming_the_file(client, world):
    url = reverse("document_by_id", args=[world.doc_a_private.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "notes-internes-centre" not in anonymous["Location"]
    assert "login" in anonymous["Location"] or "connexion" in anonymous["Location"]
    client.force_login(world.member_b)
    assert client.get(url).status_code == 404
    client.force_login(world.member_a)
    allowed = client.get(url)
    assert allowed.status_code == 302
    assert allowed["Location"] == world.doc_a_private.url
    assert "private" in allowed["Cache-Control"]


def test_members_only_documents_of_a_public_meeting_are_listed_only_to_members(client, world):
    index = MeetingIndexPageFactory(parent=world.council_a)
    meeting = MeetingPageFactory(parent=index, title="Séance publique")
    meeting.related_documents.create(document=world.doc_a_private)
    meeting.related_documents.create(document=world.doc_a_public)
    meeting.save_revision().publish()

    anonymous = client.get(meeting.url).content.decode()
    assert "ordre-du-jour-centre" in anonymous
    assert "notes-internes-centre" not in anonymous
    client.force_login(world.member_a)
    member = client.get(meeting.url).content.decode()
    assert "notes-internes-centre" in member


def test_rich_text_links_to_public_documents_still_point_to_the_file(world):
    html = str(RichText(RICH_TEXT["document"].format(pk=world.doc_a_public.pk)))
    assert world.doc_a_public.url in html
    assert re.search(r"/documents/\d+/$", reverse("document_by_id", args=[world.doc_a_public.pk]))
