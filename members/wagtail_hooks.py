"""Admin entry points to a council's people: a menu item, and buttons on the council page."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from core.admin_guards import guard_row_parameter
from councils.models import CouncilPage, Position

from . import admin_views, services
from .models import Role

admin_urlpatterns = [
    path("", admin_views.CouncilIndexView.as_view(), name="index"),
    path("<int:council_id>/", admin_views.CouncilMembersView.as_view(), name="council"),
    path(
        "<int:council_id>/retirer/<int:user_id>/<str:role>/",
        admin_views.RoleRemoveView.as_view(),
        name="role_remove",
    ),
    path(
        "<int:council_id>/mandat/<int:membership_id>/", admin_views.MandateEditView.as_view(), name="mandate"
    ),
    path(
        "<int:council_id>/mandat/<int:membership_id>/fin/",
        admin_views.MandateEndView.as_view(),
        name="mandate_end",
    ),
    path("<int:council_id>/colleges/", admin_views.CollegesView.as_view(), name="colleges"),
    path(
        "<int:council_id>/colleges/<int:college_id>/", admin_views.CollegeEditView.as_view(), name="college"
    ),
    path(
        "<int:council_id>/colleges/<int:college_id>/supprimer/",
        admin_views.CollegeDeleteView.as_view(),
        name="college_delete",
    ),
    path(
        "<int:council_id>/colleges/<int:college_id>/deplacer/",
        admin_views.CollegeMoveView.as_view(),
        name="college_move",
    ),
]

# A mandate or a college named in an admin URL is visible only when its council is (core.admin_guards).
guard_row_parameter("membership_id", "councils.Membership", "council")
guard_row_parameter("college_id", "councils.College", "council")


@hooks.register("register_admin_urls")
def register_members_urls():
    return [path("membres/", include((admin_urlpatterns, "members_admin"), namespace="members_admin"))]


class MembersMenuItem(MenuItem):
    def is_shown(self, request):
        return services.councils_managed_by(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_members_menu_item():
    return MembersMenuItem(_("Members"), reverse("members_admin:index"), icon_name="group", order=250)


def _members_button(page, user, priority):
    if not issubclass(page.specific_class or type(page), CouncilPage) or not services.roles_manageable_by(
        user=user, council=page
    ):
        return []
    return [
        Button(
            _("Members and invitations"),
            reverse("members_admin:council", args=[page.pk]),
            icon_name="group",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def council_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _members_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def council_page_listing_more_buttons(page, user, next_url=None):
    yield from _members_button(page, user, priority=55)


class RoleLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        try:
            role = Role(data.get("role")).label.lower()
        except ValueError:
            role = data.get("role", "")
        return self.template % {"email": data.get("email", ""), "role": role}


@hooks.register("register_log_actions")
def register_role_log_actions(actions):
    @actions.register_action(services.ACTION_INVITE)
    class InviteFormatter(RoleLogFormatter):
        label = _("Invitation")
        template = _("Invited %(email)s as %(role)s")

    @actions.register_action(services.ACTION_ROLE_ADD)
    class RoleAddFormatter(RoleLogFormatter):
        label = _("Role given")
        template = _("Gave the role %(role)s to %(email)s")

    @actions.register_action(services.ACTION_ROLE_REMOVE)
    class RoleRemoveFormatter(RoleLogFormatter):
        label = _("Role removed")
        template = _("Took the role %(role)s from %(email)s")


def _position_label(value):
    try:
        return Position(value or "").label if value else ""
    except ValueError:
        return value


class MandateLogFormatter(LogFormatter):
    template = ""

    def values(self, data):
        return {"name": data.get("name") or data.get("email", ""), "email": data.get("email", "")}

    def format_message(self, log_entry):
        return self.template % self.values(log_entry.data or {})


class CollegeLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return self.template % {"name": data.get("name", ""), "old_name": data.get("old_name", "")}


@hooks.register("register_log_actions")
def register_mandate_log_actions(actions):
    @actions.register_action(services.ACTION_MANDATE_END)
    class MandateEndFormatter(MandateLogFormatter):
        label = _("Mandate ended")
        template = _("Ended the mandate of %(name)s (%(email)s) on %(date)s")

        def values(self, data):
            ended_on = data.get("ended_on", "")
            date = "/".join(reversed(ended_on.split("-"))) if ended_on else ""
            return {**super().values(data), "date": date}

    @actions.register_action(services.ACTION_COLLEGE_MOVE)
    class CollegeMoveFormatter(MandateLogFormatter):
        label = _("Moved between colleges")
        template = _("Moved %(name)s from “%(old)s” to “%(new)s”")

        def values(self, data):
            none = _("no college")
            return {
                **super().values(data),
                "old": data.get("old_college") or none,
                "new": data.get("college") or none,
            }

    @actions.register_action(services.ACTION_POSITION_CHANGE)
    class PositionChangeFormatter(MandateLogFormatter):
        label = _("Position changed")
        template = _("Changed the position of %(name)s from “%(old)s” to “%(new)s”")

        def values(self, data):
            none = _("none")
            return {
                **super().values(data),
                "old": _position_label(data.get("old_position")) or none,
                "new": _position_label(data.get("position")) or none,
            }

    @actions.register_action(services.ACTION_COLLEGE_ADD)
    class CollegeAddFormatter(CollegeLogFormatter):
        label = _("College added")
        template = _("Added the college “%(name)s”")

    @actions.register_action(services.ACTION_COLLEGE_CHANGE)
    class CollegeChangeFormatter(CollegeLogFormatter):
        label = _("College changed")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("moved"):
                template = _("Moved the college “%(name)s” in the order")
            elif data.get("old_name") and data.get("old_name") != data.get("name"):
                template = _("Renamed the college “%(old_name)s” to “%(name)s”")
            else:
                template = _("Changed the college “%(name)s”")
            return template % {"name": data.get("name", ""), "old_name": data.get("old_name", "")}

    @actions.register_action(services.ACTION_COLLEGE_DELETE)
    class CollegeDeleteFormatter(CollegeLogFormatter):
        label = _("College deleted")
        template = _("Deleted the college “%(name)s”")
