"""The outbox in the admin: read-only, for the city team and superusers only."""

from django.urls import reverse

import pytest

from councils.factories import UserFactory
from jobs.models import EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_email():
    return OutboundEmail.objects.create(
        to="ada@example.org",
        subject="Votre inscription",
        body_text="…",
        status=EmailStatus.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: unknown mailbox",
    )


def test_city_team_sees_failed_emails_and_why(client, city_staff, failed_email):
    client.force_login(city_staff)
    response = client.get(reverse("outbox:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ada@example.org" in html and "unknown mailbox" in html
    assert reverse("outbox:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    inspect = client.get(reverse("outbox:inspect", args=[failed_email.pk]))
    assert inspect.status_code == 200
    assert "unknown mailbox" in inspect.content.decode()


def test_superuser_sees_the_listing(client, failed_email):
    client.force_login(UserFactory(username="root", is_superuser=True))
    assert client.get(reverse("outbox:index")).status_code == 200


def test_nobody_changes_an_email(client, city_staff, failed_email):
    client.force_login(UserFactory(username="root", is_superuser=True))
    for user in (city_staff, UserFactory(username="root2", is_superuser=True)):
        client.force_login(user)
        assert client.get(reverse("outbox:add")).status_code in (302, 403)
        assert client.post(
            reverse("outbox:edit", args=[failed_email.pk]), {"to": "x@example.org"}
        ).status_code in (
            302,
            403,
        )
        assert client.post(reverse("outbox:delete", args=[failed_email.pk])).status_code in (302, 403)
    failed_email.refresh_from_db()
    assert failed_email.to == "ada@example.org"


def test_council_editors_and_members_are_refused(client, editor_a, member_a, failed_email):
    for user in (editor_a, member_a):
        client.force_login(user)
        for url in (reverse("outbox:index"), reverse("outbox:inspect", args=[failed_email.pk])):
            response = client.get(url)
            assert response.status_code in (302, 403), url
            assert "ada@example.org" not in response.content.decode()
        assert reverse("outbox:index") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_city_team_never_reads_an_emails_body_which_may_carry_a_signed_link(client, city_staff):
    """Found by an attacker's review: a password-reset link read in the outbox let the city team take over
    a superuser. Bodies are never shown, and a sent email keeps none."""
    from jobs.emails_delivery import deliver

    pending = OutboundEmail.objects.create(
        to="admin@example.org",
        subject="Mot de passe",
        body_text="https://parvis/mot-de-passe/reinitialiser/MQ/x/",
    )
    client.force_login(city_staff)
    inspect = client.get(reverse("outbox:inspect", args=[pending.pk])).content.decode()
    assert "reinitialiser" not in inspect and "Mot de passe" in inspect
    assert deliver(pending.pk)
    pending.refresh_from_db()
    assert (pending.body_text, pending.body_html, pending.attachments) == ("", "", [])
