"""Wagtail's user forms, narrowed for anyone who is not the platform administrator; and the public site's
sign-in and password reset forms (at the end).

For a non-superuser the "Administrator" box is gone (and a forged `is_superuser` is refused), and the
groups offered are the council roles only; groups the person editing cannot hand out are kept as they
were, never silently dropped.
"""

import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.contrib.settings.context_processors import SettingProxy
from wagtail.users.forms import UserCreationForm, UserEditForm

from jobs.emails import email_queue

from .roles import groups_assignable_by


class RoleLimitedUserFormMixin:
    error_messages = {
        **UserEditForm.error_messages,
        "superuser_refused": _("Only the platform administrator can make someone an administrator."),
    }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        self.assignable_groups = groups_assignable_by(for_user) if for_user is not None else None
        if for_user is None or for_user.is_superuser:
            return
        self.fields.pop("is_superuser", None)
        self.fields["groups"].queryset = self.assignable_groups.order_by("name")
        self.fields["groups"].help_text = _("Only council roles can be given here.")

    def clean(self):
        cleaned_data = super().clean()
        if (
            self.for_user is not None
            and not self.for_user.is_superuser
            and "is_superuser" not in self.fields
            and self.data.get(self.add_prefix("is_superuser")) not in (None, "", "0", "false", "False", "off")
        ):
            raise forms.ValidationError(self.error_messages["superuser_refused"], code="superuser_refused")
        return cleaned_data

    def _save_m2m(self):
        kept = []
        if self.instance.pk and self.assignable_groups is not None and not self.for_user.is_superuser:
            kept = list(self.instance.groups.exclude(pk__in=self.assignable_groups.values("pk")))
        super()._save_m2m()
        if kept:
            self.instance.groups.add(*kept)


class ParvisUserCreationForm(RoleLimitedUserFormMixin, UserCreationForm):
    pass


class ParvisUserEditForm(RoleLimitedUserFormMixin, UserEditForm):
    pass


# -- Public site: sign-in and password reset ------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Sign-in on the public site: email address or user name, and password.

    The identifier typed is kept when the form comes back with an error; the password never is. A
    locked-out account or address (django-axes) never reaches `clean()`'s error: axes' middleware answers
    with its own French page (accounts.lockout).
    """

    error_messages = {
        "invalid_login": _(
            "The email address or user name and the password do not match. Check them and try again."
        ),
        "inactive": _("This account is closed. Ask the council or the city if you think it is a mistake."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Email address or user name")
        username.max_length = 254
        username.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "maxlength": 254}
        )
        username.widget.attrs.pop("autofocus", None)
        username.error_messages["required"] = _("Enter your email address or user name.")
        password = self.fields["password"]
        password.label = _("Password")
        password.widget.attrs.update({"autocomplete": "current-password"})
        password.error_messages["required"] = _("Enter your password.")


def password_reset_link(*, uid, token):
    """The absolute link of a password reset email (the site's configured address, never the request's
    Host header)."""
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


class PasswordResetRequestForm(PasswordResetForm):
    """ "Forgotten password": an email address. The answer is the same whether or not an account uses it.

    The email goes through the outbox (`jobs.emails.email_queue`), at most one per account every
    `RESET_EMAIL_INTERVAL_SECONDS`, so that the form cannot be used to flood someone's mailbox.
    """

    RESET_EMAIL_INTERVAL_SECONDS = 5 * 60

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Email address")
        email.help_text = _("The address your invitation was sent to.")
        email.error_messages = {
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, like nom@exemple.fr."),
        }
        email.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def save(self, *args, request=None, **kwargs):
        self.request = request
        return super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        request = getattr(self, "request", None)
        context = {
            **context,
            # The name the site shows in its header (SiteSettings), not the request's host.
            "site_name": SettingProxy(request)["home"]["SiteSettings"].site_name if request else "Parvis",
            "reset_url": password_reset_link(uid=context["uid"], token=context["token"]),
            "expires_at": timezone.localtime() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        }
        subject = "".join(render_to_string(subject_template_name, context).splitlines()).strip()
        window = int(time.time()) // self.RESET_EMAIL_INTERVAL_SECONDS
        email_queue(
            to=to_email,
            subject=subject,
            body_text=render_to_string(email_template_name, context),
            body_html=render_to_string(html_email_template_name, context) if html_email_template_name else "",
            key=f"password-reset:{user.pk}:{window}",
        )
