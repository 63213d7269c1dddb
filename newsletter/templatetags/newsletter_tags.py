"""The newsletter's footer form, on every public page (subscription helper)."""

from django import template
from django.urls import reverse

from ..subscriptions import consent_current, footer_lists

register = template.Library()


@register.inclusion_tag("newsletter/includes/footer_signup.html", takes_context=True)
def newsletter_footer_signup(context):
    """The sign-up form of the footer. Cached pages carry it: nothing in it depends on the reader (no CSRF
    token: the POST counts for nothing until the address confirms). Two queries, whatever the number of
    councils: the consent text, and the lists (the city's, and the council's on a council's pages)."""
    request = context.get("request")
    consent = consent_current()
    if consent is None:
        return {"consent": None}
    return {
        "consent": consent,
        "lists": footer_lists(context.get("page")),
        "action": reverse("newsletter:subscribe"),
        "page_url": reverse("newsletter:page"),
        "source": request.path if request is not None else "",
    }
