from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from wagtail.documents import get_document_model

from core.visibility import item_visible_to


def document_by_id(request, document_id):
    """`/documents/<id>/`: where rich text links a private document, so that the published page names
    no file. Checks the collection's view restrictions first — anonymous readers are sent to sign in,
    others get a 404 — then redirects to the file's URL (whose view checks them again)."""
    document = get_object_or_404(get_document_model(), pk=document_id)
    if not item_visible_to(document, request):
        if not request.user.is_authenticated:
            login_url = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None) or reverse("wagtailcore_login")
            response = redirect_to_login(request.get_full_path(), login_url)
        else:
            raise Http404
    else:
        response = redirect(document.url)
    response["Cache-Control"] = "private, no-cache"
    return response
