"""Admin guards: an admin URL that names an object the user may not see answers 403, whatever the view.

Wagtail checks permissions to *act* on an object in most views, but several only look the object up and
show it — the choosers' "chosen" views, bulk-action confirmations (which list, by title, the items one may
not act on), reports given a parent page, revisions. Rather than wrapping each such view (and missing the
next one a Wagtail upgrade adds), `AdminObjectGuardMiddleware` reads the objects every admin URL names —
its path parameters and its `?id=` / `childOf` / `collection_id` query — and refuses the request (403, the
same whether the object exists or not) before the view runs when one of them lies outside what the user
may see in the admin:

- a page: the pages the user holds rights on and the way down to them (`pages_explorable_by`);
- a document or an image: those of collections the user holds any right on;
- a collection: those, and the way down to them;
- a revision, workflow state or task state: that of a visible page;
- a pending upload or an editing session: the user's own.

Superusers are left alone, and so is whoever has no admin access yet (Wagtail sends them to sign in).
The city's communications team holds rights from the root page and root collection, so it sees all.
`tests/test_admin_sweep.py` proves it by requesting every admin URL pattern with another council's ids.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Revision, TaskState, UploadedFile, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from .visibility import listed_pages

COLLECTION_ACTIONS = ["add", "change", "delete", "choose"]


def pages_explorable_by(user):
    """The pages a user may see in the admin: those they have rights on, and the way down to them."""
    policy = PagePermissionPolicy()
    explorable = policy.explorable_instances(user).values_list("pk", flat=True)
    root = policy.explorable_root_instance(user)
    if root is None:
        return Page.objects.filter(pk__in=explorable)
    return Page.objects.filter(Q(pk__in=explorable) | Q(pk__in=Page.objects.ancestor_of(root).values("pk")))


def _media_policy(model):
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(model)


def collections_visible_to(user):
    """Collections the user holds any document or image right on, with the way down to them."""
    collections = Collection.objects.none()
    for model in (get_document_model(), get_image_model()):
        collections |= _media_policy(model).collections_user_has_any_permission_for(user, COLLECTION_ACTIONS)
    query = Q(pk__in=collections.values("pk"))
    for path in collections.values_list("path", flat=True):
        query |= Q(path__in=[path[:i] for i in range(Collection.steplen, len(path), Collection.steplen)])
    return Collection.objects.filter(query)


class Visibility:
    """What one user may see in the admin, computed lazily and once per request."""

    def __init__(self, user):
        self.user = user
        self._pages = self._collections = None
        self._page_type = ContentType.objects.get_for_model(Page)

    def pages(self, ids):
        if self._pages is None:
            self._pages = pages_explorable_by(self.user)
        return set(self._pages.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)

    def collections(self, ids):
        if self._collections is None:
            self._collections = collections_visible_to(self.user)
        return set(self._collections.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)

    def media(self, model, ids):
        policy = _media_policy(model)
        allowed = policy.collections_user_has_any_permission_for(self.user, COLLECTION_ACTIONS)
        return model.objects.filter(pk__in=ids, collection__in=allowed).count() == len(ids)

    def documents(self, ids):
        return self.media(get_document_model(), ids)

    def images(self, ids):
        return self.media(get_image_model(), ids)

    def _objects(self, rows, ids):
        """Revisions and workflow states point at an object; pages are the only kind editors revise."""
        rows = list(rows)
        page_ids = [int(object_id) for base_type, object_id in rows if base_type == self._page_type.pk]
        return len(rows) == len(ids) and self.pages(page_ids)

    def revisions(self, ids):
        return self._objects(
            Revision.objects.filter(pk__in=ids).values_list("base_content_type", "object_id"), ids
        )

    def workflow_states(self, ids):
        return self._objects(
            WorkflowState.objects.filter(pk__in=ids).values_list("base_content_type", "object_id"), ids
        )

    def task_states(self, ids):
        return self._objects(
            TaskState.objects.filter(pk__in=ids).values_list(
                "workflow_state__base_content_type", "workflow_state__object_id"
            ),
            ids,
        )

    def rows(self, parameter, ids):
        """Rows named by a registered parameter: they exist and their pages are visible."""
        from django.apps import apps

        model_label, page_field = ROW_PARAMETERS[parameter]
        model = apps.get_model(model_label)
        page_ids = list(model.objects.filter(pk__in=ids).values_list(f"{page_field}_id", flat=True))
        return len(page_ids) == len(ids) and self.pages(sorted({pk for pk in page_ids if pk is not None}))

    def uploads(self, ids):
        return UploadedFile.objects.filter(pk__in=ids, uploaded_by_user=self.user).count() == len(ids)

    def sessions(self, ids):
        from wagtail.admin.models import EditingSession

        return EditingSession.objects.filter(pk__in=ids, user=self.user).count() == len(ids)


# Path parameters that name an object, whatever the view.
KIND_OF_PARAMETER = {
    "page_id": "pages",
    "parent_page_id": "pages",
    "page_to_move_id": "pages",
    "destination_id": "pages",
    "page_pk": "pages",
    "index_id": "pages",
    "council_id": "pages",
    "meeting_id": "pages",
    "working_group_id": "pages",
    "revision_id": "revisions",
    "revision_id_a": "revisions",
    "revision_id_b": "revisions",
    "document_id": "documents",
    "doc_id": "documents",
    "image_id": "images",
    "collection_id": "collections",
    "uploaded_file_id": "uploads",
    "workflow_state_id": "workflow_states",
    "task_state_id": "task_states",
    "session_id": "sessions",
}
# Path parameters that name a row belonging to a page (a proposal to its council, a draw to its session):
# {parameter: ("app_label.Model", "page_field")}. The row is visible when it exists and its page is.
# Apps register theirs with `guard_row_parameter` (in their `wagtail_hooks.py`); the admin sweep fills
# them with council A's rows, so a new admin URL naming a row is swept without editing the sweep.
ROW_PARAMETERS = {}


def guard_row_parameter(parameter, model_label, page_field):
    """Declare that admin URLs' `parameter` names a row of `model_label`, visible when its `page_field`
    (a foreign key to a page: a council, a meeting) is. A parameter keeps one meaning across the admin."""
    known = ROW_PARAMETERS.get(parameter)
    if known is not None and known != (model_label, page_field):
        raise ValueError(f"Admin URL parameter {parameter!r} already names {known}")
    if parameter in KIND_OF_PARAMETER:
        raise ValueError(f"Admin URL parameter {parameter!r} already names {KIND_OF_PARAMETER[parameter]}")
    ROW_PARAMETERS[parameter] = (model_label, page_field)


# A bare `pk` (or `?id=`): its kind is told by the URL's namespace, then by the model a bulk URL names.
KIND_OF_NAMESPACE = {
    "wagtailadmin_api:pages": "pages",
    "wagtailadmin_pages": "pages",
    "wagtailadmin_api:documents": "documents",
    "wagtaildocs": "documents",
    "wagtaildocs_chooser": "documents",
    "wagtailadmin_api:images": "images",
    "wagtailimages": "images",
    "wagtailimages_chooser": "images",
    "wagtailadmin_collections": "collections",
}
KIND_OF_URL_NAME = {"wagtailadmin_choose_page_chosen_multiple": "pages"}
# Views that already answer better than a refusal: the explorer sends an editor back to their own pages.
UNGUARDED_URL_NAMES = {"wagtailadmin_explore"}
# Query parameters that name a page or a collection in any admin view.
KIND_OF_QUERY = {
    "childOf": "pages",
    "child_of": "pages",
    "descendant_of": "pages",
    "collection_id": "collections",
}


def _kind_of_model(app_label, model_name):
    from django.apps import apps

    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    for base, kind in ((Page, "pages"), (get_document_model(), "documents"), (get_image_model(), "images")):
        if issubclass(model, base):
            return kind
    return None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def referenced_objects(match, query):
    """{kind: {ids}} named by a resolved admin URL and its query string."""
    kwargs = match.kwargs
    model_kind = None
    for app_key, model_key in (("app_label", "model_name"), ("app_name", "model_name")):
        if app_key in kwargs and model_key in kwargs:
            model_kind = _kind_of_model(kwargs[app_key], kwargs[model_key])
    object_kind = (
        model_kind or KIND_OF_URL_NAME.get(match.view_name) or KIND_OF_NAMESPACE.get(match.namespace)
    )

    found = {}

    def add(kind, value):
        number = _int(value)
        if kind and number is not None:
            found.setdefault(kind, set()).add(number)

    for name, value in kwargs.items():
        if name in KIND_OF_PARAMETER:
            add(KIND_OF_PARAMETER[name], value)
        elif name in ROW_PARAMETERS:
            add(f"row:{name}", value)
        elif name in ("pk", "object_id"):
            add(object_kind, value)
    for value in query.getlist("id"):
        add(object_kind, value)
    for name, kind in KIND_OF_QUERY.items():
        for value in query.getlist(name):
            add(kind, value)
    return found


class AdminObjectGuardMiddleware:
    """Refuse (403) an admin request naming an object the user may not see; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        return self.get_response(request)

    def prefix(self):
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")
        return self._prefix

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (
            match is None
            or match.view_name in UNGUARDED_URL_NAMES
            or not request.path.startswith(self.prefix())
            or user is None
            or not user.is_authenticated
            or user.is_superuser
            or not user.has_perm("wagtailadmin.access_admin")
        ):
            return None
        references = referenced_objects(match, request.GET)
        if not references:
            return None
        visibility = Visibility(user)
        for kind, ids in references.items():
            if kind.startswith("row:"):
                allowed = visibility.rows(kind[4:], sorted(ids))
            else:
                allowed = getattr(visibility, kind)(sorted(ids))
            if not allowed:
                # The same answer whether the object exists or not, as Parvis's own admin views give.
                raise PermissionDenied
        return None


