"""Membership as data: who belongs to a council, in which college, with which position, for how long.

A council's groups (`CouncilAccess.editors_group` / `members_group`) give access; a `Membership` records
the mandate behind it. `councils.services.council_add_member` / `council_add_editor` /
`council_remove_*` keep both in step, so every way in (invitation, admin, sortition, demo, tests) writes
the record. At most one open mandate per person and council (database constraint); an ended mandate is
kept as history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MembershipRole(models.TextChoices):
    EDITOR = "editor", pgettext_lazy("council role", "Editor")
    MEMBER = "member", pgettext_lazy("council role", "Member")


class Position(models.TextChoices):
    NONE = "", pgettext_lazy("council position", "—")
    PRESIDENT = "president", pgettext_lazy("council position", "President")
    VICE_PRESIDENT = "vice_president", pgettext_lazy("council position", "Vice-president")
    SECRETARY = "secretary", pgettext_lazy("council position", "Secretary")
    TREASURER = "treasurer", pgettext_lazy("council position", "Treasurer")
    SPOKESPERSON = "spokesperson", pgettext_lazy("council position", "Spokesperson")
    COORDINATOR = "coordinator", pgettext_lazy("council position", "Coordinator")


class College(models.Model):
    """A part of a council's membership, configured per council (an assembly's volunteers, people drawn
    by lot, workshop representatives). Results, attendance and random groups are split by college."""

    council = models.ForeignKey(
        "councils.CouncilPage", verbose_name=_("council"), on_delete=models.CASCADE, related_name="colleges"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=255, blank=True)
    drawn_by_lot = models.BooleanField(
        _("drawn by lot"),
        default=False,
        help_text=_("People drawn by sortition are invited into this college."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["council_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="college_name_unique_per_council")
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        """Mandates running on `on` (today by default): started, not ended."""
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def open(self):
        """Mandates without an end date (at most one per person and council)."""
        return self.filter(ended_on__isnull=True)


class Membership(models.Model):
    """One person's mandate in one council."""

    council = models.ForeignKey(
        "councils.CouncilPage",
        verbose_name=_("council"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    college = models.ForeignKey(
        College,
        verbose_name=_("college"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, blank=True, default=""
    )
    started_on = models.DateField(_("start of mandate"), default=timezone.localdate)
    ended_on = models.DateField(_("end of mandate"), null=True, blank=True)
    listed_publicly = models.BooleanField(
        _("name shown in the public list of members"),
        default=False,
        help_text=_("Only with the person's consent; they can change it in “Mon espace”."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["council_id", "college__sort_order", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_mandate",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.council}"
