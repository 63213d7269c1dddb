"""The outbox in the admin (Paramètres → Courriels envoyés): a read-only listing for the city team and
superusers — what left, what waits, what failed and why. Nobody adds, edits or deletes an email there."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.generic.models import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import OutboundEmail

#: Granted to the communications team by the city's provisioning (councils.services.CITY_MODEL_PERMISSIONS);
#: superusers hold every permission. Checked by name: background work depends on no app above it.
READ_PERMISSION = "jobs.view_outboundemail"


def outbox_readers(user) -> bool:
    """The city team and superusers (the permission check is cached on the user: the menu costs no query)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(READ_PERMISSION))


class OutboxPermissionPolicy(ModelPermissionPolicy):
    """Viewing only, and only for `outbox_readers`."""

    def user_has_permission(self, user, action):
        return action == "view" and outbox_readers(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and outbox_readers(user)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(actions).none()


class OutboundEmailInspectView(InspectView):
    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "None" else value


class OutboundEmailViewSet(ModelViewSet):
    model = OutboundEmail
    menu_label = _("Sent emails")
    icon = "mail"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = OutboundEmailInspectView
    inspect_view_fields = [
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "key",
    ]
    # Never the body: it carries signed links (password reset, registration management) that would let a
    # reader act as the recipient — the city team may not act as a superuser or a registrant.
    list_display = [
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        DateColumn("created_at", label=pgettext_lazy("email", "created at")),
        DateColumn("sent_at", label=_("sent at")),
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    ordering = ["-created_at"]
    list_per_page = 50
    form_fields = []  # never used: no one may add or change


register_permission_policy(OutboundEmail, OutboxPermissionPolicy(OutboundEmail))
outbox_viewset = OutboundEmailViewSet("outbox", url_prefix="courriels")
