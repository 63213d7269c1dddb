"""Council pages for the public: creation rules, rendering, the sandbox kept out, query budgets."""

import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

import pytest

from blog.models import BlogIndexPage
from councils.models import CouncilIndexPage, CouncilKind, CouncilPage
from documents.models import DocumentIndexPage
from events.models import EventPage
from home.models import HomePage, StandardPage
from home.tests.content import council_with_content, councils_create, image_create
from meetings.models import MeetingIndexPage

pytestmark = pytest.mark.django_db


def _get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _header(html):
    return html[html.index("<header") : html.index("</header>")]


def _main(html):
    return html[html.index("<main") : html.index("</main>")]


# -- Creation rules ----------------------------------------------------------------------------------


def test_council_index_is_created_once_under_the_home_page(home, council_index):
    assert CouncilIndexPage.allowed_parent_page_models() == [HomePage]
    assert not CouncilIndexPage.can_create_at(home), "max_count = 1: the index already exists"
    assert CouncilIndexPage.allowed_subpage_models() == [CouncilPage]


def test_council_page_is_created_only_under_the_council_index(home, council_index, council_a):
    assert CouncilPage.can_create_at(council_index)
    assert not CouncilPage.can_create_at(home)
    assert not CouncilPage.can_create_at(council_a)
    assert not CouncilPage.can_create_at(Page.get_first_root_node())


def test_council_page_holds_meetings_documents_news_events_standard_pages_groups_and_proposals(council_a):
    from councils.models import WorkingGroupIndexPage
    from participation.models import ProposalIndexPage

    assert set(CouncilPage.allowed_subpage_models()) == {
        WorkingGroupIndexPage,
        ProposalIndexPage,
        MeetingIndexPage,
        DocumentIndexPage,
        BlogIndexPage,
        EventPage,
        StandardPage,
    }


def test_council_with_a_cover_image_but_no_alternative_text_is_refused(council_a):
    council = council_a
    council.cover_image = image_create()
    council.cover_image_alt = "  "
    with pytest.raises(ValidationError) as error:
        council.full_clean()
    assert "cover_image_alt" in error.value.message_dict
    council.cover_image_alt = "La place du village en fête"
    council.full_clean()


# -- Rendering ---------------------------------------------------------------------------------------


def test_council_index_lists_councils_by_kind_with_their_next_meeting(client, council_factory):
    council_with_content(council_factory, title="Conseil Centre", slug="centre")
    council_factory(title="Assemblée citoyenne", slug="assemblee", kind=CouncilKind.ASSEMBLY)

    main = _main(_get_ok(client, "/conseils/"))

    headings = re.findall(r'<h2 class="section__title" id="kind-\d+">([^<]+)</h2>', main)
    assert len(headings) == 2, "one section per kind that has councils"
    centre = main[main.index('href="/conseils/centre/"') :]
    centre = centre[: centre.index("</article>")]
    assert re.search(r'<time datetime="[^"]+">[^<]+</time>', centre), "its next meeting's date"
    assembly = main[main.index('href="/conseils/assemblee/"') :]
    assembly = assembly[: assembly.index("</article>")]
    assert '<p class="card__next">' in assembly and "<time" not in assembly


def test_council_page_shows_its_cover_kind_area_next_meeting_minutes_sections_and_contact(
    client, council_factory
):
    council = council_with_content(council_factory, title="Conseil Centre", slug="centre")
    main = _main(_get_ok(client, council.url))

    assert '<h1 class="page-title">Conseil Centre</h1>' in main
    assert re.search(r'<img alt="Les habitants réunis, Conseil Centre"[^>]+fill-1200x400', main)
    assert council.get_kind_display() in main
    assert "Rue de la République, place du Marché" in main
    assert "Séance à venir Conseil Centre" in main
    assert 'href="/conseils/centre/reunions/' in main and "Séance passée Conseil Centre" in main
    assert 'href="/conseils/centre/reunions/"' in main and 'href="/conseils/centre/qui-sommes-nous/"' in main
    assert 'href="mailto:centre@example.org"' in main


def test_council_page_without_meetings_or_image_still_renders(client, council_a):
    main = _main(_get_ok(client, council_a.url))
    assert '<h1 class="page-title">Conseil de quartier Centre</h1>' in main
    assert "<img" not in main


def test_the_header_menu_lists_the_councils_and_marks_the_current_one(client, council_a, council_b):
    header = _header(_get_ok(client, council_a.url))
    assert '<a class="council-menu__link" href="/conseils/centre/" aria-current="page">' in header
    assert '<a class="council-menu__link" href="/conseils/biollay/">' in header


def test_sandbox_council_is_absent_from_the_menu_the_council_index_and_the_home_page(
    client, council_factory, council_a
):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    for url in ("/", "/conseils/"):
        html = _get_ok(client, url)
        assert 'href="/conseils/centre/"' in html
        assert "bac-a-sable" not in html and "Bac à sable" not in html
    # The sandbox is closed to the public: only editors (who train on it) and the city read it.
    assert client.get(sandbox.url).status_code == 302


# -- Query budgets -----------------------------------------------------------------------------------


def test_public_pages_run_as_many_queries_with_10_councils_as_with_2(
    client, home, council_factory, django_assert_max_num_queries
):
    about = StandardPage(title="À propos", slug="a-propos", intro="La démarche.")
    home.add_child(instance=about)
    about.save_revision().publish()
    councils_create(council_factory, 2)
    urls = ["/", "/conseils/", "/conseils/conseil-01/", "/a-propos/", "/conseils/conseil-01/qui-sommes-nous/"]
    budgets = {}
    for url in urls:
        _get_ok(client, url)  # image renditions are made on the first view…
        cache.clear()  # …and then read from the database, not from the cache
        with CaptureQueriesContext(connection) as queries:
            _get_ok(client, url)
        budgets[url] = len(queries)

    # More councils than the city has (nine): a query per council would show eight times over.
    councils_create(council_factory, 8, start=2)
    for url in urls:
        _get_ok(client, url)
        cache.clear()
        with django_assert_max_num_queries(budgets[url]):
            html = _get_ok(client, url)
        assert 'href="/conseils/conseil-09/"' in html, "every council is in the header menu"
    assert html.count('class="council-menu__link"') == 10


def test_an_allowance_cannot_be_negative(council_a):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    council_a.allowance_per_session = Decimal("-20")
    with pytest.raises(ValidationError) as error:
        council_a.full_clean()
    assert "allowance_per_session" in error.value.message_dict
