import unicodedata

from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from wagtail.models import Page

from core.visibility import searchable_pages

QUERY_MAX_LENGTH = 200


def search_query_clean(value):
    """The words to look for: control characters (a null byte cannot reach PostgreSQL) become
    spaces, and an overlong query is cut, so no input makes the search fail."""
    value = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in value)
    return " ".join(value.split())[:QUERY_MAX_LENGTH].strip()


def search(request):
    """Site search over public pages only; the sandbox is never searched."""
    query = search_query_clean(request.GET.get("q", ""))
    results = Page.objects.none()
    if query:
        results = searchable_pages().search(query)
    paginator = Paginator(results, 10)
    page = paginator.get_page(request.GET.get("page"))  # not a number: first page; too far: last page
    return TemplateResponse(request, "search/search.html", {"search_query": query, "search_results": page})
