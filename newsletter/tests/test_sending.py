"""Sending an issue: one delivery per recipient, batches over one SMTP connection each, failures kept with
their reason, retries, resuming the batches of a sender that died, progress in one query."""

import smtplib
import threading
import time
from collections import Counter

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends import locmem
from django.db import connection
from django.db.models import Count

import psycopg
import pytest

from newsletter import composing, sending
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
from newsletter.links import subscriber_from_token
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    SubscriberStatus,
    Subscription,
)

BACKEND = "newsletter.tests.test_sending"


class CountingBackend(locmem.EmailBackend):
    """locmem that counts the connections opened (one per batch) and the messages sent over each."""

    opened = []

    def open(self):
        type(self).opened.append(0)
        return True

    def send_messages(self, messages):
        type(self).opened[-1] += len(messages)
        return super().send_messages(messages)


class RefusingSomeBackend(locmem.EmailBackend):
    """Refuses the addresses starting with `refuse` (550) or `busy` (450, temporary)."""

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            if address.startswith("refuse"):
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 User unknown")})
            if address.startswith("busy"):
                raise smtplib.SMTPRecipientsRefused({address: (450, b"4.2.1 Mailbox busy, try later")})
        return super().send_messages(messages)


class DroppingBackend(locmem.EmailBackend):
    """The server drops the connection at the `limit`-th message (counted across connections)."""

    sent = 0
    limit = 3
    counting = threading.Lock()

    def send_messages(self, messages):
        with type(self).counting:
            if type(self).sent + 1 >= type(self).limit:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            type(self).sent += len(messages)
            return super().send_messages(messages)


class SlowBackend(locmem.EmailBackend):
    delay = 0.01

    def send_messages(self, messages):
        time.sleep(type(self).delay)
        return super().send_messages(messages)


@pytest.fixture
def sender(city_staff):
    return city_staff


@pytest.fixture
def issue(db):
    return NewsletterIssueFactory(subject="Lettre de novembre")


def subscribers(count, *, lists=None, prefix="lecteur"):
    return [SubscriberFactory(email=f"{prefix}{i}@example.org", lists=lists) for i in range(count)]


def start(issue, user, django_capture_on_commit_callbacks, *, execute=False):
    with django_capture_on_commit_callbacks(execute=execute) as callbacks:
        count = sending.issue_send_start(issue=issue, user=user)
    issue.refresh_from_db()
    return count, callbacks


def received():
    """{address: how many emails it received}."""
    counts = {}
    for message in mail.outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


# --- starting ---------------------------------------------------------------------------------------------


