"""Sharing a page: schema.org JSON-LD (`{% structured_data page site_name=… %}`) and the image shared with
social networks (`{% share_image page.lead_image as image %}`, a public image's rendition or None)."""

from django import template

from core.structured_data import absolute_url, dated_item_structured_data, json_ld, share_image_rendition

register = template.Library()


@register.simple_tag(takes_context=True)
def structured_data(context, item, site_name=""):
    """The item's schema.org Event as a safe `<script type="application/ld+json">` element."""
    request = context.get("request")
    return json_ld(dated_item_structured_data(item, request=request, site_name=site_name))


@register.simple_tag(takes_context=True)
def share_image(context, image):
    """The rendition of a public image for Open Graph and Twitter cards (None for a private one)."""
    return share_image_rendition(image, context.get("request"))


@register.simple_tag(takes_context=True)
def absolute(context, url):
    """An absolute URL for a path of this site (Open Graph wants absolute URLs)."""
    return absolute_url(url or "", context.get("request"))
