"""iCalendar (RFC 5545) output for meetings: one meeting, a council's feed, the city's feed.

Feeds only ever hold `MeetingPage.objects.listed()` meetings (live, public, not in a sandbox): a feed
URL is shared and subscribed to, so it never depends on who asks. A single meeting's .ics is served
through the page's own route, after Wagtail's view-restriction check (and checked again here).

Every event keeps a stable UID (`meeting-<page id>@<host>`), carries its time zone (Europe/Paris, with a
VTIMEZONE so daylight saving changes are right in every client), and a SEQUENCE that publishing bumps:
a cancelled meeting stays in the feed with STATUS:CANCELLED so subscribers' calendars update.
"""

from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from icalendar import Calendar, Event, Timezone

from core.visibility import attach_councils, page_visible_to

from .dated import ItemFormat as MeetingFormat
from .dated import ItemStatus as MeetingStatus

#: How far back a feed goes: subscribers keep last year's meetings, not the whole history.
FEED_PAST = timedelta(days=365)
#: Years covered by the VTIMEZONE definition (clients need the rules around every event).
VTIMEZONE_FIRST_DATE = date(2020, 1, 1)
VTIMEZONE_LAST_DATE = date(2045, 1, 1)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def calendar_tzid():
    return settings.TIME_ZONE


@lru_cache(maxsize=4)
def _vtimezone_ical(tzid):
    """The VTIMEZONE component, serialised once per process (building it walks years of offsets)."""
    return Timezone.from_tzid(tzid, first_date=VTIMEZONE_FIRST_DATE, last_date=VTIMEZONE_LAST_DATE).to_ical()


def vtimezone(tzid=None):
    return Timezone.from_ical(_vtimezone_ical(tzid or calendar_tzid()))


def uid_host():
    return urlparse(settings.WAGTAILADMIN_BASE_URL).hostname or "parvis.localhost"


def meeting_uid(meeting):
    """Stable per page: `<kind>-<page id>@<host>` (meetings keep the UIDs they were published with)."""
    return f"{meeting.ical_uid_prefix}-{meeting.pk}@{uid_host()}"


def _site_name():
    return getattr(settings, "WAGTAIL_SITE_NAME", "Parvis")


def new_calendar(*, name, description="", refresh=True):
    """An empty VCALENDAR with the properties every client expects, and our time zone."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{_site_name()}//Parvis//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", calendar_tzid())
    if description:
        calendar.add("x-wr-caldesc", description)
    if refresh:
        # RFC 7986 and its older, widely read equivalent: how often subscribers should refetch.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(vtimezone())
    return calendar


def _location(meeting):
    if meeting.format == MeetingFormat.ONLINE:
        return meeting.online_url or _("Online")
    return ", ".join(part for part in (meeting.place_name, meeting.place_address) if part)


def _description(meeting, url):
    parts = []
    if meeting.status == MeetingStatus.CANCELLED:
        parts.append(_("Cancelled."))
        if meeting.cancellation_reason:
            parts.append(meeting.cancellation_reason)
    if getattr(meeting, "summary", ""):
        parts.append(meeting.summary)
    if meeting.online_url and meeting.format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID):
        parts.append(_("Join online: %(url)s") % {"url": meeting.online_url})
    if meeting.access_notes:
        parts.append(meeting.access_notes)
    if url:
        parts.append(_("Details: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def meeting_event(meeting, *, request=None, stamp=None):
    """One VEVENT for a meeting. `meeting.council` (see `attach_councils`) names the council."""
    tz = ZoneInfo(calendar_tzid())
    url = meeting.get_full_url(request)
    council = getattr(meeting, "council", None)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", meeting.start.astimezone(tz))
    event.add("dtend", meeting.end.astimezone(tz))
    summary = f"{council.title} — {meeting.title}" if council else meeting.title
    if meeting.status == MeetingStatus.CANCELLED:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    event.add("summary", summary)
    location = _location(meeting)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    description = _description(meeting, url)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    event.add("sequence", meeting.ical_sequence or 0)
    event.add("class", "PUBLIC")
    event.add("transp", "OPAQUE")
    modified = meeting.last_published_at or meeting.latest_revision_created_at
    if modified:
        event.add("last-modified", modified.astimezone(ZoneInfo("UTC")))
    return event


def _response(calendar, *, filename, attachment):
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def feed_meetings(queryset, *, now=None):
    """Listed meetings for a feed: public, not sandboxed, from a year ago on, in one query."""
    since = (now or timezone.now()) - FEED_PAST
    return list(
        queryset.listed()
        .filter(end__gte=since)
        .order_by("start", "pk")
        .defer("agenda", "minutes", "decisions")
    )


def feed_calendar(meetings, *, name, description="", request=None):
    calendar = new_calendar(name=name, description=description)
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, request=request, stamp=stamp))
    return calendar


def meeting_ics_response(request, *, meeting):
    """ "Add to my calendar": one meeting as a downloadable .ics."""
    # Wagtail's `before_serve_page` hook has already refused a restricted page; check again so that
    # no other caller can hand out a private meeting.
    if not page_visible_to(meeting, request):
        raise PermissionDenied
    attach_councils([meeting])
    council = getattr(meeting, "council", None)
    calendar = new_calendar(name=council.title if council else meeting.title, refresh=False)
    calendar.add_component(meeting_event(meeting, request=request))
    return _response(calendar, filename=f"{meeting.slug}.ics", attachment=True)


def council_feed_response(request, *, index, meetings):
    """A council's subscribable feed: its public meetings (`meetings`: a MeetingPage queryset)."""
    council = index.get_parent()
    meetings = feed_meetings(meetings)
    for meeting in meetings:
        meeting.council = council
    name = council.title
    calendar = feed_calendar(
        meetings,
        name=name,
        description=_("Meetings of %(council)s") % {"council": name},
        request=request,
    )
    return _response(calendar, filename=f"{slugify(council.slug) or 'conseil'}.ics", attachment=False)


def city_feed_response(request, *, meetings, agenda=None):
    """The city's feed: every public meeting of every listed council (`meetings`: a MeetingPage queryset)."""
    meetings = feed_meetings(meetings)
    attach_councils(meetings)
    name = agenda.title if agenda is not None else _("Agenda")
    calendar = feed_calendar(
        meetings,
        name=f"{_site_name()} — {name}",
        description=_("Every public meeting of the city's councils"),
        request=request,
    )
    return _response(calendar, filename="agenda.ics", attachment=False)


def item_ics_response(request, *, item):
    """ "Add to my calendar" for any dated page (meeting or event)."""
    return meeting_ics_response(request, meeting=item)
