"""Moderation in Wagtail's admin: the report queue, "Suivi des conseils", the city's dashboard panel and
the history entries moderation writes. Everything here is for holders of `moderation.moderate_councils`.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter

from . import services
from .admin_views import OversightView, ReportDismissView, ReportsView, ReportUnpublishView
from .models import ContentReport, ReportReason
from .oversight import councils_oversight, oversight_totals

PANEL_ROWS = 5


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path("signalements/", ReportsView.as_view(), name="moderation_reports"),
        path(
            "signalements/<int:pk>/depublier/",
            ReportUnpublishView.as_view(),
            name="moderation_report_unpublish",
        ),
        path("signalements/<int:pk>/classer/", ReportDismissView.as_view(), name="moderation_report_dismiss"),
        path("suivi-des-conseils/", OversightView.as_view(), name="moderation_oversight"),
    ]


class CityMenuItem(MenuItem):
    def is_shown(self, request):
        return services.can_moderate(request.user)


class ReportsMenuItem(CityMenuItem):
    """ "Signalements (3)": the count of open reports in the label (Wagtail's sidebar has no badges)."""

    def render_component(self, request):
        component = super().render_component(request)
        count = ContentReport.objects.open().count()
        if count:
            component.label = _("Reports (%(count)s)") % {"count": count}
        return component


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(
        pgettext_lazy("moderation", "Reports"),
        reverse("moderation_reports"),
        name="moderation-reports",
        icon_name="warning",
        order=250,
    )


@hooks.register("register_admin_menu_item")
def register_oversight_menu_item():
    return CityMenuItem(
        _("Councils' activity"),
        reverse("moderation_oversight"),
        name="moderation-oversight",
        icon_name="list-ul",
        order=260,
    )


class OversightPanel(Component):
    """Dashboard panel for the city: what waits for it, and the councils that went quiet."""

    name = "councils_oversight"
    order = 60
    template_name = "moderation/admin/oversight_panel.html"

    def get_context_data(self, parent_context):
        rows = councils_oversight()
        return {
            "totals": oversight_totals(rows),
            "dormant": [row for row in rows if row.dormant][:PANEL_ROWS],
            "oversight_url": reverse("moderation_oversight"),
            "reports_url": reverse("moderation_reports"),
        }


@hooks.register("construct_homepage_panels")
def add_oversight_panel(request, panels):
    if services.can_moderate(request.user):
        panels.append(OversightPanel())


@hooks.register("register_log_actions")
def register_moderation_log_actions(actions):
    @actions.register_action(services.LOG_REPORT)
    class ReportFormatter(LogFormatter):
        label = _("Content reported")

        def format_message(self, log_entry):
            reason = dict(ReportReason.choices).get(log_entry.data.get("reason"), "")
            return _("Reported by a reader: %(reason)s") % {"reason": reason}

    @actions.register_action(services.LOG_DISMISS)
    class DismissFormatter(LogFormatter):
        label = _("Report dismissed")
        message = _("Report dismissed by the city: the page stays online")

    @actions.register_action(services.LOG_UNPUBLISH)
    class UnpublishFormatter(LogFormatter):
        label = _("Unpublish with a note")
        message = _("Unpublished by the city; the note was emailed to the council's editors")

        def format_comment(self, log_entry):
            return log_entry.data.get("note", "")
