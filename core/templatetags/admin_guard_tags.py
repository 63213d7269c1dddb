"""Template filters for the admin guards (core.admin_guards)."""

from django import template

from core.admin_guards import tags_visible_to

register = template.Library()


@register.filter
def tags_visible_to_user(tags, user):
    """Keep to the tags of documents and images the user may see."""
    if not tags:
        return tags
    visible = set(tags_visible_to(user).values_list("name", flat=True))
    return [tag for tag in tags if tag.name in visible]
