"""The city agenda lists meetings and events together: filters (council, type, month), the month grid,
privacy, pagination in the database and the query budget."""

import re
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine

from core.dated import dated_pages_listed
from core.tests.dated_helpers import (
    event_make_private,
    event_publish,
    meeting_make_private,
    meeting_publish,
    paris,
)
from events.models import AGENDA_PER_PAGE, EventPage
from meetings.models import MeetingPage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agenda(home):
    from events.models import EventIndexPage

    return EventIndexPage.objects.get()


def item_links(response):
    return re.findall(
        r'<h3 class="[^"]*\bagenda-item__title\b[^"]*"><a href="([^"]+)"', response.content.decode()
    )


def articles(response):
    return re.findall(
        r'<article class="[^"]*agenda-item--(\w+).*?</article>', response.content.decode(), re.S
    )


@pytest.fixture
def both_kinds(agenda, council_a, council_b):
    """A meeting and an event of each council, and a city event, in September and October 2026."""
    return {
        "meeting_a": meeting_publish(council_a, title="Séance du Centre", start=paris(2026, 9, 15, 18, 30)),
        "event_a": event_publish(council_a, title="Fête du Centre", start=paris(2026, 9, 15, 14)),
        "meeting_b": meeting_publish(council_b, title="Séance de Biollay", start=paris(2026, 10, 6, 18)),
        "event_b": event_publish(council_b, title="Forum de Biollay", start=paris(2026, 10, 3, 10)),
        "city": event_publish(title="Rencontre des utilisateurs", start=paris(2026, 9, 20, 9, 30), hours=8),
    }


def test_agenda_lists_meetings_and_events_together_in_order_of_start(client, both_kinds):
    response = client.get("/agenda/")
    items = both_kinds
    assert item_links(response) == [
        items[name].url for name in ("event_a", "meeting_a", "city", "event_b", "meeting_b")
    ]
    assert articles(response) == ["event", "meeting", "event", "event", "meeting"]


def article_of(html, title):
    (found,) = [a for a in html.split("<article")[1:] if title in a]
    return found.split("</article>", 1)[0]


def test_each_agenda_item_shows_its_kind_time_place_and_holder(client, both_kinds):
    html = client.get("/agenda/").content.decode()
    city = article_of(html, "Rencontre des utilisateurs")
    assert "agenda-item--event" in city
    assert 'class="badge badge--event"' in city
    assert 'datetime="2026-09-20T09:30:00+02:00"' in city
    assert "Maison des associations" in city
    holder = re.search(r'agenda-item__holder">([^<]*)<', city).group(1)
    assert holder.strip() and "Conseil" not in holder  # the city ("Ville"), not a council
    assert "Une journée d’échanges entre habitants." in city  # the event's summary
    council_event = article_of(html, "Fête du Centre")
    assert re.search(r'agenda-item__holder">Conseil de quartier Centre<', council_event)
    meeting = article_of(html, "Séance du Centre")
    assert 'class="badge badge--meeting"' in meeting
    assert "agenda-item--meeting" in meeting


def test_agenda_filters_by_council_keeping_its_meetings_and_events(client, both_kinds):
    response = client.get("/agenda/", {"conseil": "centre"})
    assert item_links(response) == [both_kinds["event_a"].url, both_kinds["meeting_a"].url]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("evenements", ["event_a", "city", "event_b"]),
        ("reunions", ["meeting_a", "meeting_b"]),
        ("", ["event_a", "meeting_a", "city", "event_b", "meeting_b"]),
    ],
)
def test_agenda_filters_by_type(client, both_kinds, kind, expected):
    response = client.get("/agenda/", {"type": kind})
    assert item_links(response) == [both_kinds[name].url for name in expected]
    assert not response.context["form"].errors
    if kind:
        assert f'value="{kind}" selected' in response.content.decode()


def test_agenda_filters_combine_council_type_and_month(client, both_kinds):
    response = client.get("/agenda/", {"conseil": "biollay", "type": "evenements", "mois": "2026-10"})
    assert item_links(response) == [both_kinds["event_b"].url]


@pytest.mark.parametrize("kind", ["concerts", "<script>", "REUNIONS", "reunions "])
def test_an_unknown_type_shows_a_french_message_and_both_kinds(client, both_kinds, kind):
    response = client.get("/agenda/", {"type": kind})
    html = response.content.decode()
    assert response.status_code == 200
    assert "type" in response.context["form"].errors
    assert 'class="notice notice--warning agenda-filters__errors" role="status"' in html
    assert len(item_links(response)) == 5
    assert "<script>" not in html.split("<main", 1)[1]


def test_type_filter_has_a_label(client, agenda):
    html = client.get("/agenda/").content.decode()
    assert '<label for="id_type">' in html
    assert '<select name="type" id="id_type">' in html


def test_month_view_lists_and_counts_both_kinds(client, both_kinds):
    # A second item on the 15th of September: the Centre's meeting and its event share the day.
    response = client.get("/agenda/mois/2026/9/")
    html = response.content.decode()
    assert item_links(response) == [both_kinds[n].url for n in ("event_a", "meeting_a", "city")]
    grid = {
        week_day["date"].day: week_day["count"]
        for week in response.context["weeks"]
        for week_day in week
        if week_day
    }
    assert grid[15] == 2
    assert grid[20] == 1
    assert sum(grid.values()) == 3
    assert html.count('href="#jour-2026-09-15"') == 1
    assert "(3)" in html.split("<caption", 1)[1].split("</caption>", 1)[0]


