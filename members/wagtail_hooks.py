"""Admin entry points to a council's people: a menu item, and buttons on the council page."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from councils.models import CouncilPage

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
]


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
