import importlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from wagtail.models import UploadedFile

import pytest

from councils.models import CouncilAccess
from documents.models import CouncilDocument, DocumentKind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_editor_bulk_uploads_a_document_without_choosing_its_kind(client, editor_a, council_a):
    collection = CouncilAccess.objects.get(council=council_a).collection
    client.force_login(editor_a)

    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"collection": collection.pk, "files[]": SimpleUploadedFile("ordre-du-jour.pdf", PDF)},
    )

    assert response.status_code == 200
    assert response.json()["success"] is True
    document = CouncilDocument.objects.get()
    assert document.collection == collection
    assert document.kind == DocumentKind.OTHER
    assert not UploadedFile.objects.exists()


def test_the_document_form_keeps_a_chosen_kind(client, editor_a, council_a):
    collection = CouncilAccess.objects.get(council=council_a).collection
    client.force_login(editor_a)

    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Compte rendu de mars",
            "collection": collection.pk,
            "kind": DocumentKind.MINUTES,
            "file": SimpleUploadedFile("cr-mars.pdf", PDF),
        },
    )

    assert response.status_code == 302
    assert CouncilDocument.objects.get().kind == DocumentKind.MINUTES


@pytest.fixture
def debug_urlconf():
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_demo_server_serves_images_but_never_document_files_directly(debug_urlconf):
    # Documents (private ones included) go through Wagtail's serve view and its collection checks.
    assert resolve("/media/images/photo.max-800x600.jpg")
    with pytest.raises(Resolver404):
        resolve("/media/documents/compte-rendu-prive.pdf")