def test_start_makes_one_delivery_per_confirmed_subscriber_of_any_list(
    issue, sender, council_a, django_capture_on_commit_callbacks
):
    both = council_list(council_a)
    issue.lists.set([city_list(), both])
    city_only = SubscriberFactory(email="ville@example.org")
    council_only = SubscriberFactory(email="conseil@example.org", lists=[both])
    on_both = SubscriberFactory(email="les-deux@example.org", lists=[city_list(), both])
    SubscriberFactory(email="attente@example.org", status=SubscriberStatus.PENDING)
    SubscriberFactory(email="parti@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(email="rebond@example.org", status=SubscriberStatus.BOUNCED)
    SubscriberFactory(email="ailleurs@example.org", lists=[])

    count, callbacks = start(issue, sender, django_capture_on_commit_callbacks)

    assert count == 3
    assert set(issue.deliveries.values_list("subscriber_id", flat=True)) == {
        city_only.pk,
        council_only.pk,
        on_both.pk,
    }
    assert set(issue.deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert issue.status == IssueStatus.SENDING
    assert issue.send_requested_by == sender and issue.send_requested_at is not None
    assert set(issue.frozen) >= {"subject", "html", "text"}
    assert issue.frozen["subject"] == "Lettre de novembre"
    assert len(callbacks) == 1  # the send is enqueued after COMMIT
    assert mail.outbox == []


def test_starting_costs_the_same_queries_for_ten_times_the_subscribers(
    sender, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    counts = []
    for size in (1, 5, 50):  # the first call warms the caches (site, content types)
        issue = NewsletterIssueFactory()
        subscribers(size, prefix=f"s{size}-")
        with django_assert_max_num_queries(60) as captured:
            count, _ = start(issue, sender, django_capture_on_commit_callbacks)
        assert count == Subscription.objects.values("subscriber").distinct().count()
        counts.append(len(captured.captured_queries))
    assert counts[1] == counts[2]


def test_start_refuses_an_issue_already_sent_or_sending(issue, sender, django_capture_on_commit_callbacks):
    subscribers(2)
    for status in (IssueStatus.SENDING, IssueStatus.SENT):
        NewsletterIssue.objects.filter(pk=issue.pk).update(status=status)
        with pytest.raises(ValidationError) as error:
            sending.issue_send_start(issue=issue, user=sender)
        assert "déjà été envoyé" in " ".join(error.value.messages)
    assert not Delivery.objects.exists()


def test_start_refuses_an_issue_showing_private_content(issue, sender, monkeypatch):
    subscribers(2)
    monkeypatch.setattr(composing, "issue_private_references", lambda *, issue: ["Espace membres (page)"])
    with pytest.raises(ValidationError) as error:
        sending.issue_send_start(issue=issue, user=sender)
    assert "Espace membres (page)" in " ".join(error.value.messages)
    issue.refresh_from_db()
    assert (issue.status, issue.frozen, issue.send_requested_at) == (IssueStatus.DRAFT, {}, None)
    assert not Delivery.objects.exists()


def test_start_refuses_an_issue_with_nobody_to_send_to(issue, sender):
    SubscriberFactory(status=SubscriberStatus.PENDING)
    with pytest.raises(ValidationError) as error:
        sending.issue_send_start(issue=issue, user=sender)
    assert "Personne" in " ".join(error.value.messages)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_start_needs_the_send_permission(issue, editor_a):
    subscribers(1)
    with pytest.raises(PermissionDenied):
        sending.issue_send_start(issue=issue, user=editor_a)
    assert not Delivery.objects.exists()


# --- sending ----------------------------------------------------------------------------------------------


def test_each_recipient_gets_the_issue_once_in_batches_over_one_connection_each(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.CountingBackend"
    settings.PARVIS_NEWSLETTER_BATCH_SIZE = 4
    CountingBackend.opened = []
    people = subscribers(10)

    count, _ = start(issue, sender, django_capture_on_commit_callbacks, execute=True)

    assert count == 10
    assert received() == {person.email: 1 for person in people}
    assert CountingBackend.opened == [4, 4, 2]  # one connection per batch
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT and issue.sent_at is not None
    assert sending.issue_progress(issue=issue) == {
        "total": 10,
        "sent": 10,
        "failed": 0,
        "pending": 0,
        "unsubscribed": 0,
    }
    assert set(issue.deliveries.values_list("attempts", flat=True)) == {1}


def test_a_send_costs_one_query_per_email_and_a_few_per_batch(
    issue, sender, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.PARVIS_NEWSLETTER_BATCH_SIZE = 10
    subscribers(30)
    start(issue, sender, django_capture_on_commit_callbacks)
    # Per batch 9: claim (savepoint, SELECT … FOR UPDATE, advisory lock, UPDATE, release), the issue's
    # lists and which of them each reader follows, give back and unlock; per email one UPDATE; per run: the
    # issue, its lists, the sender's lock, the last empty claim, completion.
    with django_assert_max_num_queries(30 + 3 * 9 + 10):
        assert sending.issue_send_run(issue_id=issue.pk) == 30
    assert len(mail.outbox) == 30


def test_each_email_carries_its_one_click_unsubscribe_link_and_a_stable_message_id(
    issue, sender, django_capture_on_commit_callbacks
):
    person = SubscriberFactory(email="ada@example.org")
    start(issue, sender, django_capture_on_commit_callbacks, execute=True)

    [message] = mail.outbox
    delivery = Delivery.objects.get()
    assert message.to == ["ada@example.org"]
    assert message.subject == "Lettre de novembre"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://testserver/lettre/desinscription/") and header.endswith("/>")
    token = header.removeprefix("<http://testserver/lettre/desinscription/").removesuffix("/>")
    assert subscriber_from_token(token, "unsubscribe") == person
    assert message.extra_headers["Message-ID"] == f"<newsletter-{issue.pk}.{delivery.pk}@testserver>"
    assert message.extra_headers["Message-ID"] == sending.delivery_message_id(
        issue_id=issue.pk, delivery_id=delivery.pk
    )
    # The personal links are filled in, the placeholders gone, in both parts.
    html = message.alternatives[0][0]
    assert "%%" not in message.body and "%%" not in html
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_one_click_unsubscribe_of_the_header_works_from_a_mail_client(
    issue, sender, client, django_capture_on_commit_callbacks
):
    person = SubscriberFactory(email="ada@example.org")
    start(issue, sender, django_capture_on_commit_callbacks, execute=True)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, without cookies.
    response = client.post(header.strip("<>"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == SubscriberStatus.UNSUBSCRIBED


class ClaimStealingBackend(locmem.EmailBackend):
    """While the 2nd message is sent, the batch is given back (as a resume would, had this sender lost its
    database connection)."""

    def send_messages(self, messages):
        if len(mail.outbox) == 1:
            Delivery.objects.filter(status="claimed").update(status="pending", batch=None)
        return super().send_messages(messages)


def test_a_sender_whose_batch_was_taken_stops_sending_at_once(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.ClaimStealingBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscribers(5)
    start(issue, sender, django_capture_on_commit_callbacks, execute=True)

    assert sending.issue_send_run(issue_id=issue.pk) == 1
    assert len(mail.outbox) == 2  # the one in flight went; nothing after it
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == {"sent": 1, "pending": 4}


def test_a_refused_recipient_fails_with_the_servers_reason_and_the_others_are_sent(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingSomeBackend"
    subscribers(3)
    SubscriberFactory(email="refuse@example.org")

    start(issue, sender, django_capture_on_commit_callbacks, execute=True)

    assert received() == {f"lecteur{i}@example.org": 1 for i in range(3)}
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.subscriber.email == "refuse@example.org"
    assert failed.last_error == "550 5.1.1 User unknown"
    assert failed.attempts == 1
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT  # a failure does not hold the issue
    assert sending.issue_progress(issue=issue)["failed"] == 1


def test_a_temporary_refusal_is_tried_again_by_later_runs_then_failed(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingSomeBackend"
    SubscriberFactory(email="busy@example.org")
    subscribers(2)

    start(issue, sender, django_capture_on_commit_callbacks, execute=True)
    busy = Delivery.objects.get(subscriber__email="busy@example.org")
    assert (busy.status, busy.attempts) == (DeliveryStatus.PENDING, 1)  # not tried again by the same run
    assert "450" in busy.last_error
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING

    with django_capture_on_commit_callbacks(execute=True):
        sending.deliveries_resume()  # a minute later (immediate tasks: the send runs now)
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == (DeliveryStatus.PENDING, 2)
    sending.deliveries_resume()
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == (DeliveryStatus.FAILED, sending.MAX_ATTEMPTS)
    sending.deliveries_resume()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert received() == {"lecteur0@example.org": 1, "lecteur1@example.org": 1}


def test_a_dropped_connection_gives_the_batch_back_and_a_later_run_sends_the_rest_once(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.DroppingBackend"
    DroppingBackend.sent, DroppingBackend.limit = 0, 3
    people = subscribers(6)

    start(issue, sender, django_capture_on_commit_callbacks, execute=True)

    assert received() == {person.email: 1 for person in people[:2]}
    statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert [statuses[p.email] for p in people] == ["sent", "sent", "pending", "pending", "pending", "pending"]
    in_flight = Delivery.objects.get(subscriber=people[2])
    assert in_flight.attempts == 1 and "SMTPServerDisconnected" in in_flight.last_error
    assert not Delivery.objects.filter(status=DeliveryStatus.CLAIMED).exists()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING

    DroppingBackend.limit = 1000  # the server is back
    sending.deliveries_resume()
    assert received() == {person.email: 1 for person in people}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


def test_a_subscriber_who_left_during_the_send_gets_nothing(
    issue, sender, django_capture_on_commit_callbacks
):
    people = subscribers(3)
    start(issue, sender, django_capture_on_commit_callbacks)
    people[0].status = SubscriberStatus.UNSUBSCRIBED
    people[0].save()
    Subscription.objects.filter(subscriber=people[1]).delete()  # left the issue's list

    sending.issue_send_run(issue_id=issue.pk)

    assert received() == {people[2].email: 1}
    left = Delivery.objects.filter(subscriber__in=people[:2])
    assert set(left.values_list("status", "last_error")) == {(DeliveryStatus.FAILED, sending.UNSUBSCRIBED)}
    progress = sending.issue_progress(issue=issue)
    assert (progress["failed"], progress["unsubscribed"]) == (2, 2)
    assert sending.issue_failed_retry(issue=issue) == 0  # never sent again


def test_a_failed_delivery_can_be_retried_one_or_all(
    issue, sender, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKEND}.RefusingSomeBackend"
    SubscriberFactory(email="refuse-a@example.org")
    SubscriberFactory(email="refuse-b@example.org")
    start(issue, sender, django_capture_on_commit_callbacks, execute=True)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    first_sent_at = issue.sent_at

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the address was fixed
    one = Delivery.objects.get(subscriber__email="refuse-a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sending.delivery_retry(delivery=one)
    one.refresh_from_db()
    assert (one.status, one.last_error) == (DeliveryStatus.SENT, "")
    assert received() == {"refuse-a@example.org": 1}

    with pytest.raises(ValidationError):
        sending.delivery_retry(delivery=one)  # sent: nothing to retry

    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_failed_retry(issue=issue) == 1
    assert received() == {"refuse-a@example.org": 1, "refuse-b@example.org": 1}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT and issue.sent_at == first_sent_at


def test_progress_takes_one_query(issue, django_assert_num_queries):
    people = subscribers(4)
    for person, status in zip(people, ["pending", "claimed", "sent", "failed"], strict=True):
        Delivery.objects.create(issue=issue, subscriber=person, status=status)
    with django_assert_num_queries(1):
        progress = sending.issue_progress(issue=issue)
    assert progress == {"total": 4, "sent": 1, "failed": 1, "pending": 2, "unsubscribed": 0}


# --- resuming ----------------------------------------------------------------------------------------------


def _other_session():
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def _gone(session):
    """Close a session and wait until its server process has released its locks (it ends a moment after
    the client goes)."""
    pid = session.info.backend_pid
    session.close()
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s", [pid])  # a live view
            if not cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the session's server process did not end")


def test_resume_gives_back_only_the_batches_whose_sender_is_gone(
    issue, sender, django_capture_on_commit_callbacks
):
    people = subscribers(4)
    start(issue, sender, django_capture_on_commit_callbacks)
    deliveries = list(issue.deliveries.order_by("pk"))
    # Two batches claimed by senders in other sessions: one alive (holds its lock), one about to die.
    alive, dying = _other_session(), _other_session()
    try:
        for session, batch in ((alive, deliveries[:2]), (dying, deliveries[2:])):
            number = batch[0].pk
            session.execute("SELECT pg_advisory_lock(%s)", [sending.BATCH_LOCK_BASE + number])
            Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(status="claimed", batch=number)
        alive.execute("SELECT pg_advisory_lock_shared(%s)", [sending.ISSUE_LOCK_BASE + issue.pk])

        assert sending.deliveries_resume() == 0
        _gone(dying)  # killed: its connection, hence its lock, is gone
        with django_capture_on_commit_callbacks(execute=True):
            assert sending.deliveries_resume() == 2
        # The live sender is still on the issue: the resume gives the batch back but starts no other send.
        assert mail.outbox == []
        statuses = dict(Delivery.objects.values_list("subscriber_id", "status"))
        assert [statuses[p.pk] for p in people] == ["claimed", "claimed", "pending", "pending"]
    finally:
        _gone(alive)
        dying.close()
    # Both senders gone: both batches given back, the send enqueued (and run: immediate tasks), each once.
    assert sending.deliveries_resume() == 2
    assert received() == {person.email: 1 for person in people}


# --- concurrency (real PostgreSQL sessions) ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_address_once(settings, city_staff):
    settings.EMAIL_BACKEND = f"{BACKEND}.SlowBackend"
    settings.PARVIS_NEWSLETTER_BATCH_SIZE = 5
    SlowBackend.delay = 0.005
    issue = NewsletterIssueFactory()
    people = subscribers(60)
    # No on_commit capture here: the immediate backend would run the send in this thread; run it by hand.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sending.issue_send_start(issue=issue, user=city_staff)

    results, errors = [], []

    def run():
        try:
            results.append(sending.issue_send_run(issue_id=issue.pk))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(results) == 60 and all(results), results  # both took part
    assert received() == {person.email: 1 for person in people}
    assert Delivery.objects.values("status").annotate(n=Count("pk")).get()["status"] == DeliveryStatus.SENT
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_stops_every_thread_of_the_run_and_leaves_nothing_claimed(settings, city_staff):
    settings.EMAIL_BACKEND = f"{BACKEND}.DroppingBackend"
    settings.PARVIS_NEWSLETTER_BATCH_SIZE = 3
    settings.PARVIS_NEWSLETTER_THREADS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    DroppingBackend.sent, DroppingBackend.limit = 0, 6
    issue = NewsletterIssueFactory()
    subscribers(20)
    sending.issue_send_start(issue=issue, user=city_staff)

    sent = sending.issue_send_run(issue_id=issue.pk)  # outside a transaction: two threads

    assert sent == len(mail.outbox) == 5
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == {"sent": 5, "pending": 15}  # the rest of both batches given back
    assert set(received().values()) == {1}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING


def test_a_message_that_cannot_be_written_fails_alone_and_the_send_ends(
    sender, django_capture_on_commit_callbacks
):
    """A line break in a subject saved before the form refused it: Django will not write the header. Each
    delivery fails with that reason (never a retried "connection" failure), nothing leaves, the send ends."""
    broken = NewsletterIssueFactory(subject="Lettre de novembre\nBcc: victime@example.org")
    subscribers(3)
    mail.outbox.clear()
    start(broken, sender, django_capture_on_commit_callbacks, execute=True)
    assert mail.outbox == []
    assert broken.status == IssueStatus.SENT
    assert set(broken.deliveries.values_list("status", "attempts")) == {(DeliveryStatus.FAILED, 1)}
    assert all("BadHeaderError" in e for e in broken.deliveries.values_list("last_error", flat=True))


def test_each_reader_gets_the_latest_news_of_their_own_lists_only(
    sender, council_a, django_capture_on_commit_callbacks
):
    from blog.factories import BlogPageFactory
    from blog.models import BlogIndexPage

    city_post = BlogPageFactory(
        parent=BlogIndexPage.objects.exclude(path__startswith=council_a.path).first(),
        title="Nouvelle de la ville",
    )
    city_post.save_revision().publish()
    council_post = BlogPageFactory(
        parent=BlogIndexPage.objects.child_of(council_a).first(), title="Nouvelle du Centre"
    )
    council_post.save_revision().publish()
    broad = NewsletterIssueFactory(subject="Lettre", lists=[city_list(), council_list(council_a)])
    SubscriberFactory(email="ville@example.org", lists=[city_list()])
    SubscriberFactory(email="centre@example.org", lists=[council_list(council_a)])
    SubscriberFactory(email="tout@example.org", lists=[city_list(), council_list(council_a)])
    mail.outbox.clear()
    start(broad, sender, django_capture_on_commit_callbacks, execute=True)
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Nouvelle de la ville" in bodies["ville@example.org"]
    assert "Nouvelle du Centre" not in bodies["ville@example.org"]
    assert "Nouvelle du Centre" in bodies["centre@example.org"]
    assert "Nouvelle de la ville" not in bodies["centre@example.org"]
    assert (
        "Nouvelle de la ville" in bodies["tout@example.org"]
        and "Nouvelle du Centre" in bodies["tout@example.org"]
    )