def media_admin_api_viewset(base):
    """The admin API's documents or images endpoint, keeping to the collections the user has rights on
    (Wagtail's lists every document and image of the site to anyone who may enter the admin)."""

    class CollectionScopedViewSet(base):
        def get_queryset(self):
            queryset = super().get_queryset()
            user = self.request.user
            if user.is_superuser:
                return queryset
            collections = _media_policy(self.model).collections_user_has_any_permission_for(
                user, COLLECTION_ACTIONS
            )
            return queryset.filter(collection__in=collections)

    CollectionScopedViewSet.__name__ = CollectionScopedViewSet.__qualname__ = (
        f"CollectionScoped{base.__name__}"
    )
    return CollectionScopedViewSet


# --- Tags ----------------------------------------------------------------------------------------------
# Taggit's tags are shared by the whole site; Wagtail's tag autocomplete and its "popular tags" (documents
# and images listings, image chooser) list them all. Keep each user to the tags of the documents and
# images they may see.


def tags_visible_to(user):
    from taggit.models import Tag

    if user.is_superuser:
        return Tag.objects.all()
    query = Q(pk__in=[])
    for model in (get_document_model(), get_image_model()):
        collections = _media_policy(model).collections_user_has_any_permission_for(user, COLLECTION_ACTIONS)
        query |= Q(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(model),
            taggit_taggeditem_items__object_id__in=model.objects.filter(collection__in=collections).values(
                "pk"
            ),
        )
    # Pages' tags (news posts…), through every tagged-item model whose object is a page: those of pages
    # the user may explore (their council) or that anyone may read (listed).
    pages = Page.objects.filter(
        Q(pk__in=pages_explorable_by(user).values("pk")) | Q(pk__in=listed_pages().values("pk"))
    )
    for through in _page_tag_through_models():
        query |= Q(pk__in=through.objects.filter(content_object__in=pages).values("tag_id"))
    return Tag.objects.filter(query).distinct()


