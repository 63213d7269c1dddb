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

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.db.models.functions import Length, Substr

from wagtail.models import Collection, CollectionViewRestriction, Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from .http_cache import add_listing_tag, cached

_MEMO_ATTRIBUTE = "_parvis_visibility"


def space_model():
    """The page model of a council's space (it has an `is_sandbox` flag)."""
    return apps.get_model(settings.PARVIS_SPACE_MODEL)


def _in_sandbox():
    """An Exists() true when the outer page is a sandbox space or lies inside one."""
    return Exists(
        space_model().objects.filter(is_sandbox=True, path=Substr(OuterRef("path"), 1, Length("path")))
    )


def _restricted():
    """An Exists() true when a view restriction sits on the outer page or one of its ancestors.

    One subquery in the listing's own SQL, where Wagtail's `public()` first reads every restriction (one
    more query per listing: five on a council page)."""
    return Exists(
        PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))
    )


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
        return self.filter(~_in_sandbox())

    def listed(self):
        """What anyone may see in listings, feeds and search: live, public, outside the sandbox."""
        return self.live().filter(~_restricted()).outside_sandbox()

    def visible_to(self, request):
        """What this request may open: live, outside the sandbox, every view restriction accepted."""
        queryset = self.live().outside_sandbox()
        for path in hidden_page_paths(request):
            queryset = queryset.exclude(path__startswith=path)
        return queryset


class VisiblePageManager(PageManager.from_queryset(VisiblePageQuerySet)):
    pass


def listed_pages():
    """Every listed page, of any type (search, sitemap)."""
    return VisiblePageQuerySet(Page).listed()


def sandbox_paths():
    """Paths of the sandbox spaces, for search backends that cannot filter on a subquery."""
    return list(space_model().objects.filter(is_sandbox=True).values_list("path", flat=True))


def searchable_pages():
    """Listed pages in a form Wagtail's search backends accept (filters on indexed fields only)."""
    pages = Page.objects.live().public()
    for path in sandbox_paths():
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
    """Paths of restricted pages this request may not open (memoised on the request: two queries)."""
    memo = _memo(request)
    if "hidden_page_paths" not in memo:
        user = getattr(request, "user", None)
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


def page_visible_to(page, request):
    """Whether this request may open this page (its own and its ancestors' restrictions)."""
    return not any(page.path.startswith(path) for path in hidden_page_paths(request))


def page_is_public(page):
    """No view restriction on the page or its ancestors."""
    return not PageViewRestriction.objects.filter(
        page__in=Page.objects.ancestor_of(page, inclusive=True)
    ).exists()


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
