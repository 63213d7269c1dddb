"""What readers report about a council's public content, and what the city did with it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportReason(models.TextChoices):
    WRONG_INFORMATION = "wrong_information", _("Wrong or outdated information")
    OFFENSIVE = "offensive", _("Offensive or hateful content")
    PERSONAL_DATA = "personal_data", _("Personal data published without consent")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Other reason")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("report status", "Open")
    DISMISSED = "dismissed", pgettext_lazy("report status", "Dismissed")
    ACTIONED = "actioned", _("Page unpublished")


class ContentReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReportStatus.OPEN)


class ContentReport(models.Model):
    """A reader's report on a page. The reader stays anonymous: neither name nor address is kept."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=ReportReason.choices)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ContentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("content report")
        verbose_name_plural = _("content reports")
        ordering = ["-created_at"]
        default_permissions = ()
        permissions = [("moderate_councils", _("Can handle reports and follow every council's activity"))]

    def __str__(self):
        return f"{self.get_reason_display()} — {self.page_id}"
