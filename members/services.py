"""Hand-over: inviting people to a council's roles, accepting an invitation, removing a role.

Every change is recorded in the council's history (Wagtail's log entries on the council page). The roles
themselves are the council's two groups, kept by `councils.services`.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from councils.models import CouncilPage
from councils.services import (
    council_add_editor,
    council_add_member,
    council_remove_editor,
    council_remove_member,
    council_sync_names,
    councils_edited_by,
)
from jobs.emails import email_queue

from .models import Invitation, Role

ACTION_INVITE = "parvis.invite"
ACTION_ROLE_ADD = "parvis.role_add"
ACTION_ROLE_REMOVE = "parvis.role_remove"
LOGIN_BACKEND = "accounts.backends.EmailOrUsernameBackend"


class InvitationInvalid(Exception):
    """A link that cannot be used: unknown or tampered (404), already used or expired (410)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- Who may hand out which role ------------------------------------------------------------------------


def roles_manageable_by(*, user, council: CouncilPage) -> set[str]:
    """The roles `user` may give or take away in `council`.

    The communications team (permission `members.manage_roles`, provisioned) manages editors and members
    of every council; a council's editors manage that council's members; nobody else manages anything.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.has_perm("members.manage_roles"):
        return {Role.EDITOR, Role.MEMBER}
    if councils_edited_by(user).filter(pk=council.pk).exists():
        return {Role.MEMBER}
    return set()


def councils_managed_by(user):
    """The councils whose roles `user` may manage."""
    if not user.is_authenticated or not user.is_active:
        return CouncilPage.objects.none()
    if user.has_perm("members.manage_roles"):
        return CouncilPage.objects.order_by("title")
    return councils_edited_by(user)


def council_people(*, council: CouncilPage):
    """[(user, role)] of the council's editors then members, each sorted by name."""
    access = council_sync_names(council=council)
    User = get_user_model()
    people = []
    for role, group in ((Role.EDITOR, access.editors_group), (Role.MEMBER, access.members_group)):
        users = User.objects.filter(groups=group).order_by("last_name", "first_name", "username")
        people.extend((user, role) for user in users)
    return people


# -- Invitations ----------------------------------------------------------------------------------------


def _username_for(email):
    User = get_user_model()
    base = slugify(email.split("@")[0])[:140] or "membre"
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def _account_for(email):
    """The account with this email (case-insensitively), created without a usable password if none."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if not user.is_active:
            raise ValidationError(
                _("The account of this address is deactivated: ask the platform administrator."),
                code="inactive",
            )
        return user, False
    user = User(username=_username_for(email), email=email, is_active=True)
    user.set_unusable_password()
    user.save()
    return user, True


def _role_add(*, council, user, role):
    if role == Role.EDITOR:
        council_add_editor(council=council, user=user)
    else:
        council_add_member(council=council, user=user)


def _absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _invitation_email_send(*, invitation, link, needs_password):
    council = invitation.council
    context = {
        "council": council,
        "role": Role(invitation.role).label,
        "is_editor": invitation.role == Role.EDITOR,
        "invited_by": invitation.invited_by,
        "link": link,
        "needs_password": needs_password,
        "expires_at": invitation.expires_at,
        "admin_url": _absolute(reverse("wagtailadmin_home")),
        "council_url": council.full_url or _absolute(council.url or "/"),
    }
    subject = _("Invitation: %(role)s of “%(council)s”") % {
        "role": context["role"].lower(),
        "council": council.title,
    }
    email_queue(
        to=invitation.email,
        subject=subject,
        body_text=render_to_string("members/email/invitation.txt", context),
        body_html=render_to_string("members/email/invitation.html", context),
    )


@transaction.atomic
def invitation_create(*, council: CouncilPage, email: str, role: str, invited_by, request=None) -> Invitation:
    """Invite `email` to `role` in `council`, by email.

    Someone without an account gets one (no usable password) and a single-use link, valid
    PARVIS_INVITATION_DAYS days, to choose a password; the role is given when they do. An existing account
    keeps its password and gets the role at once; the email tells them so. A new invitation replaces a
    pending one for the same person, role and council.
    """
    role = Role(role)
    if role not in roles_manageable_by(user=invited_by, council=council):
        raise PermissionDenied
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    user, _created = _account_for(email)
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(council=council, user=user, role=role, accepted_at__isnull=True).delete()
    invitation = Invitation.objects.create(
        council=council,
        email=email,
        role=role,
        user=user,
        invited_by=invited_by,
        token_hash=token_hash(token),
    )
    log(
        instance=council,
        action=ACTION_INVITE,
        user=invited_by,
        data={"email": email, "role": role.value, "user_id": user.pk},
    )
    needs_password = not user.has_usable_password()
    if needs_password:
        link = _absolute(reverse("members:invitation", args=[token]))
    else:
        # An account that already signs in: the role is theirs now; the link is only used up.
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _role_add(council=council, user=user, role=role)
        log(
            instance=council,
            action=ACTION_ROLE_ADD,
            user=invited_by,
            data={"email": email, "role": role.value, "user_id": user.pk},
        )
        link = None
    _invitation_email_send(invitation=invitation, link=link, needs_password=needs_password)
    return invitation


def invitation_get(*, token: str) -> Invitation:
    """The invitation this link stands for, if it can still be used; else InvitationInvalid."""
    invitation = (
        Invitation.objects.select_related("council", "user")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None or invitation.user is None:
        raise InvitationInvalid(
            _("This invitation link is not valid. Check that you copied the whole link from the email."), 404
        )
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            _("This invitation link was already used. Sign in with the password you chose."), 410
        )
    if invitation.is_expired:
        raise InvitationInvalid(
            _("This invitation link has expired. Ask the person who invited you to send a new one."), 410
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request=None) -> Invitation:
    """Use an invitation once: set the password, give the role, record it, sign the person in."""
    invitation = invitation_get(token=token)
    # Lock it so that two submissions of the same link cannot both succeed.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            _("This invitation link was already used. Sign in with the password you chose."), 410
        )
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    _role_add(council=invitation.council, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    log(
        instance=invitation.council,
        action=ACTION_ROLE_ADD,
        user=user,
        data={"email": invitation.email, "role": invitation.role, "user_id": user.pk},
    )
    if request is not None:
        login(request, user, backend=LOGIN_BACKEND)
    return invitation


# -- Removing a role ------------------------------------------------------------------------------------


@transaction.atomic
def council_role_remove(*, council: CouncilPage, user, role: str, by) -> None:
    """Take `role` in `council` away from `user`, with any pending invitation to it."""
    role = Role(role)
    if role not in roles_manageable_by(user=by, council=council):
        raise PermissionDenied
    if role == Role.EDITOR:
        council_remove_editor(council=council, user=user)
    else:
        council_remove_member(council=council, user=user)
    Invitation.objects.filter(council=council, user=user, role=role, accepted_at__isnull=True).delete()
    log(
        instance=council,
        action=ACTION_ROLE_REMOVE,
        user=by,
        data={"email": user.email, "role": role.value, "user_id": user.pk},
    )
