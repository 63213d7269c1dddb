"""A council's documents page and its documents' file URLs, public and private."""

import re

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import pytest

from councils.factories import UserFactory
from councils.services import council_add_member
from documents.models import DocumentIndexPage
from documents.services import document_create
from documents.templatetags.document_tags import document_format, human_size

pytestmark = pytest.mark.django_db


def pdf(name, size=2000):
    return ContentFile(b"%PDF-1.4\n" + b"x" * (size - 9), name=name)


@pytest.fixture
def documents_page(council_a):
    return DocumentIndexPage.objects.child_of(council_a).get()  # created with the council


@pytest.fixture
def public_doc(council_a):
    return document_create(
        title="Ordre du jour de décembre",
        file=pdf("odj-decembre.pdf", 230 * 1024),
        collection=council_a.access.collection,
        kind="agenda",
    )


@pytest.fixture
def private_doc(council_a):
    return document_create(
        title="Compte rendu de travail",
        file=pdf("cr-travail.pdf"),
        collection=council_a.access.private_collection,
        kind="minutes",
    )


@pytest.fixture
def member_b(council_b):
    user = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=user)
    return user


def titles(response):
    return re.findall(r'class="document-item__link" href="[^"]+">([^<]+)<', response.content.decode())


def test_documents_page_lists_public_documents_grouped_by_kind_with_format_and_size(
    client, documents_page, public_doc, council_a
):
    report = document_create(
        title="Rapport annuel", file=pdf("rapport.odt"), collection=council_a.access.collection, kind="report"
    )
    response = client.get(documents_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(response) == ["Ordre du jour de décembre", "Rapport annuel"]
    assert html.index('id="documents-agenda"') < html.index('id="documents-report"')
    assert 'id="documents-minutes"' not in html
    assert f'href="{public_doc.url}"' in html
    assert f'href="{report.url}"' in html
    assert "(PDF, 230\N{NO-BREAK SPACE}Ko)" in html
    assert "(ODT, 2\N{NO-BREAK SPACE}" in html  # 2 000 bytes: "ODT, 2 Ko", unit kept with its number
    assert "document-item--private" not in html


def test_private_documents_are_listed_only_for_the_councils_members_with_a_lock_label(
    client, documents_page, public_doc, private_doc, member_a, member_b, editor_a, city_staff
):
    assert titles(client.get(documents_page.url)) == ["Ordre du jour de décembre"]
    client.force_login(member_b)
    assert titles(client.get(documents_page.url)) == ["Ordre du jour de décembre"]
    for allowed in (member_a, editor_a, city_staff):
        client.force_login(allowed)
        response = client.get(documents_page.url)
        assert sorted(titles(response)) == ["Compte rendu de travail", "Ordre du jour de décembre"]
        assert response.content.decode().count("document-item--private") == 1


def test_private_document_file_is_refused_to_anonymous_readers_and_other_councils_members(
    client, private_doc, member_b
):
    response = client.get(private_doc.url)
    assert response.status_code == 302
    assert "login" in response["Location"] or "connexion" in response["Location"]
    client.force_login(member_b)
    response = client.get(private_doc.url)
    assert response.status_code in (302, 403)
    assert not response.get("Content-Disposition")


def test_private_document_file_is_served_to_the_councils_members(client, private_doc, member_a):
    client.force_login(member_a)
    response = client.get(private_doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_public_document_file_is_served_to_anyone(client, public_doc):
    assert re.fullmatch(rf"/documents/{public_doc.pk}/odj-decembre\w*\.pdf", public_doc.url)
    response = client.get(public_doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_documents_page_runs_the_same_number_of_queries_whatever_the_number_of_documents(
    client, documents_page, council_a, member_a, django_assert_num_queries, django_assert_max_num_queries
):
    def add(n):
        document_create(
            title=f"Document {n}",
            file=pdf(f"doc-{n}.pdf", 500),
            collection=council_a.access.private_collection if n % 2 else council_a.access.collection,
            kind=["agenda", "minutes", "report", "other"][n % 4],
        )

    add(0)
    add(1)
    client.force_login(member_a)
    client.get(documents_page.url)
    with CaptureQueriesContext(connection) as baseline:
        client.get(documents_page.url)
    for n in range(2, 40):
        add(n)
    with django_assert_num_queries(len(baseline)):
        response = client.get(documents_page.url)
    assert len(titles(response)) == 40
    with django_assert_max_num_queries(28):
        client.get(documents_page.url)


@pytest.mark.parametrize(
    ("size", "number"),
    [(850, "850"), (1024, "1"), (230 * 1024, "230"), (int(1.2 * 1024 * 1024), "1,2"), (5 * 1024**3, "5,0")],
)
def test_sizes_read_the_french_way(size, number):
    with translation.override("fr"):
        assert human_size(size).startswith(number + "\N{NO-BREAK SPACE}")


def test_document_format_joins_extension_and_size(council_a):
    document = document_create(
        title="CR", file=pdf("cr.pdf", 230 * 1024), collection=council_a.access.collection, kind="minutes"
    )
    with translation.override("fr"):
        assert document_format(document) == "PDF, 230\N{NO-BREAK SPACE}Ko"
    document.file_size = None
    assert document_format(document) == "PDF"
