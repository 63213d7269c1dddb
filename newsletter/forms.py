"""The public forms of the newsletter: sign up (footer and /lettre/), ask for one's preferences link, choose
one's lists. None carries a CSRF token: they are on cached pages, and nothing they send counts until the
confirm page's POST (which has one)."""

import re
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NewsletterList
from .subscriptions import consent_current

#: The honeypot (as in events' registration form): hidden from people and assistive technologies.
HONEYPOT_FIELD = "website"
EMAIL_MAX_LENGTH = 254
SOURCE_MAX_LENGTH = 500
_SOURCE_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")


def source_clean(value: str) -> str:
    """The path of the page a form was sent from: a local path only (no host, query nor fragment)."""
    try:
        parts = urlsplit(str(value or "").strip())
    except ValueError:
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or _SOURCE_FORBIDDEN.search(path):
        return ""
    return path[:SOURCE_MAX_LENGTH]


class ListsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return str(obj)


def _email_field(help_text=""):
    return forms.EmailField(
        label=_("Your email address"),
        help_text=help_text,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Give your email address."),
            "invalid": _("Give a valid email address, such as nom@exemple.fr."),
            "max_length": _(
                "Your email address is too long: %(limit_value)d characters at most (it has %(show_value)d)."
            ),
        },
    )


def _honeypot():
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class _AccessibleForm(forms.Form):
    def describe_errors(self):
        """Tie each field to its error message (aria-describedby, aria-invalid)."""
        for name in self.fields:
            if name == HONEYPOT_FIELD or not self.errors.get(name):
                continue
            widget = self.fields[name].widget
            described = [d for d in widget.attrs.get("aria-describedby", "").split() if d]
            widget.attrs["aria-describedby"] = " ".join([f"id_{name}_error", *described])
            widget.attrs["aria-invalid"] = "true"

    def is_robot(self):
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())


class SubscribeForm(_AccessibleForm):
    """Email, lists, the version of the consent text shown, the page it was sent from; the honeypot."""

    email = _email_field(_("We send a confirmation link there: nothing is sent before you confirm."))
    lists = ListsField(
        label=_("The news you want to receive"),
        queryset=NewsletterList.objects.none(),
        error_messages={
            "required": _("Choose at least one list."),
            "invalid_choice": _("One of the lists chosen does not exist any more. Choose again."),
            "invalid_pk_value": _("One of the lists chosen does not exist any more. Choose again."),
        },
    )
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    website = _honeypot()

    def __init__(self, *args, consent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent if consent is not None else consent_current()
        self.fields["lists"].queryset = NewsletterList.objects.offered().select_related("council")
        self.fields["email"].widget.attrs["aria-describedby"] = "id_email_helptext"
        if self.consent is not None:
            self.fields["consent_version"].initial = self.consent.version
        if self.is_bound:
            self.describe_errors()

    def clean_consent_version(self):
        version = self.cleaned_data.get("consent_version")
        if self.consent is None or version != self.consent.version:
            raise forms.ValidationError(
                _(
                    "The text you accept by subscribing has changed since this page was shown. "
                    "Read it below, then send the form again."
                ),
                code="consent",
            )
        return version

    def clean_source(self):
        return source_clean(self.cleaned_data.get("source", ""))

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors.get("consent_version"):
            # A hidden field: its message is the form's.
            for error in self._errors.pop("consent_version"):
                self.add_error(None, error)


class PreferencesRequestForm(_AccessibleForm):
    email = _email_field(_("If this address is subscribed, we send it a link to your preferences."))
    website = _honeypot()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["aria-describedby"] = "id_email_helptext"
        if self.is_bound:
            self.describe_errors()


class PreferencesForm(_AccessibleForm):
    lists = ListsField(
        label=_("The news you receive"),
        queryset=NewsletterList.objects.none(),
        error_messages={
            "required": _("Choose at least one list, or unsubscribe from every list below."),
            "invalid_choice": _("One of the lists chosen does not exist any more. Choose again."),
            "invalid_pk_value": _("One of the lists chosen does not exist any more. Choose again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = NewsletterList.objects.offered().select_related("council")
        if self.is_bound:
            self.describe_errors()
