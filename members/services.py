"""Hand-over: inviting people to a council's roles, accepting an invitation, removing a role.

Every change is recorded in the council's history (Wagtail's log entries on the council page). The roles
themselves are the council's two groups, kept by `councils.services`.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError, Q, RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail.log_actions import log

from councils.models import College, CouncilPage, Membership, Position
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
ACTION_MANDATE_END = "parvis.mandate_end"
ACTION_COLLEGE_MOVE = "parvis.college_move"
ACTION_POSITION_CHANGE = "parvis.position_change"
ACTION_COLLEGE_ADD = "parvis.college_add"
ACTION_COLLEGE_CHANGE = "parvis.college_change"
ACTION_COLLEGE_DELETE = "parvis.college_delete"
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


def _role_add(*, council, user, role, college=None, position=None):
    add = council_add_editor if role == Role.EDITOR else council_add_member
    add(council=council, user=user, college=college, position=position or None)


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
def invitation_create(
    *,
    council: CouncilPage,
    email: str,
    role: str,
    invited_by,
    college: College | None = None,
    position: str = "",
    request=None,
) -> Invitation:
    """Invite `email` to `role` in `council`, by email.

    Someone without an account gets one (no usable password) and a single-use link, valid
    PARVIS_INVITATION_DAYS days, to choose a password; the role is given when they do. An existing account
    keeps its password and gets the role at once; the email tells them so. A new invitation replaces a
    pending one for the same person, role and council. The college and position, if any, are those of the
    mandate the role opens.
    """
    role = Role(role)
    if role not in roles_manageable_by(user=invited_by, council=council):
        raise PermissionDenied
    if college is not None and college.council_id != council.pk:
        raise PermissionDenied
    position = Position(position or "")
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
        college=college,
        position=position.value,
        token_hash=token_hash(token),
    )
    log(
        instance=council,
        action=ACTION_INVITE,
        user=invited_by,
        data={
            "email": email,
            "role": role.value,
            "user_id": user.pk,
            "college": college.name if college else "",
            "position": position.value,
        },
    )
    needs_password = not user.has_usable_password()
    if needs_password:
        link = _absolute(reverse("members:invitation", args=[token]))
    else:
        # An account that already signs in: the role is theirs now; the link is only used up.
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _role_add(council=council, user=user, role=role, college=college, position=position.value)
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
    _role_add(
        council=invitation.council,
        user=user,
        role=invitation.role,
        college=invitation.college,
        position=invitation.position,
    )
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


# -- Mandates: the council's people by college, ending a mandate, moving, positions -------------------------


def person_name(user):
    return user.get_full_name() or user.email or user.get_username()


def _mandate_data(membership, **extra):
    user = membership.user
    return {"email": user.email, "name": person_name(user), "user_id": user.pk, **extra}


def council_mandates(*, council: CouncilPage):
    """The council's mandates in three queries whatever their number: (colleges, open, ended).

    `colleges` is [(college or None, [open mandates])] in the colleges' order, then those without a
    college (only when there are some); `ended` the ended mandates, the latest first."""
    colleges = list(College.objects.filter(council=council).order_by("sort_order", "name"))
    mandates = list(
        Membership.objects.filter(council=council)
        .select_related("user", "college")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )
    current = [m for m in mandates if m.ended_on is None]
    ended = sorted((m for m in mandates if m.ended_on is not None), key=lambda m: m.ended_on, reverse=True)
    by_college = [(college, [m for m in current if m.college_id == college.pk]) for college in colleges]
    without = [m for m in current if m.college_id is None]
    if without:
        by_college.append((None, without))
    return by_college, current, ended


def council_people_without_mandate(*, council: CouncilPage, mandates):
    """[(user, role)] of those who hold a role through the council's groups but have no open mandate
    (an account changed in the user admin): shown so that nobody with access is hidden. One query."""
    access = council_sync_names(council=council)
    with_mandate = {m.user_id for m in mandates}
    User = get_user_model()
    users = (
        User.objects.filter(groups__in=[access.editors_group_id, access.members_group_id])
        .exclude(pk__in=with_mandate)
        .annotate(is_editor=Count("groups", filter=Q(groups=access.editors_group_id)))
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    return [(user, Role.EDITOR if user.is_editor else Role.MEMBER) for user in users]


def membership_manageable(*, membership: Membership, by) -> bool:
    """Whether `by` may change or end this mandate: the role it carries must be one they may give."""
    return membership.ended_on is None and membership.role in roles_manageable_by(
        user=by, council=membership.council
    )


@transaction.atomic
def membership_end(*, membership: Membership, by, ended_on=None) -> Membership:
    """End a mandate on `ended_on` (today by default, never later: access goes now).

    The person leaves the council's groups (so loses its members-only pages and its working groups) and
    any pending invitation to it is withdrawn; the mandate is kept, with its end date, as history."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(pk=membership.pk)
    )
    council, user = membership.council, membership.user
    if not membership_manageable(membership=membership, by=by):
        raise PermissionDenied
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise ValidationError(
            _("The end of a mandate cannot be in the future: access is removed at once."), code="future"
        )
    if membership.started_on > today:
        ended_on = membership.started_on  # a mandate that had not started: it ends before it begins
    elif ended_on < membership.started_on:
        raise ValidationError(
            _("The end of a mandate cannot be before its start (%(date)s).")
            % {"date": membership.started_on.strftime("%d/%m/%Y")},
            code="before_start",
        )
    role = membership.role
    council_remove_editor(council=council, user=user)
    council_remove_member(council=council, user=user)
    membership.refresh_from_db()
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    Invitation.objects.filter(council=council, user=user, accepted_at__isnull=True).delete()
    log(
        instance=council,
        action=ACTION_MANDATE_END,
        user=by,
        data=_mandate_data(membership, role=role, ended_on=ended_on.isoformat()),
    )
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, by, college: College | None, position: str) -> Membership:
    """Move a mandate to another college (or none) and/or change its position; each change is logged."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(pk=membership.pk)
    )
    council = membership.council
    if not membership_manageable(membership=membership, by=by):
        raise PermissionDenied
    if college is not None and college.council_id != council.pk:
        raise PermissionDenied
    position = Position(position or "")
    old_college = College.objects.filter(pk=membership.college_id).first()
    if (college.pk if college else None) != membership.college_id:
        membership.college = college
        membership.save(update_fields=["college"])
        log(
            instance=council,
            action=ACTION_COLLEGE_MOVE,
            user=by,
            data=_mandate_data(
                membership,
                old_college=old_college.name if old_college else "",
                college=college.name if college else "",
            ),
        )
    if position.value != membership.position:
        old_position = membership.position
        membership.position = position.value
        membership.save(update_fields=["position"])
        log(
            instance=council,
            action=ACTION_POSITION_CHANGE,
            user=by,
            data=_mandate_data(membership, old_position=old_position, position=position.value),
        )
    return membership


# -- Colleges -----------------------------------------------------------------------------------------------


def colleges_manageable_by(*, user, council: CouncilPage) -> bool:
    """Whoever manages the council's members manages its colleges."""
    return bool(roles_manageable_by(user=user, council=council))


