from django.conf import settings
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core import health, seo
from core.admin_guards import admin_url_overrides
from documents import views as document_views
from images.urls import public_media_urlpatterns
from search import views as search_views

urlpatterns = [
    # Guarded versions of the few Wagtail admin views that list other councils' tags (core.admin_guards).
    *admin_url_overrides("admin/"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/<int:document_id>/", document_views.document_by_id, name="document_by_id"),
    path("documents/", include(wagtaildocs_urls)),
    path("recherche/suggestions/", search_views.suggestions, name="search_suggestions"),
    path("recherche/", search_views.search, name="search"),
    path("sitemap.xml", seo.sitemap, name="sitemap"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("healthz", health.healthz, name="healthz"),
    path("signaler/", include("moderation.urls")),
    path("images-privees/", include("images.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Public images only: documents and private images are served by views that check the
    # collection's view restrictions. Production must likewise never serve MEDIA_ROOT/documents/
    # nor MEDIA_ROOT/private/.
    urlpatterns += public_media_urlpatterns()

if settings.ANYMAIL:
    # The provider's bounce and complaint webhooks (/anymail/<esp>/tracking/, basic auth with
    # ANYMAIL_WEBHOOK_SECRET): newsletter.signals marks the subscriber bounced, complained or unsubscribed.
    urlpatterns += [path("anymail/", include("anymail.urls"))]

urlpatterns += [
    path("invitation/", include("members.urls")),
    path("inscriptions/", include("events.urls")),
    path("emargement/", include("attendance.urls")),
    path("mon-espace/", include("members.urls_space")),
    path("lettre/", include("newsletter.urls")),
    path("", include("accounts.urls")),
    path("", include(wagtail_urls)),
]

handler400 = "core.input_guard.bad_request"
handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
