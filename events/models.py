import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from core.models import BasePage
from core.visibility import attach_councils
from meetings.ical import city_feed_response
from meetings.models import MeetingPage

from .forms import AgendaFilterForm

AGENDA_PER_PAGE = 50


def month_bounds(first_day):
    """The [start, end) instants of a month in the city's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    next_month = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        datetime.combine(first_day, datetime.min.time(), tzinfo=tz),
        datetime.combine(next_month, datetime.min.time(), tzinfo=tz),
    )


def group_by_day(meetings):
    """[(local date, [meetings])] in the order given."""
    days = []
    for meeting in meetings:
        day = timezone.localtime(meeting.start).date()
        if days and days[-1][0] == day:
            days[-1][1].append(meeting)
        else:
            days.append((day, [meeting]))
    return days


def month_grid(first_day, meeting_days, today):
    """Weeks (Monday first) of a month: each day is None (outside) or a dict for the template."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first_day.year, first_day.month):
        weeks.append(
            [
                {
                    "date": day,
                    "count": meeting_days.get(day, 0),
                    "is_today": day == today,
                }
                if day.month == first_day.month
                else None
                for day in week
            ]
        )
    return weeks


class EventIndexPage(RoutablePageMixin, BasePage):
    """The city-wide agenda (/agenda/): every public upcoming meeting and event, by month."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    # -- Listing ---------------------------------------------------------------------------------

    def _filters(self, request, *, month=None):
        data = request.GET.copy()
        if month is not None:
            data["mois"] = month.strftime("%Y-%m")
        form = AgendaFilterForm(data, today=timezone.localdate())
        form.is_valid()
        return form

    def _meetings(self, *, council=None, month=None):
        meetings = MeetingPage.objects.listed().defer("agenda", "minutes", "decisions")
        if council is not None:
            meetings = meetings.descendant_of(council)
        if month is not None:
            start, end = month_bounds(month)
            return meetings.filter(start__lt=end, end__gte=start).order_by("start", "pk")
        return meetings.upcoming().order_by("start", "pk")

    def _render_list(self, request, *, form, month=None, template=None, extra=None):
        council = form.cleaned_data.get("conseil") if form.is_bound else None
        month = month or form.cleaned_data.get("mois")
        queryset = self._meetings(council=council, month=month)
        if month is None:
            page_obj = Paginator(queryset, AGENDA_PER_PAGE).get_page(request.GET.get("page"))
            meetings = list(page_obj.object_list)
        else:
            page_obj = None
            meetings = list(queryset)
        attach_councils(meetings)
        context = {
            "form": form,
            "council": council,
            "month": month,
            "days": group_by_day(meetings),
            "meetings": meetings,
            "page_obj": page_obj,
            "query_without_page": _query_without(request, "page"),
            **(extra or {}),
        }
        return self.render(request, context_overrides=context, template=template)

    @path("", name="index")
    def agenda(self, request):
        """Upcoming meetings grouped by day, filterable by council and month."""
        form = self._filters(request)
        return self._render_list(request, form=form)

    @path("mois/<int:year>/<int:month>/", name="month")
    def month_view(self, request, year, month):
        """A month as an accessible calendar grid, with the month's meetings below it."""
        from django.http import Http404

        # Range first: a huge number in the address must be a 404, not an OverflowError in date().
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise Http404
        first_day = date(year, month, 1)
        form = self._filters(request, month=first_day)
        previous_month = (first_day - timedelta(days=1)).replace(day=1)
        next_month = (first_day + timedelta(days=32)).replace(day=1)
        response = self._render_list(
            request,
            form=form,
            month=first_day,
            template="events/event_index_month.html",
            extra={"previous_month": previous_month, "next_month": next_month},
        )
        meetings = response.context_data["meetings"]
        meeting_days = {}
        for meeting in meetings:
            day = timezone.localtime(meeting.start).date()
            meeting_days[day] = meeting_days.get(day, 0) + 1
        response.context_data["weeks"] = month_grid(first_day, meeting_days, timezone.localdate())
        return response

    @path("calendrier/", name="feed")
    def feed(self, request):
        """The city's subscribable calendar: every public meeting."""
        return city_feed_response(request, agenda=self, meetings=MeetingPage.objects.all())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["weekdays"] = _weekday_names()
        return context


def _query_without(request, *names):
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _weekday_names():
    """(abbreviation, full name) Monday first, localised by Django's own catalogue."""
    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

    return [(WEEKDAYS_ABBR[n], WEEKDAYS[n]) for n in range(7)]
