"""A public page may point to its council's private document or image: the page hides them from readers
without access, and so must the search (found by, or quoting, their link text or alt text)."""

from django.core.files.base import ContentFile

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.search import index

import pytest

from documents.services import document_create
from home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def _page(council, body):
    page = StandardPageFactory(parent=council, title="Vie du conseil", slug="vie", body=body)
    page.save_revision().publish()
    index.insert_or_update_object(page.specific)
    return page


def test_a_private_documents_link_text_is_neither_found_nor_quoted(client, council_a):
    private = document_create(
        title="Document interne",
        file=ContentFile(b"x", name="interne.pdf"),
        collection=council_a.access.private_collection,
        kind="other",
    )
    page = _page(council_a, [("document", {"document": private, "label": "Rapport Zorglub"})])
    assert "Zorglub" not in client.get(page.url).content.decode()
    body = client.get("/recherche/", {"q": "Zorglub"}).content.decode()
    assert "Vie du conseil" not in body and "Zorglub</mark>" not in body


def test_a_public_documents_link_text_is_found(client, council_a):
    public = document_create(
        title="Compte rendu",
        file=ContentFile(b"x", name="cr.pdf"),
        collection=council_a.access.collection,
        kind="minutes",
    )
    _page(council_a, [("document", {"document": public, "label": "Rapport Quetzal"})])
    assert "Vie du conseil" in client.get("/recherche/", {"q": "Quetzal"}).content.decode()


def test_a_private_images_alt_text_is_neither_found_nor_quoted(client, council_a):
    image = get_image_model().objects.create(
        title="Photo interne",
        collection=council_a.access.private_collection,
        file=get_test_image_file(filename="interne.png"),
    )
    _page(council_a, [("image", {"image": image, "alt_text": "Bureau Zorglub", "decorative": False})])
    body = client.get("/recherche/", {"q": "Zorglub"}).content.decode()
    assert "Vie du conseil" not in body
