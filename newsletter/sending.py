"""Sending an issue: one `Delivery` row per recipient, claimed in batches, each recipient served once.

`issue_send_start` freezes the rendering and writes every delivery in one INSERT … SELECT, then enqueues
the `issue_send` task, which runs `issue_send_run`: claim a batch, send it over one SMTP connection, again
until nothing is pending; then the issue is "sent". On PostgreSQL a run does this in
PARVIS_NEWSLETTER_THREADS threads at once (2), each with its own database and SMTP connections; any number
of runs, on any number of workers, share an issue's batches safely.

**Claiming a batch** (PostgreSQL). In one short transaction: `SELECT … FOR UPDATE SKIP LOCKED LIMIT n` on
the issue's pending deliveries (another sender skips the rows being claimed), a session-level advisory lock
taken on the batch's number (its first delivery's id), the rows marked `claimed` with that number; COMMIT.
The advisory lock outlives the COMMIT and lives as long as the sender's database connection: a sender that
is killed (SIGKILL, out of memory, a lost machine) loses its connection and with it the lock, so its
batch can be told from a live one at once. `deliveries_resume` (every minute) gives the claimed deliveries
whose batch lock is free back to `pending`, and enqueues the issue's send again if no sender is on it
(each sender holds a shared advisory lock on its issue).

**Sending a batch.** One SMTP connection (`django.core.mail.get_connection()`); each message is sent, then
its delivery is marked `sent` at once in its own autocommit UPDATE, which also checks that the batch still
owns it. A sender killed mid-batch has therefore recorded every message the server accepted but the one in
flight. *The one window left*: a sender dying between the server's final "250 OK" for a message and the
COMMIT of its UPDATE (well under a millisecond on a local database) leaves a sent message marked claimed;
it is sent again after the resume — with the same Message-ID (fixed per delivery, `delivery_message_id`),
which receiving servers and mail clients use to drop the duplicate. A sender killed *before* that "250"
(while the message travels) leaves an SMTP transaction the server never completed: nothing was delivered,
and the resumed send delivers it once. No sender can close the remaining window without the mail
server's help (as for the outbox, `jobs.emails_delivery`).

**Failures.** A refusal for one recipient (`SMTPRecipientsRefused`, an error reply to DATA) fails that
delivery with the server's reason (a temporary 4xx reply is tried again by a later run, up to
`MAX_ATTEMPTS`); the admin can send it again (`delivery_retry`, `issue_failed_retry`). A failure of the
connection itself (refused, dropped, timed out, the sender address refused) gives the rest of the batch
back to `pending` and the run stops; the send is retried later (1, 5, 30 minutes, then every 2 hours).
A subscriber no longer confirmed, or no longer on any of the issue's lists, when their batch is claimed
(unsubscribed during the send) gets no email: the delivery is failed with the reason `UNSUBSCRIBED`,
never retried.

**SQLite** (the demo, one worker): no row locks nor advisory locks; claims run in an exclusive
transaction and a batch is taken for dead when nothing happened in it for `LEASE`.
"""

import logging
import smtplib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks_db.utils import exclusive_transaction

from . import composing
from .links import subscriber_url
from .models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
    Subscription,
)

logger = logging.getLogger("newsletter.sending")

#: Attempts at a delivery refused temporarily (a 4xx reply) before it is failed.
MAX_ATTEMPTS = 3
#: Attempts at a delivery whose sending broke the connection (with backoff: about 3 hours) before it is failed.
CONNECTION_MAX_ATTEMPTS = 5
#: SQLite only: a batch with no activity for this long is taken for dead.
LEASE = timedelta(minutes=10)
#: The reason recorded for a recipient who unsubscribed before their email left.
UNSUBSCRIBED = "unsubscribed"
#: Wait before the run after the n-th connection failure (the last value repeats).
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]

# Advisory lock keys (bigint): a namespace in the high bits, the batch number or the issue id below.
BATCH_LOCK_BASE = 0x4E4C << 48
ISSUE_LOCK_BASE = 0x4E49 << 48

#: Errors of one message or one recipient: the connection stays usable (smtplib sent RSET).
#: Refusals of one message, not of the connection: the server's word on one address, or a message that
#: cannot be written at all (a header Django refuses, e.g. a line break in a subject saved before the form
#: checked it) — that delivery fails with its reason and the batch goes on.
RECIPIENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, BadHeaderError)

