"""Template filters for French typography on the public site (see core.typography)."""

from django import template

from core.typography import EN_DASH, WORD_JOINER, french_date, french_time, french_time_range

register = template.Library()


@register.filter(expects_localtime=True)
def fr_time(value):
    return french_time(value)


@register.filter(expects_localtime=True)
def fr_time_range(start, end):
    return french_time_range(start, end)


@register.filter(expects_localtime=True)
def fr_date(value, format_string="l j F Y"):
    return french_date(value, format_string)


@register.simple_tag
def range_dash():
    """The dash between two <time> elements of a range: an en dash that never ends a line."""
    return f"{EN_DASH}{WORD_JOINER}"
