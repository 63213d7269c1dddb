"""Delivery of queued emails: once, in practice, however many workers run and whichever of them dies.

`deliver` holds the outbox row's lock (SELECT … FOR UPDATE SKIP LOCKED) while it talks to the mail server
and records "sent" in that same transaction. Another worker skips a row being sent; a worker killed while
sending loses its connection, so its lock and its uncommitted "sent" go with it: the row is pending again
and `outbox_flush` sends it. The one window left is between the mail server accepting the message and the
COMMIT (milliseconds): a worker dying exactly there leaves a sent email marked pending, and it is sent a
second time — with the same Message-ID (`OutboundEmail.message_id`), so receiving servers and mail clients
can recognise the duplicate. No outbox can close that window without the mail server's help.
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone

from django_tasks_db.utils import exclusive_transaction

from .conf import setting
from .models import EmailStatus, OutboundEmail

logger = logging.getLogger("jobs.outbox")

#: Wait before the attempt after the n-th failure (the last value repeats).
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]


def backoff(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts (1, 5, 30 minutes, then every 2 hours)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def message_build(email: OutboundEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id, **(email.headers or {})}
    message = EmailMultiAlternatives(email.subject, email.body_text, None, [email.to], headers=headers)
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message


def deliver(email_id: int) -> bool:
    """Send one pending, due email unless another worker is sending it. True if it was sent now.

    On SQLite (the demo) the transaction is BEGIN EXCLUSIVE instead of a row lock: one sender at a time.
    """
    now = timezone.now()
    with exclusive_transaction():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            message_build(email).send()
        except Exception as error:  # the mail server's refusal, a timeout, a bad address…
            _failure_record(email, error)
            return False
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        # Sent: the body (signed links, personal data) has done its work and is not kept.
        email.body_text, email.body_html, email.attachments = "", "", []
        email.save(
            update_fields=[
                "status",
                "sent_at",
                "attempts",
                "last_error",
                "body_text",
                "body_html",
                "attachments",
            ]
        )
    logger.info("Email #%s sent (attempt %s)", email.pk, email.attempts)
    return True


def _failure_record(email: OutboundEmail, error: Exception) -> None:
    """Count the attempt; try again later (backoff) or, after the last attempt, give up and say so."""
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    max_attempts = setting("PARVIS_EMAIL_MAX_ATTEMPTS")
    if email.attempts >= max_attempts:
        email.status = EmailStatus.FAILED
        email.save(update_fields=["status", "attempts", "last_error"])
        logger.error(
            "Email #%s FAILED after %s attempts, not retried: %s", email.pk, email.attempts, email.last_error
        )
        return
    email.next_attempt_at = timezone.now() + backoff(email.attempts)
    email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning(
        "Email #%s not sent (attempt %s of %s): %s; next attempt at %s",
        email.pk,
        email.attempts,
        max_attempts,
        email.last_error,
        email.next_attempt_at.isoformat(timespec="seconds"),
    )
    _retry_enqueue(email)


def _retry_enqueue(email: OutboundEmail) -> None:
    """Enqueue the next attempt for its time (after COMMIT). A backend that cannot defer (the immediate one
    of the tests) gets nothing: `outbox_flush` picks the email up once it is due."""
    from django.db import transaction

    from .tasks import email_deliver

    if not email_deliver.get_backend().supports_defer:
        return
    pk, when = email.pk, email.next_attempt_at
    transaction.on_commit(lambda: email_deliver.using(run_after=when).enqueue(pk))


def outbox_pending_due(*, older_than: timedelta | None = None):
    """Pending emails due for more than `older_than` (PARVIS_OUTBOX_FLUSH_AFTER): their task was lost —
    a killed worker, a crash between COMMIT and enqueue — or is late."""
    if older_than is None:
        older_than = timedelta(seconds=setting("PARVIS_OUTBOX_FLUSH_AFTER"))
    cutoff = timezone.now() - older_than
    return OutboundEmail.objects.filter(Q(status=EmailStatus.PENDING) & Q(next_attempt_at__lte=cutoff))


def outbox_flush(*, limit: int = 200) -> int:
    """Send the pending emails whose delivery task was lost. Returns how many were sent."""
    ids = list(outbox_pending_due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    sent = sum(deliver(pk) for pk in ids)
    if ids:
        logger.info("Outbox flush: %s pending, %s sent", len(ids), sent)
    return sent
