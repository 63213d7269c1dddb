"""Security headers (issue 13, item 6): a Content-Security-Policy and a Permissions-Policy on every
page, and `Cache-Control: private` on everything that depends on who asks."""

import hashlib
import re
from base64 import b64encode

from django.core.files.base import ContentFile
from django.urls import reverse

from wagtail.models import PageViewRestriction

import pytest

from documents.services import document_create
from events.tests.helpers import meeting_make_private, meeting_publish, paris

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def is_private(response):
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control or "no-store" in cache_control


@pytest.fixture
def meetings(council_a, time_machine):
    time_machine.move_to(paris(2026, 11, 2, 10), tick=False)
    public = meeting_publish(council_a, title="Séance publique", start=paris(2026, 12, 8, 18, 30))
    private = meeting_publish(council_a, title="Séance à huis clos", start=paris(2026, 12, 10, 18, 30))
    meeting_make_private(private, council_a)
    return {"public": public, "private": private}


@pytest.fixture
def private_document(council_a):
    return document_create(
        title="Note interne",
        file=ContentFile(b"%PDF-1.4 secret", name="note-interne.pdf"),
        collection=council_a.access.private_collection,
        kind="report",
    )


def test_an_anonymous_public_page_has_a_strict_policy_and_stays_cacheable(client, meetings):
    response = client.get(meetings["public"].url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "https://www.youtube-nocookie.com" in policy["frame-src"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert not is_private(response)


def test_the_inline_site_colours_are_allowed_by_their_hash_not_a_nonce(client, home):
    """A nonce differs on every response: a page the shared cache keeps for everyone cannot carry one."""
    response = client.get("/")
    html = response.content.decode()
    css = re.search(r"<style>(:root\{--colour-primary:.*?)</style>", html).group(1)
    digest = b64encode(hashlib.sha256(css.encode()).digest()).decode()
    style_src = directives(response)["style-src"]
    assert f"'sha256-{digest}'" in style_src
    assert not any(v.startswith("'nonce-") for v in style_src)
    assert "nonce=" not in html
    assert "<script>" not in html
    assert client.get("/")["Content-Security-Policy"] == response["Content-Security-Policy"]


def test_a_public_page_seen_by_a_signed_in_person_is_private(client, meetings, member_a):
    client.force_login(member_a)
    response = client.get(meetings["public"].url)
    assert response.status_code == 200
    assert is_private(response)


def test_a_members_only_page_served_to_the_member_is_private(client, meetings, member_a):
    client.force_login(member_a)
    response = client.get(meetings["private"].url)
    assert response.status_code == 200
    assert is_private(response)


def test_the_redirect_to_sign_in_for_a_members_only_page_is_private(client, meetings):
    response = client.get(meetings["private"].url)
    assert response.status_code == 302
    assert is_private(response)


def test_a_password_protected_page_is_private_even_for_anonymous_visitors(client, meetings):
    PageViewRestriction.objects.create(
        page=meetings["public"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get(meetings["public"].url)
    assert response.status_code == 200
    assert is_private(response)


def test_a_password_protected_page_stays_private_after_the_password_is_given(client, meetings):
    page = meetings["public"]
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    client.post(url, {"password": "secret", "return_url": page.url})
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Séance publique" in response.content.decode()
    assert is_private(response)


def test_a_private_document_served_to_the_member_is_private(client, private_document, member_a):
    client.force_login(member_a)
    response = client.get(private_document.url)
    assert response.status_code == 200
    assert is_private(response)


def test_the_redirect_to_sign_in_for_a_private_document_is_private(client, private_document):
    response = client.get(private_document.url)
    assert response.status_code == 302
    assert is_private(response)


def test_an_anonymous_page_with_a_form_is_private(client, home):
    response = client.get(reverse("wagtailcore_login"))
    assert response.status_code == 200
    assert is_private(response)


def test_admin_pages_carry_the_admin_policy(client, city_staff):
    client.force_login(city_staff)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "Permissions-Policy" in response
    assert is_private(response)


def test_the_admin_sign_in_page_carries_the_admin_policy_and_is_private(client, db):
    response = client.get(reverse("wagtailadmin_login"))
    assert "'unsafe-inline'" in directives(response)["style-src"]
    assert is_private(response)


def test_the_standalone_error_page_style_is_allowed_by_its_hash(client, home):
    response = client.get("/page-qui-n-existe-pas/")
    assert response.status_code == 404
    assert any(v.startswith("'sha256-") for v in directives(response)["style-src"])


def test_the_inline_style_of_the_standalone_400_page_is_allowed_by_its_hash(client, home):
    response = client.get("/?q=%00")
    assert response.status_code == 400
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), flags=re.DOTALL).group(1)
    digest = b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(response)["style-src"]
