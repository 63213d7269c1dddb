"""Consent texts in the admin: versions are created (highest + 1), never edited; an unused version may be
deleted, one a subscriber accepted may not (it is their proof of consent)."""

from django.contrib.messages import ERROR, get_messages
from django.urls import reverse

from wagtail.models import ModelLogEntry

import pytest

from councils.factories import UserFactory
from newsletter.admin_subscribers import consent_text_create
from newsletter.factories import SubscriberFactory, current_consent
from newsletter.models import ConsentText

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"newsletter_consent_texts:{name}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def used():
    consent = current_consent()
    SubscriberFactory(email="ada@example.org", consent_text=consent)
    return consent


def test_the_versions_are_listed_with_how_many_subscribers_accepted_each(client, superuser, used):
    unused = consent_text_create(text="Deuxième rédaction.")
    client.force_login(superuser)
    response = client.get(url("index"))
    assert response.status_code == 200
    rows = {row.pk: row.subscriber_count or 0 for row in response.context["object_list"]}
    assert rows == {used.pk: 1, unused.pk: 0}
    html = response.content.decode()
    assert url("inspect", used.pk) in html and url("add") in html
    assert url("edit", used.pk) not in html


def test_a_new_version_takes_the_next_number_and_keeps_the_others(client, superuser, used):
    client.force_login(superuser)
    top = ConsentText.objects.order_by("-version").first().version
    response = client.post(url("add"), {"text": "J’accepte de recevoir la lettre, version révisée."})
    assert response.status_code == 302
    created = ConsentText.objects.get(text="J’accepte de recevoir la lettre, version révisée.")
    assert created.version == top + 1
    used.refresh_from_db()
    assert used.version == top
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(created.pk)).exists()


def test_a_version_number_cannot_be_chosen(client, superuser, used):
    client.force_login(superuser)
    top = ConsentText.objects.order_by("-version").first().version
    client.post(url("add"), {"text": "Texte", "version": 1})
    assert ConsentText.objects.get(text="Texte").version == top + 1


def test_an_empty_text_is_refused_and_nothing_is_created(client, superuser, used):
    client.force_login(superuser)
    count = ConsentText.objects.count()
    response = client.post(url("add"), {"text": ""})
    assert response.status_code == 200 and response.context["form"].errors["text"]
    assert ConsentText.objects.count() == count


def test_no_version_is_ever_edited_not_even_by_a_superuser(client, superuser, used):
    client.force_login(superuser)
    for response in (client.get(url("edit", used.pk)), client.post(url("edit", used.pk), {"text": "Changé"})):
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    used.refresh_from_db()
    assert used.text != "Changé"


def test_an_unused_version_can_be_deleted(client, superuser, used):
    unused = consent_text_create(text="Brouillon jamais publié.")
    client.force_login(superuser)
    confirm = client.get(url("delete", unused.pk))
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert client.post(url("delete", unused.pk)).status_code == 302
    assert not ConsentText.objects.filter(pk=unused.pk).exists()


def test_a_version_someone_accepted_cannot_be_deleted(client, superuser, used):
    client.force_login(superuser)
    confirm = client.get(url("delete", used.pk))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'method="post"' not in html.split("data-parvis-consent-delete")[1]
    response = client.post(url("delete", used.pk))
    assert response.status_code == 302
    assert [m.level for m in get_messages(response.wsgi_request)] == [ERROR]
    assert ConsentText.objects.filter(pk=used.pk).exists()


def test_the_inspect_view_shows_the_whole_text(client, superuser, used):
    client.force_login(superuser)
    response = client.get(url("inspect", used.pk))
    assert response.status_code == 200 and used.text in response.content.decode()


def test_consent_text_create_numbers_versions_in_sequence(db):
    first = consent_text_create(text="a")
    second = consent_text_create(text="b")
    assert second.version == first.version + 1


def test_the_city_team_manages_consent_versions(client, city_staff, used):
    """Waits for the lead: add/view/delete_consenttext in councils.services.CITY_MODEL_PERMISSIONS."""
    client.force_login(city_staff)
    assert client.get(url("index")).status_code == 200
    assert client.post(url("add"), {"text": "Version de la ville."}).status_code == 302
    assert ConsentText.objects.filter(text="Version de la ville.").exists()