SEND_PERMISSION = "newsletter.send_newsletterissue"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _sql_value(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _try_lock(key: int) -> bool:
    return bool(_sql_value("SELECT pg_try_advisory_lock(%s)", [key]))


def _unlock(key: int) -> None:
    _sql_value("SELECT pg_advisory_unlock(%s)", [key])


# --- starting ------------------------------------------------------------------------------------------


def issue_send_start(*, issue: NewsletterIssue, user) -> int:
    """Start sending a draft issue to every confirmed subscriber of any of its lists (each once).

    Freezes the rendering (every recipient gets the same issue), writes one delivery per recipient in one
    INSERT … SELECT, marks the issue "sending" and enqueues the send after COMMIT (PARVIS_NEWSLETTER_SENDERS
    sends, 1 by default: with as many workers, they share the batches). Returns the number of
    deliveries. Refuses (ValidationError, nothing changed) an issue already sent or being sent, one that
    shows private content, or one with nobody to send to; PermissionDenied without the send permission.
    """
    if not user.has_perm(SEND_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        locked = NewsletterIssue.objects.select_for_update().filter(pk=issue.pk).first()
        if locked is None or locked.status != IssueStatus.DRAFT:
            raise ValidationError(_("This issue has already been sent or is being sent."))
        private = composing.issue_private_references(issue=locked)
        if private:
            raise ValidationError(
                _("This issue shows content that is not public, it cannot be sent: %(items)s")
                % {"items": ", ".join(str(item) for item in private)}
            )
        frozen = composing.issue_freeze(issue=locked)
        count = _deliveries_create(issue_id=locked.pk)
        if not count:
            raise ValidationError(_("Nobody to send to: these lists have no confirmed subscriber."))
        now = timezone.now()
        NewsletterIssue.objects.filter(pk=locked.pk).update(
            status=IssueStatus.SENDING, frozen=frozen, send_requested_at=now, send_requested_by=user
        )
        issue_id = locked.pk
        senders = max(1, int(getattr(settings, "PARVIS_NEWSLETTER_SENDERS", 1)))
        transaction.on_commit(lambda: [_send_enqueue(issue_id) for _ in range(senders)])
    issue.refresh_from_db()
    logger.info("Issue #%s: sending to %s recipients started by %s", issue_id, count, user.pk)
    return count


def _deliveries_create(*, issue_id: int) -> int:
    """One pending delivery per confirmed subscriber of any of the issue's lists, in one statement."""
    delivery = Delivery._meta.db_table
    subscriber = Subscriber._meta.db_table
    subscription = Subscription._meta.db_table
    through = NewsletterIssue.lists.through
    issue_lists = through._meta.db_table
    issue_column = through._meta.get_field("newsletterissue").column
    list_column = through._meta.get_field("newsletterlist").column
    sql = f"""
        INSERT INTO {delivery} (issue_id, subscriber_id, status, attempts, last_error)
        SELECT %s, s.id, %s, 0, ''
        FROM {subscriber} s
        WHERE s.status = %s AND EXISTS (
            SELECT 1 FROM {subscription} sub
            JOIN {issue_lists} il ON il.{list_column} = sub.newsletter_list_id
            WHERE sub.subscriber_id = s.id AND il.{issue_column} = %s
        )
        ON CONFLICT DO NOTHING
    """  # noqa: S608 (table and column names come from the models, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [issue_id, DeliveryStatus.PENDING, SubscriberStatus.CONFIRMED, issue_id])
        return cursor.rowcount


def _send_enqueue(issue_id: int, *, run_after=None) -> None:
    from .tasks import issue_send

    task = issue_send
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the periodic resume picks the send up
        task = task.using(run_after=run_after)
    task.enqueue(issue_id)


# --- running ---------------------------------------------------------------------------------------------


@dataclass
class Batch:
    number: int
    deliveries: list  # Delivery rows with their subscriber, still claimed
    skipped: list = field(default_factory=list)


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    temporary: set = field(default_factory=set)  # ids refused for now: not claimed again by this run
    connection_error: str = ""
    attempts: int = 0


@dataclass
class _Run:
    """What the threads of one run share."""

    temporary: set = field(default_factory=set)
    sent: int = 0
    connection_error: str = ""
    attempts: int = 0
    errors: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def issue_send_run(*, issue_id: int) -> int:
    """Send the issue's pending deliveries, batch after batch, until none is left (the `issue_send` task;
    any number may run at once). On PostgreSQL, outside a transaction, a run sends over
    PARVIS_NEWSLETTER_THREADS connections at once (2: threads, each with its own database connection and
    SMTP connection, each claiming its own batches — a send waits mostly on the network, not the CPU).
    Returns how many emails this run sent."""
    issue = NewsletterIssue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).first()
    if issue is None:
        return 0
    list_ids = list(issue.lists.values_list("pk", flat=True))
    size = max(1, int(getattr(settings, "PARVIS_NEWSLETTER_BATCH_SIZE", 100)))
    run = _Run()
    with _sender(issue_id):
        threads = _threads()
        if threads == 1:
            _send_loop(issue, list_ids, size, run)
        else:
            workers = [
                threading.Thread(target=_send_thread, args=(issue, list_ids, size, run), daemon=True)
                for _ in range(threads)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            if run.errors:
                raise run.errors[0]
    if run.connection_error:
        delay = BACKOFF[min(max(run.attempts, 1), len(BACKOFF)) - 1]
        logger.warning(
            "Issue #%s: the mail server failed (%s); %s sent by this run, the rest retried in %s",
            issue_id,
            run.connection_error,
            run.sent,
            delay,
        )
        _send_enqueue(issue_id, run_after=timezone.now() + delay)
        return run.sent
    issue_complete_if_done(issue_id=issue_id)
    logger.info("Issue #%s: %s emails sent by this run", issue_id, run.sent)
    return run.sent


def _threads() -> int:
    if not _postgres() or connection.in_atomic_block:
        return 1  # SQLite: one writer; inside a transaction (tests): other connections would not see it
    return max(1, int(getattr(settings, "PARVIS_NEWSLETTER_THREADS", 2)))


def _send_thread(issue, list_ids, size, run):
    try:
        _send_loop(issue, list_ids, size, run)
    except BaseException as error:  # re-raised by the run, in its thread
        run.errors.append(error)
        run.stop.set()
    finally:
        connection.close()  # this thread's: its batch locks, if any were left, go with it


def _send_loop(issue, list_ids, size, run):
    while not run.stop.is_set():
        with run.lock:
            exclude = set(run.temporary)
        batch = batch_claim(issue_id=issue.pk, list_ids=list_ids, size=size, exclude=exclude)
        if batch is None:
            return
        outcome = batch_send(issue=issue, batch=batch)
        with run.lock:
            run.sent += outcome.sent
            run.temporary |= outcome.temporary
            if outcome.connection_error:
                run.connection_error = outcome.connection_error
                run.attempts = max(run.attempts, outcome.attempts)
                run.stop.set()


@contextmanager
def _sender(issue_id: int):
    """While a run lasts, a shared advisory lock on its issue says a sender is alive (PostgreSQL)."""
    if not _postgres():
        yield
        return
    _sql_value("SELECT pg_advisory_lock_shared(%s)", [ISSUE_LOCK_BASE + issue_id])
    try:
        yield
    finally:
        _sql_value("SELECT pg_advisory_unlock_shared(%s)", [ISSUE_LOCK_BASE + issue_id])


class _LockBusy(Exception):
    pass


def batch_claim(*, issue_id: int, list_ids: list[int], size: int, exclude=()) -> Batch | None:
    """Claim up to `size` pending deliveries (COMMITted); None when none is left. On PostgreSQL the
    caller then holds the batch's advisory lock until `batch_send` releases it."""
    still_subscribed = Exists(
        Subscription.objects.filter(subscriber_id=OuterRef("subscriber_id"), newsletter_list_id__in=list_ids)
    )
    pending = (
        Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.PENDING)
        .exclude(pk__in=list(exclude))
        .select_related("subscriber")
        .only(
            "pk",
            "issue_id",
            "attempts",
            "subscriber__id",
            "subscriber__email",
            "subscriber__key",
            "subscriber__status",
        )
        .annotate(still_subscribed=still_subscribed)
        .order_by("pk")
    )
    for _attempt in range(5):
        try:
            return _claim(pending, size)
        except _LockBusy:  # a resume holds that very number for a moment: claim again
            time.sleep(0.05)
    return None


def _claim(pending, size):
    postgres = _postgres()
    context = transaction.atomic() if postgres else exclusive_transaction()
    with context:
        if postgres:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        rows = list(pending[:size])
        if not rows:
            return None
        number = rows[0].pk
        if postgres and not _try_lock(BATCH_LOCK_BASE + number):
            raise _LockBusy
        try:
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=DeliveryStatus.CLAIMED, batch=number, claimed_at=timezone.now()
            )
        except BaseException:
            if postgres:
                _unlock(BATCH_LOCK_BASE + number)
            raise
    batch = Batch(number=number, deliveries=[])
    for row in rows:
        wanted = row.subscriber.status == SubscriberStatus.CONFIRMED and row.still_subscribed
        (batch.deliveries if wanted else batch.skipped).append(row)
    return batch


