from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")


class ParvisUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with Parvis's user viewset and permission policy (replaces `wagtail.users`)."""

    default = False
    user_viewset = "accounts.viewsets.UserViewSet"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from wagtail.permissions import register_permission_policy

        from accounts.permissions import UserPermissionPolicy

        register_permission_policy(get_user_model(), UserPermissionPolicy(get_user_model()))
        register_permission_policy(Group)
