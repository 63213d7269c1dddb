"""Password reset by email on the public site (issue 16, item 1): /mot-de-passe/, neutral whether or not
the address is known, the email through the outbox, a link that sets a new password once."""

import re

from django.conf import settings
from django.core import mail
from django.test import Client

import pytest

from councils.factories import UserFactory
from jobs.models import OutboundEmail

from .public_helpers import PASSWORD, signed_in

pytestmark = pytest.mark.django_db

RESET = "/mot-de-passe/"
NEW_PASSWORD = "Encore-un-autre-mot-de-passe-77"


@pytest.fixture
def alice(home):
    return UserFactory(username="alice", email="alice.martin@example.org", password=PASSWORD)


def ask(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def reset_path(message):
    return re.search(r"http://testserver(/mot-de-passe/reinitialiser/[^\s/]+/[^\s/]+/)", message.body).group(
        1
    )


def test_the_form_is_french_and_private(client, home):
    response = client.get(RESET)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mot de passe oublié" in html
    assert 'autocomplete="email"' in html
    assert "private" in response["Cache-Control"]


def test_a_known_address_gets_a_french_email_through_the_outbox(
    client, alice, django_capture_on_commit_callbacks
):
    response = ask(client, "Alice.Martin@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/mot-de-passe/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice.martin@example.org"]
    assert message.subject == "Votre nouveau mot de passe sur Parvis"
    assert "Bonjour," in message.body
    assert "Votre nom d’utilisateur : alice" in message.body
    assert reset_path(message)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert reset_path(message) in html
    assert OutboundEmail.objects.filter(to="alice.martin@example.org").count() == 1


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, alice, django_capture_on_commit_callbacks
):
    known = ask(client, "alice.martin@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    unknown = ask(Client(), "personne@example.org", django_capture_on_commit_callbacks)
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []
    done = Client().get(unknown["Location"]).content.decode()
    assert "Si un compte utilise cette adresse" in done


def test_a_malformed_address_gets_a_french_error(client, home):
    response = client.post(RESET, {"email": "pas-une-adresse"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez une adresse électronique valide" in html
    assert 'value="pas-une-adresse"' in html


def test_asking_again_within_minutes_sends_one_email(client, alice, django_capture_on_commit_callbacks):
    for _attempt in range(3):
        ask(client, "alice.martin@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_the_link_sets_a_new_password_once(client, alice, django_capture_on_commit_callbacks):
    ask(client, "alice.martin@example.org", django_capture_on_commit_callbacks)
    link = reset_path(mail.outbox[0])

    response = client.get(link)
    assert response.status_code == 302  # the token moves into the session, out of the address bar
    form_url = response["Location"]
    assert form_url.endswith("/choisir/")
    page = client.get(form_url)
    html = page.content.decode()
    assert "Choisir un nouveau mot de passe" in html
    assert "alice.martin@example.org" in html
    assert "private" in page["Cache-Control"]

    refused = client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert refused.status_code == 200
    assert "trop court" in refused.content.decode()

    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/mot-de-passe/modifie/"
    assert "Mot de passe modifié" in client.get(done["Location"]).content.decode()

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    fresh = Client()
    fresh.post("/connexion/", {"username": "alice", "password": NEW_PASSWORD})
    assert signed_in(fresh)

    # Single use: the same link no longer works, in a new browser or this one.
    for browser in (Client(), client):
        again = browser.get(link, follow=True)
        assert "Ce lien ne fonctionne plus" in again.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_altered_link_does_not_work(client, alice, django_capture_on_commit_callbacks):
    ask(client, "alice.martin@example.org", django_capture_on_commit_callbacks)
    link = reset_path(mail.outbox[0])
    response = client.get(link[:-4] + "abc/", follow=True)
    assert response.status_code == 200
    assert "Ce lien ne fonctionne plus" in response.content.decode()


def test_setting_a_new_password_lifts_the_accounts_lock_out(
    client, alice, django_capture_on_commit_callbacks
):
    attacker = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            "/connexion/",
            {"username": "alice", "password": "mauvais"},
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
    assert client.post("/connexion/", {"username": "alice", "password": PASSWORD}).status_code == 429

    ask(client, "alice.martin@example.org", django_capture_on_commit_callbacks)
    form_url = client.get(reset_path(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post("/connexion/", {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
