"""Time a newsletter issue sent to 10,000 subscribers the way the worker sends it, to a local SMTP sink.

    python bench/newsletter_bench.py [--subscribers 10000] [--plan 1x1,1x2,2x2] [--batch-size 100] [--keep]

Creates its own PostgreSQL database (`parvis_bench_newsletter`, on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432), migrates it, adds the subscribers in bulk, then, for each step of the
plan (PROCESSESxTHREADS), starts an issue (`issue_send_start`: one INSERT … SELECT for every delivery) and
runs that many sender processes, each calling `newsletter.sending.issue_send_run` exactly as the
`issue_send` task does, with PARVIS_NEWSLETTER_THREADS = THREADS (batches claimed with SELECT … FOR UPDATE
SKIP LOCKED, one SMTP connection per batch, each delivery marked sent after the server's answer), against an
aiosmtpd sink that only counts what it accepts. Prints the
messages per second — measured at the sink, from its first message to its last — and the wall time with
the processes' start-up. Checks that each address received each issue exactly once (exit status 1
otherwise). Drops the database at the end unless --keep. Target: 200 messages per second or more.
"""

import argparse
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = os.environ.get("PARVIS_NEWSLETTER_BENCH_DATABASE", "parvis_bench_newsletter")
TARGET = 200


def server_url(name):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parvis")
    return base.rsplit("/", 1)[0] + "/" + name


def django_setup(port):
    """The test settings on the bench database, SMTP to the sink, no task backend (the bench runs sends)."""
    os.environ["DATABASE_URL"] = server_url(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.WAGTAILADMIN_BASE_URL = "https://parvis.example.org"
    import django

    django.setup()


class Sink:
    """aiosmtpd handler: counts accepted messages per recipient, with the first and last accept times."""

    def __init__(self):
        self.received = Counter()
        self.first = self.last = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"

    def reset(self):
        with self.lock:
            self.received, self.first, self.last = Counter(), None, None


def database_create():
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def database_drop():
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def subscribers_create(count):
    from newsletter.factories import city_list, current_consent
    from newsletter.models import Subscriber, SubscriberStatus, Subscription

    consent, city = current_consent(), city_list()
    people = Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"habitant{i}@example.org",
                status=SubscriberStatus.CONFIRMED,
                consent_text=consent,
                consent_source="/",
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    Subscription.objects.bulk_create(
        (Subscription(subscriber=person, newsletter_list=city) for person in people), batch_size=2000
    )
    return [person.email for person in people]


def issue_start(user):
    from newsletter import sending
    from newsletter.factories import NewsletterIssueFactory

    issue = NewsletterIssueFactory(
        subject="Lettre de la ville — banc d’essai",
        intro="<p>Les nouvelles du mois : réunions, ateliers, comptes rendus.</p>" * 5,
    )
    started = time.monotonic()
    count = sending.issue_send_start(issue=issue, user=user)
    return issue, count, time.monotonic() - started


def sender_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")


def child(issue_id, port, threads):
    django_setup(port)
    from django.conf import settings

    settings.PARVIS_NEWSLETTER_THREADS = threads
    from newsletter.sending import issue_send_run

    print(issue_send_run(issue_id=issue_id), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument(
        "--plan",
        default="1x1,1x2,2x2",
        help="comma-separated PROCESSESxTHREADS (sender processes, threads each)",
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the parvis_bench_newsletter database")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    failed = False
    database_create()
    try:
        os.environ["NEWSLETTER_BATCH_SIZE"] = str(args.batch_size)
        django_setup(port)
        from django.conf import settings
        from django.core.management import call_command

        settings.PARVIS_NEWSLETTER_BATCH_SIZE = args.batch_size
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        from home.services import site_structure_ensure

        site_structure_ensure(hostname="localhost")
        print(f"newsletter: database {DATABASE} migrated in {time.monotonic() - started:.1f} s", flush=True)
        started = time.monotonic()
        emails = subscribers_create(args.subscribers)
        print(
            f"newsletter: {len(emails):,} subscribers added in {time.monotonic() - started:.1f} s", flush=True
        )
        user = sender_user()
        from django.db import connection

        from newsletter.models import Delivery, NewsletterIssue

        for step in args.plan.split(","):
            senders, threads = (int(n) for n in step.split("x"))
            sink.reset()
            issue, count, start_seconds = issue_start(user)
            connection.close()
            env = {**os.environ, "NEWSLETTER_BATCH_SIZE": str(args.batch_size)}
            started = time.monotonic()
            processes = [
                subprocess.Popen(  # noqa: S603
                    [sys.executable, __file__, "--child", str(issue.pk), str(port), str(threads)],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(senders)
            ]
            outputs = [process.communicate()[0].strip() for process in processes]
            wall = time.monotonic() - started
            total = sum(sink.received.values())
            span = (sink.last - sink.first) if sink.first else 0
            rate = (total - 1) / span if span else 0
            issue = NewsletterIssue.objects.get(pk=issue.pk)
            once = (
                set(sink.received) == set(emails)
                and set(sink.received.values()) == {1}
                and not Delivery.objects.filter(issue=issue).exclude(status="sent").exists()
                and issue.status == "sent"
            )
            failed |= not once or any(p.returncode for p in processes)
            print(
                f"newsletter: {total:,} emails, {senders} sender process{'es' if senders > 1 else ''} × "
                f"{threads} SMTP connection{'s' if threads > 1 else ''} (batches of {args.batch_size}): "
                f"{rate:.0f} messages/s at the sink ({span:.1f} s), "
                f"{wall:.1f} s wall with start-up; deliveries created in {start_seconds:.2f} s; "
                f"sent per process {outputs}; each address once: {'yes' if once else 'NO'}; "
                f"target {TARGET}/s {'met' if rate >= TARGET else 'NOT met'} "
                f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
                flush=True,
            )
            if count != len(emails):
                print(f"newsletter: {count} deliveries for {len(emails)} subscribers", flush=True)
                failed = True
        connection.close()
    finally:
        controller.stop()
        if not args.keep:
            database_drop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
