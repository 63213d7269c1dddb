from wagtail.documents import get_document_model


def documents_visible_to(*, request, council):
    """The council's documents this request may open: the public collection, plus the private one
    when the collection's view restrictions let the request in (the same check Wagtail's document
    serving view makes)."""
    from councils.models import CouncilAccess

    access = CouncilAccess.objects.select_related("private_collection").filter(council=council).first()
    if access is None:
        return []
    collection_ids = [access.collection_id]
    private = access.private_collection
    if all(restriction.accept_request(request) for restriction in private.get_view_restrictions()):
        collection_ids.append(private.pk)
    return list(
        get_document_model()
        .objects.filter(collection_id__in=collection_ids)
        .select_related("collection")
        .order_by("-created_at")
    )
