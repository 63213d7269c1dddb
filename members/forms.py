from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import College, Position

from .models import Role


def _college_field(council, **kwargs):
    return forms.ModelChoiceField(
        label=_("College"),
        queryset=College.objects.filter(council=council).order_by("sort_order", "name"),
        required=False,
        empty_label=_("No college"),
        **kwargs,
    )


class InvitationForm(forms.Form):
    """Who to invite and to which role; the roles offered are those the inviting person may give."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation is sent to this address. An existing account keeps its password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices, required=False)

    def __init__(self, *args, roles, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        if len(roles) == 1:
            self.fields["role"].initial = next(iter(roles))
        else:
            self.fields["role"].initial = Role.MEMBER
        if council is not None and College.objects.filter(council=council).exists():
            self.fields["college"] = _college_field(
                council, help_text=_("The college of the mandate the invitation opens.")
            )
            self.order_fields(["email", "role", "college", "position"])


class MembershipForm(forms.Form):
    """A mandate's college and position."""

    college = forms.ModelChoiceField(queryset=College.objects.none(), required=False)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices, required=False)

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"] = _college_field(council)
        self.order_fields(["college", "position"])


class MandateEndForm(forms.Form):
    """When a mandate ends (today at the latest)."""

    ended_on = forms.DateField(
        label=_("End of mandate"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today or an earlier date. Access to the council’s private spaces is removed at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class CollegeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=255,
        required=False,
        help_text=_("One line, shown on the public list of members (e.g. how its members are chosen)."),
    )
    drawn_by_lot = forms.BooleanField(
        label=_("Drawn by lot"),
        required=False,
        help_text=_("People drawn by sortition are invited into this college."),
    )
