"""Background work's own state: emails waiting to leave, and when each scheduled job last ran.

Work is derived from these rows, not from the task queue alone: a worker killed mid-task leaves its email
`pending` (its row lock dies with its connection), and the next pass of the outbox sends it — once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


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
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(pgettext_lazy("email", "created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_outbox_pending_idx")]

    def __str__(self):
        return f"{self.to}: {self.subject}"


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
