"""schema.org JSON-LD of a dated page (`{% structured_data page site_name=… %}`). What every page shares —
description, canonical link, Open Graph and Twitter tags — is written by `{% seo_meta %}` (core.seo)."""

from django import template

from core.structured_data import dated_item_structured_data, json_ld

register = template.Library()


@register.simple_tag(takes_context=True)
def structured_data(context, item, site_name=""):
    """The item's schema.org Event as a safe `<script type="application/ld+json">` element."""
    request = context.get("request")
    return json_ld(dated_item_structured_data(item, request=request, site_name=site_name))
