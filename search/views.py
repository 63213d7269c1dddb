from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control, never_cache

from core.middleware import mark_private

from .services import KINDS, PERIODS, search_query_clean, search_run, search_suggestions

__all__ = ["search", "search_query_clean", "suggestions"]


def _suggestions_url():
    try:
        return reverse("search_suggestions")
    except NoReverseMatch:  # the route is not mounted: the search box works without suggestions
        return ""


@never_cache
def search(request):
    """Site search: pages and documents this reader may see (members also find their councils'
    members-only content), ranked, filtered and paginated. Never stored by a shared cache: the results
    depend on who asks."""
    mark_private(request)
    query = search_query_clean(request.GET.get("q", ""))
    outcome = search_run(request=request, query=query, params=request.GET)
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": outcome.results,
            "search": outcome,
            "kinds": KINDS.items(),
            "periods": PERIODS.items(),
            "suggestions_url": _suggestions_url(),
            "seo_noindex": True,
        },
    )


@cache_control(public=True, max_age=300)
def suggestions(request):
    """Titles of public pages starting with the words typed (JSON), for the search box's suggestions.
    The same answer for everyone: public titles only."""
    query = search_query_clean(request.GET.get("q", ""))
    return JsonResponse({"query": query, "suggestions": search_suggestions(query=query)})
