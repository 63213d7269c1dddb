from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportReason

MESSAGE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
# The honeypot: a field people never see nor reach; a robot filling every field fills it too.
HONEYPOT_FIELD = "site_web"


class ReportForm(forms.Form):
    """A reader's report: why, and optionally a few words. Nothing identifies the reader."""

    reason = forms.ChoiceField(
        label=_("Why are you reporting this content?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")},
    )
    message = forms.CharField(
        label=_("Your message (optional)"),
        help_text=_(
            "What is wrong, where on the page? Do not write personal data. 2,000 characters at most."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={
            "max_length": _(
                "Your message is too long: %(limit_value)d characters at most (it has %(show_value)d)."
            )
        },
    )
    site_web = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self):
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


class UnpublishForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the council's editors"),
        help_text=_(
            "Why the page is taken offline and what to change. It is emailed to the council's editors."
        ),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a note: the council's editors will receive it.")},
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional, kept in the report)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def describe_fields(form, names=None):
    """Tie each field to its help text and error (aria-describedby, aria-invalid), as the templates
    print them with ids `<field id>-help` and `<field id>-error`."""
    for name in names or form.fields:
        bound = form[name]
        field = form.fields[name]
        described_by = [f"{bound.auto_id}-help"] if field.help_text else []
        if form.is_bound and form.errors.get(name):
            described_by.append(f"{bound.auto_id}-error")
            field.widget.attrs["aria-invalid"] = "true"
        if described_by:
            field.widget.attrs["aria-describedby"] = " ".join(described_by)
    return form
