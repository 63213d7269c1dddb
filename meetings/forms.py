from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.widgets import AdminDateInput, AdminTimeInput

from . import services
from .models import MeetingFormat


class MeetingSeriesForm(forms.Form):
    """An editor's plan: "every first Tuesday at 18:30, from September until June"."""

    FREQUENCY_CHOICES = [
        (services.FREQUENCY_WEEKLY, _("Every week, or every N weeks")),
        (services.FREQUENCY_MONTHLY_WEEKDAY, _("Every month, on the Nth weekday (e.g. first Tuesday)")),
    ]
    WEEKDAY_CHOICES = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    POSITION_CHOICES = [
        (1, _("first")),
        (2, pgettext_lazy("weekday position in a month", "second")),
        (3, _("third")),
        (4, _("fourth")),
        (-1, _("last")),
    ]

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Each session is titled with it and its date, e.g. “Plenary session — 7 October 2025”."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=FREQUENCY_CHOICES)
    interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1 for every week (or month), 2 for every other one…"),
    )
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=WEEKDAY_CHOICES, coerce=int)
    position = forms.TypedChoiceField(
        label=_("Which one in the month"),
        choices=POSITION_CHOICES,
        coerce=int,
        initial=1,
        help_text=_("For monthly series only."),
    )
    first_date = forms.DateField(label=pgettext_lazy("series start date", "From"), widget=AdminDateInput)
    until = forms.DateField(label=_("Until"), widget=AdminDateInput)
    start_time = forms.TimeField(label=_("Start time"), widget=AdminTimeInput, initial=time(18, 30))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=24 * 60, initial=120
    )
    format = forms.ChoiceField(label=_("Format"), choices=MeetingFormat.choices)
    place_name = forms.CharField(label=_("Place"), max_length=255, required=False)
    place_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    access_notes = forms.CharField(
        label=_("Access notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    publish = forms.BooleanField(
        label=_("Publish the sessions now"),
        required=False,
        help_text=_("Leave unticked to create drafts you can complete (agenda…) before publishing."),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["until"] < data["first_date"]:
            self.add_error("until", _("The end date must come after the first date."))
            return data
        if (
            data["format"] in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID)
            and not data["place_name"].strip()
        ):
            self.add_error("place_name", _("Give the place of an in-person or hybrid meeting."))
        if data["format"] in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not data["online_url"]:
            self.add_error("online_url", _("Give the link of an online or hybrid meeting."))
        try:
            self.occurrences = services.series_occurrences(**self.series_arguments())
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def series_arguments(self):
        """The rule, first start, duration and end date, ready for the services."""
        data = self.cleaned_data
        rule = services.series_rule_build(
            frequency=data["frequency"],
            weekday=data["weekday"],
            interval=data["interval"],
            position=data["position"],
        )
        first_start = datetime.combine(
            data["first_date"], data["start_time"], tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        return {
            "rule": rule,
            "first_start": first_start,
            "duration_minutes": data["duration_minutes"],
            "until": data["until"],
        }

    def place_arguments(self):
        data = self.cleaned_data
        return {
            key: data[key] for key in ("format", "place_name", "place_address", "access_notes", "online_url")
        }
