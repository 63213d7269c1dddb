"""URLs of images: the private images' serving view, and the public media folders the demo serves."""

import re

from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from .views import serve_private

# What a web server may serve straight from MEDIA_ROOT. Never `documents/` nor `private/`: those go
# through views that check collection view restrictions.
PUBLIC_MEDIA_FOLDERS = ("images", "original_images")

urlpatterns = [
    path("<int:image_id>/<str:filter_spec>/<str:filename>", serve_private, name="private_image"),
]


def public_media_urlpatterns():
    """Serve the public image folders of MEDIA_ROOT (the demo server; production's proxy does it)."""
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [
        re_path(
            rf"^{prefix}{folder}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT / folder},
        )
        for folder in PUBLIC_MEDIA_FOLDERS
    ]
