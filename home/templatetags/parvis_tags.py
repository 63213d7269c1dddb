"""Template tags of the public site: the councils' menu, the footer, and a few safe formatters."""

import re

from django import template
from django.conf import settings as django_settings
from django.http import QueryDict

from councils.models import CouncilPage

register = template.Library()

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@register.inclusion_tag("tags/council_menu.html", takes_context=True)
def council_menu(context):
    """The listed councils (never the sandbox) for the header, in one query plus Wagtail's privacy check.

    Each item is (council, current) where current is "page" on the council's own page, "true" inside it.
    """
    page = context.get("page")
    current_path = getattr(page, "path", "") or ""
    councils = CouncilPage.objects.listed().order_by("title").only("title", "url_path", "path", "depth")
    items = []
    for council in councils:
        if current_path == council.path:
            current = "page"
        elif current_path.startswith(council.path):
            current = "true"
        else:
            current = ""
        items.append((council, current))
    return {"items": items, "request": context.get("request")}


@register.inclusion_tag("tags/site_footer.html", takes_context=True)
def site_footer(context):
    """Contact details, social links and legal links from the site settings."""
    return {
        "settings": context.get("settings"),
        "request": context.get("request"),
        "source_url": django_settings.PARVIS_SOURCE_URL,
    }


@register.filter
def css_colour(value, default="#1d4e89"):
    """A colour safe to print inside a <style> element: a #rrggbb value, else the default."""
    value = (value or "").strip()
    return value if _HEX_COLOUR.match(value) else default


@register.simple_tag(takes_context=True)
def page_querystring(context, number):
    """ "?…&page=<number>" keeping the request's other parameters (works without a RequestContext)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["page"] = number
    return "?" + query.urlencode()
