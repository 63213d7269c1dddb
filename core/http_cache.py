"""The shared cache in front of the site (Varnish, or a CDN): what it may store, and what it must forget.

**What it may store.** An anonymous GET or HEAD answered 200 with a page, a feed, a calendar or a sitemap,
that depends on nobody (no `private` or `no-store`, no cookie set): `CacheTagMiddleware` marks it
`public, s-maxage=…` and lists in one header (`xkey`, Varnish's xkey module) the tags of everything it shows.
Everything else is never stored (the VCL stores only responses that carry the tags header).

**Tags, collected by construction** while the response is built, not declared by each view:

- `p<id>` — every page instance loaded (the page itself, its ancestors, the pages of a menu, a listing, a
  block that links to a page…), through Django's `post_init` signal;
- `l<path>:<type>` — every listing of pages: when a queryset of Parvis's pages (`VisiblePageQuerySet`, the
  base of every page manager and of `listed()`) runs, its page type and the subtree its un-negated
  `path__startswith` filters restrict it to (`descendant_of`, `child_of`; none = the whole site);
- `d<id>`, `i<id>` — documents and images shown (an image's renditions count as the image);
- `m:<app>.<model>` — any other model whose rows the response read (settings, menus, snippets, registrations…).

**What it must forget** (`purge_tags_for_*`): publishing, unpublishing, moving or deleting a page purges its
`p<id>` and, for every subtree it lies in, the listings of each type it is (`l<prefix>:meetingpage`,
`l<prefix>:datedpage`, `l<prefix>:page`); a page view restriction purges its whole subtree; saving or deleting
any other row purges its tags. The tags of one transaction are gathered and sent after it commits, by a
background task (`core.tasks.cache_purge`); the app's own fragment cache (`cached`) is invalidated by the
same tags at once.

The same tags can drive a CDN that supports them: `PARVIS_CACHE_TAG_HEADER` = `Cache-Tag` (Cloudflare) or
`Surrogate-Key` (Fastly) — README, deployment.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.lookups import Exact, In, StartsWith
from django.db.models.sql.where import AND, WhereNode
from django.utils.cache import patch_cache_control

logger = logging.getLogger("core.http_cache")

_collector: contextvars.ContextVar[set | None] = contextvars.ContextVar("parvis_cache_tags", default=None)

CACHEABLE_CONTENT_TYPES = (
    "text/html",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "text/calendar",
    "application/json",
    "text/plain",
)

# Rows whose writes never change what a reader is shown (bookkeeping, derived data, other people's
# sessions), or that change on every request: saving them purges nothing.
UNSHOWN_MODELS = {
    "sessions.session",
    "contenttypes.contenttype",
    "auth.permission",
    "wagtailcore.revision",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
    "wagtailcore.pagesubscription",
    "wagtailcore.referenceindex",
    "wagtailcore.uploadedfile",
    "wagtailcore.apitoken",
    "wagtailadmin.editingsession",
    "wagtailadmin.formstate",
    "wagtailsearch.indexentry",
    "wagtailsearchpromotions.querydailyhits",
    "wagtailimages.rendition",
    "images.councilrendition",
    "wagtailusers.userprofile",
    "django_tasks_database.dbtaskresult",
    "jobs.outboundemail",
    "jobs.scheduledjob",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accessfailurelog",
    "axes.accesslog",
    "members.invitation",
    "newsletter.subscriber",
    "newsletter.subscription",
    "newsletter.delivery",
}


# -- Collecting the tags of a response -------------------------------------------------------------


def collecting() -> bool:
    return _collector.get() is not None


def add_tags(tags: Iterable[str]) -> None:
    """Add tags to the response being built (no-op outside one)."""
    collected = _collector.get()
    if collected is not None:
        collected.update(tags)


class collect_tags:  # noqa: N801 (used like a function: `with collect_tags() as tags:`)
    """Collect the tags of everything loaded inside the block (nests: an inner block's tags reach the outer)."""

    def __enter__(self) -> set:
        self.outer = _collector.get()
        self.tags = Tags()
        self.token = _collector.set(self.tags)
        return self.tags

    def __exit__(self, *exc_info) -> None:
        _collector.reset(self.token)
        if self.outer is not None:
            self.outer.update(self.tags)
            self.outer.pages.update(self.tags.pages)


def model_label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _page_model():
    from wagtail.models import Page

    return Page


def instance_tags(instance) -> list[str]:
    """The tags of one model instance (`p<id>`, `d<id>`, `i<id>` or its model's `m:` tag)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.models import AbstractRendition

    if isinstance(instance, _page_model()):
        return [f"p{instance.pk}"] if instance.pk is not None else []
    if isinstance(instance, AbstractRendition):
        image_id = instance.__dict__.get("image_id")
        return [f"i{image_id}"] if image_id is not None else []
    if isinstance(instance, get_image_model()):
        return [f"i{instance.pk}", f"m:{model_label(type(instance))}"] if instance.pk is not None else []
    if isinstance(instance, get_document_model()):
        return [f"d{instance.pk}", f"m:{model_label(type(instance))}"] if instance.pk is not None else []
    if parents := _parental_keys(type(instance)):
        tags = [f"p{value}" for field in parents if (value := instance.__dict__.get(field)) is not None]
        if tags:
            return tags
    return [f"m:{model_label(type(instance)._meta.concrete_model)}"]


@functools.cache
def _parental_keys(model) -> tuple[str, ...]:
    """Attribute names of the ParentalKeys (and one-to-one keys) from `model` to a page: its rows are part
    of that page (an agenda's documents, an event's sessions, a post's tags, an event's seat counter)."""
    from modelcluster.fields import ParentalKey

    Page = _page_model()
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, ParentalKey | models.OneToOneField) and issubclass(field.related_model, Page)
    )


class Tags(set):
    """The tags of a response, and where each page it loaded lies (to drop redundant page tags)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.pages: dict[str, tuple[str, type]] = {}


def _on_post_init(sender, instance, **kwargs):
    collected = _collector.get()
    if collected is not None:
        tags = instance_tags(instance)
        collected.update(tags)
        # A deferred field is not read (that would be a query per page); such a page is just never compacted.
        path = instance.__dict__.get("path")
        if path and tags and isinstance(instance, _page_model()):
            collected.pages[tags[0]] = (path, type(instance))


def compact(tags: Tags) -> set[str]:
    """Drop the tags of pages that a listing tag of the response already covers: whatever purges a page
    (publishing, unpublishing, moving, deleting it) purges every listing it is in too."""
    listings: dict[str, set[str]] = {}
    for tag in tags:
        if tag.startswith("l"):
            prefix, _, name = tag[1:].partition(":")
            listings.setdefault(name, set()).add(prefix)
    kept = set()
    for tag in tags:
        where = tags.pages.get(tag)
        if where is not None:
            path, model = where
            if any(
                path.startswith(prefix)
                for name in page_types_of_class(model)
                for prefix in listings.get(name, ())
            ):
                continue
        kept.add(tag)
    return kept


def listing_scope(query) -> str | None:
    """The treebeard path prefix a page query is restricted to by AND-ed, un-negated `path__startswith`
    filters ('' when none: a listing of the whole site). Negated ones (excluded subtrees) narrow nothing.
    None when the query picks pages by identity (primary key or path): not a listing, nothing can join it."""
    best = ""
    stack = [query.where]
    while stack:
        node = stack.pop()
        if isinstance(node, WhereNode):
            if node.negated or (node.connector != AND and len(node.children) > 1):
                continue
            stack.extend(node.children)
            continue
        target = getattr(getattr(node, "lhs", None), "target", None)
        if target is None:
            continue
        picked = isinstance(node, Exact | In) and (target.primary_key or target.name == "path")
        if picked and not hasattr(node.rhs, "query") and not hasattr(node.rhs, "as_sql"):
            return None  # a fixed list of pages (a subquery's result is a listing by content)
        if isinstance(node, StartsWith) and target.name == "path" and isinstance(node.rhs, str):
            if len(node.rhs) > len(best):
                best = node.rhs
    return best


def add_listing_tag(queryset) -> None:
    """Tag the response with the listing `queryset` (a page queryset) is about to run (each part of a UNION)."""
    collected = _collector.get()
    if collected is not None:
        query = queryset.query
        for part in query.combined_queries if query.combinator else (query,):
            scope = listing_scope(part)
            if scope is not None:
                collected.add(f"l{scope}:{part.model._meta.model_name}")


# -- The response ----------------------------------------------------------------------------------


def tag_header_value(tags: Iterable[str]) -> str:
    separator = "," if settings.PARVIS_CACHE_TAG_HEADER.lower() == "cache-tag" else " "
    return separator.join(sorted(tags))


def response_is_shareable(request, response) -> bool:
    """Whether a shared cache may store this response for every anonymous reader."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if response.cookies or response.streaming:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in CACHEABLE_CONTENT_TYPES


class CacheTagMiddleware:
    """Collect the tags of each GET/HEAD response; mark the shareable ones public with their tags.

    Placed first after SecurityMiddleware: it sees the final Cache-Control that PrivateCacheMiddleware and
    the views set, and the cookies every middleware added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A request with a session is never answered from, nor stored in, the shared cache (the VCL passes
        # it): no need to tag what it is shown.
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        with collect_tags() as tags:
            response = self.get_response(request)
        if response_is_shareable(request, response) and tags:
            value = tag_header_value(tags)
            if len(value) > settings.PARVIS_CACHE_TAG_MAX_BYTES:
                value = tag_header_value(compact(tags))
            if len(value) > settings.PARVIS_CACHE_TAG_MAX_BYTES:
                logger.warning(
                    "Not shared: %s shows too much to tag (%d bytes of tags)", request.path, len(value)
                )
                return response
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.PARVIS_SHARED_CACHE_SECONDS
            )
            response[settings.PARVIS_CACHE_TAG_HEADER] = value
            # The site has one language and anonymous responses read no cookie: a shared cache keeps one copy.
            if response.has_header("Vary"):
                kept = [
                    v.strip()
                    for v in response["Vary"].split(",")
                    if v.strip().lower() not in ("cookie", "accept-language")
                ]
                if kept:
                    response["Vary"] = ", ".join(kept)
                else:
                    del response["Vary"]
        return response


# -- What a change purges --------------------------------------------------------------------------


def page_types(page) -> list[str]:
    """The model names a listing of `page` may be a listing of: its class and each concrete page parent."""
    return page_types_of_class(page.specific_class or type(page))


@functools.cache
def page_types_of_class(model) -> tuple[str, ...]:
    Page = _page_model()
    return tuple(
        cls._meta.model_name
        for cls in model.__mro__
        if isinstance(cls, type) and issubclass(cls, Page) and not cls._meta.abstract and not cls._meta.proxy
    )


def path_prefixes(path: str) -> list[str]:
    steplen = _page_model().steplen
    return [""] + [path[:n] for n in range(steplen, len(path) + 1, steplen)]


def purge_tags_for_page(page, *, path: str | None = None) -> set[str]:
    """A page changed (published, unpublished, moved, deleted): itself, and every listing it may be in."""
    types = page_types(page)
    tags = {f"p{page.pk}"}
    for prefix in path_prefixes(path or page.path):
        tags.update(f"l{prefix}:{name}" for name in types)
    return tags


def purge_tags_for_subtree(page) -> set[str]:
    """A view restriction changed on `page`: every page of its subtree, and every listing they are in."""
    Page = _page_model()
    tags = set()
    rows = Page.objects.filter(path__startswith=page.path).values_list("pk", "path", "content_type_id")
    from django.contrib.contenttypes.models import ContentType

    type_names = {}
    for pk, path, content_type_id in rows:
        if content_type_id not in type_names:
            model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
            type_names[content_type_id] = page_types(model(pk=pk, path=path))
        tags.add(f"p{pk}")
        for prefix in path_prefixes(path):
            tags.update(f"l{prefix}:{name}" for name in type_names[content_type_id])
    return tags


def purge_tags_for_instance(instance) -> set[str]:
    tags = set(instance_tags(instance))
    tags.add(f"m:{model_label(type(instance)._meta.concrete_model)}")
    return tags


# -- Sending purges after the commit ---------------------------------------------------------------

_pending = threading.local()


class _PendingPurge:
    """The tags of one transaction, sent by one on-commit callback."""

    def __init__(self, tags):
        self.tags = set(tags)

    def __call__(self):
        purge_now_and_later(self.tags)


def purge_after_commit(tags: Iterable[str], using: str = "default") -> None:
    """Purge `tags` once the current transaction commits (at once in autocommit): one task per transaction.
    Nothing is sent for a transaction rolled back (its callback goes with it)."""
    tags = set(tags)
    if not tags:
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        # This transaction's own later reads must not get fragments built before the change; others may
        # rebuild one from what is committed until the commit, hence the second invalidation then.
        invalidate_fragments(tags)
    pending = getattr(_pending, "purge", None)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        pending.tags.update(tags)
        return
    _pending.purge = _PendingPurge(tags)
    transaction.on_commit(_pending.purge, using=using)


def purge_now_and_later(tags: Iterable[str]) -> None:
    """Invalidate the app's fragments at once, then queue the shared caches' purge."""
    from .tasks import cache_purge

    tags = sorted(set(tags))
    invalidate_fragments(tags)
    if settings.VARNISH_PURGE_URLS:
        cache_purge.enqueue(tags=tags)


# -- The app's own fragment cache, invalidated by the same tags ------------------------------------

_TAG_TOKEN_PREFIX = "tagv:"  # noqa: S105 (a cache key prefix)
_FRAGMENT_PREFIX = "fragment:"


def invalidate_fragments(tags: Iterable[str]) -> None:
    token = uuid.uuid4().hex
    cache.set_many({_TAG_TOKEN_PREFIX + tag: token for tag in [*tags, _ANY_TAG]}, timeout=None)


_ANY_TAG = "*"


def cached(key: str, build: Callable[[], object], timeout: int | None = None):
    """`build()`'s value from Django's cache (Redis in production), rebuilt once any tag of what it loaded
    has been purged. On a hit its tags are added to the response, as if it had been built again.

    Each tag has a token in the cache that a purge replaces; an entry keeps the tokens its tags had when it
    was built, and is valid while they are unchanged (two cache round trips, no query)."""
    entry = cache.get(_FRAGMENT_PREFIX + key)
    if entry is not None:
        value, tokens = entry
        if cache.get_many(list(tokens)) == {k: v for k, v in tokens.items() if v is not None}:
            add_tags(k[len(_TAG_TOKEN_PREFIX) :] for k in tokens)
            return value
    any_key = _TAG_TOKEN_PREFIX + _ANY_TAG
    before = cache.get(any_key)
    with collect_tags() as tags:
        value = build()
    keys = [_TAG_TOKEN_PREFIX + tag for tag in tags]
    current = cache.get_many([*keys, any_key])
    # A purge while building may have been missed by what was built: use it, but don't keep it.
    if current.get(any_key) == before:
        tokens = {k: current.get(k) for k in keys}
        cache.set(
            _FRAGMENT_PREFIX + key, (value, tokens), timeout=timeout or settings.PARVIS_SHARED_CACHE_SECONDS
        )
    return value
