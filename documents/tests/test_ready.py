"""A file dropped in Wagtail's multiple upload is listed publicly only once its details are saved."""

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from documents.models import CouncilDocument, DocumentIndexPage, DocumentKind
from documents.services import document_create, documents_visible_to
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory
from meetings.models import MeetingDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def drop_in_multiple_upload(client, collection, name="scan_0042.pdf"):
    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"collection": collection.pk, "title": name, "files[]": SimpleUploadedFile(name, PDF)},
    )
    assert response.json()["success"] is True, response.json()
    return CouncilDocument.objects.get(pk=response.json()["doc_id"])


@pytest.fixture
def documents_page(council_a):
    page = DocumentIndexPage.objects.child_of(council_a).get()
    page.save_revision().publish()
    return page


def test_a_file_dropped_in_the_multiple_upload_is_not_listed_until_its_details_are_saved(
    client, editor_a, council_a, documents_page, rf
):
    collection = council_a.access.collection
    client.force_login(editor_a)

    document = drop_in_multiple_upload(client, collection)

    assert document.is_ready is False
    client.logout()
    assert "scan_0042" not in client.get(documents_page.url).content.decode()
    request = rf.get("/")
    request.user = AnonymousUser()
    assert documents_visible_to(request=request, council=council_a) == []

    client.force_login(editor_a)
    prefix = f"doc-{document.pk}"
    response = client.post(
        reverse("wagtaildocs:edit_multiple", args=[document.pk]),
        {
            f"{prefix}-title": "Ordre du jour du 1er décembre",
            f"{prefix}-collection": collection.pk,
            f"{prefix}-kind": DocumentKind.AGENDA,
            f"{prefix}-description": "",
            f"{prefix}-tags": "",
        },
    )

    assert response.json()["success"] is True, response.json()
    document.refresh_from_db()
    assert document.is_ready is True
    assert document.kind == DocumentKind.AGENDA
    client.logout()
    html = client.get(documents_page.url).content.decode()
    assert "Ordre du jour du 1er décembre" in html
    assert ">scan_0042" not in html  # listed under its title now, no longer its file name


def test_saving_the_details_from_the_document_edit_page_lists_it_too(client, editor_a, council_a):
    collection = council_a.access.collection
    client.force_login(editor_a)
    document = drop_in_multiple_upload(client, collection)

    response = client.get(reverse("wagtaildocs:edit", args=[document.pk]))
    assert "Pas encore listé sur le site public" in response.content.decode()
    response = client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": "Rapport annuel", "collection": collection.pk, "kind": DocumentKind.REPORT, "tags": ""},
    )

    assert response.status_code == 302, response.context["form"].errors
    document.refresh_from_db()
    assert document.is_ready is True


def test_the_single_upload_form_stores_a_document_ready_at_once(client, editor_a, council_a):
    client.force_login(editor_a)

    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Compte rendu de novembre",
            "file": SimpleUploadedFile("cr.pdf", PDF),
            "collection": council_a.access.collection.pk,
            "kind": DocumentKind.MINUTES,
            "tags": "",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    assert CouncilDocument.objects.get().is_ready is True


def test_documents_stored_by_the_service_are_ready(council_a):
    document = document_create(
        title="Rapport", file=ContentFile(PDF, name="rapport.pdf"), collection=council_a.access.collection
    )

    assert document.is_ready is True


def test_a_meeting_page_does_not_list_an_attached_document_whose_details_are_not_saved(client, council_a):
    index = MeetingIndexPageFactory(parent=council_a)
    index.save_revision().publish()
    meeting = MeetingPageFactory(parent=index)
    ready = document_create(
        title="Ordre du jour", file=ContentFile(PDF, name="odj.pdf"), collection=council_a.access.collection
    )
    dropped = document_create(
        title="IMG_2211", file=ContentFile(PDF, name="IMG_2211.pdf"), collection=council_a.access.collection
    )
    CouncilDocument.objects.filter(pk=dropped.pk).update(is_ready=False)
    MeetingDocument.objects.create(page=meeting, document=ready)
    MeetingDocument.objects.create(page=meeting, document=dropped)
    meeting.save_revision().publish()

    html = client.get(meeting.url).content.decode()

    assert "Ordre du jour" in html
    assert "IMG_2211" not in html