def test_month_view_filters_by_type_and_its_links_keep_the_filters(client, both_kinds):
    response = client.get("/agenda/mois/2026/10/", {"type": "evenements", "conseil": "biollay"})
    html = response.content.decode()
    assert item_links(response) == [both_kinds["event_b"].url]
    grid_total = sum(d["count"] for week in response.context["weeks"] for d in week if d)
    assert grid_total == 1
    assert 'href="/agenda/mois/2026/11/?conseil=biollay&amp;type=evenements"' in html
    assert 'href="/agenda/?conseil=biollay&amp;type=evenements"' in html


def test_members_only_draft_past_and_sandbox_events_never_appear_in_the_agenda(
    client, agenda, council_a, council_factory, member_a
):
    public = event_publish(council_a, title="Publique", start=paris(2026, 9, 10, 18))
    private = event_publish(council_a, title="Réservée", start=paris(2026, 9, 11, 18))
    event_make_private(private, council_a)
    city_private = event_publish(title="Ville réservée", start=paris(2026, 9, 11, 19))
    event_make_private(city_private, council_a)
    draft = event_publish(council_a, title="Brouillon", start=paris(2026, 9, 12, 18))
    draft.unpublish()
    past = event_publish(council_a, title="Passée", start=paris(2026, 8, 1, 18))
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    practice = event_publish(sandbox, title="Exercice", start=paris(2026, 9, 13, 18))
    private_meeting = meeting_publish(council_a, title="Séance réservée", start=paris(2026, 9, 14, 18))
    meeting_make_private(private_meeting, council_a)

    client.force_login(member_a)  # the agenda is a public listing: the same for members
    for url in ("/agenda/", "/agenda/mois/2026/9/", "/agenda/?conseil=centre", "/agenda/?type=evenements"):
        response = client.get(url)
        html = response.content.decode()
        assert item_links(response) == [public.url], url
        for hidden in (private, city_private, draft, practice, private_meeting):
            assert hidden.title not in html, (url, hidden.title)
    assert past.title in client.get("/agenda/mois/2026/8/").content.decode()


def test_agenda_paginates_both_kinds_in_the_database(client, agenda, council_a):
    start = paris(2026, 9, 2, 18)
    for n in range(30):
        meeting_publish(council_a, title=f"S{n}", start=start + timedelta(days=n), publish=False)
        event_publish(council_a, title=f"E{n}", start=start + timedelta(days=n, hours=1), publish=False)
    first = client.get("/agenda/")
    second = client.get("/agenda/", {"page": 2})
    assert len(item_links(first)) == AGENDA_PER_PAGE == 50
    assert len(item_links(second)) == 10
    assert articles(first)[:4] == ["meeting", "event", "meeting", "event"]
    assert first.context["page_obj"].paginator.count == 60


def test_dated_pages_listed_orders_slices_and_fetches_in_a_constant_number_of_queries(
    agenda, council_a, django_assert_num_queries
):
    start = paris(2026, 9, 2, 18)
    for n in range(12):
        meeting_publish(council_a, title=f"S{n}", start=start + timedelta(days=n), publish=False)
        event_publish(title=f"E{n}", start=start + timedelta(days=n, hours=-1), publish=False)
    querysets = [MeetingPage.objects.filter(live=True), EventPage.objects.filter(live=True)]
    # A count, a slice of the union, then one query per page type.
    with django_assert_num_queries(4):
        page_obj, items = dated_pages_listed(querysets, per_page=5, page_number=2)
    assert [item.title for item in items] == ["S2", "E3", "S3", "E4", "S4"]
    assert page_obj.paginator.num_pages == 5
    with django_assert_num_queries(3):
        _, everything = dated_pages_listed(querysets)
    assert [type(item) for item in everything[:2]] == [EventPage, MeetingPage]
    assert len(everything) == 24


def test_agenda_and_month_view_run_the_same_number_of_queries_for_both_kinds_beyond_a_page(
    client, agenda, council_factory, django_assert_num_queries
):
    councils = [council_factory(title=f"Conseil {n}", slug=f"conseil-{n}") for n in range(3)]
    start = paris(2026, 9, 2, 18)
    meeting_publish(councils[1], title="Première", start=paris(2026, 10, 5, 18), publish=False)
    event_publish(councils[1], title="Fête", start=paris(2026, 10, 5, 20), publish=False)
    event_publish(title="Ville", start=paris(2026, 10, 6, 20), publish=False)
    urls = [
        "/agenda/",
        "/agenda/mois/2026/10/",
        "/agenda/?conseil=conseil-1",
        "/agenda/?mois=2026-10",
        "/agenda/?type=evenements",
        "/agenda/mois/2026/10/?type=reunions",
    ]
    baseline = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baseline[url] = len(queries)

    for n in range(1, AGENDA_PER_PAGE):
        meeting_publish(
            councils[n % 3], title=f"Séance {n}", start=start + timedelta(hours=20 * n), publish=False
        )
        event_publish(
            councils[n % 3], title=f"Fête {n}", start=start + timedelta(hours=20 * n + 2), publish=False
        )
        event_publish(title=f"Ville {n}", start=start + timedelta(hours=20 * n + 3), publish=False)
    for url in urls:
        client.get(url)  # warm again: publishing purged the fragment cache (core.http_cache.cached)
        with django_assert_num_queries(baseline[url]):
            response = client.get(url)
        assert item_links(response), url
    assert max(baseline.values()) <= 22
