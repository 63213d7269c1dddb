"""Signal receivers: an image's files follow its collection's privacy (the work is in services)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.models import Collection, CollectionViewRestriction

from .models import CouncilImage
from .services import image_sync_privacy, images_sync_collection


@receiver(post_save, sender=CouncilImage, dispatch_uid="images_sync_privacy_on_save")
def image_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"collection", "file"} & set(update_fields)):
        return  # fixtures, and saves that change neither the collection nor the file (file_hash…)
    image_sync_privacy(image=instance)


@receiver(post_save, sender=CollectionViewRestriction, dispatch_uid="images_sync_on_restriction_save")
@receiver(post_delete, sender=CollectionViewRestriction, dispatch_uid="images_sync_on_restriction_delete")
def collection_restriction_changed(sender, instance, raw=False, **kwargs):
    # Looked up afresh: when a collection is deleted, its restrictions go first, then the collection.
    collection = Collection.objects.filter(pk=instance.collection_id).first()
    if not raw and collection is not None:
        images_sync_collection(collection=collection)
