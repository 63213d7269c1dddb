"""The lock-out admin view (platform administrator only), and user bulk actions under the same rules as the user admin (see `accounts.permissions`).

Wagtail's own "assign role" and "set active state" actions only check the model permission: with them
the communications team could put anyone in any group or deactivate the platform administrator. These
subclasses replace them (registered after Wagtail's, same action type) and check each account.
"""

from django.contrib.auth import get_user_model
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import policy_registry
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, SetActiveStateBulkAction

from .roles import groups_assignable_by
from .views import LockoutsView


def _can_change(request, user):
    policy = policy_registry.get_by_type(get_user_model())
    return policy.user_has_permission_for_instance(request.user, "change", user)


class CouncilRoleAssignBulkAction(AssignRoleBulkAction):
    def check_perm(self, obj):
        return _can_change(self.request, obj)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["role"].queryset = groups_assignable_by(self.request.user).order_by("name")
        return form


class CheckedSetActiveStateBulkAction(SetActiveStateBulkAction):
    def check_perm(self, obj):
        return _can_change(self.request, obj)


hooks.register("register_bulk_action", CouncilRoleAssignBulkAction, order=100)
hooks.register("register_bulk_action", CheckedSetActiveStateBulkAction, order=100)


@hooks.register("register_admin_urls")
def register_lockouts_url():
    return [path("connexions-bloquees/", LockoutsView.as_view(), name="parvis_lockouts")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return SuperuserMenuItem(
        _("Blocked sign-ins"),
        reverse("parvis_lockouts"),
        name="blocked-sign-ins",
        icon_name="lock",
        order=650,
    )