def batch_send(*, issue: NewsletterIssue, batch: Batch) -> BatchOutcome:
    """Send a claimed batch over one SMTP connection, marking each delivery as soon as the server has
    answered for it; release the batch's lock. See the module's docstring for what a kill costs."""
    outcome = BatchOutcome()
    try:
        if batch.skipped:
            outcome.failed += _finish(
                [row.pk for row in batch.skipped], batch, status=DeliveryStatus.FAILED, error=UNSUBSCRIBED
            )
        if batch.deliveries:
            _batch_deliver(issue, batch, outcome)
    finally:
        # Whatever happened (an exception included), nothing of this batch stays claimed by a live sender.
        Delivery.objects.filter(batch=batch.number, status=DeliveryStatus.CLAIMED).update(
            status=DeliveryStatus.PENDING, batch=None, claimed_at=None
        )
        if _postgres():
            _unlock(BATCH_LOCK_BASE + batch.number)
    return outcome


def _batch_deliver(issue, batch, outcome):
    smtp = get_connection()
    try:
        smtp.open()
    except Exception as error:  # noqa: BLE001 - refused, unreachable, TLS, authentication…
        outcome.connection_error = _reason(error)
        outcome.attempts = max(row.attempts for row in batch.deliveries) + 1
        return
    followed, issue_lists = _lists_followed(issue, batch), composing.issue_lists(issue)
    try:
        for row in batch.deliveries:
            frozen = _frozen_for(issue, issue_lists, followed.get(row.subscriber_id, ()))
            message = delivery_message(issue=issue, delivery=row, subscriber=row.subscriber, frozen=frozen)
            try:
                smtp.send_messages([message])
            except RECIPIENT_ERRORS as error:
                _recipient_refused(row, batch, error, outcome)
                continue
            except Exception as error:  # noqa: BLE001 - the connection failed: stop, retry later
                outcome.connection_error = _reason(error)
                outcome.attempts = row.attempts + 1
                # The server may or may not have taken it: count the attempt, send again later (the same
                # Message-ID), or give up on it after CONNECTION_MAX_ATTEMPTS.
                gave_up = outcome.attempts >= CONNECTION_MAX_ATTEMPTS
                Delivery.objects.filter(pk=row.pk, batch=batch.number, status=DeliveryStatus.CLAIMED).update(
                    attempts=outcome.attempts,
                    last_error=outcome.connection_error,
                    **({"status": DeliveryStatus.FAILED} if gave_up else {}),
                )
                outcome.failed += int(gave_up)
                return
            if not _mark_sent(row, batch):
                # The batch was taken from us (our database connection was lost and a resume ran): stop
                # before sending anything more it may be sending too.
                logger.error("Issue #%s: batch %s lost its claim; stopping", issue.pk, batch.number)
                outcome.connection_error = "claim lost"
                return
            outcome.sent += 1
    finally:
        try:
            smtp.close()
        except Exception:  # noqa: BLE001, S110 - a connection already dropped
            pass


