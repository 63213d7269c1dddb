"""The words are matched through the indexes on `title` and `body` (`search.services._text_matched`): the
rows found must be exactly those of the plain match on the joined text, `(title || body) @@ q`, whatever
the query — one word, several, a phrase, an exclusion, alternatives, words split between the title and
the body, words the configuration drops or cuts."""

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import F
from django.db.models.expressions import CombinedExpression

from wagtail.search.models import IndexEntry

import pytest

from home.models import StandardPage
from search.backend import search_config
from search.services import _text_matched, tsquery_text

QUERIES = [
    "jardin",
    "jardins",
    "jardin partage",
    "jardin fontaine",  # one word in a title, the other in the body
    '"jardin partage"',
    '"partage fontaine"',
    "jardin -potager",
    "jardin OR fontaine",
    "fontaine OR -jardin",
    "potager OR jardin fontaine",
    "le jardin",
    "jardin_partage",
    "covid19 jardin",
    "zzzz",
    "zzzz jardin",
]


@pytest.fixture
def pages(home):
    texts = [
        ("Jardin partagé", "Les parcelles du potager."),
        ("Jardin", "Une fontaine au centre."),
        ("Fontaine de la place", "Le chantier commence en mars ; covid19 oblige."),
        ("Potager collectif", "Un jardin partagé derrière l’école."),
        ("Réunion publique", "Rien à voir."),
    ]
    for n, (title, intro) in enumerate(texts):
        page = StandardPage(title=title, intro=intro, slug=f"page-{n}")
        home.add_child(instance=page)
        page.save_revision().publish()
    assert IndexEntry.objects.count() >= len(texts)


@pytest.mark.parametrize("query", QUERIES)
def test_the_indexed_match_finds_exactly_what_the_joined_match_finds(pages, query):
    config = search_config()
    text = tsquery_text(query)
    if not text:
        pytest.skip("nothing to look for")
    joined = CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField())
    expected = set(
        IndexEntry.objects.annotate(joined=joined)
        .filter(joined=SearchQuery(text, search_type="raw", config=config))
        .values_list("pk", flat=True)
    )
    found = set(_text_matched(IndexEntry.objects.all(), text, config).values_list("pk", flat=True))
    assert found == expected
