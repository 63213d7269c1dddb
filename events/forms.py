import re
from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from councils.models import CouncilPage

MONTH_PATTERN = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})", re.ASCII)  # matched whole: fullmatch
MONTHS_AHEAD = 12

#: The agenda's `type` filter: French values in the address, the kind of dated page each shows.
TYPE_MEETINGS = "reunions"
TYPE_EVENTS = "evenements"


def _month_label(first_day):
    return formats.date_format(first_day, "F Y").capitalize()


def _add_months(first_day, count):
    index = first_day.year * 12 + first_day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class CouncilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class AgendaFilterForm(forms.Form):
    """The agenda's filters, read from the query string (`?conseil=<slug>&type=evenements&mois=2026-12`).

    Invalid values never break the page: the view drops them and says so.
    """

    conseil = CouncilChoiceField(
        label=_("Council"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All councils"),
        error_messages={"invalid_choice": _("We could not find this council: showing every council.")},
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[
            ("", _("Meetings and events")),
            (TYPE_MEETINGS, _("Meetings")),
            (TYPE_EVENTS, _("Events")),
        ],
        error_messages={
            "invalid_choice": _("We could not read this type: showing meetings and events."),
        },
    )
    mois = forms.CharField(label=_("Month"), required=False, widget=forms.Select)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conseil"].queryset = CouncilPage.objects.listed().order_by("title")
        first = today.replace(day=1)
        months = [_add_months(first, n) for n in range(MONTHS_AHEAD)]
        selected = self._selected_month()
        if selected and selected not in months:
            months = sorted([*months, selected])
        self.fields["mois"].widget.choices = [("", _("Upcoming, every month"))] + [
            (month.strftime("%Y-%m"), _month_label(month)) for month in months
        ]

    def _selected_month(self):
        try:
            return _parse_month(self.data.get("mois", ""))
        except ValueError:
            return None

    def clean_mois(self):
        value = (self.cleaned_data.get("mois") or "").strip()
        if not value:
            return None
        try:
            return _parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(
                _("We could not read this month: showing everything upcoming."), code="invalid"
            ) from error


def _parse_month(value):
    match = MONTH_PATTERN.fullmatch(value or "")
    if not match:
        raise ValueError(value)
    year, month = int(match["year"]), int(match["month"])
    if not 2000 <= year <= 2100:
        raise ValueError(value)
    return date(year, month, 1)  # ValueError for month 13
