"""Which groups a role manager may hand out: the council roles, nothing else.

The communications team manages councils' editors and members. Any other group — the communications
team itself, or a group the platform administrator created by hand — is the administrator's alone, and
so is anyone who belongs to one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from councils.models import CouncilAccess


def council_role_groups():
    """Every council's editors' and members' groups."""
    return Group.objects.filter(
        Q(pk__in=CouncilAccess.objects.values("editors_group"))
        | Q(pk__in=CouncilAccess.objects.values("members_group"))
    )


def groups_assignable_by(user):
    """The groups `user` may add people to or remove them from in the admin."""
    if user.is_superuser:
        return Group.objects.all()
    return council_role_groups()


def users_with_protected_roles():
    """Accounts only the platform administrator may change: superusers and members of any other group."""
    other_groups = Group.objects.exclude(pk__in=council_role_groups().values("pk"))
    return get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__in=other_groups)).distinct()
