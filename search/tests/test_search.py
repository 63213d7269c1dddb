"""The site search: French words without accents or plurals, results with their council, type, date and
extract, filters and pages, promoted results, who finds what, and any input without a server error."""

import json
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory
from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import UserFactory, working_group_create
from councils.models import CouncilIndexPage
from councils.services import communications_team_group, council_add_member
from councils.tests.worlds import (
    council_publish,
    keys_of,
    two_councils_build,
    world_built_once,
    world_fresh,
)
from documents.services import document_create
from home.factories import StandardPageFactory
from meetings.factories import MeetingPageFactory
from meetings.models import MeetingIndexPage
from search import views
from search.services import query_month_split, tsquery_text

SECRET = "confidentiel"


def _private_page(council, title):
    page = StandardPageFactory(
        parent=council, title=title, slug="espace-membres", intro=f"Notes {SECRET}les."
    )
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(
        council.access.members_group, council.access.editors_group, communications_team_group()
    )
    return page


def _document(collection, title, kind="other", description=""):
    return document_create(
        title=title,
        file=ContentFile(b"not really a PDF", name="document.pdf"),
        collection=collection,
        kind=kind,
        description=description,
    )


def build():
    built = two_councils_build()
    council_a, council_b = built["council_a"], built["council_b"]
    member_b = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=member_b)
    wg_member = UserFactory(username="membre-groupe")
    working_group = working_group_create(council_a, f"Groupe {SECRET} mobilités", members=[wg_member])
    sandbox = council_publish(CouncilIndexPage.objects.get(), "Bac à sable", "bac-a-sable", is_sandbox=True)
    meetings_a = MeetingIndexPage.objects.child_of(council_a).get()
    news_a = BlogIndexPage.objects.child_of(council_a).get()
    now = timezone.localtime()
    return keys_of(
        {
            **built,
            "member_b": member_b,
            "wg_member": wg_member,
            "outsider": UserFactory(username="habitant"),
            "working_group": working_group,
            "sandbox": sandbox,
            "plenary": MeetingPageFactory(
                parent=meetings_a,
                title="Séance plénière de printemps",
                slug="seance-printemps",
                summary="Le compte rendu de la séance précédente sera approuvé.",
                start=(now + timedelta(days=10)).replace(hour=18, minute=30, second=0, microsecond=0),
                end=(now + timedelta(days=10)).replace(hour=20, minute=30, second=0, microsecond=0),
            ),
            "past_meeting": MeetingPageFactory(
                parent=meetings_a,
                title="Réunion d’hiver du quartier",
                slug="reunion-hiver",
                start=(now - timedelta(days=40)).replace(hour=18, minute=30, second=0, microsecond=0),
                end=(now - timedelta(days=40)).replace(hour=20, minute=30, second=0, microsecond=0),
            ),
            "post": BlogPageFactory(
                parent=news_a,
                title="Les réunions publiques de la Fontaine",
                slug="reunions-fontaine",
                intro="Comptes rendus des ateliers <b>ouverts</b> à tous.",
            ),
            "private_a": _private_page(council_a, f"Notes {SECRET}les Centre"),
            "private_b": _private_page(council_b, f"Notes {SECRET}les Biollay"),
            "wg_page": StandardPageFactory(
                parent=working_group, title=f"Feuille de route {SECRET}le", slug="route"
            ),
            "document_a": _document(
                council_a.access.collection,
                "Ordre du jour de la séance plénière",
                "agenda",
                "Séance publique",
            ),
            "private_document_a": _document(council_a.access.private_collection, f"Relevés {SECRET}s Centre"),
            "private_document_b": _document(
                council_b.access.private_collection, f"Relevés {SECRET}s Biollay"
            ),
            "wg_document": _document(working_group.access.collection, f"Comptages {SECRET}s du groupe"),
            "sandbox_page": StandardPageFactory(
                parent=sandbox, title=f"Essai {SECRET} du bac à sable", slug="essai"
            ),
            "sandbox_document": _document(sandbox.access.collection, f"Document {SECRET} du bac à sable"),
        }
    )


@pytest.fixture(scope="module")
def world_keys(django_db_setup, django_db_blocker):
    with world_built_once(django_db_blocker, build) as keys:
        yield keys


