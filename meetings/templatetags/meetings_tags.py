from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from meetings.models import format_minutes

register = template.Library()


@register.filter
def file_size(size):
    """A file size for readers: "230 KB", "1.4 MB" (French: "230 Ko", "1,4 Mo")."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": formats.number_format(max(1, round(size / 1024)))}
    return _("%(size)s MB") % {"size": formats.number_format(round(size / (1024 * 1024), 1), 1)}


@register.filter
def document_label(document):
    """ "PDF, 230 KB": what a reader needs to know before downloading."""
    parts = [(document.file_extension or "").upper()]
    size = document.get_file_size() if hasattr(document, "get_file_size") else document.file_size
    if size:
        parts.append(file_size(size))
    return ", ".join(p for p in parts if p)


@register.filter
def minutes_label(minutes):
    """45 → "45 min", 135 → "2 h 15 min"."""
    if minutes in (None, ""):
        return ""
    return format_minutes(minutes)
