from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse

from wagtail.models import Page


def search(request):
    """Site search over public pages only; the sandbox is never searched."""
    from councils.models import CouncilPage

    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        pages = Page.objects.live().public()
        for sandbox_path in CouncilPage.objects.filter(is_sandbox=True).values_list("path", flat=True):
            pages = pages.exclude(path__startswith=sandbox_path)
        results = pages.search(query)
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return TemplateResponse(request, "search/search.html", {"search_query": query, "search_results": page})
