"""The city-wide agenda (/agenda/): list, filters, month view and its query budget."""

import re
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine

from events.models import AGENDA_PER_PAGE, EventIndexPage
from events.tests.helpers import meeting_make_private, meeting_publish, paris
from meetings.models import MeetingPage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agenda(home):
    return EventIndexPage.objects.get()


def meeting_links(response):
    return re.findall(
        r'<h3 class="[^"]*\bagenda-item__title\b[^"]*"><a href="([^"]+)"', response.content.decode()
    )


def test_agenda_lives_at_agenda_and_renders_for_anyone(client, agenda):
    assert agenda.url == "/agenda/"
    response = client.get("/agenda/")
    assert response.status_code == 200
    assert b"<h1>" in response.content
    assert b'class="agenda__empty"' in response.content


def test_agenda_lists_upcoming_public_meetings_of_every_council_by_day(
    client, agenda, council_a, council_b, council_factory
):
    first = meeting_publish(council_a, title="Centre : séance", start=paris(2026, 9, 15, 18, 30))
    same_day = meeting_publish(council_b, title="Biollay : séance", start=paris(2026, 9, 15, 20))
    later = meeting_publish(council_b, title="Biollay : atelier", start=paris(2026, 10, 3, 10))
    past = meeting_publish(council_a, title="Passée", start=paris(2026, 6, 1, 18))
    private = meeting_publish(council_a, title="Privée", start=paris(2026, 9, 20, 18))
    meeting_make_private(private, council_a)
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    practice = meeting_publish(sandbox, title="Exercice", start=paris(2026, 9, 16, 18))

    response = client.get("/agenda/")
    html = response.content.decode()
    assert meeting_links(response) == [first.url, same_day.url, later.url]
    for hidden in (past, private, practice):
        assert hidden.url not in html
        assert hidden.title not in html
    # Two days, each a heading and an anchor; the council is named under each meeting.
    assert 'id="jour-2026-09-15"' in html
    assert 'id="jour-2026-10-03"' in html
    assert html.count('class="agenda-day"') == 2
    assert "Conseil de quartier Centre" in html
    assert "Conseil de quartier Biollay" in html


def test_a_meeting_on_a_daylight_saving_sunday_is_listed_on_that_day_at_18h(client, agenda, council_a):
    meeting_publish(council_a, start=paris(2026, 10, 25, 18))
    html = client.get("/agenda/").content.decode()
    assert 'id="jour-2026-10-25"' in html
    assert 'datetime="2026-10-25T18:00:00+01:00"' in html


def test_agenda_filters_by_council(client, agenda, council_a, council_b):
    mine = meeting_publish(council_a, title="Centre", start=paris(2026, 9, 15, 18))
    meeting_publish(council_b, title="Biollay", start=paris(2026, 9, 16, 18))
    response = client.get("/agenda/", {"conseil": "centre"})
    assert meeting_links(response) == [mine.url]
    assert response.context["council"] == council_a
    assert 'value="centre" selected' in response.content.decode()


def test_agenda_filters_by_month_including_the_months_past_days(client, agenda, council_a):
    with time_machine.travel(datetime(2026, 12, 10, 9, tzinfo=UTC), tick=False):
        early = meeting_publish(council_a, title="Début", start=paris(2026, 12, 1, 18))
        late = meeting_publish(council_a, title="Fin", start=paris(2026, 12, 31, 22))
        meeting_publish(council_a, title="Janvier", start=paris(2027, 1, 1, 0, 30))
        meeting_publish(council_a, title="Novembre", start=paris(2026, 11, 30, 18))
        response = client.get("/agenda/", {"mois": "2026-12"})
    assert meeting_links(response) == [early.url, late.url]
    assert 'value="2026-12" selected' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"conseil": "nulle-part"},
        {"mois": "decembre"},
        {"mois": "2026-13"},
        {"mois": "0000-01"},
        {"mois": "2026-12", "conseil": "<script>"},
        {"page": "abc"},
    ],
)
def test_bad_filters_show_a_message_and_the_unfiltered_list(client, agenda, council_a, council_b, query):
    a = meeting_publish(council_a, title="Centre", start=paris(2026, 9, 15, 18))
    b = meeting_publish(council_b, title="Biollay", start=paris(2026, 9, 16, 18))
    response = client.get("/agenda/", query)
    assert response.status_code == 200
    html = response.content.decode()
    if "page" not in query:
        assert 'class="notice notice--warning agenda-filters__errors" role="status"' in html
        assert response.context["form"].errors
    if "mois" not in query or query.get("mois") != "2026-12":
        assert meeting_links(response) == [a.url, b.url]
    assert "<script>" not in html.split("<main", 1)[1]


