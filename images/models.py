"""Parvis's image model: images of a private collection are stored, and served, apart.

An image in a collection under a view restriction (its own or an ancestor's, as a council's private
collection) keeps its original under `private/original_images/` and its renditions under
`private/images/`: folders the web server never serves. Its renditions' URLs point to
`images.views.serve_private`, which checks the restriction. Public images stay plain files under
`original_images/` and `images/`, which the web server serves directly.
"""

import os

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.images.models import AbstractImage, AbstractRendition, Image

PRIVATE_FOLDER = "private"
# Django's FileField default max_length; Wagtail keeps its generated paths under it.
_MAX_PATH = 94


def is_private_path(name):
    """Whether a stored file name lies in the private folder (no query: the path says it)."""
    return bool(name) and name.startswith(PRIVATE_FOLDER + "/")


def private_path(path):
    """`path` moved under the private folder, its file name shortened to keep within max_length."""
    folder, filename = os.path.split(path)
    excess = len(PRIVATE_FOLDER) + 1 + len(path) - _MAX_PATH
    if excess > 0:
        stem, extension = os.path.splitext(filename)
        filename = stem[:-excess] + extension
    return os.path.join(PRIVATE_FOLDER, folder, filename)


def public_path(path):
    return path.removeprefix(PRIVATE_FOLDER + "/")


class CouncilImage(AbstractImage):
    """Wagtail's image, stored in the private folder when its collection is under a view restriction.

    Its `description` is the default alternative text (Wagtail's `default_alt_text`).
    """

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def in_private_collection(self):
        """Whether a view restriction applies to this image's collection (own or inherited)."""
        if self.collection_id is None:
            return False
        return self.collection.get_view_restrictions().exists()

    @property
    def is_stored_privately(self):
        return is_private_path(self.file.name)

    def get_upload_to(self, filename):
        path = super().get_upload_to(filename)
        return private_path(path) if self.in_private_collection() else path


class CouncilRendition(AbstractRendition):
    """A rendition stored beside its original: privately when the original is private."""

    image = models.ForeignKey(CouncilImage, related_name="renditions", on_delete=models.CASCADE)

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    @property
    def is_private(self):
        return is_private_path(self.file.name)

    @property
    def url(self):
        if self.is_private:
            return reverse(
                "private_image",
                kwargs={
                    "image_id": self.image_id,
                    "filter_spec": self.filter_spec,
                    "filename": os.path.basename(self.file.name),
                },
            )
        return self.file.url

    def get_upload_to(self, filename):
        path = super().get_upload_to(filename)
        return private_path(path) if self.image.is_stored_privately else path
