"""Admin view for the platform administrator: current sign-in lock-outs, and lifting them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset

LOCKOUT_KINDS = {"username": "username", "ip": "ip_address"}


def current_lockouts():
    """Accounts and addresses whose failures within the cool-off reach the limit, newest first."""
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    lockouts = []
    for kind, field in LOCKOUT_KINDS.items():
        rows = (
            attempts.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        for row in rows:
            until = row["last_attempt"] + cool_off if cool_off is not None else None
            lockouts.append({"kind": kind, "value": row[field], "failures": row["failures"], "until": until})
    return sorted(lockouts, key=lambda lockout: lockout["until"] or timezone.now(), reverse=True)


class LockoutsView(WagtailAdminTemplateMixin, TemplateView):
    """Lists current lock-outs with an "unlock" button each. Platform administrator only."""

    template_name = "accounts/admin/lockouts.html"
    page_title = gettext_lazy("Blocked sign-ins")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "lockouts": current_lockouts()}

    def post(self, request):
        kind = request.POST.get("kind")
        value = request.POST.get("value", "").strip()
        if kind not in LOCKOUT_KINDS or not value:
            messages.error(request, _("Nothing to unlock."))
        else:
            reset(**{kind: value})
            messages.success(request, _("Sign-in unlocked for %(value)s.") % {"value": value})
        return redirect(reverse("parvis_lockouts"))
