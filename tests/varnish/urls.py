"""The site's URLs plus two probes for the shared-cache tests: responses that the VCL must never store
although a cache without Parvis's rules would (an untagged 200 without any Cache-Control, and a tagged one
marked private). Each answers a new random token, so a stored copy shows."""

import uuid

from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def untagged(request):
    """200, text/plain, loads no row (so no tags), no Cache-Control: a plain cache would keep it 2 minutes."""
    return HttpResponse(uuid.uuid4().hex, content_type="text/plain")


def tagged_private(request):
    """A response that carries tags but says `private`: the VCL honours `private` whatever the tags."""
    response = HttpResponse(uuid.uuid4().hex, content_type="text/plain")
    response["Cache-Control"] = "private, max-age=0, s-maxage=86400"
    response["xkey"] = "p1"
    return response


urlpatterns = [
    path("__varnish-probe/untagged/", untagged),
    path("__varnish-probe/tagged-private/", tagged_private),
    *site_urlpatterns,
]
