"""Every public route of the site, by construction, for the sweeps (privacy, hostile input).

- every live page, and every `RoutablePageMixin` sub-route of it, read from the page's own resolver;
- every URL pattern of `config/urls.py` outside the admin and static files, read from Django's resolver.

A new page type, sub-route or URL pattern is swept without editing any test.
"""

from django.urls import get_resolver

from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

EXCLUDED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")


def route_templates(resolver):
    """Every (template, parameter names) a resolver can produce, e.g. ("mois/%(year)s/%(month)s/", [...])."""
    found = set()
    for key in list(resolver.reverse_dict):
        for possibilities, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(key):
            for template, params in possibilities:
                found.add((template, tuple(params)))
    return sorted(found)


def public_routes():
    """[(template, params)] of every public route: pages, their sub-routes, then config/urls.py."""
    routes = []
    for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
        url = page.url
        assert url, page
        if isinstance(page, RoutablePageMixin):
            routes += [(url + template, params) for template, params in route_templates(page.get_resolver())]
        else:
            routes.append((url, ()))
    for template, params in route_templates(get_resolver()):
        template = "/" + template
        if template.lstrip("/").startswith(EXCLUDED_PREFIXES):
            continue
        if template == "/%(_0)s":  # wagtail_serve: the pages above
            continue
        routes.append((template, params))
    return sorted(set(routes))


def fill(template, params, values, default="1"):
    """A concrete path from a route template, each parameter from `values` (by name) or `default`."""
    return template % {name: values.get(name, default) for name in params}
