"""The shared cache's rules, one at a time (core.http_cache, core.cache_signals): which listing a page query
is, which response may be shared and with what headers, the fragment cache, and when purges are sent.
The whole-site sweep is tests/test_cache_staleness_sweep.py."""

import logging

from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.test import RequestFactory

from wagtail.models import Page

import pytest

from core import http_cache
from core.http_cache import (
    CacheTagMiddleware,
    Tags,
    add_tags,
    cached,
    collect_tags,
    compact,
    listing_scope,
    purge_after_commit,
    tag_header_value,
)
from events.tests.helpers import meeting_index_for, meeting_publish
from meetings.models import MeetingPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def purged(monkeypatch, settings):
    """Each purge sent after a commit (`purge_now_and_later`: the fragments, then the shared caches' task),
    as a list of tag sets."""
    settings.VARNISH_PURGE_URLS = []
    calls = []
    purge = http_cache.purge_now_and_later

    def recording(tags):
        tags = set(tags)
        calls.append(tags)
        purge(tags)

    monkeypatch.setattr(http_cache, "purge_now_and_later", recording)
    return calls


# -- Which listing a page query is -----------------------------------------------------------------


def test_a_descendant_or_child_listing_is_scoped_to_its_parents_path(council_a):
    assert listing_scope(MeetingPage.objects.descendant_of(council_a).query) == council_a.path
    assert listing_scope(MeetingPage.objects.child_of(council_a).query) == council_a.path
    index = meeting_index_for(council_a)
    nested = MeetingPage.objects.descendant_of(council_a).filter(path__startswith=index.path)
    assert listing_scope(nested.query) == index.path  # the narrowest AND-ed subtree


def test_excluded_subtrees_and_alternatives_narrow_nothing(council_a, council_b):
    assert listing_scope(MeetingPage.objects.exclude(path__startswith=council_a.path).query) == ""
    either = Q(path__startswith=council_a.path) | Q(path__startswith=council_b.path)
    assert listing_scope(MeetingPage.objects.filter(either).query) == ""
    assert listing_scope(MeetingPage.objects.listed().query) == ""  # the visibility subqueries are no scope


def test_a_page_picked_by_its_key_or_path_is_no_listing(council_a):
    assert listing_scope(Page.objects.filter(pk=council_a.pk).query) is None
    assert listing_scope(Page.objects.filter(pk__in=[council_a.pk]).query) is None
    assert listing_scope(Page.objects.filter(path=council_a.path).query) is None


def test_a_listing_tags_the_response_however_it_runs(council_a):
    meeting = meeting_publish(council_a, title="Séance")
    index = meeting_index_for(council_a)
    listing = f"l{index.path}:meetingpage"
    for run in (list, lambda qs: qs.count(), lambda qs: qs.exists(), lambda qs: list(qs.iterator())):
        with collect_tags() as tags:
            run(MeetingPage.objects.child_of(index))
        assert listing in tags, run
    with collect_tags() as tags:
        MeetingPage.objects.get(pk=meeting.pk)
    assert f"p{meeting.pk}" in tags
    assert not any(tag.startswith("l") for tag in tags)


def test_a_union_of_listings_tags_each_part():
    from events.models import EventPage

    meetings = MeetingPage.objects.listed().order_by().values_list("pk")
    events = EventPage.objects.listed().order_by().values_list("pk")
    with collect_tags() as tags:
        list(meetings.union(events, all=True))
    assert {"l:meetingpage", "l:eventpage"} <= tags


def test_pages_picked_by_a_subquery_are_a_listing(council_a):
    from blog.models import BlogPage

    chosen = BlogPage.objects.listed().descendant_of(council_a).values("pk")
    assert listing_scope(Page.objects.filter(pk__in=chosen).query) is not None


def test_nested_collections_reach_the_outer_one():
    with collect_tags() as outer:
        add_tags(["a"])
        with collect_tags() as inner:
            add_tags(["b"])
    assert inner == {"b"}
    assert outer == {"a", "b"}


# -- Which response is shared ----------------------------------------------------------------------


def _middleware(view):
    return CacheTagMiddleware(view)


def _html(tags=("p1",), **headers):
    def view(request):
        add_tags(tags)
        response = HttpResponse("<p>bonjour</p>", content_type="text/html; charset=utf-8")
        for name, value in headers.items():
            response[name] = value
        return response

    return view


def test_an_anonymous_page_is_shared_with_its_tags_and_without_vary_cookie(settings):
    settings.PARVIS_CACHE_TAG_HEADER = "xkey"
    response = _middleware(_html(tags=("p2", "p1"), Vary="Cookie, Accept-Encoding"))(
        RequestFactory().get("/")
    )
    assert response["xkey"] == "p1 p2"
    assert "public" in response["Cache-Control"]
    assert f"s-maxage={settings.PARVIS_SHARED_CACHE_SECONDS}" in response["Cache-Control"]
    assert response["Vary"] == "Accept-Encoding"
    only_cookie = _middleware(_html(Vary="Cookie"))(RequestFactory().get("/"))
    assert not only_cookie.has_header("Vary")


