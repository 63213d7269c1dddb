"""Members sign in and out on the public site (issue 16, item 1): /connexion/ and /deconnexion/, the
header's links, the lock-out, and where a members-only page sends an anonymous reader."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

import pytest

from councils.factories import UserFactory
from councils.services import council_add_member

from .public_helpers import PASSWORD, is_private, members_page, signed_in

pytestmark = pytest.mark.django_db

SIGN_IN = "/connexion/"
SIGN_OUT = "/deconnexion/"
MEMBER_SPACE = "/mon-espace/"


@pytest.fixture
def alice(council_a):
    user = UserFactory(
        username="alice",
        email="alice.martin@example.org",
        first_name="Alice",
        last_name="Martin",
        password=PASSWORD,
    )
    council_add_member(council=council_a, user=user)
    return user


def sign_in(client, login, password=PASSWORD, next_url=None, ip="203.0.113.7"):
    data = {"username": login, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN, data, REMOTE_ADDR=ip)


def test_the_routes_are_french_and_named():
    assert reverse("accounts:sign_in") == SIGN_IN
    assert reverse("accounts:sign_out") == SIGN_OUT
    assert reverse("accounts:member_space") == MEMBER_SPACE
    assert reverse("accounts:password_reset") == "/mot-de-passe/"


def test_the_sign_in_page_is_in_the_site_layout_in_french_and_private(client, home):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "base.html" in [t.name for t in response.templates]
    assert '<h1 class="page-title">Se connecter</h1>' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'href="/mot-de-passe/"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert is_private(response)


def test_a_member_signs_in_with_their_email_in_any_case(client, alice):
    response = sign_in(client, "Alice.Martin@EXAMPLE.org")
    assert response.status_code == 302
    assert response["Location"] == MEMBER_SPACE
    assert signed_in(client)


def test_a_member_signs_in_with_their_user_name(client, alice):
    response = sign_in(client, "ALICE")
    assert response.status_code == 302
    assert signed_in(client)


def test_wrong_credentials_get_a_french_message_and_keep_what_was_typed(client, alice):
    response = sign_in(client, "alice.martin@example.org", "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert not signed_in(client)
    html = response.content.decode()
    assert "ne correspondent pas" in html
    assert 'role="alert"' in html
    assert 'value="alice.martin@example.org"' in html
    assert "mauvais-mot-de-passe" not in html


def test_an_unknown_account_gets_the_same_message(client, alice):
    known = sign_in(client, "alice", "mauvais").content.decode()
    unknown = sign_in(Client(), "personne", "mauvais").content.decode()
    assert "ne correspondent pas" in known and "ne correspondent pas" in unknown


def test_an_empty_form_asks_in_french(client, home):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez votre adresse électronique ou votre nom d" in html
    assert "Saisissez votre mot de passe." in html
    assert 'href="#id_username"' in html and 'aria-invalid="true"' in html


def test_a_locked_out_account_gets_a_french_page_with_a_way_out(client, alice):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "mauvais")
    response = sign_in(client, "alice")  # the right password, refused while locked
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "Trop de tentatives de connexion" in html
    assert 'href="/mot-de-passe/"' in html
    assert "base.html" in [t.name for t in response.templates]


def test_a_safe_next_is_followed(client, alice, council_a):
    response = sign_in(client, "alice", next_url=council_a.url)
    assert response.status_code == 302
    assert response["Location"] == council_a.url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/conseils/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/deconnexion/",
        "/connexion/?next=/mon-espace/",
    ],
)
def test_an_unsafe_or_looping_next_is_ignored(client, alice, next_url):
    response = sign_in(client, "alice", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == MEMBER_SPACE


def test_the_form_carries_a_safe_next_and_drops_an_external_one(client, council_a):
    assert (
        'name="next" value="/conseils/centre/"'
        in client.get(SIGN_IN + "?next=/conseils/centre/").content.decode()
    )
    html = client.get(SIGN_IN + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html
    assert 'name="next"' not in html


def test_a_members_only_page_sends_an_anonymous_reader_to_the_sign_in_page(client, council_a, alice):
    page = members_page(council_a, "Compte rendu du bureau", "bureau")
    response = client.get(page.url)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={page.url}"
    assert is_private(response)
    signed = sign_in(client, "alice", next_url=page.url)
    assert signed["Location"] == page.url
    assert "Compte rendu du bureau" in client.get(page.url).content.decode()


def test_another_councils_member_is_told_their_account_does_not_open_the_page(client, council_a, council_b):
    page = members_page(council_a, "Compte rendu du bureau", "bureau")
    bob = UserFactory(username="bob", password=PASSWORD)
    council_add_member(council=council_b, user=bob)
    client.force_login(bob)
    response = client.get(page.url, follow=True)
    assert response.redirect_chain[-1][0] == f"{SIGN_IN}?next={page.url}"
    html = response.content.decode()
    assert "ne donne pas accès à cette page" in html
    assert "Compte rendu du bureau" not in html


# -- Sign-out ----------------------------------------------------------------------------------------


def test_sign_out_by_get_only_asks_to_confirm(client, alice):
    client.force_login(alice)
    response = client.get(SIGN_OUT)
    assert response.status_code == 200
    assert signed_in(client)
    html = response.content.decode()
    assert 'method="post" action="/deconnexion/"' in html
    assert "Alice Martin" in html
    assert is_private(response)


def test_sign_out_by_post_signs_out_and_says_so(client, alice):
    client.force_login(alice)
    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert response["Location"] == SIGN_OUT
    assert not signed_in(client)
    page = client.get(SIGN_OUT)
    assert "Vous êtes déconnecté" in page.content.decode()
    assert client.get(MEMBER_SPACE).status_code == 302


def test_sign_out_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(SIGN_OUT).status_code == 403
    assert signed_in(client)


def test_other_methods_are_refused(client, alice):
    client.force_login(alice)
    assert client.put(SIGN_OUT).status_code == 405
    assert signed_in(client)


# -- The header --------------------------------------------------------------------------------------


def test_an_anonymous_header_offers_sign_in_and_stays_cacheable(client, council_a):
    response = client.get(council_a.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(f'href="{SIGN_IN}"') == 2  # the bar (wide screens) and the phone menu
    assert "Se déconnecter" not in html
    assert "csrfmiddlewaretoken" not in html
    assert not is_private(response)


def test_a_signed_in_header_offers_my_space_and_a_sign_out_button_and_is_private(client, alice, council_a):
    client.force_login(alice)
    response = client.get(council_a.url)
    html = response.content.decode()
    assert f'href="{MEMBER_SPACE}"' in html
    assert html.count('<form class="account-nav__form" method="post" action="/deconnexion/">') == 2
    assert "Se déconnecter" in html
    assert 'href="/connexion/' not in html
    assert is_private(response)
    assert "Cookie" in response.get("Vary", "")
