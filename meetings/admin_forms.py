"""The meeting editor's form (kept apart from meetings.forms, which imports the models)."""

from core.forms import FencedPageForm

from .choices import MeetingStatus


class MeetingPageForm(FencedPageForm):
    """Editors plan a meeting or cancel it; nobody marks it "held": the site shows it held by itself once
    it has ended (`MeetingPage.display_status`). A "held" still stored by older data reads as planned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("status")
        if field is not None:
            field.choices = [
                (value, label) for value, label in MeetingStatus.choices if value != MeetingStatus.HELD
            ]
            if self.initial.get("status") == MeetingStatus.HELD:
                self.initial["status"] = MeetingStatus.PLANNED