def council_colleges(*, council: CouncilPage):
    """The council's colleges in order, each with `current` (open mandates) and `past` (ended) counts."""
    return list(
        College.objects.filter(council=council)
        .annotate(
            current=Count("memberships", filter=Q(memberships__ended_on__isnull=True)),
            past=Count("memberships", filter=Q(memberships__ended_on__isnull=False)),
        )
        .order_by("sort_order", "name")
    )


def _college_data(college, **extra):
    return {"college_id": college.pk, "name": college.name, "drawn_by_lot": college.drawn_by_lot, **extra}


def _name_taken():
    return ValidationError(_("This council already has a college with this name."), code="unique")


@transaction.atomic
def college_create(
    *, council: CouncilPage, by, name: str, description: str = "", drawn_by_lot: bool = False
) -> College:
    """Add a college at the end of the council's list."""
    if not colleges_manageable_by(user=by, council=council):
        raise PermissionDenied
    name = name.strip()
    if College.objects.filter(council=council, name__iexact=name).exists():
        raise _name_taken()
    last = (
        College.objects.filter(council=council).order_by("-sort_order").values_list("sort_order", flat=True)
    )
    try:
        with transaction.atomic():
            college = College.objects.create(
                council=council,
                name=name,
                description=description.strip(),
                drawn_by_lot=drawn_by_lot,
                sort_order=(last.first() or 0) + 1,
            )
    except IntegrityError as error:
        raise _name_taken() from error
    log(instance=council, action=ACTION_COLLEGE_ADD, user=by, data=_college_data(college))
    return college