def _mark_sent(row, batch) -> bool:
    """One autocommit UPDATE (the hot path: plain SQL), only while the batch still owns the delivery."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, attempts = %s, last_error = '' "  # noqa: S608
            "WHERE id = %s AND batch = %s AND status = %s",
            [
                DeliveryStatus.SENT,
                timezone.now(),
                row.attempts + 1,
                row.pk,
                batch.number,
                DeliveryStatus.CLAIMED,
            ],
        )
        return cursor.rowcount == 1


def _recipient_refused(row, batch, error, outcome):
    reason = _reason(error)
    attempts = row.attempts + 1
    if _temporary(error) and attempts < MAX_ATTEMPTS:
        Delivery.objects.filter(pk=row.pk, batch=batch.number).update(
            status=DeliveryStatus.PENDING, batch=None, claimed_at=None, attempts=attempts, last_error=reason
        )
        outcome.temporary.add(row.pk)
        return
    Delivery.objects.filter(pk=row.pk, batch=batch.number).update(
        status=DeliveryStatus.FAILED, attempts=attempts, last_error=reason
    )
    outcome.failed += 1
    logger.warning("Issue #%s: delivery #%s failed: %s", batch.deliveries[0].issue_id, row.pk, reason)


def _finish(ids, batch, *, status, error=""):
    return Delivery.objects.filter(pk__in=ids, batch=batch.number, status=DeliveryStatus.CLAIMED).update(
        status=status, last_error=error
    )


def _temporary(error) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    return 400 <= getattr(error, "smtp_code", 0) < 500


def _reason(error) -> str:
    """The server's answer, as readable as it gets: "550 5.1.1 <x@y>: user unknown"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(message)}" for code, message in error.recipients.values()]
        return "; ".join(parts)[:1000] or type(error).__name__
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def _text(message) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


