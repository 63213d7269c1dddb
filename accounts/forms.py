"""Wagtail's user forms, narrowed for anyone who is not the platform administrator.

For a non-superuser the "Administrator" box is gone (and a forged `is_superuser` is refused), and the
groups offered are the council roles only; groups the person editing cannot hand out are kept as they
were, never silently dropped.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.users.forms import UserCreationForm, UserEditForm

from .roles import groups_assignable_by


class RoleLimitedUserFormMixin:
    error_messages = {
        **UserEditForm.error_messages,
        "superuser_refused": _("Only the platform administrator can make someone an administrator."),
    }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        self.assignable_groups = groups_assignable_by(for_user) if for_user is not None else None
        if for_user is None or for_user.is_superuser:
            return
        self.fields.pop("is_superuser", None)
        self.fields["groups"].queryset = self.assignable_groups.order_by("name")
        self.fields["groups"].help_text = _("Only council roles can be given here.")

    def clean(self):
        cleaned_data = super().clean()
        if (
            self.for_user is not None
            and not self.for_user.is_superuser
            and "is_superuser" not in self.fields
            and self.data.get(self.add_prefix("is_superuser")) not in (None, "", "0", "false", "False", "off")
        ):
            raise forms.ValidationError(self.error_messages["superuser_refused"], code="superuser_refused")
        return cleaned_data

    def _save_m2m(self):
        kept = []
        if self.instance.pk and self.assignable_groups is not None and not self.for_user.is_superuser:
            kept = list(self.instance.groups.exclude(pk__in=self.assignable_groups.values("pk")))
        super()._save_m2m()
        if kept:
            self.instance.groups.add(*kept)


class ParvisUserCreationForm(RoleLimitedUserFormMixin, UserCreationForm):
    pass


class ParvisUserEditForm(RoleLimitedUserFormMixin, UserEditForm):
    pass
