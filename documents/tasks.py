"""Documents' background work: reading the text of a new or replaced file (documents.text_extraction)."""

from django_tasks import task

from .text_extraction import document_text_extract_by_id


@task()
def document_text_extract(document_id: int, force: bool = False) -> str:
    """Extract, store and index the text of document `document_id`'s current file; returns what happened
    ("extracted", "skipped", "unchanged", "none", "stale" or "missing"). Safe to run twice or late: a file
    already read is not read again, and a file replaced meanwhile is left to its own task."""
    return document_text_extract_by_id(document_id=document_id, force=force)