# --- the message -----------------------------------------------------------------------------------------


def _domain() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "parvis.localhost"


def delivery_message_id(*, issue_id: int, delivery_id: int) -> str:
    """The Message-ID of a delivery, the same at every attempt (a duplicate can be recognised)."""
    return f"<newsletter-{issue_id}.{delivery_id}@{_domain()}>"


def _lists_followed(issue, batch) -> dict[int, tuple[int, ...]]:
    """{subscriber id: the ids of the issue's lists they follow} for a batch (one query)."""
    followed = {}
    for subscriber_id, list_id in (
        Subscription.objects.filter(
            subscriber_id__in=[row.subscriber_id for row in batch.deliveries],
            newsletter_list__issues=issue,
        )
        .order_by("newsletter_list_id")
        .values_list("subscriber_id", "newsletter_list_id")
    ):
        followed.setdefault(subscriber_id, []).append(list_id)
    return {key: tuple(value) for key, value in followed.items()}


#: {(issue id, list ids): rendering} of this process: one rendering per distinct set of lists a send meets.
_RENDERINGS: dict = {}


def _frozen_for(issue, issue_lists, list_ids) -> dict:
    """What a reader of these lists gets: the issue frozen at its start when they follow all of its lists
    (or none any more), else the issue rendered for their lists only, at the send's start time — so that
    someone who chose one council's news does not receive every council's."""
    all_ids = tuple(sorted(item.pk for item in issue_lists))
    if not list_ids or tuple(list_ids) == all_ids:
        return issue.frozen
    key = (issue.pk, issue.send_requested_at, tuple(list_ids))
    if key not in _RENDERINGS:
        if len(_RENDERINGS) > 256:
            _RENDERINGS.clear()
        lists = [item for item in issue_lists if item.pk in list_ids]
        _RENDERINGS[key] = composing.issue_freeze_for_lists(
            issue=issue, lists=lists, now=issue.send_requested_at
        )
    return _RENDERINGS[key]


def delivery_message(
    *, issue: NewsletterIssue, delivery: Delivery, subscriber: Subscriber, frozen: dict | None = None
):
    """The issue's email to one subscriber: their links, the one-click unsubscribe headers (RFC 8058)."""
    subject, text, html = composing.issue_personalise(
        issue.frozen if frozen is None else frozen, subscriber=subscriber
    )
    headers = {
        "Message-ID": delivery_message_id(issue_id=issue.pk, delivery_id=delivery.pk),
        "List-Id": f"<newsletter.{_domain()}>",
        "List-Unsubscribe": f"<{subscriber_url(subscriber, 'unsubscribe')}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    message = EmailMultiAlternatives(
        subject, text, settings.PARVIS_NEWSLETTER_FROM_EMAIL, [subscriber.email], headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


# --- resuming, completing --------------------------------------------------------------------------------


def deliveries_resume() -> int:
    """Every minute: give the deliveries claimed by a sender that died back to pending, enqueue the send
    of each issue with pending deliveries and no sender, and close the issues with nothing left.
    Returns how many deliveries were given back."""
    given_back = 0
    for issue_id in NewsletterIssue.objects.filter(status=IssueStatus.SENDING).values_list("pk", flat=True):
        given_back += _orphans_release(issue_id)
        if Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.PENDING).exists():
            if not _sender_alive(issue_id) and not _send_queued(issue_id):
                logger.info("Issue #%s: resuming the send", issue_id)
                _send_enqueue(issue_id)
        else:
            issue_complete_if_done(issue_id=issue_id)
    return given_back


