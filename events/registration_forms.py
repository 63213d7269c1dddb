"""The public registration form of an event page (no account)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .registrations import ACCESSIBILITY_MAX_LENGTH, NAME_MAX_LENGTH, ORGANISATION_MAX_LENGTH

#: The honeypot: a field people never see nor reach (hidden container with aria-hidden, tabindex=-1,
#: autocomplete off); a robot filling every field fills it too, and is answered as if registered.
HONEYPOT_FIELD = "website"
EMAIL_MAX_LENGTH = 254


#: A name is text: no control characters (line breaks, tabs) nor web addresses — it is repeated in the
#: emails the site sends to the address typed, so it must not carry someone else's message or link.
NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]|://|\bwww\.", re.IGNORECASE)


class RegistrationForm(forms.Form):
    """Name, email, optional organisation and accessibility needs, consent; the honeypot."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Give your name."),
            "max_length": _(
                "Your name is too long: %(limit_value)d characters at most (it has %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("Your confirmation and the link to cancel are sent there."),
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
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        help_text=_("Association, council, department… if you come on its behalf."),
        required=False,
        max_length=ORGANISATION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={
            "max_length": _(
                "The organisation is too long: %(limit_value)d characters at most (it has %(show_value)d)."
            ),
        },
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        help_text=_(
            "Wheelchair access, sign language interpretation, induction loop, large print… "
            "so that we can prepare. 1,000 characters at most."
        ),
        required=False,
        max_length=ACCESSIBILITY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Your accessibility needs are too long: %(limit_value)d characters at most "
                "(it has %(show_value)d)."
            ),
        },
    )
    consent = forms.BooleanField(
        label=_("I agree that my name, my email address and my answers are used to organise this event."),
        error_messages={"required": _("Tick the box to agree to the use of your data.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["consent"].widget.attrs["aria-describedby"] = "inscription-donnees"
        self.fields["organisation"].widget.attrs["maxlength"] = ORGANISATION_MAX_LENGTH
        for name in ("name", "email", "organisation", "accessibility_needs", "consent"):
            field = self.fields[name]
            if name == "consent":
                continue
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"
        if self.is_bound:
            self.describe_errors()

    def describe_errors(self):
        """Tie each field to its error message (aria-describedby, aria-invalid)."""
        for name in self.fields:
            if name == HONEYPOT_FIELD or not self.errors.get(name):
                continue
            widget = self.fields[name].widget
            described = [d for d in widget.attrs.get("aria-describedby", "").split() if d]
            described.insert(0, f"id_{name}_error")
            widget.attrs["aria-describedby"] = " ".join(described)
            widget.attrs["aria-invalid"] = "true"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if NAME_FORBIDDEN.search(self.cleaned_data["name"]):
            raise forms.ValidationError(
                _("Give your name only, on one line and without a web address."), code="invalid"
            )
        return name

    def is_robot(self):
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def add_refusal(self, refusal):
        """Show a service refusal (closed, full…) where it belongs."""
        field = "consent" if refusal.code == "consent" else None
        self.add_error(field, refusal.message)
        if field:
            self.describe_errors()