@pytest.mark.parametrize(
    "case",
    ["post", "404", "set-cookie", "private", "no-store", "no tags", "binary", "streaming"],
)
def test_a_response_that_depends_on_the_reader_or_the_moment_is_never_shared(case, settings):
    request = RequestFactory().post("/") if case == "post" else RequestFactory().get("/")

    def view(request):
        add_tags([] if case == "no tags" else ["p1"])
        if case == "streaming":
            from django.http import StreamingHttpResponse

            return StreamingHttpResponse(iter([b"x"]), content_type="text/html")
        response = HttpResponse(
            "x",
            status=404 if case == "404" else 200,
            content_type="application/pdf" if case == "binary" else "text/html",
        )
        if case == "set-cookie":
            response.set_cookie("csrftoken", "secret")
        if case == "private":
            response["Cache-Control"] = "private, no-cache"
            response["Vary"] = "Cookie"
        if case == "no-store":
            response["Cache-Control"] = "no-store"
        return response

    response = _middleware(view)(request)
    assert not response.has_header(settings.PARVIS_CACHE_TAG_HEADER)
    assert "public" not in response.get("Cache-Control", "")
    if case == "private":
        assert response["Vary"] == "Cookie"  # kept: the browser's own cache needs it


def test_the_site_shares_anonymous_pages_but_never_signed_in_ones_nor_forms(client, home, member_a, settings):
    header = settings.PARVIS_CACHE_TAG_HEADER
    anonymous = client.get("/")
    assert anonymous.status_code == 200
    assert f"p{home.pk}" in anonymous[header].split()
    assert "Cookie" not in anonymous.get("Vary", "")
    sign_in = client.get("/connexion/")  # a form with a CSRF token
    assert sign_in.status_code == 200
    assert not sign_in.has_header(header)
    assert "private" in sign_in["Cache-Control"]
    assert not client.get("/pas-de-page-ici/").has_header(header)
    client.force_login(member_a)
    signed_in = client.get("/")
    assert not signed_in.has_header(header)
    assert "private" in signed_in["Cache-Control"]
    assert "Cookie" in signed_in["Vary"]


def test_the_cloudflare_header_separates_tags_with_commas(settings):
    settings.PARVIS_CACHE_TAG_HEADER = "Cache-Tag"
    assert tag_header_value({"p2", "p1"}) == "p1,p2"
    response = _middleware(_html(tags=("p2", "p1")))(RequestFactory().get("/"))
    assert response["Cache-Tag"] == "p1,p2"
    assert not response.has_header("xkey")
    settings.PARVIS_CACHE_TAG_HEADER = "Surrogate-Key"
    assert tag_header_value({"p2", "p1"}) == "p1 p2"


# -- Oversize tag headers --------------------------------------------------------------------------


def test_compact_drops_the_pages_a_listing_tag_already_covers():
    tags = Tags({"l00010002:meetingpage", "p10", "p11", "p12", "m:home.sitesettings"})
    tags.pages.update(
        {
            "p10": ("000100020001", MeetingPage),  # in the listed subtree: covered
            "p11": ("000100030001", MeetingPage),  # elsewhere: kept
            "p12": ("000100020002", Page),  # a plain page is in no meeting listing: kept
        }
    )
    assert compact(tags) == {"l00010002:meetingpage", "p11", "p12", "m:home.sitesettings"}


def test_an_oversize_header_is_compacted_or_else_not_shared(settings, caplog):
    settings.PARVIS_CACHE_TAG_HEADER = "xkey"

    def view(request):
        collected = http_cache._collector.get()
        collected.add("l0001:meetingpage")
        for n in range(200):
            collected.add(f"p{n}")
            collected.pages[f"p{n}"] = (f"0001{n:04d}", MeetingPage)
        return HttpResponse("x", content_type="text/html")

    settings.PARVIS_CACHE_TAG_MAX_BYTES = 100
    response = _middleware(view)(RequestFactory().get("/"))
    assert response["xkey"] == "l0001:meetingpage"

    def untaggable(request):
        add_tags(f"d{n}" for n in range(200))
        return HttpResponse("x", content_type="text/html")

    with caplog.at_level(logging.WARNING, logger="core.http_cache"):
        response = _middleware(untaggable)(RequestFactory().get("/"))
    assert not response.has_header("xkey")
    assert "public" not in response.get("Cache-Control", "")
    assert "too much to tag" in caplog.text


# -- The fragment cache ----------------------------------------------------------------------------


