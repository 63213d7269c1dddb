from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class InvitationForm(forms.Form):
    """Who to invite and to which role; the roles offered are those the inviting person may give."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation is sent to this address. An existing account keeps its password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        if len(roles) == 1:
            self.fields["role"].initial = next(iter(roles))
        else:
            self.fields["role"].initial = Role.MEMBER
