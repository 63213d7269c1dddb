"""Every public route of the site, by construction, for the sweeps (privacy, hostile input).

- every live page, and every `RoutablePageMixin` sub-route of it, read from the page's own resolver;
- every URL pattern of `config/urls.py` outside the admin and static files, read from Django's resolver.

A new page type, sub-route or URL pattern is swept without editing any test. `RouteFiller` fills each
route's parameters with the objects of a world (the private things a sweep hides), by the parameter's
name and the page it belongs to — not from a hand-made list — so a new `propositions/<int:proposal_id>/`
is requested with the private proposal's id without editing the sweep.
"""

import itertools

from django.db import models
from django.urls import URLResolver, get_resolver

from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

EXCLUDED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")
# Parameters naming "the row of this page" when a sub-route does not say which model.
BARE_ID_PARAMETERS = ("pk", "id", "object_id")
# Suffixes stripped from a parameter's name to find the model it names (`proposal_id` → proposal).
ID_SUFFIXES = ("_id", "_pk")


def route_templates(resolver):
    """Every (template, parameter names) a resolver can produce, e.g. ("mois/%(year)s/%(month)s/", [...]),
    those of namespaced includes (`accounts:…`, `members:…`) too: Django keeps them out of the resolver's
    own reverse dictionary."""
    found = set()
    for key in list(resolver.reverse_dict):
        for possibilities, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(key):
            for template, params in possibilities:
                found.add((template, tuple(params)))
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace:
            prefix = str(entry.pattern).lstrip("^")
            found |= {(prefix + template, params) for template, params in route_templates(entry)}
    return sorted(found)


def public_routes_with_pages():
    """[(template, params, page)] of every public route: pages and their sub-routes (with the page), then
    config/urls.py (page None)."""
    routes = {}
    for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
        url = page.url
        assert url, page
        if isinstance(page, RoutablePageMixin):
            for template, params in route_templates(page.get_resolver()):
                routes.setdefault((url + template, params), page)
        else:
            routes.setdefault((url, ()), page)
    for template, params in route_templates(get_resolver()):
        template = "/" + template
        if template.lstrip("/").startswith(EXCLUDED_PREFIXES):
            continue
        if template == "/%(_0)s":  # wagtail_serve: the pages above
            continue
        routes.setdefault((template, params), None)
    return sorted(((template, params, page) for (template, params), page in routes.items()), key=_order)


def _order(route):
    template, params, _page = route
    return template, params


def public_routes():
    """[(template, params)] of every public route: pages, their sub-routes, then config/urls.py."""
    return sorted({(template, params) for template, params, _page in public_routes_with_pages()})


def fill(template, params, values, default="1"):
    """A concrete path from a route template, each parameter from `values` (by name) or `default`."""
    return template % {name: values.get(name, default) for name in params}


def _model_names(param):
    stem = param
    for suffix in ID_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = stem.replace("_", "").lower()
    return {stem, f"{stem}page"}


def _points_at(model, page):
    """Whether `model` has a foreign key to the page's own type (not to any page: `Page` itself)."""
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        if (
            isinstance(field, models.ForeignKey)
            and isinstance(target, type)
            and issubclass(target, Page)
            and target is not Page
            and isinstance(page, target)
        ):
            return True
    return False


class RouteFiller:
    """The concrete paths to request for a route: each parameter takes every value the world offers.

    - `values`: {name: value or [values]} given by the sweep (file names, filter specs, dates);
    - otherwise, from `rows` (the world's objects of any model, pages included), by the parameter's name:
      one naming a model (`proposal_id`, `meeting_pk`, `working_group_id`) takes the pks of that model's
      rows; one naming a field (`code`, `slug`, `token`) takes that field's values; a bare `pk`, `id` or
      `object_id` of a page's sub-route takes the pks of rows with a foreign key to that page's type;
    - what is left takes `default`.
    At most `limit` combinations per route (each value of each parameter appears in one of them).
    """

    def __init__(self, values, rows, default="1", limit=16):
        self.values = {
            name: list(dict.fromkeys(str(v) for v in (value if isinstance(value, list | tuple) else [value])))
            for name, value in values.items()
        }
        self.rows = list(rows)
        self.default = default
        self.limit = limit

    def candidates(self, param, page=None):
        if param in self.values:
            return self.values[param]
        found = []
        names = _model_names(param)
        for row in self.rows:
            meta = row._meta
            if meta.model_name in names or any(p._meta.model_name in names for p in meta.get_parent_list()):
                found.append(row.pk)
                continue
            for field in meta.concrete_fields:
                if param in (field.name, field.attname) and not field.primary_key:
                    value = getattr(row, field.attname)
                    if value not in (None, ""):
                        found.append(value)
            if page is not None and param in BARE_ID_PARAMETERS and _points_at(type(row), page):
                found.append(row.pk)
        return list(dict.fromkeys(str(value) for value in found))

    def unfilled(self, params, page=None):
        """The parameters the world offers nothing for (they take the default)."""
        return [param for param in params if not self.candidates(param, page)]

    def paths(self, template, params, page=None):
        choices = [self.candidates(param, page) or [self.default] for param in params]
        if not params:
            return [template]
        width = max(len(c) for c in choices)
        combos = [tuple(c[i % len(c)] for c in choices) for i in range(width)]
        combos += list(itertools.islice(itertools.product(*choices), self.limit))
        combos = list(dict.fromkeys(combos))[: max(self.limit, width)]
        return [template % dict(zip(params, combo, strict=True)) for combo in combos]
