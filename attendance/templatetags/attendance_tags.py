"""The public attendance chart of a council page (numbers only)."""

from django import template

from attendance import services
from attendance.chart import chart_summary

register = template.Library()


@register.simple_tag
def attendance_public_chart(council):
    """{data, svg, summary} for the council's page, or None when the council does not show its chart."""
    if not getattr(council, "attendance_chart_public", False):
        return None
    data = services.attendance_chart_data(council=council, public=True)
    return {
        "data": data,
        "svg": services.attendance_chart_svg(council=council, data=data) if data.sessions else "",
        "summary": chart_summary(data),
    }
