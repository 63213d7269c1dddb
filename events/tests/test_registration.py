"""Registration without an account: the service's rules, duplicates, emails and their .ics, cancelling."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest
import time_machine
from icalendar import Calendar

from core.dated import ItemStatus
from events.factories import RegistrationEventFactory
from events.links import manage_url, registration_token
from events.models import EventIndexPage, EventSeats, Registration, RegistrationMode, RegistrationStatus
from events.registrations import (
    RegistrationRefused,
    registration_cancel,
    registration_create,
    registration_rank,
)
from events.seats import seats_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(home):
    return EventIndexPage.objects.get()


@pytest.fixture
def make_event(agenda):
    def make(**fields):
        return RegistrationEventFactory(parent=agenda, **fields)

    return make


@pytest.fixture
def event(make_event):
    return make_event(capacity=2, title="Rencontre des utilisateurs", slug="rencontre")


def register(event, email="alice@example.org", name="Alice Martin", **extra):
    extra.setdefault("consent", True)
    return registration_create(event=event, name=name, email=email, **extra)


def taken(event):
    return EventSeats.objects.get(event_id=event.pk).taken


# -- Rules -------------------------------------------------------------------------------------------------


def test_a_registration_takes_a_seat_and_is_confirmed(event):
    outcome = register(event)
    registration = outcome.registration
    assert not outcome.duplicate
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None
    assert registration.consent_at is not None
    assert taken(event) == 1


def test_when_full_people_go_on_the_waiting_list_in_order(event):
    register(event, "a@example.org")
    register(event, "b@example.org")
    third = register(event, "c@example.org").registration
    fourth = register(event, "d@example.org").registration
    assert third.status == fourth.status == RegistrationStatus.WAITING
    assert third.waiting_since is not None
    assert registration_rank(third) == 1
    assert registration_rank(fourth) == 2
    assert taken(event) == 2


def test_when_full_without_waiting_list_registration_is_refused_and_nothing_saved(make_event):
    event = make_event(capacity=1, waiting_list=False)
    register(event, "a@example.org")
    with pytest.raises(RegistrationRefused) as refused:
        register(event, "b@example.org")
    assert refused.value.code == "full"
    assert refused.value.message == (
        "L’événement est complet et n’a pas de liste d’attente : les inscriptions sont closes."
    )
    assert Registration.objects.filter(event=event).count() == 1
    assert taken(event) == 1


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"registration_opens_at_days": 2},
            "not_open",
            "Les inscriptions ouvriront le",
        ),
        ({"registration_closes_at_days": -1}, "closed", "Les inscriptions à cet événement sont closes."),
        ({"past": True}, "closed", "Les inscriptions à cet événement sont closes."),
        (
            {"status": ItemStatus.CANCELLED, "cancellation_reason": "Salle indisponible."},
            "cancelled",
            "Cet événement est annulé : les inscriptions sont closes.",
        ),
        (
            {"registration_mode": RegistrationMode.EXTERNAL, "registration_url": "https://exemple.fr/"},
            "unavailable",
            "Cet événement ne prend pas d’inscriptions sur ce site.",
        ),
        ({"registration_mode": RegistrationMode.NONE}, "unavailable", "ne prend pas d’inscriptions"),
        ({"live": False}, "unavailable", "ne prend pas d’inscriptions"),
    ],
)
def test_rules_refuse_with_a_french_message_and_save_nothing(make_event, fields, code, message):
    now = timezone.now()
    fields = dict(fields)
    if days := fields.pop("registration_opens_at_days", None):
        fields["registration_opens_at"] = now + timedelta(days=days)
    if days := fields.pop("registration_closes_at_days", None):
        fields["registration_closes_at"] = now + timedelta(days=days)
    if fields.pop("past", False):
        fields["start"] = now - timedelta(days=2)
        fields["end"] = now - timedelta(days=2) + timedelta(hours=3)
    event = make_event(**fields)
    with pytest.raises(RegistrationRefused) as refused:
        register(event)
    assert refused.value.code == code
    assert message in refused.value.message
    assert not Registration.objects.filter(event=event).exists()
    assert not EventSeats.objects.filter(event_id=event.pk, taken__gt=0).exists()


def test_registration_opens_at_its_opening_time(make_event):
    opens = timezone.now() + timedelta(days=1)
    event = make_event(registration_opens_at=opens)
    with pytest.raises(RegistrationRefused):
        register(event, now=opens - timedelta(seconds=1))
    assert register(event, now=opens).registration.status == RegistrationStatus.CONFIRMED


def test_registration_closes_when_the_event_starts_by_default(event):
    with pytest.raises(RegistrationRefused) as refused:
        register(event, now=event.start)
    assert refused.value.code == "closed"
    assert register(event, now=event.start - timedelta(minutes=1)).registration is not None


def test_consent_is_required(event):
    with pytest.raises(RegistrationRefused) as refused:
        register(event, consent=False)
    assert refused.value.message == "Cochez la case pour accepter l’utilisation de vos données."
    assert not Registration.objects.exists()


def test_unlimited_capacity_confirms_everyone(make_event):
    event = make_event(capacity=None)
    for n in range(5):
        assert register(event, f"p{n}@example.org").registration.status == RegistrationStatus.CONFIRMED
    assert seats_ensure(event).capacity is None


# -- Duplicates --------------------------------------------------------------------------------------------


@time_machine.travel(
    "2026-03-02 09:00 +0100", tick=False
)  # the link's signature holds the second it was made
def test_a_second_registration_with_the_same_email_takes_no_seat_and_emails_the_address(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(event, "Alice@Example.org").registration
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = register(event, "alice@example.ORG", name="Quelqu’un d’autre")
    assert outcome.duplicate
    assert outcome.registration == first
    assert Registration.objects.filter(event=event).count() == 1
    assert taken(event) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Alice@Example.org"]
    assert message.subject == "Vous êtes déjà inscrit·e : Rencontre des utilisateurs"
    assert manage_url(first) in message.body
    assert "Quelqu’un d’autre" not in message.body


def test_a_duplicate_on_the_waiting_list_keeps_its_rank(event):
    register(event, "a@example.org")
    register(event, "b@example.org")
    waiting = register(event, "c@example.org").registration
    again = register(event, "C@example.org")
    assert again.duplicate
    assert again.registration == waiting
    assert Registration.objects.filter(event=event, status=RegistrationStatus.WAITING).count() == 1


def test_repeated_duplicates_send_one_notice_a_day(event, django_capture_on_commit_callbacks):
    register(event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            register(event)
    assert len(mail.outbox) == 1


def test_after_cancelling_the_same_email_may_register_again(event):
    first = register(event).registration
    registration_cancel(registration=first)
    again = register(event)
    assert not again.duplicate
    assert again.registration.pk != first.pk
    assert taken(event) == 1


# -- Emails ------------------------------------------------------------------------------------------------


def test_confirmation_email_has_the_manage_link_and_the_event_ics(
    client, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event).registration
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "Inscription confirmée : Rencontre des utilisateurs"
    link = manage_url(registration)
    assert link in message.body
    assert "Bonjour Alice Martin," in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html
    assert 'lang="fr"' in html
    assert "<img" not in html
    # The link works.
    response = client.get(link.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert "Vous êtes inscrit·e." in response.content.decode()
    # The .ics parses and starts when the event does.
    filename, content, mimetype = message.attachments[0]
    assert filename == "rencontre.ics"
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    vevents = [c for c in calendar.walk("VEVENT")]
    assert len(vevents) == 1
    assert vevents[0].decoded("dtstart") == event.start
    assert str(vevents[0]["uid"]) == f"event-{event.pk}@testserver"


def test_waiting_list_email_gives_the_rank(make_event, django_capture_on_commit_callbacks):
    event = make_event(capacity=1, title="Atelier complet")
    register(event, "a@example.org")
    register(event, "b@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, "c@example.org").registration
    message = mail.outbox[0]
    assert message.subject == "Liste d’attente : Atelier complet"
    assert "numéro 2" in message.body
    assert manage_url(registration) in message.body
    assert not message.attachments


def test_cancelling_releases_the_seat_emails_and_is_idempotent(event, django_capture_on_commit_callbacks):
    registration = register(event).registration
    assert taken(event) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, changed = registration_cancel(registration=registration)
    assert changed
    assert cancelled.status == RegistrationStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    assert taken(event) == 0
    assert [m.subject for m in mail.outbox] == ["Inscription annulée : Rencontre des utilisateurs"]
    with django_capture_on_commit_callbacks(execute=True):
        again, changed = registration_cancel(registration=registration)
    assert not changed
    assert taken(event) == 0
    assert len(mail.outbox) == 1


def test_cancelling_a_waiting_registration_gives_back_no_seat(event):
    register(event, "a@example.org")
    register(event, "b@example.org")
    waiting = register(event, "c@example.org").registration
    registration_cancel(registration=waiting)
    assert taken(event) == 2


def test_cancelling_a_seat_asks_the_waiting_list_for_offers(event, monkeypatch):
    calls = []
    monkeypatch.setattr("events.waitlist.offers_make", lambda event, **kwargs: calls.append(event.pk) or 0)
    registration = register(event).registration
    register(event, "b@example.org")
    waiting = register(event, "c@example.org").registration
    registration_cancel(registration=waiting)
    assert calls == []
    registration_cancel(registration=registration)
    assert calls == [event.pk]


def test_the_token_names_the_registration(event):
    registration = register(event).registration
    assert registration_token(registration) != registration_token(
        register(event, "b@example.org").registration
    )


def test_a_duplicate_is_recognised_on_a_database_that_does_not_name_the_constraint(home):
    """SQLite (the demo's database) raises IntegrityError without a constraint name: the registration is
    then looked up, so a duplicate still gets the neutral answer rather than a server error."""
    from django.db import IntegrityError

    from events.factories import RegistrationEventFactory
    from events.registrations import _is_duplicate_email

    agenda = EventIndexPage.objects.get()
    event = RegistrationEventFactory(parent=agenda)
    registration_create(event=event, name="Alice", email="alice@example.org", consent=True)
    anonymous = IntegrityError("UNIQUE constraint failed: index 'events_one_active_registration_per_email'")
    assert _is_duplicate_email(anonymous, event=event, email="ALICE@example.org")
    assert not _is_duplicate_email(anonymous, event=event, email="bob@example.org")
