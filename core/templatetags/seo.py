"""The head of every page (base.html): `{% seo_robots %}` and `{% seo_meta %}` (core.seo)."""

from django import template
from django.utils.safestring import mark_safe

from core.seo import noindex, seo_context

register = template.Library()


@register.simple_tag(takes_context=True)
def seo_robots(context):
    """`<meta name="robots" content="noindex">` where search engines must not index the page, else nothing."""
    if noindex(context):
        return mark_safe('<meta name="robots" content="noindex">')  # noqa: S308 - a constant
    return ""


@register.inclusion_tag("includes/seo_meta.html", takes_context=True)
def seo_meta(context):
    """Description, canonical link, Open Graph and Twitter tags, and the city's JSON-LD on the home page."""
    return {"seo": seo_context(context)}