def _builder(value_tags, calls):
    def build():
        calls.append(1)
        add_tags(value_tags)
        return len(calls)

    return build


def test_a_fragment_is_built_once_then_served_with_its_tags(purged):
    from django.core.cache import cache

    cache.clear()
    calls = []
    assert cached("menu", _builder(["p1", "m:home.sitesettings"], calls)) == 1
    with collect_tags() as tags:
        assert cached("menu", _builder(["p1"], calls)) == 1  # a hit
    assert calls == [1]
    assert tags == {"p1", "m:home.sitesettings"}  # as if built again


def test_a_purge_of_any_of_its_tags_invalidates_a_fragment(purged):
    from django.core.cache import cache

    cache.clear()
    calls = []
    cached("menu", _builder(["p1", "p2"], calls))
    http_cache.invalidate_fragments(["p3"])
    assert cached("menu", _builder(["p1", "p2"], calls)) == 1  # another tag: still valid
    http_cache.invalidate_fragments(["p2"])
    assert cached("menu", _builder(["p1", "p2"], calls)) == 2
    assert cached("menu", _builder(["p1", "p2"], calls)) == 2


def test_a_fragment_built_while_a_purge_happens_is_used_but_not_kept(purged):
    from django.core.cache import cache

    cache.clear()
    calls = []

    def build():
        calls.append(1)
        add_tags(["p1"])
        http_cache.invalidate_fragments(["p9"])  # someone publishes meanwhile
        return len(calls)

    assert cached("menu", build) == 1
    assert cached("menu", _builder(["p1"], calls)) == 2  # built again: the first one was not kept
    assert cached("menu", _builder(["p1"], calls)) == 2


# -- When purges are sent --------------------------------------------------------------------------


def _fixtures_committed():
    """As if what the fixtures wrote had been committed (its purges sent): the test's transaction starts
    with no purge pending."""
    del transaction.get_connection().run_on_commit[:]


def test_the_purges_of_a_transaction_are_gathered_and_sent_once_after_it_commits(
    purged, django_capture_on_commit_callbacks, council_a
):
    _fixtures_committed()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            purge_after_commit({"p1"})
            purge_after_commit({"p2", "l:meetingpage"})
            meeting_publish(council_a, title="Séance")
        assert purged == []  # nothing before the commit
    pending = [c for c in callbacks if isinstance(c, http_cache._PendingPurge)]
    assert len(pending) == 1
    pending[0]()
    assert len(purged) == 1
    assert {"p1", "p2", "l:meetingpage"} <= purged[0]
    assert any(tag.endswith(":meetingpage") and tag.startswith(f"l{council_a.path}") for tag in purged[0])


def test_nothing_is_purged_for_a_transaction_rolled_back(
    purged, django_capture_on_commit_callbacks, council_a
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                meeting_publish(council_a, title="Séance annulée")
                purge_after_commit({"p1"})
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert purged == []


def test_a_transaction_reads_its_own_changes_not_a_fragment_built_before(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    calls = []
    cached("menu", _builder(["p1"], calls))
    _fixtures_committed()
    with django_capture_on_commit_callbacks(execute=False):
        with transaction.atomic():
            purge_after_commit({"p1"})
            assert cached("menu", _builder(["p1"], calls)) == 2  # rebuilt inside the transaction


def test_the_shared_caches_are_sent_the_tags_only_after_the_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    from core import tasks

    settings.VARNISH_PURGE_URLS = ["http://127.0.0.1:9/"]
    sent = []
    monkeypatch.setattr(tasks, "purge_varnish", lambda url, tags: sent.append((url, sorted(tags))) or 0)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            purge_after_commit({"p2", "p1"})
            assert sent == []
    assert sent == [("http://127.0.0.1:9/", ["p1", "p2"])]


def test_bookkeeping_rows_and_drafts_purge_nothing(purged, django_capture_on_commit_callbacks, council_a):
    meeting = meeting_publish(council_a, title="Séance")
    _fixtures_committed()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        session = SessionStore()
        session["seen"] = True
        session.create()
        meeting = MeetingPage.objects.get(pk=meeting.pk)
        meeting.title = "Séance (brouillon)"
        meeting.save_revision()  # a draft: readers see nothing of it
    assert not [c for c in callbacks if isinstance(c, http_cache._PendingPurge)]
    assert purged == []
    assert "sessions.session" in http_cache.UNSHOWN_MODELS
    assert "wagtailcore.revision" in http_cache.UNSHOWN_MODELS


def test_any_other_row_purges_its_own_tag(purged, django_capture_on_commit_callbacks):
    from wagtail.models import Site

    from home.models import SiteSettings

    settings_row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    _fixtures_committed()
    with django_capture_on_commit_callbacks(execute=True):
        settings_row.tagline = "Une ville qui participe"
        settings_row.save()
    assert purged == [{"m:home.sitesettings"}]
