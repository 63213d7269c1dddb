"""Rich-text links to documents that say nothing private to the public."""

from django.urls import reverse
from django.utils.html import format_html

from wagtail.documents.rich_text import DocumentLinkHandler

from core.visibility import collection_is_private


class PrivacyAwareDocumentLinkHandler(DocumentLinkHandler):
    """A link to a private document points to `/documents/<id>/`, which checks who asks before
    redirecting to the file: the published HTML (which shared caches may hold) carries neither its file
    name nor anything else about it. Public documents link straight to their file."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        links = []
        for document in cls.get_many(attrs_list):
            if document is None:
                links.append("<a>")
            elif collection_is_private(document.collection_id):
                links.append(format_html('<a href="{}">', reverse("document_by_id", args=[document.pk])))
            else:
                links.append(format_html('<a href="{}">', document.url))
        return links
