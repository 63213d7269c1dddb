"""`manage.py documents_extract_text`: read the text of documents whose file was never read.

For documents stored before text extraction existed, or whose task was lost. By default one background
task per document is enqueued (the worker reads them); `--now` reads them here, one after the other,
printing what happened; `--force` reads every document again (after raising a limit, say); `--id` picks
documents.
"""

from collections import Counter

from django.core.management.base import BaseCommand

from wagtail.documents import get_document_model

from documents.tasks import document_text_extract
from documents.text_extraction import document_text_extract as extract
from documents.text_extraction import documents_needing_text


class Command(BaseCommand):
    help = "Extract the searchable text of documents whose file was not read yet (backfill)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Read the files here instead of enqueueing tasks."
        )
        parser.add_argument("--force", action="store_true", help="Read every document again, even if read.")
        parser.add_argument(
            "--id", type=int, action="append", dest="ids", help="Only this document (repeat)."
        )

    def handle(self, *args, now=False, force=False, ids=None, **options):
        documents = get_document_model().objects.exclude(file="") if force else documents_needing_text()
        if ids:
            documents = documents.filter(pk__in=ids)
        documents = documents.order_by("pk")
        if not now:
            count = 0
            for document_id in documents.values_list("pk", flat=True).iterator():
                document_text_extract.enqueue(document_id, force)
                count += 1
            self.stdout.write(f"{count} document(s) queued for text extraction.")
            return
        outcomes = Counter()
        for document in documents.iterator(chunk_size=50):
            outcome = extract(document=document, force=force)
            outcomes[outcome] += 1
            line = f"{document.pk} {document.file.name}: {outcome}"
            if document.text_extraction_error:
                line += f" ({document.text_extraction_error})"
            self.stdout.write(line)
        summary = (
            ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items())) or "nothing to do"
        )
        self.stdout.write(f"Text extraction: {summary}.")
