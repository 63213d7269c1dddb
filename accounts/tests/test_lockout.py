"""Sign-in resists guessing (issue 13, item 5): django-axes on the admin and the public sign-in."""

from datetime import timedelta

from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from axes.models import AccessAttempt

from accounts.lockout import client_ip
from councils.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "le-bon-mot-de-passe"
LOGIN_URLS = {"admin": "wagtailadmin_login", "public": "wagtailcore_login"}


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org", password=PASSWORD)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def sign_in(client, which, username, password, ip="203.0.113.7"):
    return client.post(
        reverse(LOGIN_URLS[which]), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, which, username, times, ip="203.0.113.7"):
    for _attempt in range(times):
        response = sign_in(client, which, username, "mauvais", ip=ip)
    return response


@pytest.mark.parametrize("which", ["admin", "public"])
def test_the_right_password_is_refused_after_too_many_failures(client, alice, which):
    fail(client, which, "alice", settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, which, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("which", ["admin", "public"])
def test_sign_in_works_below_the_limit(client, alice, which):
    fail(client, which, "alice", settings.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client, which, "alice", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("which", ["admin", "public"])
def test_the_lockout_page_speaks_french(client, alice, which):
    response = fail(client, which, "alice", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert '<html lang="fr"' in response.content.decode()
    assert response.context["cool_off_minutes"] == 15
    assert "accounts/lockout_message.html" in [t.name for t in response.templates]


def test_the_public_lockout_page_uses_the_site_layout(client, alice, home):
    response = fail(client, "public", "alice", settings.AXES_FAILURE_LIMIT)
    assert "base.html" in [t.name for t in response.templates]


def test_email_and_username_in_any_case_count_as_one_account(client, alice):
    identifiers = ["alice", "ALICE@example.org", "Alice", "alice@EXAMPLE.org", "aLiCe"]
    for number, identifier in enumerate(identifiers[: settings.AXES_FAILURE_LIMIT]):
        # A different address each time: only the per-account count can lock.
        sign_in(client, "admin", identifier, "mauvais", ip=f"198.51.100.{number + 1}")
    response = sign_in(client, "admin", "alice@example.org", PASSWORD, ip="198.51.100.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"alice"}


def test_an_address_guessing_many_accounts_is_locked(client, alice):
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "public", f"inconnu{number}", "mauvais", ip="192.0.2.50")
    assert sign_in(client, "public", "alice", PASSWORD, ip="192.0.2.50").status_code == 429
    assert sign_in(Client(), "public", "alice", PASSWORD, ip="192.0.2.51").status_code == 302


def test_other_accounts_are_unaffected_by_a_lockout(client, alice):
    bob = UserFactory(username="bob", password=PASSWORD)
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "admin", "alice", "mauvais", ip=f"198.51.100.{number + 1}")
    other = Client()
    assert sign_in(other, "admin", bob.username, PASSWORD, ip="198.51.100.200").status_code == 302
    assert signed_in(other)


def test_the_lock_lifts_after_the_cool_off(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "admin", "alice", settings.AXES_FAILURE_LIMIT)
        assert sign_in(client, "admin", "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME - timedelta(minutes=1), tick=False):
        assert sign_in(client, "admin", "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        assert sign_in(client, "admin", "alice", PASSWORD).status_code == 302
        assert signed_in(client)


def test_the_administrator_sees_and_lifts_a_lockout(client, alice, superuser):
    attacker = Client()
    fail(attacker, "admin", "alice", settings.AXES_FAILURE_LIMIT)
    client.force_login(superuser)
    listing = client.get(reverse("parvis_lockouts"))
    assert listing.status_code == 200
    locked = {(lockout["kind"], lockout["value"]) for lockout in listing.context["lockouts"]}
    assert locked == {("username", "alice"), ("ip", "203.0.113.7")}
    response = client.post(reverse("parvis_lockouts"), {"kind": "username", "value": "alice"})
    assert response.status_code == 302
    assert sign_in(Client(), "admin", "alice", PASSWORD, ip="198.51.100.20").status_code == 302


def test_the_administrator_lifts_an_address_lockout(client, alice, superuser):
    fail(Client(), "public", "personne", settings.AXES_FAILURE_LIMIT, ip="192.0.2.9")
    client.force_login(superuser)
    client.post(reverse("parvis_lockouts"), {"kind": "ip", "value": "192.0.2.9"})
    assert sign_in(Client(), "public", "alice", PASSWORD, ip="192.0.2.9").status_code == 302


def test_only_the_administrator_may_unlock(client, alice, city_staff):
    fail(Client(), "admin", "alice", settings.AXES_FAILURE_LIMIT)
    client.force_login(city_staff)
    for response in (
        client.get(reverse("parvis_lockouts")),
        client.post(reverse("parvis_lockouts"), {"kind": "username", "value": "alice"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_test_client_login_still_works(client, alice):
    assert client.login(username="alice", password=PASSWORD)


def test_behind_a_proxy_the_address_it_appended_is_the_one_counted(alice, settings):
    settings.PARVIS_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.8"
    settings.PARVIS_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
