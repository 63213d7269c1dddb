"""Forms: the check-in code (public), random groups and the allowance period (admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .services import GROUPS_MAX


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        max_length=20,
        help_text=_("The six characters shown in the room."),
        error_messages={"required": _("Type the code shown in the room.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "check-in__code-input",
                "inputmode": "text",
            }
        ),
    )


class GroupsForm(forms.Form):
    group_count = forms.IntegerField(
        label=_("Number of groups"), min_value=2, max_value=GROUPS_MAX, initial=4
    )
    seed = forms.CharField(
        label=_("Seed (optional)"),
        required=False,
        max_length=64,
        help_text=_("Leave empty for a new random draw; type a recorded seed to make a draw again."),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end of the period comes before its start."))
        return data
