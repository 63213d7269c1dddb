"""The newsletter's data: lists, subscribers and their consent, issues and one delivery row per recipient.

Personal data lives in `Subscriber` only (the email address); every other row points at it, so erasing a
subscriber (`services.subscriber_erase`) leaves nothing that names them. Council editors never see this app.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.fields import RichTextField, StreamField
from wagtail.models import PreviewableMixin

from core.visibility import listed_pages

from .blocks import IssueBodyBlock


def _subscriber_key() -> str:
    return secrets.token_urlsafe(18)


class ConsentText(models.Model):
    """A version of the text a subscriber accepts. Never edited once used: a new wording is a new version,
    so that what each subscriber accepted stays provable."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return _("Consent text v%(version)s") % {"version": self.version}


class NewsletterListQuerySet(models.QuerySet):
    def offered(self):
        """The lists a reader may choose: the city's, and each listed council (live, public, outside the
        sandbox): a members-only council is neither named nor offered."""
        return self.filter(
            models.Q(council__isnull=True) | models.Q(council__in=listed_pages().values("pk"))
        ).order_by(models.F("council").asc(nulls_first=True), "council__title")


class NewsletterList(models.Model):
    """What a subscriber follows: the city's news (no council) or one council's. One row per council,
    created with it (`services.newsletter_lists_ensure`)."""

    council = models.OneToOneField(
        "councils.CouncilPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="newsletter_list",
        verbose_name=_("council"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NewsletterListQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter list")
        verbose_name_plural = _("newsletter lists")
        constraints = [
            models.UniqueConstraint(
                fields=["council"],
                name="newsletter_one_list_per_council",
                nulls_distinct=False,  # one city list (council NULL) only
            )
        ]

    def __str__(self):
        return self.council.title if self.council_id else str(_("City news"))


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("subscriber status", "Awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("subscriber status", "Subscribed")
    UNSUBSCRIBED = "unsubscribed", pgettext_lazy("subscriber status", "Unsubscribed")
    BOUNCED = "bounced", pgettext_lazy("subscriber status", "Address bounced")
    COMPLAINED = "complained", pgettext_lazy("subscriber status", "Marked as spam")


class Subscriber(models.Model):
    """One email address and the proof of its consent. Receives issues only once confirmed."""

    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(
        _("status"), max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    #: Part of every signed link: changing it (on erasure) voids every link ever sent.
    key = models.CharField(max_length=32, default=_subscriber_key, editable=False)
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent text")
    )
    consent_at = models.DateTimeField(_("consent given at"), default=timezone.now)
    #: The path of the page the form was sent from (no query string).
    consent_source = models.CharField(_("signed up from"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    #: The last confirmation email sent (at most one per address per PARVIS_NEWSLETTER_CONFIRM_RESEND_MINUTES).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: The last "your preferences link" email (an existing subscriber signing up again).
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: Why the provider stopped delivering (bounce or complaint, from anymail's webhooks).
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    lists = models.ManyToManyField(
        NewsletterList, through="Subscription", related_name="subscribers", verbose_name=_("lists")
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique")]
        indexes = [models.Index(fields=["status", "created_at"], name="newsletter_subscriber_status")]

    def __str__(self):
        return self.email


class Subscription(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    newsletter_list = models.ForeignKey(
        NewsletterList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter_list"], name="newsletter_subscription_once"
            )
        ]

    def __str__(self):
        return f"{self.subscriber_id} → {self.newsletter_list_id}"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("newsletter issue", "Draft")
    SENDING = "sending", pgettext_lazy("newsletter issue", "Sending")
    SENT = "sent", pgettext_lazy("newsletter issue", "Sent")


class NewsletterIssue(PreviewableMixin, models.Model):
    """One issue: an introduction and blocks written by the communications team, followed by what the
    issue's lists published since `period_start` (news, events, meetings; public only)."""

    subject = models.CharField(_("subject"), max_length=200)
    lists = models.ManyToManyField(NewsletterList, related_name="issues", verbose_name=_("lists"))
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(IssueBodyBlock(), blank=True, verbose_name=_("content"))
    include_latest = models.BooleanField(
        _("add the latest news, events and meetings"),
        default=True,
        help_text=_("Published since the start of the period, by the issue's lists."),
    )
    period_start = models.DateTimeField(
        _("start of the period"),
        null=True,
        blank=True,
        help_text=_("Empty: since the previous issue sent to one of these lists."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    send_requested_at = models.DateTimeField(_("sending started"), null=True, blank=True, editable=False)
    send_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    #: The rendered issue (subject, text, HTML) frozen when sending starts: every recipient gets the same.
    frozen = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        permissions = [("send_newsletterissue", _("Can send a newsletter issue"))]

    def __str__(self):
        return self.subject

    def get_preview_template(self, request, mode_name):
        return "newsletter/email/issue.html"

    @property
    def preview_modes(self):
        """The HTML email (default) and its plain-text part (newsletter.admin_issues renders both)."""
        return [("", _("HTML email")), ("text", _("Plain text"))]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "To send")
    CLAIMED = "claimed", pgettext_lazy("delivery status", "Being sent")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")


class Delivery(models.Model):
    """One issue to one subscriber: created for every recipient when sending starts, claimed in batches by
    the worker, marked sent one by one. The unique pair makes a second delivery impossible."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    #: The batch that claimed it (a PostgreSQL advisory lock held by the live sender has this number).
    batch = models.BigIntegerField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")
        ]
        indexes = [models.Index(fields=["issue", "status"], name="newsletter_delivery_status")]

    def __str__(self):
        return f"{self.issue_id} → {self.subscriber_id}: {self.status}"
