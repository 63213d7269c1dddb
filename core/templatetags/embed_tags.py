"""A video embed that never breaks the page."""

import logging

from django import template

register = template.Library()
logger = logging.getLogger(__name__)


@register.filter
def embed_html_or_empty(value):
    """The embed HTML of an EmbedBlock value, or "" when the provider cannot be reached.

    Wagtail turns the errors it knows (EmbedException) into "", but a provider that hangs up mid-answer
    raises a plain network error (a timeout, a reset connection): the template then shows a plain link.
    """
    if not value:
        return ""
    try:
        return value.html
    except Exception:  # noqa: BLE001 — any failure of a third party must leave the page readable
        logger.warning("Video embed unavailable: %s", getattr(value, "url", value), exc_info=True)
        return ""
