"""The admin's listing of a council's meetings: date and status of each, in the order of the calendar.

Wagtail 8 lets a page type bring its own `PageViewSet`; its listing is used when exploring a parent that
holds only that type (here: a meetings index). So the explorer of "Réunions" shows each meeting's date
and status, and its default order is the one a volunteer works in: the meetings to come first, the next
one at the top (what they prepare), then the past ones, the latest first (what needs minutes). Clicking a
column header still sorts by date either way, or by title. (No "updated" column: on a phone the title
needs the room.)
"""

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import PageTitleColumn
from wagtail.admin.views.pages.listing import ExplorableIndexView, PageListingMixin
from wagtail.admin.viewsets.pages import PageViewSet

from core.typography import french_date, french_time

from .choices import MeetingStatus
from .models import MeetingPage

#: The default order of the meetings listing: upcoming (soonest first), then past (latest first).
UPCOMING_FIRST = "upcoming_first"


def meeting_when(page):
    """ "mardi 1er déc. 2026, 18 h 30" — the start, in the city's time, short enough for a phone."""
    if not page.start:
        return ""
    return f"{french_date(page.start, 'l j N Y')}, {french_time(page.start)}"


class MeetingListingView(ExplorableIndexView):
    def order_queryset(self, queryset):
        if self.ordering != UPCOMING_FIRST:
            return super().order_queryset(queryset)
        now = timezone.now()
        return queryset.annotate(
            _is_over=Case(When(end__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by(
            "_is_over",
            Case(When(end__gte=now, then=F("start"))).asc(nulls_last=True),
            Case(When(end__lt=now, then=F("start"))).desc(nulls_last=True),
            "pk",
        )


class MeetingWhenColumn(Column):
    """The meeting's date and time, with its status (planned, cancelled, held) as a tag below: one column,
    so that a phone keeps room for the titles."""

    cell_template_name = "meetings/admin/meeting_when_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["primary"] = instance.display_status == MeetingStatus.PLANNED
        return context


def _columns():
    by_name = {column.name: column for column in PageListingMixin.base_columns}
    return [
        by_name["bulk_actions"],
        # Wagtail's title column, given a width so that a phone does not squeeze titles letter by letter.
        PageTitleColumn("title", label=_("Title"), sort_key="title", classname="title", width="40%"),
        MeetingWhenColumn(
            "start", label=_("Meeting date and status"), accessor=meeting_when, sort_key="start"
        ),
        by_name["status"],
    ]


class MeetingPageViewSet(PageViewSet):
    model = MeetingPage
    index_view_class = MeetingListingView
    icon = "date"
    ordering = UPCOMING_FIRST
    columns = _columns()
