"""The real worker (`manage.py run_worker` in subprocesses, on this PostgreSQL test database) sending an issue
over SMTP to a local sink (aiosmtpd, in a thread of this process, counting what each address receives).

- Killed with SIGKILL halfway through a batch, then followed by a new worker: each of the 300 addresses
  receives the issue exactly once, and every delivery ends "sent".
- Two workers on one issue at once: each address once, both workers took part.

The sink is slow on purpose at RCPT (a few milliseconds per message) and, for the kill, once 100 messages
are accepted, holds every RCPT until the worker is dead: the kill lands mid-batch (batches of 40) while
each of the worker's two SMTP connections has a message in flight — deterministically, never in the
accept → COMMIT window. A message is counted when the sink accepts it (the final "250" of DATA), as a real
server would.

Transactional (the worker subprocesses must see committed rows): the database is flushed afterwards.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

from django.conf import settings
from django.utils import timezone

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.models import DBTaskResult

from jobs.models import ScheduledJob
from newsletter import sending
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, current_consent
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, Subscriber, Subscription
from newsletter.tasks import issue_send

pytestmark = pytest.mark.django_db(transaction=True)

RECIPIENTS = 300
KILL_AFTER = 100
THREADS = 2  # SMTP connections per run (PARVIS_NEWSLETTER_THREADS)


class Sink:
    """An aiosmtpd handler: counts accepted messages per recipient; once `hold_after` messages are accepted,
    holds every RCPT until `release` is set, counting the connections it holds (`held`)."""

    def __init__(self, *, rcpt_delay=0.003, hold_after=None):
        self.received = Counter()
        self.message_ids = {}
        self.rcpt_delay = rcpt_delay
        self.hold_after = hold_after
        self.held = 0  # connections waiting for their RCPT answer
        self.release = threading.Event()
        self.lock = threading.Lock()

    def total(self):
        with self.lock:
            return sum(self.received.values())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.rcpt_delay)
        if self.hold_after is not None and self.total() >= self.hold_after and not self.release.is_set():
            with self.lock:
                self.held += 1
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content.decode("utf-8", "replace")
        message_id = next(
            (
                line.split(":", 1)[1].strip()
                for line in content.splitlines()
                if line.startswith("Message-ID:")
            ),
            None,
        )
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] += 1
                self.message_ids[address] = message_id
        return "250 Message accepted for delivery"


@pytest.fixture
def db_tasks(settings):
    """The database task backend, as in production: enqueued tasks wait for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sinks = []

    def make(**kwargs):
        sink = Sink(**kwargs)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        sinks.append((sink, controller))
        return sink, port

    yield make
    for sink, controller in sinks:
        sink.release.set()
        controller.stop()


def worker_start(port, *args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsletter.tests.test_sending_worker_settings",
        "PARVIS_TEST_DB_NAME": settings.DATABASES["default"]["NAME"],
        "PARVIS_TEST_SMTP_PORT": str(port),
        "PARVIS_NEWSLETTER_BATCH_SIZE": "40",
        "PARVIS_NEWSLETTER_THREADS": str(THREADS),
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, *, seconds, process=None, what=""):
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker stopped: {process.stdout.read()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def sending_issue(city_staff, db_tasks):
    issue = NewsletterIssueFactory(subject="Lettre de décembre")
    consent, city = current_consent(), city_list()
    people = Subscriber.objects.bulk_create(
        SubscriberFactory.build(email=f"habitant{i}@example.org", consent_text=consent)
        for i in range(RECIPIENTS)
    )
    Subscription.objects.bulk_create(Subscription(subscriber=p, newsletter_list=city) for p in people)
    assert sending.issue_send_start(issue=issue, user=city_staff) == RECIPIENTS
    return issue, people


def test_a_worker_killed_mid_batch_then_resumed_delivers_each_address_exactly_once(
    db_tasks, city_staff, smtp_sink
):
    started = time.monotonic()
    sink, port = smtp_sink(hold_after=KILL_AFTER)
    issue, people = sending_issue(city_staff, db_tasks)

    worker = worker_start(port)
    try:
        # Both of the worker's connections (PARVIS_NEWSLETTER_THREADS) wait on a RCPT: kill it now.
        wait_for(lambda: sink.held == THREADS, seconds=25, process=worker, what="both connections held")
        worker.send_signal(signal.SIGKILL)  # no cleanup of any kind, a message in flight
        worker.wait(10)
    finally:
        worker.kill()
        worker.stdout.close()
    sink.release.set()

    accepted = sink.total()
    assert KILL_AFTER <= accepted <= KILL_AFTER + THREADS
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses[DeliveryStatus.SENT] == accepted  # every accepted message was recorded
    # The dead worker's batches (one per connection) are still claimed: their locks went with it.
    assert 0 < statuses[DeliveryStatus.CLAIMED] <= THREADS * 40
    assert statuses[DeliveryStatus.PENDING] == RECIPIENTS - accepted - statuses[DeliveryStatus.CLAIMED]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING

    # A minute later, a new worker: the periodic resume gives the batches back and starts the send again.
    ScheduledJob.objects.filter(name="newsletter_deliveries_resume").update(next_run_at=timezone.now())
    second = worker_start(port, "--once")
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output

    assert len(sink.received) == RECIPIENTS
    assert set(sink.received.values()) == {1}, [a for a, n in sink.received.items() if n > 1]
    assert set(sink.received) == {person.email for person in people}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT and issue.sent_at is not None
    # Each address's Message-ID is its delivery's.
    delivery = Delivery.objects.select_related("subscriber").order_by("pk").last()
    assert sink.message_ids[delivery.subscriber.email] == sending.delivery_message_id(
        issue_id=issue.pk, delivery_id=delivery.pk
    )
    assert "newsletter.tasks.deliveries_resume" in output and "newsletter.tasks.issue_send" in output
    assert time.monotonic() - started < 40


def test_two_workers_on_one_issue_send_each_address_once(db_tasks, city_staff, smtp_sink):
    sink, port = smtp_sink(rcpt_delay=0.01)  # long enough for both workers to start
    issue, people = sending_issue(city_staff, db_tasks)
    issue_send.enqueue(issue.pk)  # a second send of the same issue (as a resume could enqueue)

    workers = [worker_start(port), worker_start(port)]
    try:
        wait_for(
            lambda: issue.__class__.objects.get(pk=issue.pk).status == IssueStatus.SENT,
            seconds=40,
            what="the issue to be sent",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.communicate(timeout=20)

    assert sink.received == Counter({person.email: 1 for person in people})
    sent_by_each = sorted(
        DBTaskResult.objects.filter(task_path="newsletter.tasks.issue_send").values_list(
            "return_value", flat=True
        )
    )
    assert sum(sent_by_each) == RECIPIENTS
    assert len(sent_by_each) == 2 and sent_by_each[0] > 0, sent_by_each  # both took part
