"""Documents searched by their content: the text of PDF, ODT and DOCX files, read in the background.

The files are real ones built here (documents/tests/sample_files.py); each holds French words that are
not in its title, so finding it by one of them proves its content was read and indexed."""

import logging
from unittest import mock

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from django.test import Client, override_settings
from django.urls import reverse

from wagtail.documents import get_document_model

import pytest

from councils.factories import UserFactory
from councils.services import council_add_member
from documents import signals
from documents.extractors import extract, normalise
from documents.models import CouncilDocument
from documents.services import document_create
from documents.text_extraction import document_text_extract, documents_needing_text, file_text_extract

from .sample_files import docx_bytes, encrypted_pdf_bytes, odt_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

LOGGER = "documents.text"
MINUTES_PDF = [
    ["Compte rendu de la séance du 12 mars", "Le conseil a voté la rénovation du préau de l’école."],
    ["Les jardinières de la place seront plantées au printemps."],
]


@pytest.fixture
def upload(council_a, django_capture_on_commit_callbacks):
    """Store a document as every way in does, and run what its commit triggers (the extraction task)."""

    def make(name, data, *, title="Document du conseil", collection=None):
        with django_capture_on_commit_callbacks(execute=True):
            document = document_create(
                title=title,
                file=ContentFile(data, name=name),
                collection=collection or council_a.access.collection,
            )
        document.refresh_from_db()
        return document

    return make


def found(word):
    return list(CouncilDocument.objects.search(word))


# -- Found by their content ----------------------------------------------------------------------------------


def test_a_pdf_is_found_by_a_word_that_is_only_in_its_content(upload):
    document = upload("cr-mars.pdf", pdf_bytes(MINUTES_PDF), title="Compte rendu de mars")

    assert "préau de l’école" in document.extracted_text
    assert "jardinières" in document.extracted_text  # the second page too
    assert document.text_extracted_from == document.file.name
    assert document.text_extraction_error == ""
    assert found("préau") == [document]
    assert found("jardinieres") == [document]  # without the accent


@pytest.mark.parametrize(
    ("name", "builder"),
    [("ordre-du-jour.odt", odt_bytes), ("ordre-du-jour.docx", docx_bytes)],
)
def test_an_odt_or_docx_is_found_by_its_headings_paragraphs_and_tables(upload, name, builder):
    data = builder(
        heading="Ordre du jour",
        paragraphs=["Première réunion à la médiathèque Éléonore."],
        table=[["Horaire", "Sujet"], ["18 h 30", "Piétonnisation de la rue Gambetta"]],
    )
    document = upload(name, data, title="Réunion d’avril")

    assert document.extracted_text.split("\n")[:3] == [
        "Ordre du jour",
        "Première réunion à la médiathèque Éléonore.",
        "Horaire",
    ]
    assert found("médiathèque") == [document]
    assert found("piétonnisation") == [document]  # a word in a table cell


def test_a_document_uploaded_in_the_admin_is_found_by_its_content(
    client, editor_a, council_a, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtaildocs:add"),
            {
                "title": "Compte rendu",
                "collection": council_a.access.collection.pk,
                "kind": "minutes",
                "file": SimpleUploadedFile("cr.pdf", pdf_bytes(MINUTES_PDF)),
            },
        )

    assert response.status_code == 302
    document = CouncilDocument.objects.get()
    assert found("préau") == [document]


def test_a_replaced_file_is_read_again_and_its_old_text_forgotten(upload, django_capture_on_commit_callbacks):
    document = upload("cr.pdf", pdf_bytes(MINUTES_PDF))
    first_file = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        document.file = ContentFile(docx_bytes(heading="Budget participatif des Charmettes"), name="cr.docx")
        document.save()
    document.refresh_from_db()

    assert document.text_extracted_from == document.file.name != first_file
    assert "Charmettes" in document.extracted_text and "préau" not in document.extracted_text
    assert found("charmettes") == [document]
    assert found("préau") == []


def test_saving_a_document_again_without_a_new_file_does_not_read_it_again(
    upload, django_capture_on_commit_callbacks
):
    document = upload("cr.pdf", pdf_bytes(MINUTES_PDF))

    with mock.patch("documents.text_extraction.subprocess.run") as run:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            document.title = "Compte rendu (corrigé)"
            document.save()

    assert callbacks == []  # nothing enqueued
    run.assert_not_called()
    assert document_text_extract(document=document) == "unchanged"


