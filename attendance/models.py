"""Attendance and allowance: who came to each session, how they signed in, what they are owed.

A session is a council's meeting (`meetings.MeetingPage`). For each, an attendance record per member —
present, excused or absent — entered by an editor, or "present" by the member checking in on their phone
with the session's code. A council may pay an allowance per attended session
(`CouncilPage.allowance_per_session`): the report per member is computed from these records only.
Random working groups split the members present at a session into groups balanced across colleges; the
seed is recorded, so the same draw can be made again.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    EXCUSED = "excused", pgettext_lazy("attendance", "Excused")
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")


class AttendanceMethod(models.TextChoices):
    EDITOR = "editor", _("Entered by an editor")
    CODE = "code", _("Checked in with the session's code")


class Attendance(models.Model):
    """One member's attendance at one session."""

    meeting = models.ForeignKey(
        "meetings.MeetingPage",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    college = models.ForeignKey(
        "councils.College",
        verbose_name=_("college"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The member's college at the session."),
    )
    method = models.CharField(_("recorded by"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_session")
        ]

    def __str__(self):
        return f"{self.meeting_id}/{self.member_id}: {self.status}"


class CheckInCode(models.Model):
    """The code shown in the room: members type it on their phone to be marked present."""

    meeting = models.OneToOneField(
        "meetings.MeetingPage",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="check_in_code",
    )
    code = models.CharField(_("code"), max_length=12)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in code")
        verbose_name_plural = _("check-in codes")

    def __str__(self):
        return str(self.meeting)


class GroupDraw(models.Model):
    """Random working groups for one session: K groups balanced across colleges, reproducible."""

    meeting = models.ForeignKey(
        "meetings.MeetingPage",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="group_draws",
    )
    group_count = models.PositiveSmallIntegerField(_("number of groups"))
    seed = models.CharField(_("seed"), max_length=64)
    algorithm = models.CharField(_("algorithm"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("random groups")
        verbose_name_plural = _("random groups")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.meeting} ({self.group_count})"


class GroupAssignment(models.Model):
    draw = models.ForeignKey(GroupDraw, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    college = models.ForeignKey(
        "councils.College", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group_number = models.PositiveSmallIntegerField(_("group"))

    class Meta:
        verbose_name = _("group assignment")
        verbose_name_plural = _("group assignments")
        ordering = ["group_number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "member"], name="group_assignment_once_per_draw")
        ]

    def __str__(self):
        return f"{self.draw_id}/{self.member_id}: {self.group_number}"
