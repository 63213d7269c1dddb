"""French typography for dates and times on the public site.

- times: "9 h 30", "18 h" — no-break spaces (U+00A0) around the "h", so that a line never ends between
  the hour and its minutes;
- ranges: "18 h 30–20 h 30" — an en dash, with a word joiner (U+2060) after it so the range stays on
  one line (a line may otherwise break after a dash);
- dates: "1er décembre 2026" — the first day of the month is an ordinal ("1er"), and the day, the
  month and the year hold together with no-break spaces ("mardi 1er décembre 2026").

In templates: `{% load typography %}` then `{{ meeting.start|fr_date }}`, `{{ meeting.start|fr_date:"j F Y" }}`,
`{{ meeting.start|fr_time }}`, `{{ meeting.start|fr_time_range:meeting.end }}`.
"""

from datetime import date, datetime

from django.utils import dateformat, timezone

NBSP = "\u00a0"
EN_DASH = "\u2013"
WORD_JOINER = "\u2060"
#: French writes the first of the month as an ordinal. These filters are French typography on purpose
#: (the public site is French only), so the ordinal is not a translatable string.
FIRST_OF_MONTH = "1er"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def french_time(value):
    """18:30 → "18 h 30", 9:00 → "9 h" (no-break spaces)."""
    value = _local(value)
    if value in (None, ""):
        return ""
    if value.minute:
        return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"
    return f"{value.hour}{NBSP}h"


def french_time_range(start, end):
    """ "18 h 30–20 h 30": never broken across lines."""
    if start in (None, "") or end in (None, ""):
        return french_time(start or end)
    return f"{french_time(start)}{EN_DASH}{WORD_JOINER}{french_time(end)}"


def french_date(value, format_string="l j F Y"):
    """Django's date format, with "1er" for the first of the month and no-break spaces inside the date.

    The space after the weekday ("l") and after a comma stays breakable: "mardi 1er décembre 2026,".
    """
    value = _local(value)
    if value in (None, "") or not isinstance(value, date):
        return ""
    parts = []
    tokens = format_string.split(" ")
    for position, token in enumerate(tokens):
        if token.startswith("j") and value.day == 1:
            text = FIRST_OF_MONTH + dateformat.format(value, token[1:])
        else:
            text = dateformat.format(value, token)
        parts.append(text)
        if position < len(tokens) - 1:
            parts.append(" " if token.endswith(("l", ",")) else NBSP)
    return "".join(parts)
