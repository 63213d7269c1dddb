"""Public forms (a proposal, a ballot) and the admin's (hide, window, resolution)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import MeetingPage

from .models import Proposal, VoteChoice


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=Proposal._meta.get_field("title").max_length,
        error_messages={
            "required": _("Give your proposal a title."),
            "max_length": _("The title is too long (200 characters at most)."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Text of the proposal"),
        help_text=_("What you propose, why, and how it could be done. 10,000 characters at most."),
        max_length=Proposal._meta.get_field("body").max_length,
        error_messages={
            "required": _("Write the text of your proposal."),
            "max_length": _("The text is too long (10,000 characters at most)."),
        },
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=pgettext_lazy("vote", "Your vote"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose for, against or abstain."),
            "invalid_choice": _("Choose for, against or abstain."),
        },
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the council's editors)"),
        max_length=Proposal._meta.get_field("hidden_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the proposal is hidden.")},
    )


def _window_field(label):
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class WindowCleanMixin:
    """Both ends of the window or neither; the close after the opening."""

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if (opens_at is None) != (closes_at is None) and not self.errors:
            raise forms.ValidationError(_("Give both the opening and the closing of the vote, or neither."))
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The vote must close after it opens."))
        return data


class WindowForm(WindowCleanMixin, forms.Form):
    opens_at = _window_field(_("Voting opens"))
    closes_at = _window_field(_("Voting closes"))


class ResolutionForm(WindowCleanMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text of the resolution"), widget=forms.Textarea(attrs={"rows": 6}))
    meeting = forms.ModelChoiceField(
        label=_("Session (optional)"), queryset=MeetingPage.objects.none(), required=False
    )
    opens_at = _window_field(_("Voting opens (optional)"))
    closes_at = _window_field(_("Voting closes (optional)"))

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            MeetingPage.objects.descendant_of(council).order_by("-start").only("pk", "title", "start")
        )
