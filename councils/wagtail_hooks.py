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


# -- Working groups (issue #16): the "Members of the group" screen, its buttons, its history ----------

from django.contrib import messages  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402
from django.views.defaults import permission_denied  # noqa: E402
from django.views.generic import TemplateView  # noqa: E402

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin  # noqa: E402
from wagtail.admin.widgets import Button  # noqa: E402
from wagtail.log_actions import LogFormatter  # noqa: E402

from . import working_groups  # noqa: E402
from .models import WorkingGroupAccess, WorkingGroupPage  # noqa: E402


class WorkingGroupMembersView(WagtailAdminTemplateMixin, TemplateView):
    """Choose a working group's members among its council's active members (checkboxes by college).

    The council's editors and the communications team only; anyone else gets a 403 whether the working
    group exists or not (the admin guard has already refused a page the user may not see)."""

    template_name = "councils/admin/working_group_members.html"
    page_title = gettext_lazy("Members of the group")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        access = (
            WorkingGroupAccess.objects.select_related("working_group", "council__access", "group")
            .filter(working_group_id=kwargs["working_group_id"])
            .first()
        )
        if access is None or not working_groups.working_group_manageable_by(
            user=request.user, council=access.council
        ):
            return permission_denied(request, PermissionDenied())
        self.access = access
        self.working_group = access.working_group
        self.council = access.council
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.working_group.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_explore", args=[self.working_group.pk]),
                "label": self.working_group.title,
            },
            {"url": "", "label": _("Members of the group")},
        ]

    def get_context_data(self, selected=None, error=None, **kwargs):
        context = super().get_context_data(**kwargs)
        candidates = list(working_groups.working_group_candidates(council=self.council))
        if selected is None:
            selected = set(
                working_groups.working_group_members(working_group=self.working_group).values_list(
                    "pk", flat=True
                )
            )
        colleges = []
        for membership in candidates:
            membership.selected = membership.user_id in selected
            if not colleges or colleges[-1]["college"] != membership.college:
                colleges.append({"college": membership.college, "rows": []})
            colleges[-1]["rows"].append(membership)
        context.update(
            council=self.council,
            working_group=self.working_group,
            colleges=colleges,
            has_colleges=any(c["college"] is not None for c in colleges),
            candidate_count=len(candidates),
            selected_count=sum(1 for m in candidates if m.selected),
            error=error,
            action_url=self.request.path,
            explore_url=reverse("wagtailadmin_explore", args=[self.working_group.pk]),
            history_url=reverse("wagtailadmin_pages:history", args=[self.council.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        ids = {int(value) for value in request.POST.getlist("members") if value.isdigit()}
        users = get_user_model().objects.filter(pk__in=ids)
        try:
            result = working_groups.working_group_members_set(
                working_group=self.working_group, users=users, by=request.user
            )
        except PermissionDenied:
            return permission_denied(request, PermissionDenied())
        except ValidationError as error:
            context = self.get_context_data(selected=ids, error=" ".join(error.messages))
            return self.render_to_response(context, status=400)
        if result["added"] or result["removed"]:
            messages.success(
                request,
                _("Members of “%(group)s” saved: %(added)d added, %(removed)d removed.")
                % {
                    "group": self.working_group.title,
                    "added": len(result["added"]),
                    "removed": len(result["removed"]),
                },
            )
        else:
            messages.info(request, _("Nothing changed."))
        return redirect(request.path)


@hooks.register("register_admin_urls")
def register_working_group_urls():
    return [
        path(
            "groupes/",
            include(
                (
                    [
                        path(
                            "<int:working_group_id>/membres/",
                            WorkingGroupMembersView.as_view(),
                            name="members",
                        )
                    ],
                    "working_groups_admin",
                ),
                namespace="working_groups_admin",
            ),
        )
    ]


def _working_group_members_button(page, user, priority):
    if not issubclass(page.specific_class or type(page), WorkingGroupPage):
        return []
    council = working_groups.council_of(page)
    if council is None or not working_groups.working_group_manageable_by(user=user, council=council):
        return []
    return [
        Button(
            _("Members of the group"),
            reverse("working_groups_admin:members", args=[page.pk]),
            icon_name="group",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def working_group_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _working_group_members_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def working_group_page_listing_more_buttons(page, user, next_url=None):
    yield from _working_group_members_button(page, user, priority=55)


@hooks.register("register_log_actions")
def register_working_group_log_actions(actions):
    @actions.register_action(working_groups.ACTION_MEMBERS)
    class WorkingGroupMembersFormatter(LogFormatter):
        label = gettext_lazy("Working group members")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            parts = []
            if data.get("added"):
                parts.append(_("added %(emails)s") % {"emails": ", ".join(data["added"])})
            if data.get("removed"):
                parts.append(_("removed %(emails)s") % {"emails": ", ".join(data["removed"])})
            return _("Working group “%(group)s”: %(changes)s") % {
                "group": data.get("working_group", ""),
                "changes": "; ".join(parts) or _("no change"),
            }
