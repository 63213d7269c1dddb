"""How documents are described to readers: "PDF, 230 Ko"."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

KB = 1024
MB = KB * 1024
GB = MB * 1024


@register.filter
def human_size(size):
    """A file size the French way: "850 octets", "230 Ko", "1,2 Mo" (binary multiples), with a
    no-break space so the number never wraps away from its unit."""
    if size is None or size == "":
        return ""
    return _human_size(int(size)).replace(" ", "\u00a0")


def _human_size(size):
    if size < KB:
        return ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
    if size < MB:
        return _("%(size)s KB") % {"size": formats.number_format(round(size / KB), use_l10n=True)}
    if size < GB:
        return _("%(size)s MB") % {"size": formats.number_format(round(size / MB, 1), 1, use_l10n=True)}
    return _("%(size)s GB") % {"size": formats.number_format(round(size / GB, 1), 1, use_l10n=True)}


@register.filter
def document_format(document):
    """ "PDF, 230 Ko" from the stored extension and size (never opens the file)."""
    label = (document.file_extension or "").upper()
    size = human_size(document.file_size)
    if label and size:
        return _("%(format)s, %(size)s") % {"format": label, "size": size}
    return label or size
