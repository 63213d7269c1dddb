"""The newsletter's footer form, on every public page (subscription helper)."""

from django import template

register = template.Library()


@register.inclusion_tag("newsletter/includes/footer_signup.html", takes_context=True)
def newsletter_footer_signup(context):
    """The sign-up form of the footer. Cached pages carry it: nothing in it depends on the reader."""
    return {"page": context.get("page")}
