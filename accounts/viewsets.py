"""Wagtail's user admin with the Parvis rules: forms limited to council roles for non-superusers, and
every per-account action checked against `accounts.permissions.UserPermissionPolicy`.

Installed through `accounts.apps.ParvisUsersAppConfig`, which replaces `wagtail.users` in
INSTALLED_APPS (Wagtail's documented way to customise the user viewset).
"""

from django.core.exceptions import PermissionDenied

from wagtail.users.views import users

from .forms import ParvisUserCreationForm, ParvisUserEditForm


class ForUserFormMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs


class IndexView(users.IndexView):
    def get_edit_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", instance):
            return super().get_delete_url(instance)
        return None


class CreateView(ForUserFormMixin, users.CreateView):
    pass


class EditView(ForUserFormMixin, users.EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.can_delete = self.can_delete and self.user_has_permission_for_instance("delete", self.object)

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission_for_instance("change", self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DeleteView(users.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.user_has_permission_for_instance("delete", self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserViewSet(users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView

    def get_form_class(self, for_update=False):
        return ParvisUserEditForm if for_update else ParvisUserCreationForm
