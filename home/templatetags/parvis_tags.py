"""Template tags of the public site: the councils' menu, the footer, and a few safe formatters."""

import re

from django import template
from django.conf import settings as django_settings
from django.http import QueryDict

from wagtail.models import Site

from core.http_cache import add_tags, cached, instance_tags
from councils.models import CouncilPage
from home.models import SiteSettings

register = template.Library()

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@register.simple_tag(takes_context=True)
def site_settings_load(context):
    """Put the site's settings on the request from the fragment cache (no query on a hit), where Wagtail's
    `settings` context reads them (`BaseSiteSetting.for_request` keeps them on the request). Placed first in
    base.html; a view that already read them keeps its own."""
    request = context.get("request")
    if request is None or hasattr(request, SiteSettings.get_cache_attr_name()):
        return ""
    site = Site.find_for_request(request)
    if site is not None:
        value = cached(f"site-settings:{site.pk}", lambda: _site_settings(site))
        setattr(request, SiteSettings.get_cache_attr_name(), value)
    return ""


def _site_settings(site):
    """The settings with the logo the header shows loaded too (kept with them, tagged with the image)."""
    site_settings = SiteSettings.for_site(site)
    _logo = site_settings.logo  # noqa: F841 - loads the related image into the instance kept
    return site_settings


@register.inclusion_tag("tags/council_menu.html", takes_context=True)
def council_menu(context):
    """The listed councils (never the sandbox) for the header: one query, built once per site and kept in
    the fragment cache (core.http_cache.cached, purged when a council is published, moved or restricted).

    Each item is {title, url, current} where current is "page" on the council's own page, "true" inside it.
    """
    request = context.get("request")
    page = context.get("page")
    current_path = getattr(page, "path", "") or ""
    site = Site.find_for_request(request) if request is not None else None
    councils = cached(f"council-menu:{getattr(site, 'pk', '')}", lambda: _council_menu_items(request))
    items = []
    for council in councils:
        if current_path == council["path"]:
            current = "page"
        elif current_path.startswith(council["path"]):
            current = "true"
        else:
            current = ""
        items.append({**council, "current": current})
    return {"items": items, "request": request}


def _council_menu_items(request):
    councils = CouncilPage.objects.listed().order_by("title").only("title", "url_path", "path", "depth")
    return [
        {"title": council.title, "url": council.get_url(request), "path": council.path}
        for council in councils
    ]


@register.inclusion_tag("tags/site_footer.html", takes_context=True)
def site_footer(context):
    """Contact details, social links and legal links from the site settings; the legal pages' addresses
    are kept in the fragment cache (no query on a hit)."""
    request = context.get("request")
    settings = context.get("settings")
    site = Site.find_for_request(request) if request is not None else None
    return {
        "settings": settings,
        "request": request,
        "source_url": django_settings.PARVIS_SOURCE_URL,
        "legal_urls": cached(f"footer-legal:{getattr(site, 'pk', '')}", lambda: _legal_urls(request)),
    }


def _legal_urls(request):
    site_settings = SiteSettings.for_request(request)
    # Loaded once per request, maybe before this block: its tag is added here, so a change purges the entry.
    add_tags(instance_tags(site_settings))
    urls = {}
    for name in ("legal_notice_page", "accessibility_page"):
        page = getattr(site_settings, name)
        urls[name] = page.get_url(request) if page is not None else ""
    return urls


@register.filter
def breadcrumb_ancestors(page):
    """The page's ancestors, root first: those the routing loaded on its way to the page (no query) when
    it was routed (`HomePage.route`), else one query."""
    routed = getattr(page, "routed_ancestors", None)
    if routed is not None:
        return routed
    return page.get_ancestors()


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