@transaction.atomic
def college_update(*, college: College, by, name: str, description: str = "", drawn_by_lot: bool = False):
    """Rename a college, change its description, mark it drawn by lot or not."""
    college = College.objects.select_for_update(of=("self",)).select_related("council").get(pk=college.pk)
    council = college.council
    if not colleges_manageable_by(user=by, council=council):
        raise PermissionDenied
    name = name.strip()
    if College.objects.filter(council=council, name__iexact=name).exclude(pk=college.pk).exists():
        raise _name_taken()
    old_name = college.name
    college.name, college.description, college.drawn_by_lot = name, description.strip(), drawn_by_lot
    try:
        with transaction.atomic():
            college.save(update_fields=["name", "description", "drawn_by_lot"])
    except IntegrityError as error:
        raise _name_taken() from error
    log(
        instance=council,
        action=ACTION_COLLEGE_CHANGE,
        user=by,
        data=_college_data(college, old_name=old_name),
    )
    return college


@transaction.atomic
def college_move(*, college: College, by, direction: str) -> College:
    """Move a college one place up or down in its council's order (the order is renumbered 1…n)."""
    council = college.council
    if not colleges_manageable_by(user=by, council=council):
        raise PermissionDenied
    colleges = list(
        College.objects.select_for_update().filter(council=council).order_by("sort_order", "name")
    )
    index = next(i for i, c in enumerate(colleges) if c.pk == college.pk)
    other = {"up": index - 1, "down": index + 1}.get(direction, -1)
    if not 0 <= other < len(colleges):
        return college
    colleges[index], colleges[other] = colleges[other], colleges[index]
    for number, item in enumerate(colleges, start=1):
        item.sort_order = number
    College.objects.bulk_update(colleges, ["sort_order"])
    log(
        instance=council,
        action=ACTION_COLLEGE_CHANGE,
        user=by,
        data=_college_data(colleges[other], old_name=college.name, moved=direction),
    )
    return colleges[other]


@transaction.atomic
def college_delete(*, college: College, by) -> None:
    """Delete a college nobody's mandate, past or current, refers to (otherwise a French refusal)."""
    college = College.objects.select_for_update(of=("self",)).select_related("council").get(pk=college.pk)
    council = college.council
    if not colleges_manageable_by(user=by, council=council):
        raise PermissionDenied
    used = college.memberships.count()
    if used:
        raise ValidationError(
            ngettext(
                "The college “%(name)s” cannot be deleted: %(counter)s mandate (current or past) is in it. "
                "Move its members to another college first.",
                "The college “%(name)s” cannot be deleted: %(counter)s mandates (current or past) are in it. "
                "Move its members to another college first.",
                used,
            )
            % {"name": college.name, "counter": used},
            code="used",
        )
    data = _college_data(college)
    try:
        with transaction.atomic():
            college.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _(
                "The college “%(name)s” cannot be deleted: votes, attendance or draws of the council "
                "refer to it. Rename it instead."
            )
            % {"name": college.name},
            code="used",
        ) from error
    log(instance=council, action=ACTION_COLLEGE_DELETE, user=by, data=data)


# -- Consent to the public list ------------------------------------------------------------------------------


def member_consents(user):
    """[(council, open mandate)] of the person's councils, by council title, for their consent switches
    in "Mon espace" (one query)."""
    if not user.is_authenticated:
        return []
    mandates = (
        Membership.objects.filter(user=user).open().select_related("council").order_by("council__title", "pk")
    )
    return [(membership.council, membership) for membership in mandates]


@transaction.atomic
def membership_consent_set(*, user, council_id: int, listed: bool) -> Membership:
    """The person's own choice: their name in the council's public list of members or not.

    Only their own open mandate is found; anything else is Membership.DoesNotExist."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council")
        .open()
        .get(user=user, council_id=council_id)
    )
    if membership.listed_publicly != listed:
        membership.listed_publicly = listed
        membership.save(update_fields=["listed_publicly"])
    return membership
