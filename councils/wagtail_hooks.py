"""The admin as a council's resident editor sees it: their council first, nothing of anyone else's.

Limits are expressed through Wagtail's own permission machinery (the page permission policy's explorable
pages), so they hold the same for every user: the communications team, whose rights start at the root,
sees everything; a council's editor sees their council's subtree and the way down to it.
"""

from django.db.models import Q
from django.urls import reverse

from wagtail import hooks
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.ui.components import Component
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .services import councils_edited_by


def pages_explorable_by(user):
    """The pages a user may see in the admin: those they have rights on, and the way down to them."""
    policy = PagePermissionPolicy()
    explorable = policy.explorable_instances(user).values_list("pk", flat=True)
    root = policy.explorable_root_instance(user)
    if root is None:
        return Page.objects.filter(pk__in=explorable)
    return Page.objects.filter(Q(pk__in=explorable) | Q(pk__in=Page.objects.ancestor_of(root).values("pk")))


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_explorable_pages_only(pages, request):
    # Wagtail's explorer and page search already keep to explorable pages; its page chooser lists the
    # whole tree. Keep it to the same pages, so that another council's pages (and the titles of their
    # private parts) are not even listed.
    return pages.filter(pk__in=pages_explorable_by(request.user).values("pk"))


class MyCouncilsPanel(Component):
    """Dashboard panel: the council(s) the user edits, with the few links they need every week."""

    name = "my_councils"
    order = 50
    template_name = "councils/admin/my_councils_panel.html"

    def __init__(self, councils):
        self.councils = councils

    def get_context_data(self, parent_context):
        from meetings.models import MeetingIndexPage

        user = parent_context["request"].user
        children = Q()
        for council in self.councils:
            children |= Q(path__startswith=council.path, depth=council.depth + 1)
        meeting_indexes = {
            index.path[: -Page.steplen]: index for index in MeetingIndexPage.objects.filter(children)
        }
        entries = []
        for council in self.councils:
            meeting_index = meeting_indexes.get(council.path)
            entries.append(
                {
                    "council": council,
                    "can_edit": council.permissions_for_user(user).can_edit(),
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[council.pk]),
                    "explore_url": reverse("wagtailadmin_explore", args=[council.pk]),
                    "add_page_url": reverse(
                        "wagtailadmin_pages:add", args=["home", "standardpage", council.pk]
                    ),
                    "add_meeting_url": (
                        reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meeting_index.pk])
                        if meeting_index is not None
                        else None
                    ),
                    "documents_url": (
                        reverse("wagtaildocs:index") + f"?collection_id={council.access.collection_id}"
                    ),
                    "public_url": council.url,
                }
            )
        return {"entries": entries}


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
