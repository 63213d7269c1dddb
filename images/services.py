"""Keep each image's files where its privacy says: private folder for restricted collections."""

import logging

from django.db import transaction

from wagtail.images import get_image_model

from .models import private_path, public_path

logger = logging.getLogger(__name__)


def image_sync_privacy(*, image) -> bool:
    """Move the image's original to the folder its collection calls for, and drop its renditions.

    Renditions are deleted (their files too, once the transaction commits) and regenerate in the right
    folder on their next use. Returns whether anything moved; running it again changes nothing.
    """
    if not image.file.name or image.in_private_collection() == image.is_stored_privately:
        return False
    storage = image.file.storage
    old_name = image.file.name
    if not storage.exists(old_name):
        logger.warning("Image %s: file %s is missing, left where it is.", image.pk, old_name)
        return False
    target = private_path(public_path(old_name)) if not image.is_stored_privately else public_path(old_name)
    with storage.open(old_name, "rb") as source:
        new_name = storage.save(target, source, max_length=image.file.field.max_length)
    type(image).objects.filter(pk=image.pk).update(file=new_name)
    image.file.name = new_name
    for rendition in image.renditions.all():
        rendition.delete()  # Wagtail's signal handlers delete the file and purge the rendition cache
    transaction.on_commit(lambda: storage.delete(old_name))
    return True


def images_sync_collection(*, collection) -> int:
    """Sync every image of a collection and its descendants (after its view restriction changed)."""
    moved = 0
    collections = collection.get_descendants(inclusive=True)
    for image in get_image_model().objects.filter(collection__in=collections).select_related("collection"):
        moved += image_sync_privacy(image=image)
    return moved
