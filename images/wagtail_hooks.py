from wagtail import hooks
from wagtail.images import get_image_model

from .services import image_sync_privacy


@hooks.register("after_bulk_action")
def sync_images_moved_in_bulk(request, action_type, objects, action_class_instance):
    """Wagtail's "add to collection" bulk action updates the rows without saving the images."""
    if action_type != "add_to_collection" or action_class_instance.model is not get_image_model():
        return
    images = get_image_model().objects.filter(pk__in=[image.pk for image in objects])
    for image in images.select_related("collection"):
        image_sync_privacy(image=image)
