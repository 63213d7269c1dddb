"""Admin entry points to sortition: the URLs, a menu item, the history's wording."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter

from core.admin_guards import guard_row_parameter

from . import admin_views, services

admin_urlpatterns = [
    path("", admin_views.IndexView.as_view(), name="index"),
    path("exemple/<str:kind>.csv", admin_views.ExampleView.as_view(), name="example"),
    path("<int:council_id>/", admin_views.CouncilDrawsView.as_view(), name="council"),
    path("tirage/<int:draw_id>/", admin_views.DrawView.as_view(), name="draw"),
    path("tirage/<int:draw_id>/etat/", admin_views.DrawStatusView.as_view(), name="status"),
    path("tirage/<int:draw_id>/verifier/", admin_views.DrawVerifyView.as_view(), name="verify"),
    path("tirage/<int:draw_id>/inviter/", admin_views.DrawInviteView.as_view(), name="invite"),
    path("tirage/<int:draw_id>/fichier/<str:kind>.csv", admin_views.DrawFileView.as_view(), name="file"),
]

# A draw named in an admin URL is visible only when its council is (core.admin_guards).
guard_row_parameter("draw_id", "sortition.SortitionDraw", "council")


@hooks.register("register_admin_urls")
def register_sortition_urls():
    return [
        path("tirage-au-sort/", include((admin_urlpatterns, "sortition_admin"), namespace="sortition_admin"))
    ]


class SortitionMenuItem(MenuItem):
    def is_shown(self, request):
        return services.councils_drawing_by(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_sortition_menu_item():
    return SortitionMenuItem(
        _("Sortition"), reverse("sortition_admin:index"), icon_name="crosshairs", order=260
    )


class DrawLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return self.template % {
            "title": data.get("title", ""),
            "size": data.get("panel_size", ""),
            "seed": data.get("seed", ""),
            "algorithm": data.get("algorithm", ""),
            "invited": data.get("invited", ""),
            "college": data.get("college", ""),
        }


@hooks.register("register_log_actions")
def register_sortition_log_actions(actions):
    @actions.register_action(services.ACTION_DRAW)
    class DrawFormatter(DrawLogFormatter):
        label = _("Sortition draw")
        template = _("Started the draw “%(title)s” of %(size)s people (seed %(seed)s, %(algorithm)s)")

    @actions.register_action(services.ACTION_DRAW_INVITE)
    class DrawInviteFormatter(DrawLogFormatter):
        label = _("Panel invited")
        template = _("Invited %(invited)s people drawn in “%(title)s” into the college “%(college)s”")