@pytest.fixture
def world(world_keys, db):
    return world_fresh(world_keys)


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def search(client, q, **params):
    response = client.get("/recherche/", {"q": q, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return {" ".join(hit.title.split()) for hit in response.context["search_results"].object_list}


# -- French words: accents, plurals, capitals, phrases ---------------------------------------------


@pytest.mark.parametrize("query", ["reunion", "Réunions", "REUNION", "réunions", "reunions"])
def test_a_word_is_found_whatever_its_accents_capitals_and_plural(world, query):
    found = titles(search(Client(), query))
    assert {"Réunion d’hiver du quartier", "Les réunions publiques de la Fontaine"} <= found


def test_seance_pleniere_finds_the_plenary_session(world):
    found = titles(search(Client(), "seance pleniere"))
    assert {"Séance plénière de printemps", "Ordre du jour de la séance plénière"} <= found


@pytest.mark.parametrize("query", ["comptes rendus", "compte rendu", "COMPTE-RENDU"])
def test_comptes_rendus_finds_compte_rendu_and_back(world, query):
    found = titles(search(Client(), query))
    assert {"Séance plénière de printemps", "Les réunions publiques de la Fontaine"} <= found


@pytest.mark.parametrize("prefix", ["seance ple", "SÉANCE PLÉ", "séance plé"])
def test_wagtails_autocomplete_ignores_accents_too(world, prefix):
    """The admin's choosers and `.autocomplete()` use `simple_unaccent` (search.backend)."""
    from wagtail.models import Page

    assert "Séance plénière de printemps" in [p.title for p in Page.objects.live().autocomplete(prefix)]


def test_quoted_words_are_a_phrase_and_a_minus_leaves_a_word_out(world):
    assert titles(search(Client(), '"seance pleniere" -printemps')) == {"Ordre du jour de la séance plénière"}


def test_a_one_letter_typo_finds_the_closest_titles_and_says_so(world):
    response = search(Client(), "fontane")
    assert "Les réunions publiques de la Fontaine" in titles(response)
    assert response.context["search"].fuzzy


def test_the_words_are_highlighted_and_the_rest_escaped(world):
    response = search(Client(), "ateliers")
    hit = response.context["search_results"].object_list[0]
    assert "<mark>ateliers</mark>" in hit.extract_html
    assert "<b>" not in hit.extract_html  # the intro's markup is text in the index, escaped here
    assert "<mark>ateliers</mark>" in response.content.decode()


# -- What each result shows ------------------------------------------------------------------------


def test_each_result_shows_its_council_its_type_and_its_date(world):
    response = search(Client(), "seance pleniere")
    hits = {hit.title: hit for hit in response.context["search_results"].object_list}
    meeting = hits["Séance plénière de printemps"]
    assert (meeting.kind, meeting.council.pk, meeting.date) == (
        "meeting",
        world.council_a.pk,
        world.plenary.start,
    )
    document = hits["Ordre du jour de la séance plénière"]
    assert document.kind == "document"
    assert document.council.pk == world.council_a.pk
    assert document.url == world.document_a.url
    html = response.content.decode()
    assert "Conseil de quartier Centre" in html
    assert "Réunion" in html  # the type's label: waits for the French catalogue (po_search.txt)


# -- Who finds what --------------------------------------------------------------------------------


def _secrets(client):
    return titles(search(client, SECRET))


def test_anonymous_readers_and_outsiders_find_no_private_content(world):
    assert _secrets(Client()) == set()
    assert _secrets(client_for(world.outsider)) == set()


def test_a_member_finds_their_councils_private_page_and_documents_only(world):
    assert _secrets(client_for(world.member_a)) == {f"Notes {SECRET}les Centre", f"Relevés {SECRET}s Centre"}
    assert _secrets(client_for(world.member_b)) == {
        f"Notes {SECRET}les Biollay",
        f"Relevés {SECRET}s Biollay",
    }


def test_a_working_group_member_also_finds_the_groups_pages_and_documents(world):
    assert _secrets(client_for(world.wg_member)) == {
        f"Notes {SECRET}les Centre",
        f"Relevés {SECRET}s Centre",
        f"Groupe {SECRET} mobilités",
        f"Feuille de route {SECRET}le",
        f"Comptages {SECRET}s du groupe",
    }


def test_nobody_finds_the_sandbox_not_even_the_city_team(world):
    found = _secrets(client_for(world.city_staff))
    assert f"Notes {SECRET}les Biollay" in found  # the city team opens every council's private pages
    assert not {f"Essai {SECRET} du bac à sable", f"Document {SECRET} du bac à sable"} & found


def test_private_results_are_marked_for_members(world):
    response = search(client_for(world.member_a), SECRET)
    assert all(hit.is_private for hit in response.context["search_results"].object_list)


def test_search_pages_are_never_stored_by_a_shared_cache_and_not_indexed(world):
    for client in (Client(), client_for(world.member_a)):
        response = search(client, "reunion")
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control
        assert response.content.decode().count('<meta name="robots" content="noindex">') == 1


# -- Filters and pages -----------------------------------------------------------------------------


def test_the_type_filter_keeps_one_type(world):
    response = search(Client(), "seance pleniere", type="meeting")
    assert titles(response) == {"Séance plénière de printemps"}
    assert titles(search(Client(), "seance pleniere", type="document")) == {
        "Ordre du jour de la séance plénière"
    }


def test_the_council_filter_keeps_one_councils_results(world):
    assert titles(search(Client(), "seance pleniere", conseil="biollay")) == set()
    assert "Séance plénière de printemps" in titles(search(Client(), "seance pleniere", conseil="centre"))


def test_the_period_filter_keeps_upcoming_or_past_items(world):
    assert titles(search(Client(), "seance reunion OR pleniere", periode="upcoming")) == {
        "Séance plénière de printemps"
    }
    past = titles(search(Client(), "reunion", periode="past", type="meeting"))
    assert past == {"Réunion d’hiver du quartier"}


def test_unknown_filters_are_ignored(world):
    response = search(Client(), "seance pleniere", conseil="nowhere", type="<x>", periode="1900", page="x")
    assert "Séance plénière de printemps" in titles(response)


def test_pages_of_results_keep_the_filters(world):
    news_a = BlogIndexPage.objects.child_of(world.council_a).get()
    for n in range(12):
        BlogPageFactory(parent=news_a, title=f"Atelier vélo n° {n}", slug=f"atelier-velo-{n}")
    response = search(Client(), "atelier velo", type="news", conseil="centre")
    page = response.context["search_results"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (12, 10, 2)
    html = response.content.decode()
    assert "page=2" in html and "type=news" in html and "conseil=centre" in html
    second = search(Client(), "atelier velo", type="news", conseil="centre", page="2")
    assert len(second.context["search_results"].object_list) == 2


def test_a_month_and_a_year_in_the_words_keep_that_month(world):
    start = world.plenary.start
    month = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
             "novembre", "decembre"][timezone.localtime(start).month - 1]  # fmt: skip
    response = search(Client(), f"seance {month} {start.year}")
    assert "Séance plénière de printemps" in titles(response)
    assert "Réunion d’hiver du quartier" not in titles(response)


def test_a_council_named_among_the_words_filters_on_it(world):
    response = search(Client(), "seance biollay")
    assert response.context["search"].filters.council.pk == world.council_b.pk
    assert response.context["search"].filters.council_from_words
    assert titles(response) == set()
    without = search(Client(), "seance").content.decode().count("Conseil de quartier Biollay")
    assert response.content.decode().count("Conseil de quartier Biollay") == without + 1  # the note


# -- Promoted results ------------------------------------------------------------------------------


def test_promoted_results_come_first_whatever_the_accents(world):
    query = Query.objects.create(query_string="réunion")
    SearchPromotion.objects.create(
        query=query, page=world.post, description="Tout sur les réunions.", sort_order=0
    )
    SearchPromotion.objects.create(query=query, page=world.private_a, sort_order=1)
    SearchPromotion.objects.create(query=query, page=world.sandbox_page, sort_order=2)
    response = search(Client(), "REUNION")
    promoted = response.context["search"].promotions
    assert [hit.title for hit in promoted] == [world.post.title]  # not the private page, not the sandbox
    html = response.content.decode()
    assert html.index("Tout sur les réunions.") < html.index('id="results-title"')
    member_promoted = search(client_for(world.member_a), "reunion").context["search"].promotions
    assert [hit.title for hit in member_promoted] == [world.post.title, world.private_a.title]


def test_searching_writes_nothing(world):
    search(Client(), "reunion")
    assert not Query.objects.exists()


# -- Any input -------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "séance " * 1000,
    "& | ! : * ( ) '\"",
    '"unbalanced',
    'a "b c',
    "OR",
    "a OR",
    "OR b",
    "-",
    "-reunion",
    "--reunion",
    "a -b OR c",
    "!reunion",
    "reunion:*",
    "reunion <-> seance",
    "'; DROP TABLE wagtailcore_page; --",
    "\\",
    "%",
    "_",
    "<script>alert(1)</script>",
    "\ue000fontaine\ue001",
    "𝔯𝔢𝔲𝔫𝔦𝔬𝔫",
    "ﬁ",
    "mars 2026",
    "fevrier 1999",
    "a" * 3,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_input_gets_an_answer(world, query):
    for client in (Client(), client_for(world.member_a)):
        response = client.get("/recherche/", {"q": query, "page": "2"})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_a_null_byte_is_refused_by_the_input_guard_and_dropped_by_the_view(world):
    assert Client().get("/recherche/", QUERY_STRING="q=reu%00nion").status_code == 400
    request = RequestFactory().get("/recherche/", {"q": "séance\x00plénière"})
    request.user = AnonymousUser()
    response = views.search(request)
    response.render()
    assert response.status_code == 200
    assert response.context_data["search_query"] == "séance plénière"


def test_the_tsquery_text_is_always_valid(world):
    from django.db import connection

    with connection.cursor() as cursor:
        for query in HOSTILE:
            text = tsquery_text(query)
            if text:
                cursor.execute("SELECT to_tsquery('french_unaccent', %s)", [text])


def test_a_month_is_read_only_with_a_year():
    assert query_month_split("mai") == ("mai", None)
    words, month = query_month_split("Séance Février 2027")
    assert words == "Séance"
    assert month[0].isoformat() == "2027-02-01" and month[1].isoformat() == "2027-02-28"


# -- Queries -----------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_results(world, django_assert_max_num_queries):
    """A page of 2 results (a meeting, a document) and one of 10 out of 200 more: the same queries (8 of
    them are the site's layout: session, user, menus, settings, newsletter footer)."""
    news_a = BlogIndexPage.objects.child_of(world.council_a).get()
    client = client_for(world.member_a)
    search(client, "seance")  # content types and the site's root paths are cached once per process
    with django_assert_max_num_queries(BUDGET) as few:
        found = search(client, "seance plenieres").context["search_results"].object_list
    assert sorted(hit.kind for hit in found) == ["document", "meeting"]
    for n in range(100):
        BlogPageFactory(parent=news_a, title=f"Séance d’information n° {n}", slug=f"info-{n}")
        _document(world.council_a.access.collection, f"Séance n° {n}", "minutes")
    search(client, "seance")  # warm again: publishing purged the fragment cache (core.http_cache.cached)
    with django_assert_max_num_queries(BUDGET) as many:
        response = search(client, "seance")
    assert len(response.context["search_results"].object_list) == 10
    assert response.context["search_results"].paginator.count > 200
    # Never more than the page of 2 results: fewer when a page of results holds no page or no document.
    assert len(many.captured_queries) <= len(few.captured_queries)


BUDGET = 24


# -- The communications team's admin -----------------------------------------------------------------


def test_the_city_team_manages_promoted_results_and_council_editors_do_not(world):
    """Waits for the lead: the three search promotion permissions in CITY_MODEL_PERMISSIONS."""
    from councils.services import communications_team_provision

    communications_team_provision()
    city = client_for(world.city_staff)
    assert city.get("/admin/searchpicks/").status_code == 200
    assert city.get("/admin/searchpicks/add/").status_code == 200
    assert "/admin/searchpicks/" in city.get("/admin/").content.decode()  # Settings › Promoted search results
    assert client_for(world.editor_a).get("/admin/searchpicks/").status_code in (302, 403)


# -- Suggestions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["seance ple", "SEANCE PLÉ", "séan"])
def test_suggestions_are_public_titles_starting_with_the_words_typed(world, typed):
    from search.services import search_suggestions

    assert "Séance plénière de printemps" in search_suggestions(query=typed)


def test_suggestions_never_name_private_or_sandbox_pages(world):
    from search.services import search_suggestions

    for typed in ("notes conf", "feuille de", "essai", "groupe conf"):
        assert search_suggestions(query=typed) == [], typed


def test_the_suggestions_view_answers_json_for_any_input(world):
    for typed in ("", "s", "x" * 5000, "& | ! ' \"", "notes conf"):
        request = RequestFactory().get("/recherche/suggestions/", {"q": typed})
        request.user = AnonymousUser()
        response = views.suggestions(request)
        assert response.status_code == 200
        assert json.loads(response.content)["suggestions"] == []
    request = RequestFactory().get("/recherche/suggestions/", {"q": "reunion d hi"})
    request.user = AnonymousUser()
    assert json.loads(views.suggestions(request).content)["suggestions"] == ["Réunion d’hiver du quartier"]


def test_the_suggestions_route_is_mounted(world):
    """Waits for the lead: `recherche/suggestions/` in config/urls.py (requests/search.md)."""
    response = Client().get("/recherche/suggestions/", {"q": "seance ple"})
    assert response.status_code == 200
    assert "Séance plénière de printemps" in response.json()["suggestions"]
    assert 'data-search-suggest="/recherche/suggestions/"' in search(Client(), "x").content.decode()
