"""`seed_demo --scale N` (home/scale.py): pages written in bulk make a valid tree, render, are listed and
searched like pages saved one by one, and a second run adds nothing. `multiply` (query-budget tests)
likewise."""

from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

import pytest

from blog.models import BlogIndexPage, BlogPage, BlogPageTag
from councils.models import CouncilAccess, CouncilPage
from events.models import EventPage
from home import scale
from home.models import StandardPage
from meetings.models import MeetingIndexPage, MeetingPage, MinutesStatus

PAGES_PER_COUNCIL = 60
COUNCILS = 2


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """Two generated councils of 60 pages, built once for the module in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = Page.objects.count()
        result = scale.build(COUNCILS, pages_per_council=PAGES_PER_COUNCIL)
        yield {"result": result, "before": before}
        transaction.set_rollback(True)


@pytest.fixture
def world(built, db):
    cache.clear()
    return built


def generated_councils():
    return CouncilPage.objects.filter(slug__startswith=scale.SLUG_PREFIX).order_by("slug")


def test_build_creates_councils_with_their_pages(world):
    councils = list(generated_councils())
    assert [c.slug for c in councils] == ["quartier-001", "quartier-002"]
    # Each council: its page, its three sections (through the normal service), then the generated pages.
    assert world["result"]["councils"] == COUNCILS
    assert world["result"]["pages"] == COUNCILS * (1 + 3 + PAGES_PER_COUNCIL)
    assert Page.objects.count() == world["before"] + world["result"]["pages"]
    council = councils[0]
    assert CouncilAccess.objects.filter(council=council).exists()  # groups, collections, permissions
    meetings = MeetingPage.objects.descendant_of(council)
    assert meetings.count() == round(PAGES_PER_COUNCIL * scale.MEETING_SHARE)
    assert meetings.upcoming().exists() and meetings.past().exists()
    assert BlogPage.objects.descendant_of(council).count() == round(PAGES_PER_COUNCIL * scale.POST_SHARE)
    assert EventPage.objects.descendant_of(council).count() == round(PAGES_PER_COUNCIL * scale.EVENT_SHARE)
    assert StandardPage.objects.descendant_of(council).filter(depth=council.depth + 2).exists()  # nested
    assert BlogPageTag.objects.filter(content_object__in=BlogPage.objects.descendant_of(council)).exists()


def test_tree_is_valid(world):
    assert Page.find_problems() == ([], [], [], [], [])
    for page in Page.objects.descendant_of(generated_councils().first(), inclusive=True):
        assert page.numchild == page.get_children().count(), page.url_path
        assert page.url_path == f"{page.get_parent().url_path}{page.slug}/"
    for page in MeetingPage.objects.descendant_of(generated_councils().first())[:5]:
        assert page.live and not page.has_unpublished_changes and page.first_published_at
        assert page.translation_key and page.locale_id and page.draft_title == page.title


def sample_pages(council):
    meetings = MeetingPage.objects.descendant_of(council)
    standard = StandardPage.objects.descendant_of(council)
    return [
        council,
        MeetingIndexPage.objects.child_of(council).get(),
        BlogIndexPage.objects.child_of(council).get(),
        meetings.filter(minutes_status=MinutesStatus.APPROVED).first(),
        meetings.upcoming().first(),
        meetings.filter(status="cancelled").first() or meetings.last(),
        BlogPage.objects.descendant_of(council).first(),
        EventPage.objects.descendant_of(council).upcoming().first(),
        EventPage.objects.descendant_of(council).past().first(),
        standard.filter(depth=council.depth + 1).first(),
        standard.filter(depth=council.depth + 2).first(),
    ]


def test_every_generated_page_type_renders_for_anyone(world):
    client = Client()
    for page in sample_pages(generated_councils().first()):
        assert page is not None
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert (
            page.title.split(" (")[0].encode() in response.content or page.title.encode() in response.content
        )


def test_generated_pages_are_listed(world):
    council = generated_councils().first()
    client = Client()
    meeting = MeetingPage.objects.descendant_of(council).upcoming().first()
    assert meeting.url.encode() in client.get(MeetingIndexPage.objects.child_of(council).get().url).content
    post = BlogPage.objects.descendant_of(council).order_by("-date").first()
    assert post.url.encode() in client.get(BlogIndexPage.objects.child_of(council).get().url).content
    home = client.get("/").content.decode()
    assert council.title in client.get(council.get_parent().url).content.decode()
    assert "quartier-00" in home
    sitemap = client.get("/sitemap.xml").content.decode()
    for page in sample_pages(council):
        assert page.url in sitemap


def test_generated_pages_are_searched(world):
    council = generated_councils().first()
    pages = Page.objects.descendant_of(council, inclusive=True)
    entries = IndexEntry.objects.filter(object_id__in=[str(pk) for pk in pages.values_list("pk", flat=True)])
    assert entries.count() == pages.count()  # every page, the bulk ones and the sections
    response = Client().get("/recherche/", {"q": "composteurs partagés"})
    assert response.status_code == 200
    assert b"/conseils/quartier-00" in response.content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk SQL is PostgreSQL's")
def test_index_entries_are_those_a_save_writes(world):
    """The bulk entries hold the same vectors and texts as the search backend's own indexing."""
    council = generated_councils().first()
    columns = ("title", "autocomplete", "body", "title_text", "body_text")
    for model in (MeetingPage, BlogPage, EventPage, StandardPage):
        page = model.objects.descendant_of(council).filter(numchild=0).first()
        entry = IndexEntry.objects.filter(object_id=str(page.pk))
        bulk = entry.values_list(*columns).get()
        get_search_backend().add(page)
        assert entry.values_list(*columns).get() == bulk, model


def test_second_build_adds_nothing(world):
    count = Page.objects.count()
    result = scale.build(COUNCILS, pages_per_council=PAGES_PER_COUNCIL)
    assert result["councils"] == 0 and result["pages"] == 0
    assert Page.objects.count() == count


def test_multiply_adds_copies_in_a_valid_tree(world):
    council = generated_councils().last()
    counts = {
        model: model.objects.descendant_of(council).count() for model in (MeetingPage, BlogPage, EventPage)
    }
    added = scale.multiply(council, 3)
    assert added == 3 * sum(counts.values())
    for model, count in counts.items():
        assert model.objects.descendant_of(council).live().count() == 4 * count, model
    assert Page.find_problems() == ([], [], [], [], [])
    council.refresh_from_db()
    assert council.numchild == council.get_children().count()
    copy = MeetingPage.objects.descendant_of(council).filter(slug__contains="-copie-3").first()
    original = MeetingPage.objects.get(slug=copy.slug.removesuffix("-copie-3"), path__startswith=council.path)
    assert (copy.title, copy.start, copy.agenda.raw_data[0]["value"]) == (
        original.title,
        original.start,
        original.agenda.raw_data[0]["value"],
    )
    assert Client().get(copy.url).status_code == 200
    post_copy = BlogPage.objects.descendant_of(council).filter(slug__contains="-copie-").first()
    assert BlogPageTag.objects.filter(content_object=post_copy).exists()
    assert IndexEntry.objects.filter(object_id=str(copy.pk)).exists()
    # Again: copies of the originals and of the copies, no sibling sharing a slug (a URL).
    assert scale.multiply(council, 1) == 4 * sum(counts.values())
    assert Page.find_problems() == ([], [], [], [], [])
    for parent in Page.objects.descendant_of(council, inclusive=True).filter(numchild__gt=0):
        slugs = list(parent.get_children().values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)), parent.url_path
