"""What each change purges from the shared cache (core.http_cache), wired once for every model.

Pages purge themselves and every listing they may appear in, when published, unpublished, moved, deleted
or saved live (a draft saves nothing a reader sees). A view restriction purges its whole subtree, a
collection's restriction every document and image in it. Any other row purges its tags when saved or
deleted, except bookkeeping rows (`UNSHOWN_MODELS`). Tags gathered in a transaction are sent after it
commits.
"""

from django.apps import apps as global_apps
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction
from wagtail.signals import page_unpublished, post_page_move, pre_page_move

from . import http_cache
from .http_cache import (
    UNSHOWN_MODELS,
    model_label,
    purge_after_commit,
    purge_tags_for_instance,
    purge_tags_for_page,
    purge_tags_for_subtree,
)

# Page fields a draft, a lock or a workflow writes: saving only these changes nothing a reader sees.
DRAFT_FIELDS = {
    "draft_title",
    "has_unpublished_changes",
    "latest_revision",
    "latest_revision_created_at",
    "locked",
    "locked_at",
    "locked_by",
}


def connect():
    post_init.connect(http_cache._on_post_init, dispatch_uid="parvis_cache_tags_post_init")


@receiver(page_unpublished)
def page_unpublished_purge(sender, instance, **kwargs):
    """Unpublishing saves the page not live, which `row_saved` leaves alone. (Publishing saves it live:
    `row_saved` purges it, once — `page_published` comes after that save's own transaction.)"""
    purge_after_commit(purge_tags_for_page(instance))


@receiver(pre_page_move)
@receiver(post_page_move)
def page_moving(sender, instance, **kwargs):
    """Before the move: the subtree where it was; after: where it is."""
    purge_after_commit(purge_tags_for_subtree(Page.objects.get(pk=instance.pk)))


def _is_page(sender):
    return isinstance(sender, type) and issubclass(sender, Page)


def _is_historical(sender):
    """A migration's frozen model: what it writes is no reader's concern yet (the task table may not exist)."""
    return sender._meta.apps is not global_apps


@receiver(post_save)
def row_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw or _is_historical(sender):
        return
    if _is_page(sender):
        if instance.live and not (update_fields and set(update_fields) <= DRAFT_FIELDS):
            purge_after_commit(purge_tags_for_page(instance))
        return
    _row_changed(sender, instance, created=created)


@receiver(post_delete)
def row_deleted(sender, instance, **kwargs):
    if _is_historical(sender):
        return
    if _is_page(sender):
        purge_after_commit(purge_tags_for_page(instance))
        return
    _row_changed(sender, instance, created=True)


def _row_changed(sender, instance, *, created):
    if model_label(sender._meta.concrete_model) in UNSHOWN_MODELS:
        return
    if isinstance(instance, PageViewRestriction):
        tags = purge_tags_for_subtree(instance.page) if instance.page_id else set()
        purge_after_commit(tags | purge_tags_for_instance(instance))
        return
    if isinstance(instance, CollectionViewRestriction | Collection):
        purge_after_commit(_collection_tags(instance) | purge_tags_for_instance(instance))
        return
    tags = purge_tags_for_instance(instance)
    if not created and isinstance(instance, get_document_model() | get_image_model()):
        # An edit: the pages that show it carry its own tag; only a new or deleted item changes lists.
        tags = {t for t in tags if not t.startswith("m:")}
    purge_after_commit(tags)


def _collection_tags(instance):
    collection = instance if isinstance(instance, Collection) else instance.collection
    if collection is None or collection.pk is None:
        return set()
    subtree = Collection.objects.filter(path__startswith=collection.path)
    tags = {
        f"d{pk}"
        for pk in get_document_model().objects.filter(collection__in=subtree).values_list("pk", flat=True)
    }
    tags |= {
        f"i{pk}"
        for pk in get_image_model().objects.filter(collection__in=subtree).values_list("pk", flat=True)
    }
    return tags
