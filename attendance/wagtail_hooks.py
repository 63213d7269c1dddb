"""Admin entry points to attendance: URLs, a menu item, buttons on a session, the dashboard chart, history."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from core.admin_guards import guard_row_parameter
from councils.services import councils_edited_by
from meetings.models import MeetingPage

from . import admin_views, services
from .chart import chart_summary

guard_row_parameter("group_draw_id", "attendance.GroupDraw", "meeting")

admin_urlpatterns = [
    path("", admin_views.IndexView.as_view(), name="index"),
    path("conseil/<int:council_id>/", admin_views.CouncilView.as_view(), name="council"),
    path("conseil/<int:council_id>/indemnites/", admin_views.AllowanceView.as_view(), name="allowance"),
    path(
        "conseil/<int:council_id>/indemnites.csv",
        admin_views.AllowanceCsvView.as_view(),
        name="allowance_csv",
    ),
    path("<int:meeting_id>/", admin_views.SheetView.as_view(), name="sheet"),
    path("<int:meeting_id>/feuille/", admin_views.PrintSheetView.as_view(), name="print_sheet"),
    path("<int:meeting_id>/code/", admin_views.CodeView.as_view(), name="code"),
    path("<int:meeting_id>/groupes/", admin_views.GroupsView.as_view(), name="groups"),
    path(
        "<int:meeting_id>/groupes/<int:group_draw_id>/", admin_views.GroupsView.as_view(), name="groups_draw"
    ),
    path(
        "<int:meeting_id>/groupes/<int:group_draw_id>/imprimer/",
        admin_views.GroupsView.as_view(),
        {"print": True},
        name="groups_print",
    ),
]


@hooks.register("register_admin_urls")
def register_attendance_urls():
    return [
        path("presences/", include((admin_urlpatterns, "attendance_admin"), namespace="attendance_admin"))
    ]


class AttendanceMenuItem(MenuItem):
    def is_shown(self, request):
        return services.councils_attendance_managed_by(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_attendance_menu_item():
    return AttendanceMenuItem(
        _("Attendance"), reverse("attendance_admin:index"), icon_name="clipboard-list", order=260
    )


def _meeting_buttons(page, user, priority):
    if not issubclass(page.specific_class or type(page), MeetingPage):
        return []
    council = services.meeting_council(meeting=page)
    if not services.attendance_manageable_by(user=user, council=council):
        return []
    return [
        Button(
            _("Attendance"),
            reverse("attendance_admin:sheet", args=[page.pk]),
            icon_name="clipboard-list",
            priority=priority,
        ),
        Button(
            _("Check-in code"),
            reverse("attendance_admin:code", args=[page.pk]),
            icon_name="key",
            priority=priority + 1,
        ),
        Button(
            _("Random groups"),
            reverse("attendance_admin:groups", args=[page.pk]),
            icon_name="group",
            priority=priority + 2,
        ),
    ]


@hooks.register("register_page_header_buttons")
def meeting_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _meeting_buttons(page, user, priority=70)


@hooks.register("register_page_listing_more_buttons")
def meeting_page_listing_more_buttons(page, user, next_url=None):
    yield from _meeting_buttons(page, user, priority=60)


class AttendanceChartPanel(Component):
    """Dashboard: attendance per session and college, for each council the user keeps that has records."""

    name = "attendance_chart"
    order = 120
    template_name = "attendance/admin/dashboard_panel.html"

    def __init__(self, councils):
        self.councils = councils

    def get_context_data(self, parent_context):
        entries = []
        for council in self.councils:
            data = services.attendance_chart_data(council=council)
            entries.append(
                {
                    "council": council,
                    "svg": services.attendance_chart_svg(council=council, data=data),
                    "summary": chart_summary(data),
                    "data": data,
                    "url": reverse("attendance_admin:council", args=[council.pk]),
                }
            )
        return {"entries": entries}


@hooks.register("construct_homepage_panels")
def add_attendance_chart_panel(request, panels):
    # The communications team sees every council from the Attendance menu; the panel is for editors.
    councils = list(services.councils_with_attendance(queryset=councils_edited_by(request.user)))
    if councils:
        panels.append(AttendanceChartPanel(councils))


class MeetingLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return self.template % {
            "title": data.get("title", ""),
            "present": data.get("present", 0),
            "excused": data.get("excused", 0),
            "absent": data.get("absent", 0),
            "groups": data.get("groups", 0),
            "seed": data.get("seed", ""),
        }


@hooks.register("register_log_actions")
def register_attendance_log_actions(actions):
    @actions.register_action(services.ACTION_SHEET)
    class SheetFormatter(MeetingLogFormatter):
        label = _("Attendance recorded")
        template = _("Attendance at “%(title)s”: %(present)d present, %(excused)d excused, %(absent)d absent")

    @actions.register_action(services.ACTION_CODE)
    class CodeFormatter(MeetingLogFormatter):
        label = _("Check-in code made")
        template = _("New check-in code for “%(title)s”")

    @actions.register_action(services.ACTION_GROUPS)
    class GroupsFormatter(MeetingLogFormatter):
        label = _("Random groups drawn")
        template = _("%(groups)d random groups drawn for “%(title)s” (seed %(seed)s)")