def test_filter_form_has_labels_for_its_fields(client, agenda, council_a):
    html = client.get("/agenda/").content.decode()
    assert '<label for="id_conseil">' in html
    assert '<label for="id_mois">' in html
    assert '<form class="agenda-filters" method="get" action="/agenda/">' in html


def test_month_view_is_an_accessible_calendar_grid_linking_to_its_days(client, agenda, council_a, council_b):
    meeting_publish(council_a, title="Centre", start=paris(2026, 12, 8, 18, 30))
    meeting_publish(council_b, title="Biollay", start=paris(2026, 12, 8, 20))
    meeting_publish(council_b, title="Noël", start=paris(2026, 12, 21, 18))
    response = client.get("/agenda/mois/2026/12/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and "<caption" in html
    assert html.count('<th scope="col">') == 7
    assert html.count("<tr>") == 1 + 5  # header + five weeks (December 2026 starts on a Tuesday)
    assert html.count('href="#jour-2026-12-08"') == 1
    assert html.count('href="#jour-2026-12-21"') == 1
    assert 'id="jour-2026-12-08"' in html
    assert 'href="/agenda/mois/2026/11/"' in html
    assert 'href="/agenda/mois/2027/1/"' in html
    assert len(meeting_links(response)) == 3


def test_month_view_keeps_the_council_filter(client, agenda, council_a, council_b):
    mine = meeting_publish(council_a, title="Centre", start=paris(2026, 12, 8, 18, 30))
    meeting_publish(council_b, title="Biollay", start=paris(2026, 12, 9, 18))
    response = client.get("/agenda/mois/2026/12/", {"conseil": "centre"})
    assert meeting_links(response) == [mine.url]
    assert 'href="/agenda/mois/2027/1/?conseil=centre"' in response.content.decode()


def test_month_view_marks_today(client, agenda):
    html = client.get("/agenda/mois/2026/9/").content.decode()
    assert html.count('aria-current="date"') == 1


@pytest.mark.parametrize("url", ["/agenda/mois/2026/13/", "/agenda/mois/2026/0/", "/agenda/mois/1900/1/"])
def test_impossible_months_are_not_found(client, agenda, url):
    assert client.get(url).status_code == 404


def test_agenda_links_to_the_month_view_and_the_city_feed(client, agenda):
    html = client.get("/agenda/").content.decode()
    assert 'href="/agenda/mois/2026/9/"' in html
    assert 'href="/agenda/calendrier/"' in html


def test_agenda_paginates_a_long_list(client, agenda, council_a):
    for n in range(55):
        meeting_publish(
            council_a, title=f"S{n}", start=paris(2026, 9, 2, 18) + timedelta(days=n), publish=False
        )
    first = client.get("/agenda/")
    second = client.get("/agenda/", {"page": 2})
    assert len(meeting_links(first)) == 50
    assert len(meeting_links(second)) == 5


def test_agenda_and_month_view_run_the_same_number_of_queries_for_more_meetings_than_a_page(
    client, agenda, council_factory, django_assert_num_queries
):
    councils = [council_factory(title=f"Conseil {n}", slug=f"conseil-{n}") for n in range(3)]
    start = paris(2026, 9, 2, 18)
    # One meeting in each listing measured, so that each does all its work once before the others.
    meeting_publish(councils[1], title="Première", start=paris(2026, 10, 5, 18), publish=False)
    urls = ["/agenda/", "/agenda/mois/2026/10/", "/agenda/?conseil=conseil-1", "/agenda/?mois=2026-10"]
    baseline = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baseline[url] = len(queries)

    for n in range(1, AGENDA_PER_PAGE + 5):
        meeting_publish(
            councils[n % 3], title=f"Séance {n}", start=start + timedelta(hours=20 * n), publish=False
        )
    assert MeetingPage.objects.count() == AGENDA_PER_PAGE + 5
    for url in urls:
        with django_assert_num_queries(baseline[url]):
            response = client.get(url)
        assert meeting_links(response)
    assert max(baseline.values()) <= 20
