"""The outbox: queued in the caller's transaction, sent once, retried with backoff, then given up."""

import logging
import threading
from datetime import timedelta

from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

import pytest

from jobs.emails import email_queue
from jobs.emails_delivery import backoff, deliver, outbox_flush
from jobs.models import EmailStatus, OutboundEmail
from jobs.tests.backends import GatedBackend

pytestmark = pytest.mark.django_db


def queue(**kwargs):
    return email_queue(**{"to": "ada@example.org", "subject": "Bonjour", "body_text": "Texte", **kwargs})


def test_queued_email_leaves_on_commit_once(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(
            body_html="<p>Texte</p>",
            attachments=[{"filename": "a.ics", "content": "X", "mimetype": "text/calendar"}],
        )
        assert mailoutbox == []  # nothing leaves before the transaction commits
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@example.org"]
    assert message.alternatives[0][0] == "<p>Texte</p>"
    assert message.attachments[0][0] == "a.ics"
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1 and email.sent_at is not None
    assert message.extra_headers["Message-ID"] == email.message_id
    assert deliver(email.pk) is False  # sent already: never twice
    assert len(mailoutbox) == 1


def test_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the caller's work failed")
        except RuntimeError:
            pass
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_idempotency_key_queues_one_email(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="registration-7-confirmation")
        second = queue(key="registration-7-confirmation", subject="Autre")
        other = queue(key="registration-8-confirmation")
    assert first is not None and other is not None
    assert second is None
    assert OutboundEmail.objects.count() == 2
    assert sorted(m.subject for m in mailoutbox) == ["Bonjour", "Bonjour"]


def test_message_id_is_stable_per_row_and_unique():
    a, b = queue(), queue()
    assert a.message_id == OutboundEmail.objects.get(pk=a.pk).message_id
    assert a.message_id != b.message_id
    assert a.message_id.startswith("<outbox-") and a.message_id.endswith("@testserver>")


def test_failures_retry_with_backoff_then_fail(
    settings, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    settings.EMAIL_BACKEND = "jobs.tests.backends.RefusingBackend"
    settings.PARVIS_EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert timedelta(seconds=50) < email.next_attempt_at - timezone.now() <= timedelta(minutes=1)

    # Not due yet: another deliverer does nothing.
    assert deliver(email.pk) is False
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 1

    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert deliver(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 2)
    assert timedelta(minutes=4) < email.next_attempt_at - timezone.now() <= timedelta(minutes=5)

    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    with caplog.at_level(logging.ERROR, logger="jobs.outbox"):
        assert deliver(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 3)
    assert f"Email #{email.pk} FAILED after 3 attempts" in caplog.text

    # Failed is final: neither a deliverer nor the flush sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(email.pk) is False
    assert outbox_flush() == 0
    assert mailoutbox == []


def test_backoff_grows_then_levels():
    assert [backoff(n) for n in (1, 2, 3, 4, 9)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=2),
    ]


def test_flush_sends_only_emails_whose_task_was_lost(mailoutbox):
    lost = queue(subject="Perdu")  # queued outside on-commit capture: its task never ran
    recent = queue(subject="Récent")
    OutboundEmail.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert outbox_flush() == 1
    assert [m.subject for m in mailoutbox] == ["Perdu"]
    assert OutboundEmail.objects.get(pk=recent.pk).status == EmailStatus.PENDING
    assert outbox_flush() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliverers_send_once(settings):
    """Two workers (threads, each its own database connection) deliver the same email at the same time:
    the second skips the row the first holds; once the first commits, the row is sent."""
    settings.EMAIL_BACKEND = "jobs.tests.backends.GatedBackend"
    GatedBackend.entered.clear()
    GatedBackend.delay = 1.0
    mail.outbox = []
    # A row as email_queue writes it, without its task (which would deliver it at once here).
    email = OutboundEmail.objects.create(to="ada@example.org", subject="Bonjour", body_text="Texte")
    results = {}

    def run(name):
        try:
            results[name] = deliver(email.pk)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert GatedBackend.entered.wait(10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(10)
    # The second gave up while the first was still sending (row locked, skipped).
    assert results == {"second": False}
    first.join(10)
    assert results == {"first": True, "second": False}
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    # And after the commit, a third finds it sent.
    assert deliver(email.pk) is False
    assert len(mail.outbox) == 1
