"""The fence on content: a page (or any admin-edited object) may only point to what its author may use.

A reference is anything a field or block stores to a document, an image or a page: StreamField chooser
blocks, rich-text links, foreign keys (cover images), and the same inside inline children (a meeting's
attached documents). They are found the way Wagtail's reference index finds them — every model field
that is a foreign key, every field with `extract_references` (StreamField, RichTextField), every inline
child — so a field or block added later is covered without being listed here.

An author may use:
- documents and images in the collections they may *choose* from (Wagtail's collection permissions:
  their council's collections), or in site-wide public collections (no view restriction, owned by no
  council);
- pages they may explore in the admin (their council), or pages anyone may see (`listed`).
"""

import re

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Collection, Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

from .visibility import VisiblePageQuerySet, private_collection_ids, space_model

MESSAGES = {
    "document": _(
        "You cannot use this document here: it is private or belongs to another council. "
        "Choose one of your council's documents."
    ),
    "image": _(
        "You cannot use this image here: it is private or belongs to another council. "
        "Choose one of your council's images."
    ),
    "inline": _("Some of the items below cannot be saved: see the messages beside them."),
    "page": _(
        "You cannot link to this page: it is private, unpublished or belongs to another council. "
        "Choose a published public page or a page of your council."
    ),
}


def _kind(model):
    if issubclass(model, get_document_model()):
        return "document"
    if issubclass(model, get_image_model()):
        return "image"
    if issubclass(model, Page):
        return "page"
    return None


def extract_references(obj):
    """(kind, model, pk, field name) for every document, image or page `obj` points to (unsaved too)."""
    for field in obj._meta.get_fields():
        if getattr(field, "concrete", False) and field.is_relation and field.many_to_one:
            kind = _kind(field.related_model)
            value = field.value_from_object(obj)
            if kind and value is not None:
                yield kind, field.related_model, value, field.name
        elif hasattr(field, "extract_references") and getattr(field, "concrete", False):
            value = field.value_from_object(obj)
            if value is None:
                continue
            for to_model, to_object_id, _model_path, _content_path in field.extract_references(value):
                kind = _kind(to_model)
                if kind:
                    yield kind, to_model, to_object_id, field.name


def usable_collection_ids(user, model):
    """Collections whose items `user` may place in content: those they may choose from, and the
    site-wide public ones (no view restriction, owned by no council)."""
    policy = policy_registry.get_by_type(model)
    chosen = set(policy.collections_user_has_permission_for(user, "choose").values_list("pk", flat=True))
    owned = Q()
    for path in space_model().owned_collection_paths():
        owned |= Q(path__startswith=path)
    site_wide = Collection.objects.exclude(pk__in=list(private_collection_ids()))
    if owned:
        site_wide = site_wide.exclude(owned)
    return chosen | set(site_wide.values_list("pk", flat=True))


def _allowed_ids(user, kind, model, ids):
    if user.is_superuser:
        return set(ids)
    if kind == "page":
        explorable = PagePermissionPolicy().explorable_instances(user).filter(pk__in=ids)
        listed = VisiblePageQuerySet(Page).listed().filter(pk__in=ids)
        return {str(pk) for pk in explorable.values_list("pk", flat=True)} | {
            str(pk) for pk in listed.values_list("pk", flat=True)
        }
    collections = usable_collection_ids(user, model)
    return {
        str(pk)
        for pk in model.objects.filter(pk__in=ids, collection_id__in=collections).values_list("pk", flat=True)
    }


def refused_references(objects, user):
    """[(object, field name, kind, pk)] for each reference in `objects` that `user` may not use."""
    references = [(obj, ref) for obj in objects for ref in extract_references(obj)]
    by_kind = {}
    for obj, (kind, model, pk, field_name) in references:
        by_kind.setdefault((kind, model), []).append((obj, str(pk), field_name))
    refused = []
    for (kind, model), items in by_kind.items():
        ids = {pk for _obj, pk, _field in items if pk.isdigit()}
        allowed = _allowed_ids(user, kind, model, ids)
        refused += [(obj, field_name, kind, pk) for obj, pk, field_name in items if pk not in allowed]
    return refused


# -- Keeping what the editor typed, minus what they may not see ----------------------------------------

_LINK = re.compile(r"(<a\b[^>]*>)(.*?)(</a>)", re.DOTALL)
_EMBED = re.compile(r"<embed\b[^>]*/?>")
_ATTRIBUTE = re.compile(r'\b(linktype|embedtype|id)="([^"]*)"')
_RICH_TEXT_KINDS = {"page": "page", "document": "document", "image": "image"}


def _attributes(tag):
    return dict(_ATTRIBUTE.findall(tag))


def strip_rich_text(html, refused):
    """Rich text without the links and images in `refused` ({(kind, pk)}); link texts are kept."""

    def link(match):
        attrs = _attributes(match.group(1))
        key = (_RICH_TEXT_KINDS.get(attrs.get("linktype")), attrs.get("id"))
        return match.group(2) if key in refused else match.group(0)

    def embed(match):
        attrs = _attributes(match.group(0))
        return (
            ""
            if (_RICH_TEXT_KINDS.get(attrs.get("embedtype")), attrs.get("id")) in refused
            else match.group(0)
        )

    return _EMBED.sub(embed, _LINK.sub(link, html or ""))


def strip_block_references(block, raw, refused):
    """A block's raw (JSON-ready) value without the references in `refused` ({(kind, pk)})."""
    if isinstance(block, blocks.StreamBlock):
        return [
            {
                **child,
                "value": strip_block_references(block.child_blocks[child["type"]], child["value"], refused),
            }
            if child.get("type") in block.child_blocks
            else child
            for child in raw or []
        ]
    if isinstance(block, blocks.ListBlock):
        return [
            {**item, "value": strip_block_references(block.child_block, item["value"], refused)}
            if isinstance(item, dict) and "value" in item and "type" in item
            else strip_block_references(block.child_block, item, refused)
            for item in raw or []
        ]
    if isinstance(block, blocks.StructBlock) and isinstance(raw, dict):
        return {
            name: strip_block_references(block.child_blocks[name], value, refused)
            if name in block.child_blocks
            else value
            for name, value in raw.items()
        }
    if isinstance(block, blocks.RichTextBlock):
        return strip_rich_text(raw, refused)
    kind = (
        "document"
        if isinstance(block, DocumentChooserBlock)
        else "image"
        if isinstance(block, ImageChooserBlock)
        else "page"
        if isinstance(block, blocks.PageChooserBlock)
        else None
    )
    if kind and (kind, str(raw)) in refused:
        return None
    return raw
