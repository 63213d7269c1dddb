"""The subscription services: sign-up cases, confirm, lists, leave, purge, export and erase."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest
import time_machine

from jobs.models import OutboundEmail
from newsletter.factories import SubscriberFactory, city_list, council_list, current_consent
from newsletter.links import subscriber_from_token, subscriber_token
from newsletter.models import Delivery, NewsletterList, Subscriber, SubscriberStatus, Subscription
from newsletter.subscriptions import (
    CONFIRM_RESEND_MINUTES,
    newsletter_lists_ensure,
    newsletter_subscribe,
    subscriber_confirm,
    subscriber_erase,
    subscriber_export,
    subscriber_unsubscribe,
    subscribers_purge_unconfirmed,
    subscriptions_set,
)

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 11, 24, 9, 0))


def subscribe(email="alice@example.org", lists=None, source="/", now=None):
    return newsletter_subscribe(
        email=email,
        lists=lists if lists is not None else [city_list()],
        consent_text=current_consent(),
        source=source,
        now=now or NOW,
    )


def test_a_new_address_is_pending_with_its_consent_and_gets_one_confirmation(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = subscribe(email=" Alice@Example.org ", source="/conseils/centre/")
    subscriber = outcome.subscriber
    assert (outcome.kind, outcome.email_sent) == ("created", True)
    assert subscriber.email == "alice@example.org"
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.consent_text == current_consent()
    assert subscriber.consent_source == "/conseils/centre/"
    assert subscriber.consent_at == NOW
    assert list(subscriber.lists.all()) == [city_list()]
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_signing_up_again_while_pending_replaces_the_lists_and_throttles_the_email(council_a):
    subscribe()
    second = subscribe(lists=[council_list(council_a)], now=NOW + timedelta(minutes=1))
    assert (second.kind, second.email_sent) == ("pending", False)
    assert list(second.subscriber.lists.all()) == [council_list(council_a)]
    later = subscribe(now=NOW + timedelta(minutes=CONFIRM_RESEND_MINUTES + 1))
    assert later.email_sent is True
    assert OutboundEmail.objects.filter(key__startswith="newsletter-confirm-").count() == 2


def test_confirmations_are_capped_per_day():
    sent = [
        subscribe(now=NOW + timedelta(minutes=i * (CONFIRM_RESEND_MINUTES + 1))).email_sent for i in range(6)
    ]
    assert sent == [True, True, True, False, False, False]


def test_a_confirmed_subscriber_keeps_their_lists_and_gets_a_preferences_link_once_a_day(council_a):
    subscriber = SubscriberFactory(email="bob@example.org", lists=[city_list()])
    outcome = subscribe(email="BOB@example.org", lists=[council_list(council_a)])
    assert (outcome.kind, outcome.email_sent) == ("confirmed", True)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.lists.all()) == [city_list()]
    assert subscribe(email="bob@example.org", now=NOW + timedelta(hours=2)).email_sent is False
    assert subscribe(email="bob@example.org", now=NOW + timedelta(days=1, minutes=1)).email_sent is True
    emails = OutboundEmail.objects.filter(key__startswith="newsletter-preferences-", to="bob@example.org")
    assert emails.count() == 2
    assert "/lettre/preferences/" in emails.first().body_text
    assert emails.first().headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unsubscribed_address_signs_up_again_stays_out_until_it_confirms_and_old_links_die():
    subscriber = SubscriberFactory(email="carole@example.org")
    old_token = subscriber_token(subscriber, "unsubscribe")
    subscriber_unsubscribe(subscriber=subscriber, now=NOW - timedelta(days=3))
    outcome = subscribe(email="carole@example.org")
    subscriber.refresh_from_db()
    assert outcome.kind == "renewed" and outcome.email_sent
    # The proof of leaving stays until the person confirms: a form anyone fills in changes no status.
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at == NOW - timedelta(days=3)
    assert subscriber_from_token(old_token, "unsubscribe") is None
    assert subscriber_confirm(subscriber=subscriber) == "confirmed"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED and subscriber.unsubscribed_at is None


@pytest.mark.parametrize("status", [SubscriberStatus.COMPLAINED, SubscriberStatus.BOUNCED])
def test_an_address_that_complained_or_bounced_is_never_written_to_again_from_the_form(status):
    subscriber = SubscriberFactory(email="dora@example.org", status=status, status_reason="fournisseur")
    before = Subscriber.objects.values().get(pk=subscriber.pk)
    outcome = subscribe(email="dora@example.org")
    assert outcome.kind == "blocked" and not outcome.email_sent
    assert Subscriber.objects.values().get(pk=subscriber.pk) == before
    assert not OutboundEmail.objects.filter(to="dora@example.org").exists()
    assert subscriber_confirm(subscriber=subscriber) == "refused"


def test_confirm_is_idempotent_and_refuses_someone_who_left():
    outcome = subscribe()
    assert subscriber_confirm(subscriber=outcome.subscriber, now=NOW) == "confirmed"
    assert subscriber_confirm(subscriber=outcome.subscriber) == "already"
    outcome.subscriber.refresh_from_db()
    assert outcome.subscriber.confirmed_at == NOW
    subscriber_unsubscribe(subscriber=outcome.subscriber, now=NOW + timedelta(hours=1))
    assert subscriber_confirm(subscriber=outcome.subscriber) == "refused"


def test_subscriptions_set_keeps_exactly_the_lists_chosen(council_a, council_b):
    subscriber = SubscriberFactory(lists=[city_list(), council_list(council_a)])
    subscriptions_set(subscriber=subscriber, lists=[council_list(council_a), council_list(council_b)])
    assert set(subscriber.lists.all()) == {council_list(council_a), council_list(council_b)}
    with pytest.raises(ValueError):
        subscriptions_set(subscriber=subscriber, lists=[])


def test_unsubscribe_keeps_the_row_and_no_list_and_is_idempotent():
    subscriber = SubscriberFactory()
    assert subscriber_unsubscribe(subscriber=subscriber, now=NOW) is True
    assert subscriber_unsubscribe(subscriber=subscriber) is False
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.unsubscribed_at) == (SubscriberStatus.UNSUBSCRIBED, NOW)
    assert not Subscription.objects.filter(subscriber=subscriber).exists()


def test_lists_ensure_gives_every_live_council_outside_the_sandbox_a_list(council_a, council_b):
    NewsletterList.objects.all().delete()
    assert newsletter_lists_ensure() == 3
    assert newsletter_lists_ensure() == 0
    assert NewsletterList.objects.filter(council__isnull=True).count() == 1
    assert set(NewsletterList.objects.offered()) >= {council_list(council_a), council_list(council_b)}


def test_purge_erases_old_unconfirmed_sign_ups_only(django_capture_on_commit_callbacks, settings):
    settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS = 7
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        old = subscribe(email="old@example.org").subscriber
        confirmed = SubscriberFactory(email="confirmed@example.org", consent_at=NOW)
        left = SubscriberFactory(
            email="left@example.org", status=SubscriberStatus.UNSUBSCRIBED, consent_at=NOW
        )
    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        recent = subscribe(email="recent@example.org", now=timezone.now()).subscriber
        assert subscribers_purge_unconfirmed() == 0
    with time_machine.travel(NOW + timedelta(days=7, minutes=1), tick=False):
        assert subscribers_purge_unconfirmed() == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {confirmed.pk, left.pk, recent.pk}
    assert not Subscriber.objects.filter(pk=old.pk).exists()
    email = OutboundEmail.objects.get(key__startswith=f"newsletter-confirm-{old.pk}-")
    assert (email.to, email.body_text, email.body_html) == (f"email-{email.pk}@erased.invalid", "", "")
    assert OutboundEmail.objects.filter(to="recent@example.org").exists()


def test_purge_counts_from_the_latest_sign_up(settings):
    settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS = 7
    subscriber = subscribe(email="again@example.org", now=NOW - timedelta(days=30)).subscriber
    subscriber_unsubscribe(subscriber=subscriber)
    subscribe(email="again@example.org", now=NOW)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert subscribers_purge_unconfirmed() == 0


def test_export_holds_everything_kept(council_a):
    from newsletter.factories import NewsletterIssueFactory

    subscriber = SubscriberFactory(
        email="dora@example.org", consent_source="/lettre/", lists=[city_list(), council_list(council_a)]
    )
    issue = NewsletterIssueFactory(subject="Lettre de novembre")
    Delivery.objects.create(issue=issue, subscriber=subscriber, status="sent", sent_at=NOW)
    data = subscriber_export(subscriber=subscriber)
    assert data["email"] == "dora@example.org"
    assert data["status"] == "confirmed"
    assert data["lists"] == [str(city_list()), council_a.title]
    assert data["consent"]["version"] == current_consent().version
    assert data["consent"]["text"] == current_consent().text
    assert data["consent"]["source"] == "/lettre/"
    assert data["consent"]["accepted_at"] == timezone.localtime(subscriber.consent_at).isoformat()
    assert data["deliveries"] == {
        "count": 1,
        "items": [{"issue": "Lettre de novembre", "status": "sent", "sent_at": NOW.isoformat()}],
    }
    import json

    json.dumps(data)


def test_erase_leaves_nothing_that_names_the_subscriber(django_capture_on_commit_callbacks):
    from newsletter.factories import NewsletterIssueFactory

    with django_capture_on_commit_callbacks(execute=True):
        subscriber = subscribe(email="erin@example.org").subscriber
    subscriber_confirm(subscriber=subscriber)
    token = subscriber_token(subscriber, "unsubscribe")
    Delivery.objects.create(issue=NewsletterIssueFactory(), subscriber=subscriber)
    other = SubscriberFactory(email="frank@example.org")
    unrelated = OutboundEmail.objects.create(
        to="erin@example.org", subject="Inscription", body_text="x", key="registration-x-1"
    )
    subscriber_erase(subscriber=subscriber)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not Subscription.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not Delivery.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not OutboundEmail.objects.filter(key__startswith="newsletter-", to="erin@example.org").exists()
    assert not OutboundEmail.objects.filter(
        key__startswith="newsletter-", body_text__contains="erin"
    ).exists()
    assert OutboundEmail.objects.filter(key__startswith="newsletter-confirm-").count() == 1
    assert subscriber_from_token(token, "unsubscribe") is None
    assert Subscriber.objects.filter(pk=other.pk).exists()
    unrelated.refresh_from_db()
    assert unrelated.to == "erin@example.org"  # other apps' emails follow their own retention


def test_erase_leaves_no_address_in_an_error_and_no_confirmation_waiting():
    subscriber = subscribe(email="gina@example.org").subscriber  # queued, not delivered (no commit)
    refused = OutboundEmail.objects.create(
        to="gina@example.org",
        subject="Lettre",
        body_text="x",
        key=f"newsletter-preferences-{subscriber.pk}-1",
        status="failed",
        last_error="SMTPRecipientsRefused: {'gina@example.org': (550, b'No such user')}",
    )
    subscriber_erase(subscriber=subscriber)
    refused.refresh_from_db()
    assert refused.last_error == "" and "gina" not in refused.to
    waiting = OutboundEmail.objects.get(key__startswith=f"newsletter-confirm-{subscriber.pk}-")
    assert waiting.status == "failed"  # never sent to an erased address
    assert not OutboundEmail.objects.filter(status="pending", key__startswith="newsletter-").exists()


def test_the_daily_task_purges(settings):
    from newsletter.tasks import subscribers_purge

    settings.PARVIS_NEWSLETTER_UNCONFIRMED_DAYS = 7
    subscribe(email="late@example.org", now=timezone.now() - timedelta(days=8))
    result = subscribers_purge.enqueue()
    assert result.return_value == 1
    assert not Subscriber.objects.filter(email="late@example.org").exists()


def test_a_members_only_council_is_neither_named_nor_offered(council_a, council_b):
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(
        page=council_b, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(council_b.access.members_group)
    newsletter_lists_ensure()
    offered = list(NewsletterList.objects.offered())
    assert offered[0].council_id is None
    assert council_list(council_a) in offered
    assert not any(item.council_id == council_b.pk for item in offered)