def test_the_extraction_waits_for_the_commit_and_a_rolled_back_upload_reads_nothing(
    council_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = document_create(
            title="Brouillon",
            file=ContentFile(pdf_bytes(MINUTES_PDF), name="brouillon.pdf"),
            collection=council_a.access.collection,
        )
    assert len(callbacks) == 1
    document.refresh_from_db()
    assert document.extracted_text == "" and document.text_extracted_from == ""

    with mock.patch("documents.signals.document_text_extract") as task:
        with pytest.raises(RuntimeError), transaction.atomic():
            document_create(
                title="Annulé",
                file=ContentFile(pdf_bytes(MINUTES_PDF), name="annule.pdf"),
                collection=council_a.access.collection,
            )
            raise RuntimeError("the upload fails after the document's row was written")
    task.enqueue.assert_not_called()
    assert not CouncilDocument.objects.filter(title="Annulé").exists()


def test_the_text_is_cleaned_of_nul_and_control_characters_before_postgresql_stores_it(upload):
    document = upload("notes.txt", "Réunion\x00 du\x07 lundi\r\n\r\n\r\n\r\nà   la\u00a0mairie\x0b".encode())

    assert document.extracted_text == "Réunion du lundi\n\nà la mairie"
    assert found("mairie") == [document]


def test_a_long_text_is_cut_at_the_character_limit_and_indexed(upload):
    words = [f"mot{n:06d}" for n in range(80_000)]  # every word different: the largest index row
    with override_settings(PARVIS_DOCUMENT_TEXT_MAX_CHARS=500_000):
        document = upload("long.txt", " ".join(["ouverture", *words]).encode())

    assert 499_000 < len(document.extracted_text) <= 500_000
    assert document.text_extraction_error == ""
    assert found("ouverture") == [document]


def test_only_the_first_pages_are_read_past_the_page_limit(upload):
    pages = [f"Page numéro {n} zèbre{n}" for n in range(1, 6)]
    with override_settings(PARVIS_DOCUMENT_TEXT_MAX_PAGES=3):
        document = upload("long.pdf", pdf_bytes(pages))

    assert "zèbre3" in document.extracted_text
    assert "zèbre4" not in document.extracted_text


# -- Skipped, with a reason and a log line, never a crash ---------------------------------------------------


def assert_skipped(document, caplog, reason):
    assert document.extracted_text == ""
    assert document.text_extracted_from == document.file.name  # not read again at every save
    assert reason in document.text_extraction_error
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(document.pk) in warnings[0].getMessage() and reason in warnings[0].getMessage()


def test_a_corrupt_pdf_is_skipped_with_its_reason_and_a_log_line(upload, caplog):
    document = upload("casse.pdf", b"%PDF-1.4 secret\n" + b"\x00\xff" * 100)

    assert_skipped(document, caplog, "unreadable PDF")
    assert CouncilDocument.objects.filter(pk=document.pk, is_ready=True).exists()  # the document is kept


def test_a_truncated_pdf_docx_or_odt_is_skipped(upload, caplog):
    for name, data in (
        ("tronque.pdf", pdf_bytes(MINUTES_PDF)[:300]),
        ("tronque.docx", docx_bytes(heading="Titre")),
        ("tronque.odt", odt_bytes(heading="Titre")),
    ):
        data = data[: len(data) // 2]
        caplog.clear()
        document = upload(name, data)
        assert_skipped(document, caplog, "unreadable")


def test_a_pdf_that_needs_a_password_is_skipped(upload, caplog):
    document = upload("chiffre.pdf", encrypted_pdf_bytes(["Texte confidentiel"]))

    assert_skipped(document, caplog, "encrypted PDF")


def test_a_pdf_encrypted_only_against_changes_is_read(upload):
    document = upload("protege.pdf", encrypted_pdf_bytes(["Délibération lisible"], user_password=""))

    assert document.extracted_text == "Délibération lisible"


@override_settings(PARVIS_DOCUMENT_TEXT_MAX_BYTES=10_000)
def test_a_file_over_the_size_limit_is_not_even_read(upload, caplog):
    with mock.patch("documents.text_extraction.subprocess.run") as run:
        document = upload("gros.pdf", pdf_bytes([["ligne " * 50] * 50] * 5))

    run.assert_not_called()
    assert document.file.size > 10_000
    assert_skipped(document, caplog, "too large")


@override_settings(PARVIS_DOCUMENT_TEXT_MAX_INFLATED=100_000)
def test_a_docx_that_would_inflate_too_much_is_not_opened(upload, caplog):
    data = docx_bytes(heading="Bombe", paragraphs=["0" * 300_000])  # compresses to almost nothing

    document = upload("bombe.docx", data)

    assert len(data) < 100_000
    assert_skipped(document, caplog, "too large once uncompressed")


@override_settings(PARVIS_DOCUMENT_TEXT_TIMEOUT=1)
def test_a_pdf_that_takes_too_long_to_read_is_stopped(upload, caplog):
    # One page, 200,000 text operators: about 20 s of pypdf. A page limit does not bound one page.
    document = upload("lent.pdf", pdf_bytes([["x"] * 200_000]))

    assert_skipped(document, caplog, "timed out")


@override_settings(PARVIS_DOCUMENT_TEXT_MEMORY=40 * 1024 * 1024)
def test_a_reader_out_of_memory_is_recorded_not_raised(upload, caplog):
    document = upload("memoire.pdf", pdf_bytes(MINUTES_PDF))

    assert_skipped(document, caplog, "memory")


def test_a_missing_file_is_skipped(upload, caplog):
    document = upload("disparu.txt", b"texte")
    document.file.storage.delete(document.file.name)
    caplog.clear()

    assert document_text_extract(document=document, force=True) == "skipped"
    document.refresh_from_db()
    assert_skipped(document, caplog, "could not be read")


def test_a_format_whose_text_is_not_read_is_left_alone(upload, caplog):
    document = upload("tableau.xlsx", b"PK\x03\x04 pas lu")

    assert document.extracted_text == "" and document.text_extraction_error == ""
    assert document.text_extracted_from == document.file.name
    assert not [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


def test_a_file_replaced_while_its_text_was_read_keeps_the_newer_files_text(upload):
    document = upload("v1.txt", b"version un")
    stale = CouncilDocument.objects.get(pk=document.pk)
    CouncilDocument.objects.filter(pk=document.pk).update(file="documents/v2.txt")

    stale.text_extracted_from = ""
    assert document_text_extract(document=stale) == "stale"
    document.refresh_from_db()
    assert document.extracted_text == "version un"


def test_an_index_failure_is_logged_not_raised(upload, caplog):
    document = upload("notes.txt", b"premier texte")
    document.file.save("notes2.txt", ContentFile(b"second texte"), save=False)
    CouncilDocument.objects.filter(pk=document.pk).update(file=document.file.name)

    with mock.patch(
        "documents.text_extraction.index.insert_or_update_object", side_effect=DatabaseError("x")
    ):
        assert document_text_extract(document=document) == "extracted"

    assert any(r.name == LOGGER and r.levelno == logging.ERROR for r in caplog.records)
    assert CouncilDocument.objects.get(pk=document.pk).extracted_text == "second texte"


# -- Privacy: the text of a private document reaches nobody else ------------------------------------------


def test_a_private_documents_text_shows_on_no_public_listing(upload, council_a, council_b, client):
    private = upload(
        "interne.pdf",
        pdf_bytes(["Le budget confidentiel du quartier Tamaris"]),
        title="Note interne",
        collection=council_a.access.private_collection,
    )
    assert "Tamaris" in private.extracted_text
    outsider = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=outsider)
    documents_page = "/conseils/centre/documents/"

    for user in (None, outsider):
        reader = Client()
        if user is not None:
            reader.force_login(user)
        for url in (documents_page, "/", "/conseils/centre/", "/recherche/?q=tamaris"):
            body = reader.get(url).content.decode()
            assert "Note interne" not in body and "confidentiel" not in body, (user, url)
    # Its own members read the document's title, never its extracted text, on the documents page.
    member = UserFactory(username="membre-centre")
    council_add_member(council=council_a, user=member)
    reader = Client()
    reader.force_login(member)
    body = reader.get(documents_page).content.decode()
    assert "Note interne" in body and "Tamaris" not in body


def test_the_site_search_finds_a_document_by_its_content_and_the_result_opens_it(upload, client):
    document = upload("cr-mars.pdf", pdf_bytes(MINUTES_PDF), title="Compte rendu de mars")

    html = client.get("/recherche/", {"q": "préau"}).content.decode()

    assert f'href="{document.url}"' in html
    assert "Compte rendu de mars" in html
    assert client.get(document.url).status_code == 200


def test_the_site_search_finds_a_private_documents_content_for_its_members_only(upload, council_a, council_b):
    private = upload(
        "interne.pdf",
        pdf_bytes(["Le budget confidentiel du quartier Tamaris"]),
        title="Note interne",
        collection=council_a.access.private_collection,
    )
    member = UserFactory(username="membre-centre")
    council_add_member(council=council_a, user=member)
    outsider = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=outsider)

    for user, finds in ((member, True), (outsider, False), (None, False)):
        reader = Client()
        if user is not None:
            reader.force_login(user)
        html = reader.get("/recherche/", {"q": "tamaris"}).content.decode()
        assert ("Note interne" in html) is finds, user
        assert (f'href="{private.url}"' in html) is finds, user


# -- Backfill --------------------------------------------------------------------------------------------


@pytest.fixture
def stored_before_extraction(council_a):
    """Documents stored while no extraction existed: the signal disconnected."""
    post_save.disconnect(sender=get_document_model(), dispatch_uid="documents_text_on_save")
    try:
        documents = [
            document_create(
                title=f"Archive {n}",
                file=ContentFile(pdf_bytes([f"Archive numéro {n} goéland{n}"]), name=f"archive-{n}.pdf"),
                collection=council_a.access.collection,
            )
            for n in range(3)
        ]
    finally:
        signals.connect()
    return documents


def test_the_backfill_command_reads_every_document_not_read_yet(stored_before_extraction, capsys):
    assert documents_needing_text().count() == 3
    assert found("goéland1") == []

    call_command("documents_extract_text", "--now")

    assert "extracted 3" in capsys.readouterr().out
    assert documents_needing_text().count() == 0
    assert [d.title for d in found("goéland1")] == ["Archive 1"]
    call_command("documents_extract_text", "--now")
    assert "nothing to do" in capsys.readouterr().out


def test_the_backfill_command_queues_one_task_per_document_by_default(stored_before_extraction, capsys):
    call_command("documents_extract_text")  # the tests' immediate backend runs each task at once

    assert "3 document(s) queued" in capsys.readouterr().out
    assert documents_needing_text().count() == 0
    assert [d.title for d in found("goéland2")] == ["Archive 2"]


def test_the_backfill_command_reads_again_with_force(stored_before_extraction, capsys):
    call_command("documents_extract_text", "--now")
    capsys.readouterr()

    call_command("documents_extract_text", "--now", "--force", "--id", str(stored_before_extraction[0].pk))

    out = capsys.readouterr().out
    assert "extracted 1" in out and "archive-0" in out


def test_the_documents_app_connects_the_extraction_signal():
    from django.apps import apps

    post_save.disconnect(sender=get_document_model(), dispatch_uid="documents_text_on_save")
    apps.get_app_config("documents").ready()

    assert any(
        key[0] == "documents_text_on_save" for key, *_rest in post_save.receivers if isinstance(key[0], str)
    )


# -- The readers themselves (no database, no child process) ---------------------------------------------


def test_normalise_removes_what_postgresql_refuses_and_collapses_spaces():
    assert normalise("a\x00b\ud800c\u2003 d\t\te\x0cg\n\n\n\nf ") == "abc d e g\n\nf"


def test_a_docx_table_with_merged_cells_gives_each_cell_once():
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Fusionnée"
    table.cell(0, 2).text = "Seule"
    out = io.BytesIO()
    document.save(out)

    result = extract(out.getvalue(), extension="docx", max_pages=10, max_chars=1000)

    assert result == {"text": "Fusionnée\nSeule", "error": "", "pages": None}


def test_the_reader_process_answers_for_any_bytes():
    for extension in ("pdf", "odt", "docx", "txt"):
        result = file_text_extract(data=b"\x00\x01garbage\xff", extension=extension)
        assert set(result) == {"text", "error", "pages"}


def test_every_cell_of_a_large_docx_table_is_read_once_in_order():
    cells = [[f"cellule {row}-{column}" for column in range(4)] for row in range(30)]

    result = extract(
        docx_bytes(heading="Tableau", table=cells), extension="docx", max_pages=10, max_chars=100_000
    )

    assert result["text"].split("\n") == ["Tableau", *(cell for row in cells for cell in row)]