def _page_tag_through_models():
    """Tagged-item models (django-taggit's ItemBase) that tag pages with taggit's Tag, found by walking
    the installed models: a tagged page type added later is covered."""
    from django.apps import apps

    from taggit.models import ItemBase, Tag

    found = []
    for model in apps.get_models():
        if not issubclass(model, ItemBase):
            continue
        try:
            target = model._meta.get_field("content_object").related_model
            tag = model._meta.get_field("tag").related_model
        except Exception:  # noqa: BLE001, S112 - generic tagged items have no content_object FK
            continue
        if isinstance(target, type) and issubclass(target, Page) and tag is Tag:
            found.append(model)
    return found


def tag_autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete, kept to the tags the user may see (custom tag models: Wagtail's)."""
    from django.http import JsonResponse

    from wagtail.admin.views import tags

    if app_name or model_name or request.user.is_superuser:
        return tags.autocomplete(request, app_name=app_name, model_name=model_name)
    term = request.GET.get("term")
    names = []
    if term:
        names = list(
            tags_visible_to(request.user)
            .filter(name__istartswith=term)
            .order_by("name")
            .values_list("name", flat=True)[: tags.TAGS_AUTOCOMPLETE_LIMIT]
        )
    return JsonResponse(names, safe=False)


def _visible_tags_filterset(base):
    class VisibleTagsFilterSet(base):
        def __init__(self, *args, request=None, **kwargs):
            super().__init__(*args, request=request, **kwargs)
            tag_filter = self.filters.get("tag")
            if tag_filter is not None and request is not None:
                visible = set(tags_visible_to(request.user).values_list("name", flat=True))
                choices = [(name, label) for name, label in tag_filter.extra["choices"] if name in visible]
                if choices:
                    tag_filter.extra["choices"] = choices
                else:
                    del self.filters["tag"]

    VisibleTagsFilterSet.__name__ = f"VisibleTags{base.__name__}"
    return VisibleTagsFilterSet


def _media_index_view(base):
    class MediaIndexView(base):
        filterset_class = _visible_tags_filterset(base.filterset_class)

    MediaIndexView.__name__ = f"Guarded{base.__module__.split('.')[1].title()}{base.__name__}"
    return MediaIndexView


def admin_url_overrides(prefix="admin/"):
    """URL patterns to list before Wagtail's admin: guarded versions of the few views that list
    site-wide data with no hook to narrow it. Same paths and view names as Wagtail's, so `reverse`
    keeps working; wrapped like Wagtail's own admin views."""
    from django.urls import path
    from django.views.decorators.cache import never_cache

    from wagtail.admin.auth import require_admin_access
    from wagtail.documents.views import documents
    from wagtail.images.views import images

    def admin_view(view):
        return never_cache(require_admin_access(view))

    documents_index = _media_index_view(documents.IndexView)
    images_index = _media_index_view(images.IndexView)
    return [
        path(f"{prefix}tag-autocomplete/", admin_view(tag_autocomplete)),
        path(f"{prefix}documents/", admin_view(documents_index.as_view())),
        path(f"{prefix}documents/results/", admin_view(documents_index.as_view(results_only=True))),
        path(f"{prefix}images/", admin_view(images_index.as_view())),
        path(f"{prefix}images/results/", admin_view(images_index.as_view(results_only=True))),
    ]
