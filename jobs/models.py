"""Background work's own state: emails waiting to leave, and when each scheduled job last ran.

Work is derived from these rows, not from the task queue alone: a worker killed mid-task leaves its email
`pending` (its row lock dies with its connection), and the next pass of the outbox sends it — once.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EmailStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("email status", "To send")
    SENT = "sent", pgettext_lazy("email status", "Sent")
    FAILED = "failed", pgettext_lazy("email status", "Failed")


class OutboundEmail(models.Model):
    """One email to one address, written in the transaction that decided to send it."""

    key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text="Idempotency key: queuing the same key twice sends one email.",
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    #: [{"filename": …, "content": text, "mimetype": …}]
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    #: Not before: now when queued, later after a failed attempt (backoff).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(pgettext_lazy("email", "created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="jobs_outbox_due_idx")]

    def __str__(self):
        return f"{self.to}: {self.subject}"

    @property
    def message_id(self) -> str:
        """The Message-ID header, the same at every attempt: should a worker die between the SMTP server's
        acceptance and the COMMIT that records it, the second send carries the same Message-ID, which
        receiving servers and clients use to drop the duplicate."""
        from urllib.parse import urlsplit

        from django.conf import settings

        domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "parvis.localhost"
        return f"<outbox-{self.pk}.{self.created_at:%Y%m%d%H%M%S%f}@{domain}>"


class ScheduledJob(models.Model):
    """When a periodic job is next due. Claimed by an atomic conditional UPDATE, so that however many
    workers run, each due run is enqueued once."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name
