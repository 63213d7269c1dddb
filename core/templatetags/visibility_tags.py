"""Template filters that keep private documents and images out of pages for those without access."""

from django import template

from core.visibility import item_visible_to

register = template.Library()


@register.filter
def visible_to(item, request):
    """The document or image if this request may see it, else None: `{% with d=doc|visible_to:request %}`."""
    return item if item is not None and item_visible_to(item, request) else None
