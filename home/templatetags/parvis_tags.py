from django import template

register = template.Library()


@register.inclusion_tag("tags/council_menu.html", takes_context=True)
def council_menu(context):
    from councils.models import CouncilPage

    councils = CouncilPage.objects.listed().order_by("title").only("title", "url_path", "path", "depth")
    return {"councils": councils, "request": context.get("request"), "page": context.get("page")}


@register.inclusion_tag("tags/site_footer.html", takes_context=True)
def site_footer(context):
    return {"settings": context.get("settings"), "request": context.get("request")}
