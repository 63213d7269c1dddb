"""Invitations: how a council is handed over to residents without the user admin.

A council's editors and members are the users of its two groups (see `councils.services`); an invitation
is the single-use, expiring link that gives someone one of these roles. Only a hash of its token is kept.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import College, CouncilPage, MembershipRole, Position

Role = MembershipRole  # a council's roles: one list, kept with the memberships


def invitation_expiry():
    return timezone.now() + timedelta(days=settings.PARVIS_INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Not accepted yet and not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """One person invited to one role in one council."""

    council = models.ForeignKey(
        CouncilPage, verbose_name=_("council"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # The mandate the role opens: given with the role, when the invitation is accepted.
    college = models.ForeignKey(
        College,
        verbose_name=_("college"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, blank=True, default=""
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        permissions = [("manage_roles", _("Can invite and remove the editors and members of every council"))]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()}, {self.council})"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
