"""After a document is saved with a new or replaced file, its text is read in the background, once the
transaction has committed (the worker must see the file's row; a rolled-back upload reads nothing)."""

from django.db import transaction
from django.db.models.signals import post_save

from wagtail.documents import get_document_model

from .tasks import document_text_extract


def document_text_enqueue(*, document):
    """Enqueue the extraction of the document's file after the commit, unless it was read already."""
    if not document.file or document.file.name == document.text_extracted_from:
        return False
    document_id = document.pk
    transaction.on_commit(lambda: document_text_extract.enqueue(document_id))
    return True


def document_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata
        return
    document_text_enqueue(document=instance)


def connect():
    post_save.connect(document_saved, sender=get_document_model(), dispatch_uid="documents_text_on_save")
