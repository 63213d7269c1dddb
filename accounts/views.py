"""The public site's sign-in, sign-out, password reset and "Mon espace"; and the platform administrator's
admin view of current sign-in lock-outs, to lift them."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset

from core.middleware import mark_private

from .forms import PasswordResetRequestForm, SignInForm
from .member_space import member_space_councils

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


# -- Public site: sign-in, sign-out, password reset, "Mon espace" ------------------------------------------


class SignInView(LoginView):
    """`/connexion/`: members sign in with their email address or user name.

    `next` is followed only when it stays on this site (Django's `url_has_allowed_host_and_scheme`); it is
    dropped otherwise, and when it points back at the sign-in or sign-out pages. A signed-in person is not
    sent away (a members-only page of another council sends them here with `next`): the page says whose
    account is in use. Failed attempts count towards django-axes' lock-out, whose French page answers
    instead of this one while an account or address is locked.
    """

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = False

    def get_redirect_url(self):
        url = super().get_redirect_url()
        if url and urlsplit(url).path in (reverse("accounts:sign_in"), reverse("accounts:sign_out")):
            return ""
        return url

    def get_context_data(self, **kwargs):
        mark_private(self.request)
        return super().get_context_data(**kwargs)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request):
    """`/deconnexion/`: POST signs out (the header's button); GET only asks to confirm, so that a link
    or a prefetch never signs anyone out."""
    mark_private(request)
    if request.method == "POST":
        logout(request)
        return redirect("accounts:sign_out")
    return render(request, "accounts/sign_out.html")


class PasswordResetRequestView(PasswordResetView):
    """`/mot-de-passe/`: ask for a reset link by email. Same answer whether or not the address is known."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetSentView(PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetSetView(PasswordResetConfirmView):
    """The emailed link: choose a new password. The link works once (its token depends on the password)
    and for PASSWORD_RESET_TIMEOUT. Setting the password lifts the account's sign-in lock-out: whoever
    reads the mailbox owns the account anyway."""

    template_name = "accounts/password_reset_confirm.html"
    reset_url_token = "choisir"  # noqa: S105 (a URL segment, not a password)
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_context_data(self, **kwargs):
        mark_private(self.request)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        reset(username=form.user.get_username().lower())
        return response


class PasswordResetFinishedView(PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@login_required
def member_space(request):
    """`/mon-espace/`: the signed-in person's councils, their members-only pages and upcoming items."""
    mark_private(request)
    spaces = member_space_councils(request=request)
    return render(
        request,
        "accounts/member_space.html",
        {
            "spaces": spaces,
            "can_use_admin": request.user.has_perm("wagtailadmin.access_admin"),
        },
    )
