"""The permission policy for user accounts in Wagtail's admin: nobody below the platform administrator
can raise anyone — themselves included — above a council role.

Wagtail's model permission (`accounts.change_user`) lets the communications team into the user admin.
This policy narrows it per account: a non-superuser may change or delete only accounts that hold council
roles at most (never a superuser, never a member of the communications team or any other group), and
may edit their own account (the form then keeps their groups as they are).
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .roles import users_with_protected_roles

INSTANCE_ACTIONS = {"change", "delete"}


class UserPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user.is_superuser or action not in INSTANCE_ACTIONS:
            return True
        if instance.pk == user.pk:
            # Wagtail never lets anyone delete themselves; editing oneself is allowed.
            return action == "change"
        return not users_with_protected_roles().filter(pk=instance.pk).exists()

    def instances_user_has_permission_for(self, user, action):
        instances = super().instances_user_has_permission_for(user, action)
        if user.is_superuser or action not in INSTANCE_ACTIONS:
            return instances
        manageable = instances.exclude(pk__in=users_with_protected_roles().values("pk"))
        if action == "change":
            manageable = manageable | instances.filter(pk=user.pk)
        return manageable
