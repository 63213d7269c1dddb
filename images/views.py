"""The one door to private images: a rendition is served only to requests its collection lets in."""

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from wagtail.images import get_image_model
from wagtail.models import BaseViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from .models import PRIVATE_FOLDER

# Browsers may keep a private image this long; shared caches never (Cache-Control: private).
PRIVATE_IMAGE_MAX_AGE = 60 * 60


@require_safe
def serve_private(request, image_id, filter_spec, filename):
    """Serve an existing rendition of a private image.

    Only renditions already made (by a template the reader was allowed to see, or the admin) are
    served: the view never renders an image, so its URL cannot be used to make the server work.
    Anonymous readers are sent to sign in (as for private documents); signed-in readers the
    collection's restriction refuses get a 404, which does not tell whether the image exists.
    """
    if "\x00" in filter_spec or "\x00" in filename:
        raise Http404
    rendition_model = get_image_model().get_rendition_model()
    rendition = get_object_or_404(
        rendition_model.objects.select_related("image__collection"),
        image_id=image_id,
        filter_spec=filter_spec,
        file=f"{PRIVATE_FOLDER}/images/{filename}",
    )
    for restriction in rendition.image.collection.get_view_restrictions():
        if restriction.accept_request(request):
            continue
        if not request.user.is_authenticated and restriction.restriction_type in (
            BaseViewRestriction.LOGIN,
            BaseViewRestriction.GROUPS,
        ):
            return require_wagtail_login(next=request.get_full_path())
        raise Http404
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        file = rendition.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(file, content_type=content_type)
    patch_cache_control(response, private=True, max_age=PRIVATE_IMAGE_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
