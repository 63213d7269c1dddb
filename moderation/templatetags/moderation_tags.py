from django import template

from wagtail.models import Page

from councils.models import CouncilPage

register = template.Library()

COUNCIL_DEPTH = 4


def in_council(page):
    """Whether a page is a council page or lies inside one (not a sandbox): at most one query."""
    if not isinstance(page, Page) or not page.pk or not page.live:
        return False
    if isinstance(page, CouncilPage):
        return not page.is_sandbox
    # Councils sit at depth 4 (root → home → council index → council: see their parent_page_types),
    # so only ancestors from that depth down can be one; shallower pages need no query.
    steplen = Page.steplen
    ancestor_paths = [page.path[:n] for n in range(steplen * COUNCIL_DEPTH, len(page.path), steplen)]
    if not ancestor_paths:
        return False
    return CouncilPage.objects.filter(path__in=ancestor_paths, is_sandbox=False).exists()


@register.inclusion_tag("moderation/tags/report_link.html", takes_context=True)
def report_link(context):
    page = context.get("page")
    return {"page": page if in_council(page) else None}
