"""The attendance chart as SVG, made on the server: stacked bars of members present per session, one
segment per college.

Accessible without colour: every college has a colour *and* a pattern (solid, stripes, dots, lines…), the
legend shows both, each segment carries its number when it is tall enough, and each bar its total. The
SVG has a `<title>` and a `<desc>` summing it up; the template puts the full numbers in a table beside it.
Colours are dark enough for 3:1 against white (WCAG 1.4.11) and the white pattern lines stay visible.
No `style` attributes (the site's CSP): presentation attributes only.
"""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# (fill, pattern kind): contrast with white ≥ 4.5:1 for each fill, so white numbers on them read too.
STYLES = [
    ("#1d4f91", "solid"),
    ("#9c4a00", "stripes"),
    ("#2b6a30", "dots"),
    ("#6b2c91", "lines"),
    ("#4a4a4a", "cross"),
    ("#8a1c3c", "stripes-back"),
]

WIDTH_MIN = 320
BAR = 36
GAP = 24
LEFT = 44
RIGHT = 12
TOP = 28
PLOT_HEIGHT = 200
BOTTOM = 44
LEGEND_LINE = 22


def _pattern(pid, fill, kind):
    if kind == "solid":
        return ""
    shapes = {
        "stripes": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="1.6"/>',
        "stripes-back": '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="#fff" stroke-width="1.6"/>',
        "dots": '<circle cx="4" cy="4" r="1.5" fill="#fff"/>',
        "lines": '<path d="M0,4 h8" stroke="#fff" stroke-width="1.6"/>',
        "cross": '<path d="M0,4 h8 M4,0 v8" stroke="#fff" stroke-width="1.2"/>',
    }
    return (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{fill}"/>{shapes[kind]}</pattern>'
    )


def _paint(prefix, index):
    fill, kind = STYLES[index % len(STYLES)]
    return fill if kind == "solid" else f"url(#{prefix}-p{index})"


def _nice_max(value):
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500):
        if value <= step * 5:
            return max(step, -(-value // step) * step), step
    step = 1000
    return -(-value // step) * step, step


def chart_summary(data) -> str:
    if not data.sessions:
        return _("No attendance recorded yet.")
    totals = [s["total"] for s in data.sessions]
    first, last = data.sessions[0], data.sessions[-1]
    return ngettext(
        "%(count)d session: %(first)d present at the first, %(last)d at the last, %(average)d on average.",
        "%(count)d sessions: %(first)d present at the first, %(last)d at the last, %(average)d on average.",
        len(totals),
    ) % {
        "count": len(totals),
        "first": first["total"],
        "last": last["total"],
        "average": round(sum(totals) / len(totals)),
    }


def session_label(meeting):
    return date_format(localtime(meeting.start), "d/m") if meeting.start else ""


def chart_svg(data, *, title="", prefix=None) -> str:
    """SVG markup for `data` (`services.ChartData`)."""
    prefix = prefix or "attendance-chart"
    sessions, colleges = data.sessions, data.colleges
    count = max(len(sessions), 1)
    plot_width = count * BAR + (count + 1) * GAP
    longest = max([len(name) for _key, name in colleges] + [0])
    width = max(WIDTH_MIN, LEFT + plot_width + RIGHT, LEFT + 24 + round(longest * 7.5) + RIGHT)
    legend_rows = len(colleges)
    height = TOP + PLOT_HEIGHT + BOTTOM + legend_rows * LEGEND_LINE + 8
    top_value = max([s["total"] for s in sessions] + [1])
    y_max, step = _nice_max(top_value)
    scale = PLOT_HEIGHT / y_max

    heading = _("Members present per session, by college")
    if title:
        heading = _("%(title)s: members present per session, by college") % {"title": title}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="attendance-chart__svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(heading)}</title>',
        f'<desc id="{prefix}-desc">{escape(chart_summary(data))}</desc>',
        "<defs>",
        *(_pattern(f"{prefix}-p{i}", *STYLES[i % len(STYLES)]) for i in range(len(colleges))),
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    # Axis and grid.
    base = TOP + PLOT_HEIGHT
    value = 0
    while value <= y_max:
        y = base - value * scale
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#c8c8c8"'
            f' stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{value}</text>'
        )
        value += step
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{width - RIGHT}" y2="{base}" stroke="#333"/>')
    # Bars.
    for index, session in enumerate(sessions):
        x = LEFT + GAP + index * (BAR + GAP)
        y = base
        for college_index, (key, _name) in enumerate(colleges):
            n = session["counts"].get(key, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{BAR}" height="{h:.1f}"'
                f' fill="{_paint(prefix, college_index)}" stroke="#fff" stroke-width="1"/>'
            )
            if h >= 16:
                parts.append(
                    f'<text x="{x + BAR / 2}" y="{y + h / 2 + 4:.1f}" text-anchor="middle" font-size="11"'
                    f' font-weight="bold" fill="#fff" stroke="#000" stroke-width="2.5" paint-order="stroke">'
                    f"{n}</text>"
                )
        parts.append(
            f'<text x="{x + BAR / 2}" y="{y - 5:.1f}" text-anchor="middle" font-size="12" font-weight="bold"'
            f' fill="#111">{session["total"]}</text>'
        )
        parts.append(
            f'<text x="{x + BAR / 2}" y="{base + 16}" text-anchor="middle" font-size="12" fill="#111">'
            f"{index + 1}</text>"
        )
        parts.append(
            f'<text x="{x + BAR / 2}" y="{base + 30}" text-anchor="middle" font-size="10" fill="#333">'
            f"{escape(session_label(session['meeting']))}</text>"
        )
    # Legend.
    y = base + BOTTOM
    for college_index, (_key, name) in enumerate(colleges):
        parts.append(
            f'<rect x="{LEFT}" y="{y}" width="16" height="16" fill="{_paint(prefix, college_index)}"'
            f' stroke="#333" stroke-width="1"/>'
        )
        parts.append(f'<text x="{LEFT + 24}" y="{y + 13}" font-size="13" fill="#111">{escape(name)}</text>')
        y += LEGEND_LINE
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
