"""The admin as a council's resident editor sees it: their council first, nothing of anyone else's.

Limits are expressed through Wagtail's own permission machinery (the page permission policy's explorable
pages), so they hold the same for every user: the communications team, whose rights start at the root,
sees everything; a council's editor sees their council's subtree and the way down to it.
"""

from django.urls import reverse

from wagtail import hooks
from wagtail.admin.site_summary import SummaryItem
from wagtail.documents import get_document_model

from core.admin_guards import pages_explorable_by

from .dashboard import MyCouncilsPanel
from .services import councils_edited_by


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_explorable_pages_only(pages, request):
    # Wagtail's explorer and page search already keep to explorable pages; its page chooser lists the
    # whole tree. Keep it to the same pages, so that another council's pages (and the titles of their
    # private parts) are not even listed.
    return pages.filter(pk__in=pages_explorable_by(request.user).values("pk"))


@hooks.register("construct_homepage_panels")
def add_my_councils_panel(request, panels):
    councils = list(councils_edited_by(request.user).select_related("access"))
    if councils:
        panels.append(MyCouncilsPanel(councils))


class CouncilDocumentsSummaryItem(SummaryItem):
    """Site summary: how many documents the user's councils hold, linking to them."""

    order = 250
    template_name = "councils/admin/documents_summary_item.html"

    def __init__(self, request, councils):
        super().__init__(request)
        self.councils = councils

    def get_context_data(self, parent_context):
        collection_ids = [c.access.collection_id for c in self.councils]
        count = get_document_model().objects.filter(collection_id__in=collection_ids).count()
        url = reverse("wagtaildocs:index")
        if len(collection_ids) == 1:
            url += f"?collection_id={collection_ids[0]}"
        return {"total_documents": count, "documents_url": url}


@hooks.register("construct_homepage_summary_items")
def add_council_documents_summary_item(request, items):
    councils = list(councils_edited_by(request.user).select_related("access"))
    if councils:
        items.append(CouncilDocumentsSummaryItem(request, councils))


@hooks.register("construct_admin_api", order=100)
def admin_api_media_keep_to_own_collections(router):
    # After Wagtail's own registrations (order 0), which these replace.
    from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
    from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

    from core.admin_guards import media_admin_api_viewset

    router.register_endpoint("documents", media_admin_api_viewset(DocumentsAdminAPIViewSet))
    router.register_endpoint("images", media_admin_api_viewset(ImagesAdminAPIViewSet))
