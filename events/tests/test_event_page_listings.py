"""Upcoming events on the council's page and on the home page: listed events only, soonest first, and a
fixed number of queries whatever the number of events."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from events.models import EventPage
from events.tests.event_page_helpers import NOW, event_build, event_publish
from events.tests.helpers import paris
from images.factories import CouncilImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def card_titles(html, section_id):
    start = html.index(f'id="{section_id}"')
    block = html[start : html.index("</section>", start)]
    return re.findall(r'<a class="card__link" href="[^"]+">([^<]+)</a>', block)


def publish_at(parent, title, day, **fields):
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    fields = {"start": paris(2026, 3, day, 10), "end": paris(2026, 3, day, 12), **fields}
    return event_publish(parent, title=title, slug=slug, **fields)


def test_the_council_page_shows_its_next_listed_events_soonest_first(
    client, council_a, council_b, council_factory
):
    later = publish_at(council_a, "Fête de quartier", 20)
    sooner = publish_at(council_a, "Balade urbaine", 10)
    publish_at(council_a, "Troc de plantes", 25)
    publish_at(council_a, "Quatrième", 27)
    publish_at(council_a, "Passé", 1, end=paris(2026, 2, 1, 12), start=paris(2026, 2, 1, 10))
    private = publish_at(council_a, "Réservé aux membres", 12)
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(council_a.access.members_group)
    draft = event_build(title="Brouillon", slug="brouillon", start=paris(2026, 3, 11, 10))
    council_a.add_child(instance=draft)
    EventPage.objects.filter(pk=draft.pk).update(live=False)
    publish_at(council_b, "Chez les voisins", 9)
    publish_at(None, "Rencontre de la ville", 8)

    html = client.get(council_a.url).content.decode()

    assert card_titles(html, "council-events-title") == [sooner.title, later.title, "Troc de plantes"]
    assert _("Upcoming events") in html
    for hidden in ("Passé", "Réservé aux membres", "Brouillon", "Chez les voisins", "Rencontre de la ville"):
        assert hidden not in html


def test_a_council_without_upcoming_events_shows_no_events_section(client, council_a):
    assert "council-events-title" not in client.get(council_a.url).content.decode()


def test_the_home_page_shows_the_next_events_of_the_city_and_the_councils(client, council_a, council_factory):
    city = publish_at(None, "Rencontre des utilisateurs", 28, registration_mode="parvis", capacity=100)
    council = publish_at(council_a, "Balade urbaine", 10)
    publish_at(council_a, "Troc de plantes", 29)
    publish_at(council_a, "Plus tard", 30)
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    publish_at(sandbox, "Exercice", 5)
    cancelled = publish_at(None, "Concert annulé", 15, status="cancelled", cancellation_reason="Pluie.")

    html = client.get("/").content.decode()

    assert card_titles(html, "events-title") == [council.title, cancelled.title, city.title]
    assert "Exercice" not in html
    block = html[html.index('id="events-title"') :]
    assert _("City event") in block and "Conseil de quartier Centre" in block
    assert _("on registration") in block
    assert 'href="/agenda/?type=evenements"' in html


def test_the_home_page_has_no_events_section_without_events(client, home):
    assert 'id="events-title"' not in client.get("/").content.decode()


def _queries(client, url, django_assert_max_num_queries, budget):
    client.get(url)  # renditions are made on the first view…
    cache.clear()  # …and then read from the database, not from the cache
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_home_and_council_pages_cost_the_same_with_1_or_10_events(
    client, council_a, django_assert_max_num_queries
):
    image = CouncilImageFactory()

    def add(count, offset):
        for n in range(count):
            for parent in (None, council_a):
                publish_at(
                    parent,
                    f"Événement {'ville' if parent is None else 'conseil'} {offset + n}",
                    2 + offset + n,
                    lead_image=image,
                    lead_image_alt="Photo",
                )

    add(1, 0)
    few = {url: _queries(client, url, django_assert_max_num_queries, 40) for url in ("/", council_a.url)}
    add(9, 1)
    many = {url: _queries(client, url, django_assert_max_num_queries, 40) for url in ("/", council_a.url)}

    assert few == many
    assert len(card_titles(client.get("/").content.decode(), "events-title")) == 3


def test_an_ongoing_event_is_still_upcoming(client, council_a):
    publish_at(council_a, "Festival", 1, start=NOW - timedelta(hours=1), end=NOW + timedelta(days=1))

    assert card_titles(client.get(council_a.url).content.decode(), "council-events-title") == ["Festival"]
