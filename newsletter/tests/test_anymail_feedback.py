"""Bounces and complaints fed back by the mail provider (django-anymail's tracking signal): the subscriber
stops receiving; unknown addresses, soft bounces and repeats change nothing; the webhook never fails."""

import base64
import json

from django.test import override_settings
from django.urls import include, path, reverse

import pytest
from anymail.signals import AnymailTrackingEvent, tracking

from newsletter import signals as feedback
from newsletter.factories import SubscriberFactory
from newsletter.models import Subscriber, SubscriberStatus

pytestmark = pytest.mark.django_db


def __getattr__(name):
    """This module's URLs (its end-to-end test only): the project's, with anymail's webhooks mounted as
    config/urls.py mounts them when ANYMAIL is set. Built on first use (PEP 562)."""
    if name == "urlpatterns":
        from config.urls import urlpatterns

        return [path("anymail/", include("anymail.urls")), *urlpatterns]
    raise AttributeError(name)


def send(event_type, recipient, esp_name="Postmark", **kwargs):
    event = AnymailTrackingEvent(event_type=event_type, recipient=recipient, event_id="evt-1", **kwargs)
    return tracking.send(sender=object, event=event, esp_name=esp_name)


@pytest.fixture
def ada():
    return SubscriberFactory(email="Ada@Example.org")


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("bounced", SubscriberStatus.BOUNCED),
        ("rejected", SubscriberStatus.BOUNCED),
        ("complained", SubscriberStatus.COMPLAINED),
        ("unsubscribed", SubscriberStatus.UNSUBSCRIBED),
    ],
)
def test_provider_feedback_stops_sending_to_the_address(ada, event_type, status):
    send(event_type, "ada@example.org", description="550 5.1.1 mailbox unknown")
    ada.refresh_from_db()
    assert ada.status == status
    assert ada.status_reason == "Postmark: 550 5.1.1 mailbox unknown"
    assert (ada.unsubscribed_at is not None) == (status == SubscriberStatus.UNSUBSCRIBED)


@pytest.mark.parametrize(
    "event_type", ["delivered", "opened", "clicked", "deferred", "queued", "sent", "unknown"]
)
def test_other_events_change_nothing(ada, event_type):
    send(event_type, "ada@example.org")
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.CONFIRMED and ada.status_reason == ""


@pytest.mark.parametrize(
    "esp_event",
    [
        {"RecordType": "Bounce", "Type": "SoftBounce"},  # Postmark
        {"event": "soft_bounce"},  # Brevo, Mandrill
        {"type": "activity.soft_bounced"},  # MailerSend
        {"bounce": {"bounceType": "Transient"}},  # Amazon SES
    ],
)
def test_a_soft_bounce_changes_nothing(ada, esp_event):
    send("bounced", "ada@example.org", esp_event=esp_event)
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.CONFIRMED


def test_a_hard_bounce_reported_with_its_raw_event_counts(ada):
    send("bounced", "ada@example.org", esp_event={"RecordType": "Bounce", "Type": "HardBounce"})
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.BOUNCED


def test_an_unknown_recipient_is_ignored(ada):
    responses = send("bounced", "nobody@example.org")
    assert [response for _receiver, response in responses] == [None]
    assert send("complained", None)
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.CONFIRMED
    assert not Subscriber.objects.exclude(status=SubscriberStatus.CONFIRMED).exists()


def test_the_same_event_twice_changes_nothing_more(ada):
    send("unsubscribed", "ada@example.org")
    ada.refresh_from_db()
    first = ada.unsubscribed_at
    send("unsubscribed", "ada@example.org")
    ada.refresh_from_db()
    assert ada.unsubscribed_at == first


def test_a_subscriber_who_left_stays_as_they_left_but_a_complaint_overrides(ada):
    send("unsubscribed", "ada@example.org")
    send("bounced", "ada@example.org", description="later bounce")
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.UNSUBSCRIBED and "later bounce" not in ada.status_reason
    send("complained", "ada@example.org", description="spam")
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.COMPLAINED and ada.status_reason == "Postmark: spam"


def test_a_pending_sign_up_whose_confirmation_bounced_is_marked_bounced():
    pending = SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None)
    send("rejected", pending.email, reject_reason="invalid")
    pending.refresh_from_db()
    assert pending.status == SubscriberStatus.BOUNCED and pending.status_reason == "Postmark: invalid"


def test_the_reason_is_cut_to_the_column(ada):
    send("bounced", "ada@example.org", mta_response="x" * 2000)
    ada.refresh_from_db()
    assert len(ada.status_reason) == Subscriber._meta.get_field("status_reason").max_length


def test_the_receiver_never_fails_the_webhook(ada, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(feedback, "subscriber_provider_feedback", broken)
    send("bounced", "ada@example.org")  # no exception
    assert "could not record" in caplog.text
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.CONFIRMED
    # The request's transaction is still usable after the failure.
    assert Subscriber.objects.filter(pk=ada.pk).exists()


@pytest.mark.urls(__name__)
@override_settings(ANYMAIL={"WEBHOOK_SECRET": "parvis:s3cret"})
def test_a_postmark_bounce_posted_to_the_webhook_marks_the_subscriber(client, ada):
    """End to end, offline: Postmark's tracking webhook (basic auth with the shared secret) → the signal."""
    body = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "ada@example.org",
        "BouncedAt": "2026-11-24T06:00:00Z",
    }
    url = reverse("anymail:postmark_tracking_webhook")
    assert url == "/anymail/postmark/tracking/"
    refused = client.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 400  # no secret: refused, nothing changed
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.CONFIRMED
    auth = "Basic " + base64.b64encode(b"parvis:s3cret").decode()
    response = client.post(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.status == SubscriberStatus.BOUNCED
    assert ada.status_reason.startswith("Postmark: The server was unable to deliver")
