"""Registrations' personal data is erased `retention_days` after the event — not a day before — by the
daily task; counts, statuses and attendance remain, and the emails' links die with the data."""

from datetime import UTC, timedelta

from django.urls import reverse

import pytest
import time_machine

from events.erasure import registrations_erase
from events.links import registration_from_token, registration_token
from events.models import Registration, RegistrationStatus
from events.tests.helpers import paris
from events.tests.waitlist_helpers import confirmed, event_publish, waiting

START = paris(2026, 3, 14, 9, 30)
END = paris(2026, 3, 14, 17, 0)
# Retention counts days of 24 hours from the event's end (the daylight-saving change in between moves the
# local hour, not the instant).
ERASABLE_AT = END.astimezone(UTC) + timedelta(days=183)


@pytest.fixture
def past_event(home):
    with time_machine.travel(START - timedelta(days=30), tick=False):
        event = event_publish(capacity=2, start=START, end=END, retention_days=183)
        people = confirmed(event, 2, organisation="Amicale", accessibility_needs="Boucle magnétique")
        late = waiting(event, 1)
    Registration.objects.filter(pk=people[0].pk).update(attended_at=START + timedelta(minutes=5))
    return event, people + late


def test_nothing_is_erased_before_the_retention_period_ends(past_event):
    event, people = past_event
    with time_machine.travel(ERASABLE_AT - timedelta(seconds=1), tick=False):
        assert registrations_erase() == 0
    assert all(r.name and r.key and r.erased_at is None for r in Registration.objects.filter(event=event))


def test_personal_data_is_erased_after_the_retention_period_and_the_counts_remain(past_event):
    event, people = past_event
    tokens = [registration_token(r) for r in people]
    when = ERASABLE_AT
    with time_machine.travel(when, tick=False):
        assert registrations_erase() == 3
        assert registrations_erase() == 0, "erased once"

    rows = list(Registration.objects.filter(event=event).order_by("pk"))
    for row in rows:
        assert (row.name, row.organisation, row.accessibility_needs, row.key) == ("", "", "", "")
        assert row.email == f"{row.pk}@erased.invalid"
        assert row.erased_at == when
    assert [r.status for r in rows] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ]
    assert rows[0].attended_at is not None
    assert all(registration_from_token(token) is None for token in tokens)


def test_links_are_dead_after_erasure(client, past_event):
    _event, people = past_event
    token = registration_token(people[0])
    with time_machine.travel(END + timedelta(days=200), tick=False):
        registrations_erase()
    assert client.get(reverse("events:offer_accept", args=[token])).status_code == 404
    assert client.post(reverse("events:offer_accept", args=[token])).status_code == 404


def test_each_event_keeps_its_own_retention_period(home):
    with time_machine.travel(START - timedelta(days=30), tick=False):
        short = event_publish(capacity=5, start=START, end=END, retention_days=1)
        long = event_publish(capacity=5, start=START, end=END, retention_days=365)
        confirmed(short, 1)
        confirmed(long, 1)
    with time_machine.travel(END + timedelta(days=2), tick=False):
        assert registrations_erase() == 1
    assert Registration.objects.get(event=short).erased_at is not None
    assert Registration.objects.get(event=long).erased_at is None


def test_the_daily_task_erases(past_event):
    from events.tasks import registrations_erase as task

    event, _people = past_event
    with time_machine.travel(END + timedelta(days=190), tick=False):
        task.enqueue()
    assert not Registration.objects.filter(event=event, erased_at__isnull=True).exists()


def test_erased_registrations_show_as_erased_to_organisers(client, past_event, city_staff):
    event, people = past_event
    name = people[0].name
    with time_machine.travel(END + timedelta(days=190), tick=False):
        registrations_erase()
    client.force_login(city_staff)
    html = client.get(reverse("events_admin:registrations", args=[event.pk])).content.decode()
    assert name not in html and "@erased.invalid" not in html
    body = client.get(reverse("events_admin:export", args=[event.pk])).content.decode("utf-8-sig")
    assert name not in body and "@erased.invalid" not in body


def test_the_emails_sent_about_a_registration_are_erased_with_it(home, django_capture_on_commit_callbacks):
    from events.registrations import registration_cancel, registration_create
    from jobs.models import OutboundEmail

    with time_machine.travel(START - timedelta(days=30), tick=False):
        event = event_publish(capacity=1, start=START, end=END, retention_days=183)
        with django_capture_on_commit_callbacks(execute=True):
            kept = registration_create(
                event=event, name="Odile Ormeau", email="odile@example.org", consent=True
            )
            gone = registration_create(
                event=event, name="Paul Peuplier", email="paul@example.org", consent=True
            )
            registration_cancel(registration=kept.registration)  # Paul is offered the seat
    other = OutboundEmail.objects.create(to="paul@example.org", subject="Autre sujet", body_text="Paul")
    about_them = OutboundEmail.objects.exclude(pk=other.pk).filter(
        to__in=["odile@example.org", "paul@example.org"]
    )
    assert about_them.count() >= 3  # confirmation, waiting list, cancellation, offer…
    with time_machine.travel(ERASABLE_AT, tick=False):
        registrations_erase()
    text = " ".join(
        f"{e.to} {e.body_text} {e.body_html} {e.attachments}"
        for e in OutboundEmail.objects.exclude(pk=other.pk)
    )
    assert "odile" not in text.lower() and "paul" not in text.lower() and "Ormeau" not in text
    # Both were erased; an unrelated email to the same address is left alone.
    assert (
        Registration.objects.filter(
            pk__in=[gone.registration.pk, kept.registration.pk], erased_at=ERASABLE_AT
        ).count()
        == 2
    )
    other.refresh_from_db()
    assert other.to == "paul@example.org"
