"""Reads and writes on council documents."""

from django.db import transaction

from wagtail.documents import get_document_model

from core.visibility import collection_visible_to
from councils.models import CouncilAccess


def documents_visible_to(*, request, council=None, council_id=None):
    """The council's documents this request may open, newest first, each with `is_private`.

    Its public collection always; its private collection only when the collection's view restrictions
    let the request in (the very check Wagtail's document serving view makes on the file URL). Files
    dropped in the multiple upload whose details nobody saved yet (`is_ready` false) are left out.
    """
    council_id = council_id if council_id is not None else council.pk
    access = CouncilAccess.objects.select_related("private_collection").filter(council_id=council_id).first()
    if access is None:
        return []
    collection_ids = [access.collection_id]
    private = access.private_collection
    if collection_visible_to(private.pk, request):
        collection_ids.append(private.pk)
    documents = list(
        get_document_model()
        .objects.filter(collection_id__in=collection_ids, is_ready=True)
        .order_by("-created_at", "-pk")
    )
    for document in documents:
        document.is_private = document.collection_id == private.pk
    return documents


@transaction.atomic
def document_create(*, title, file, collection, kind="other", description="", uploaded_by_user=None):
    """Store a document with its size and hash, as Wagtail's upload form does."""
    document = get_document_model()(
        title=title,
        file=file,
        collection=collection,
        kind=kind,
        description=description,
        uploaded_by_user=uploaded_by_user,
    )
    document._set_document_file_metadata()
    document.save()
    return document
