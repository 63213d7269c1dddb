"""Delivery of queued emails (helper H4 implements it)."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import EmailStatus, OutboundEmail


def deliver(email_id: int) -> bool:
    """Send one email exactly once across workers: the row is locked while sending; a killed worker's lock
    dies with its connection and the email stays pending."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            email.subject, email.body_text, None, [email.to], headers=email.headers
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in email.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
        message.send()
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "sent_at", "attempts"])
    return True