def _orphans_release(issue_id: int) -> int:
    claimed = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.CLAIMED)
    released = 0
    if _postgres():
        for number in sorted(set(claimed.values_list("batch", flat=True))):
            if number is None or not _try_lock(BATCH_LOCK_BASE + number):
                continue  # its sender is alive
            try:
                released += claimed.filter(batch=number).update(
                    status=DeliveryStatus.PENDING, batch=None, claimed_at=None
                )
            finally:
                _unlock(BATCH_LOCK_BASE + number)
    else:
        cutoff = timezone.now() - LEASE
        active = Delivery.objects.filter(issue_id=issue_id, sent_at__gte=cutoff).values("batch")
        released = (
            claimed.filter(claimed_at__lt=cutoff)
            .exclude(batch__in=active)
            .update(status=DeliveryStatus.PENDING, batch=None, claimed_at=None)
        )
    if released:
        logger.warning("Issue #%s: %s deliveries of a stopped sender given back", issue_id, released)
    return released


def _sender_alive(issue_id: int) -> bool:
    if _postgres():
        key = ISSUE_LOCK_BASE + issue_id
        if _try_lock(key):
            _unlock(key)
            return False
        return True
    return Delivery.objects.filter(
        issue_id=issue_id, status=DeliveryStatus.CLAIMED, claimed_at__gte=timezone.now() - LEASE
    ).exists()


def _send_queued(issue_id: int) -> bool:
    """A send of the issue waits in the database queue (a retry after a failure, say)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import issue_send

    backend = issue_send.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.filter(task_path=issue_send.module_path, backend_name=backend.alias)
        .filter(status="READY", args_kwargs__args=[issue_id])
        .exists()
    )


def issue_complete_if_done(*, issue_id: int) -> bool:
    """Mark the issue sent once none of its deliveries is pending or claimed (failed ones do not hold it).
    True if it was marked now."""
    left = Delivery.objects.filter(
        issue_id=issue_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.CLAIMED]
    )
    done = (
        NewsletterIssue.objects.filter(pk=issue_id, status=IssueStatus.SENDING)
        .filter(~Exists(left))
        .update(status=IssueStatus.SENT, sent_at=Coalesce("sent_at", timezone.now()))
    )
    if done:
        logger.info("Issue #%s: sent", issue_id)
    return bool(done)


# --- progress and retries --------------------------------------------------------------------------------


def issue_progress(*, issue: NewsletterIssue) -> dict:
    """{total, sent, failed, pending (claimed included), unsubscribed (among failed)}, in one query."""
    counts = Delivery.objects.filter(issue_id=issue.pk).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        pending=Count("pk", filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.CLAIMED])),
        unsubscribed=Count("pk", filter=Q(status=DeliveryStatus.FAILED, last_error=UNSUBSCRIBED)),
    )
    return counts


def _retryable(queryset):
    return queryset.filter(
        status=DeliveryStatus.FAILED, subscriber__status=SubscriberStatus.CONFIRMED
    ).exclude(last_error=UNSUBSCRIBED)


def _retry(issue_id: int, queryset) -> int:
    with transaction.atomic():
        count = queryset.update(
            status=DeliveryStatus.PENDING, batch=None, claimed_at=None, attempts=0, last_error=""
        )
        if count:
            NewsletterIssue.objects.filter(pk=issue_id, status=IssueStatus.SENT).update(
                status=IssueStatus.SENDING
            )
            transaction.on_commit(lambda: _send_enqueue(issue_id))
    return count


def delivery_retry(*, delivery: Delivery) -> None:
    """Send a failed delivery again. ValidationError (nothing changed) unless it failed and its
    subscriber still wants the newsletter."""
    if not _retry(delivery.issue_id, _retryable(Delivery.objects.filter(pk=delivery.pk))):
        raise ValidationError(
            _("This email cannot be sent again: it did not fail, or its address unsubscribed.")
        )
    delivery.refresh_from_db()


def issue_failed_retry(*, issue: NewsletterIssue) -> int:
    """Send every failed delivery of the issue again (those of subscribers who left excepted). Returns
    how many."""
    return _retry(issue.pk, _retryable(Delivery.objects.filter(issue_id=issue.pk)))
