"""Who may see what: the one home of Parvis's visibility rules.

Every listing, feed, calendar, search, sitemap and page type asks these functions, so that a new listing
cannot forget a filter:

- **listed** — what anyone may see in lists, menus, feeds and search: live, public (no view restriction on
  the page or an ancestor) and outside every sandbox council. Shared caches may hold it.
- **visible to a request** — what one reader may open: live, outside the sandbox, and every view
  restriction on the way accepts the request (a council's members see its members-only pages).
- **private collections** — documents and images in a collection with a view restriction (own or
  inherited) are shown only to requests that every restriction accepts.

Councils are the "spaces" that may be sandboxes. The space model is named by the
`PARVIS_SPACE_MODEL` setting (like `AUTH_USER_MODEL`), so these rules depend on no app above them.
"""

from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Q, prefetch_related_objects
from django.db.models.signals import post_save
from django.dispatch import receiver

from wagtail.models import Collection, CollectionViewRestriction, Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from .http_cache import _collector, add_listing_tag, add_tags, cached, purge_after_commit

_MEMO_ATTRIBUTE = "_parvis_visibility"


def space_model():
    """The page model of a council's space (it has an `is_sandbox` flag)."""
    return apps.get_model(settings.PARVIS_SPACE_MODEL)


class HiddenPaths(NamedTuple):
    """The subtrees no listing shows to anyone: under a view restriction, inside a sandbox space."""

    restrictions: tuple  # (restriction id, restriction type, page path), one per view restriction
    sandboxes: tuple  # paths of the sandbox spaces

    @property
    def restricted(self):
        return [path for _pk, _type, path in self.restrictions]

    @property
    def unlisted(self):
        return _outermost([*self.restricted, *self.sandboxes])


def _outermost(paths):
    """The paths that no other one contains (a subtree inside an excluded subtree is excluded already)."""
    kept = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def hidden_paths():
    """Where the view restrictions and the sandbox spaces are: a handful of rows, the same for every reader,
    read by every listing. Kept in the fragment cache (`core.http_cache.cached`): no query while nothing
    changed. Each listing then leaves those subtrees out by `path` prefix (the `varchar_pattern_ops` index
    on `path` serves it), where a subquery per row (`EXISTS … substr(path)`) cost 250-450 ms on a council
    page at 100,000 pages.

    Its tags — every restriction's (`m:wagtailcore.pageviewrestriction`), each restricted page's and
    sandbox's `p<id>` (a move purges them), every space's listing (`l:<space model>`: a council published,
    unpublished or deleted) — are kept apart from the response's: the pages this hides are purged by the
    change itself (`core.cache_signals`), and the response need not be purged whenever any council is
    published. Memoised for the response being built."""
    collected = _collector.get()
    memo = getattr(collected, "_parvis_hidden_paths", None) if collected is not None else None
    if memo is None:
        token = _collector.set(None)
        try:
            memo = cached("visibility-paths", _hidden_paths_read)
        finally:
            _collector.reset(token)
        if collected is not None:
            collected._parvis_hidden_paths = memo
    return memo


