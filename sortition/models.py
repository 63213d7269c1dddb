"""Sortition: drawing a panel from a candidate file so that every quota is met.

The draw runs in the background (`sortition.tasks`) with the Sortition Foundation's
`sortition-algorithms` package (GPL-3.0: Parvis is AGPL-3.0-or-later, see LICENSE). Its inputs (the
candidate and quota files as uploaded), its seed, the algorithm and the package's version are kept, so
anyone can run it again and get the same panel (`manage.py sortition_rerun <id>`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DrawStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SortitionDraw(models.Model):
    """One draw of a panel of `panel_size` people for a council."""

    council = models.ForeignKey(
        "councils.CouncilPage",
        verbose_name=_("council"),
        on_delete=models.CASCADE,
        related_name="sortition_draws",
    )
    title = models.CharField(_("title"), max_length=200)
    panel_size = models.PositiveIntegerField(_("number of people to draw"))
    candidates_csv = models.TextField(_("candidates (CSV)"))
    quotas_csv = models.TextField(_("quotas (CSV)"))
    seed = models.BigIntegerField(_("seed"))
    algorithm = models.CharField(_("algorithm"), max_length=40, default="maximin")
    package_version = models.CharField(_("sortition-algorithms version"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    selected_ids = models.JSONField(_("selected candidates"), default=list, blank=True)
    report = models.TextField(_("report"), blank=True)
    run_info = models.JSONField(
        _("run details"),
        default=dict,
        blank=True,
        help_text=_("Versions, duration, the error's details, the invitation's outcome."),
    )
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    invited_at = models.DateTimeField(_("panel invited at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    verify_requested_at = models.DateTimeField(_("check asked at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    verified_identical = models.BooleanField(_("same panel when run again"), null=True, blank=True)

    class Meta:
        verbose_name = _("sortition draw")
        verbose_name_plural = _("sortition draws")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_running(self):
        return self.status in (DrawStatus.PENDING, DrawStatus.RUNNING)

    @property
    def is_verifying(self):
        return self.verify_requested_at is not None and (
            self.verified_at is None or self.verified_at < self.verify_requested_at
        )
