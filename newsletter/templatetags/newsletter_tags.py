"""The newsletter's footer form, on every public page (subscription helper)."""

from django import template
from django.urls import reverse

from core.http_cache import add_tags, cached
from core.visibility import space_model

from ..subscriptions import consent_current, footer_lists

register = template.Library()


@register.inclusion_tag("newsletter/includes/footer_signup.html", takes_context=True)
def newsletter_footer_signup(context):
    """The sign-up form of the footer. Cached pages carry it: nothing in it depends on the reader (no CSRF
    token: the POST counts for nothing until the address confirms). Built once per page path and kept in the
    fragment cache (core.http_cache.cached: purged with the consent text, the lists and the council): no
    query on a hit; three at most when built (the consent text, the council, the lists)."""
    request = context.get("request")
    page = context.get("page")
    form = cached(f"newsletter-footer:{getattr(page, 'path', None) or ''}", lambda: _footer_form(page))
    if form is None:
        return {"consent": None}
    return {
        **form,
        "action": reverse("newsletter:subscribe"),
        "page_url": reverse("newsletter:page"),
        "source": request.path if request is not None else "",
    }


def _footer_form(page):
    """What the form offers on `page` (the same on every page of the same council): the consent
    version and the lists, as plain values the fragment cache can keep."""
    # Which council the form names depends on councils the build may not load (one not live yet): any
    # change to a council's publication purges the entry (the councils' site-wide listing tag).
    add_tags([f"l:{space_model()._meta.model_name}"])
    consent = consent_current()
    if consent is None:
        return None
    return {
        "consent": {"version": consent.version},
        "lists": [{"pk": item.pk, "label": str(item)} for item in footer_lists(page)],
    }