def _hidden_paths_read():
    """Every view restriction and every sandbox space with their pages' paths, in one query."""
    space = space_model()
    page_table, restriction_table, space_table = (
        connection.ops.quote_name(model._meta.db_table) for model in (Page, PageViewRestriction, space)
    )
    space_key, flag = (connection.ops.quote_name(c) for c in (space._meta.pk.column, "is_sandbox"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.restriction_type, p.id, p.path FROM {restriction_table} r "  # noqa: S608 (names)
            f"JOIN {page_table} p ON p.id = r.page_id "
            f"UNION ALL SELECT NULL, NULL, p.id, p.path FROM {space_table} s "
            f"JOIN {page_table} p ON p.id = s.{space_key} WHERE s.{flag}"
        )
        rows = cursor.fetchall()
    add_tags(["m:wagtailcore.pageviewrestriction", f"l:{space._meta.model_name}"])
    add_tags(f"p{page_id}" for _pk, _kind, page_id, _path in rows)
    return HiddenPaths(
        restrictions=tuple((pk, kind, path) for pk, kind, _page_id, path in rows if pk is not None),
        sandboxes=tuple(path for pk, _kind, _page_id, path in rows if pk is None),
    )


def _excluding(queryset, paths):
    """`queryset` without the subtrees of `paths` (one `NOT (path LIKE … OR …)`; negated, so it narrows no
    listing's scope in `core.http_cache.listing_scope`)."""
    if not paths:
        return queryset
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return queryset.exclude(condition)


@receiver(post_save, dispatch_uid="parvis_visibility_space_saved")
def _space_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A space saved while not live (created as a draft sandbox, its flag changed by a script): nothing
    else purges the spaces' listing tag then, and `hidden_paths()` must be read again."""
    if raw or not isinstance(instance, space_model()) or instance.live:
        return
    from .cache_signals import DRAFT_FIELDS

    if update_fields and set(update_fields) <= DRAFT_FIELDS:
        return
    purge_after_commit([f"l:{space_model()._meta.model_name}"])


class VisiblePageQuerySet(PageQuerySet):
    """Pages with Parvis's visibility rules. Page managers of Parvis's page types are built on it.

    Each time one runs as a listing inside a response, it tags the response with the listing's page type
    and subtree (core.http_cache): publishing a page there purges the response from the shared cache."""

    def _fetch_all(self):
        if self._result_cache is None:
            add_listing_tag(self)
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        add_listing_tag(self)
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            add_listing_tag(self)
        return super().count()

    def exists(self):
        if self._result_cache is None:
            add_listing_tag(self)
        return super().exists()

    def aggregate(self, *args, **kwargs):
        add_listing_tag(self)
        return super().aggregate(*args, **kwargs)

    def outside_sandbox(self):
        return _excluding(self, _outermost(hidden_paths().sandboxes))

    def listed(self):
        """What anyone may see in listings, feeds and search: live, public, outside the sandbox."""
        return _excluding(self.live(), hidden_paths().unlisted)

    def visible_to(self, request):
        """What this request may open: live, outside the sandbox, every view restriction accepted."""
        return _excluding(self.live(), _outermost([*hidden_paths().sandboxes, *hidden_page_paths(request)]))


class VisiblePageManager(PageManager.from_queryset(VisiblePageQuerySet)):
    pass


def listed_pages():
    """Every listed page, of any type (search, sitemap)."""
    return VisiblePageQuerySet(Page).listed()


def sandbox_paths():
    """Paths of the sandbox spaces, for search backends that cannot filter on a subquery."""
    return list(hidden_paths().sandboxes)


def searchable_pages():
    """Listed pages in a form Wagtail's search backends accept (filters on indexed fields only)."""
    pages = Page.objects.live()
    for path in hidden_paths().unlisted:
        pages = pages.exclude(path__startswith=path)
    return pages


# -- Page view restrictions ------------------------------------------------------------------------


def _memo(request):
    memo = getattr(request, _MEMO_ATTRIBUTE, None)
    if memo is None:
        memo = {}
        if request is not None:
            setattr(request, _MEMO_ATTRIBUTE, memo)
    return memo


def hidden_page_paths(request):
    """Paths of restricted pages this request may not open (memoised on the request). Nobody signed in:
    from `hidden_paths()` (no query); signed in: two queries (the restrictions with their groups, read
    afresh: a change of a restriction's groups purges nothing)."""
    memo = _memo(request)
    if "hidden_page_paths" not in memo:
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            memo["hidden_page_paths"] = [
                path
                for pk, kind, path in hidden_paths().restrictions
                if not _accepts_anonymous(request, pk, kind)
            ]
            return memo["hidden_page_paths"]
        if (
            user is not None
            and user.is_authenticated
            and "groups" not in getattr(user, "_prefetched_objects_cache", {})
        ):
            # Wagtail's `accept_request` reads `user.groups.all()` once per restriction: read them once.
            prefetch_related_objects([user], "groups")
        memo["hidden_page_paths"] = [
            restriction.page.path
            for restriction in PageViewRestriction.objects.select_related("page")
            .only("page__path", "restriction_type", "password")
            .prefetch_related("groups")
            if request is None or not restriction.accept_request(request)
        ]
    return memo["hidden_page_paths"]


def _accepts_anonymous(request, pk, kind):
    """Wagtail's `BaseViewRestriction.accept_request` for a reader who is not signed in: only a password
    given in this session opens a page (a login or groups restriction never does)."""
    if request is None or kind != PageViewRestriction.PASSWORD:
        return False
    session = getattr(request, "session", None)
    return session is not None and pk in session.get(
        PageViewRestriction.passed_view_restrictions_session_key, []
    )


def page_visible_to(page, request):
    """Whether this request may open this page (its own and its ancestors' restrictions)."""
    return not any(page.path.startswith(path) for path in hidden_page_paths(request))


def page_is_public(page):
    """No view restriction on the page or its ancestors."""
    return not any(page.path.startswith(path) for path in hidden_paths().restricted)


# -- Collection view restrictions (documents, images) ----------------------------------------------


def _restrictions_by_path():
    return {
        restriction.collection.path: restriction
        for restriction in CollectionViewRestriction.objects.select_related("collection").prefetch_related(
            "groups"
        )
    }


def private_collection_ids(request=None):
    """Ids of every collection under a view restriction (own or inherited). Memoised per request, and kept
    in the fragment cache (the same for every reader; saving a collection or a restriction purges it):
    no query on a page that shows images or documents."""
    memo = _memo(request)
    if "private_collection_ids" not in memo:
        memo["restrictions_by_path"], memo["private_collection_ids"] = cached(
            "private-collections", _private_collections
        )
    return memo["private_collection_ids"]


def _private_collections():
    restrictions = _restrictions_by_path()
    if not restrictions:
        return restrictions, {}
    query = Q()
    for path in restrictions:
        query |= Q(path__startswith=path)
    return restrictions, {
        pk: [r for p, r in restrictions.items() if path.startswith(p)]
        for pk, path in Collection.objects.filter(query).values_list("pk", "path")
    }


def collection_is_private(collection_id):
    return collection_id in private_collection_ids()


def collection_visible_to(collection_id, request):
    """Whether every view restriction on this collection (and its ancestors) accepts the request."""
    restrictions = private_collection_ids(request).get(collection_id)
    if not restrictions:
        return True
    memo = _memo(request)
    accepted = memo.setdefault("accepted_collections", {})
    if collection_id not in accepted:
        accepted[collection_id] = request is not None and all(r.accept_request(request) for r in restrictions)
    return accepted[collection_id]


def item_visible_to(item, request):
    """A document or image: may this request see it (title, file name, the file)?"""
    return item is not None and collection_visible_to(item.collection_id, request)


# -- Which council a page belongs to ---------------------------------------------------------------


def attach_councils(pages):
    """Set `.council` on each page to the space (council) it belongs to, with one query."""
    pages = [p for p in pages if isinstance(p, Page)]
    if not pages:
        return
    steplen = Page.steplen
    ancestor_paths = {p.path[:n] for p in pages for n in range(steplen, len(p.path) + 1, steplen)}
    councils = {c.path: c for c in space_model().objects.filter(path__in=ancestor_paths)}
    for page in pages:
        page.council = next(
            (
                councils[page.path[:n]]
                for n in range(steplen, len(page.path) + 1, steplen)
                if page.path[:n] in councils
            ),
            None,
        )
