"""iCalendar (RFC 5545) output for dated pages (meetings and events): one item, a council's feed, the
city's feed.

Feeds only ever hold `listed()` items (live, public, not in a sandbox): a feed URL is shared and subscribed
to, so it never depends on who asks. A single item's .ics is served through the page's own route, after
Wagtail's view-restriction check (and checked again here).

Every VEVENT keeps a stable UID (`<kind>-<page id>@<host>`: `meeting-…`, `event-…`), carries its time zone
(Europe/Paris, with a VTIMEZONE so daylight saving changes are right in every client), and a SEQUENCE that
publishing bumps (`core.dated.dated_bump_sequence`): a cancelled item stays in the feed with
STATUS:CANCELLED so subscribers' calendars update. The tests read every output with a second parser,
Mozilla's ical.js, too (core/tests/test_ical_crosscheck.py).
"""

from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from core.typography import french_date
from core.visibility import attach_councils, page_visible_to

from .dated import ItemFormat, ItemStatus, dated_light

#: How far back a feed goes: subscribers keep last year's items, not the whole history.
FEED_PAST = timedelta(days=365)
#: At most this many items of each page type per feed, the earliest first from FEED_PAST on: a feed stays a few
#: hundred kilobytes and renders in well under a second even for a city of 100,000 pages (a real council holds
#: a few dozen meetings a year; the cap only binds on generated data or a decade of events).
FEED_MAX_ITEMS = 2000
#: Years the VTIMEZONE covers beyond the items' own years (clients need the rules around every item).
VTIMEZONE_MARGIN_YEARS = 1
CONTENT_TYPE = "text/calendar; charset=utf-8"


def calendar_tzid():
    return settings.TIME_ZONE


def _offset_text(offset):
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"


def _transitions(zone, first_year, last_year):
    """[(UTC instant, offset before, offset after, dst after, name after)] of a zone between two years,
    found from zoneinfo by scanning days and bisecting to the second."""
    utc = ZoneInfo("UTC")
    moment = datetime(first_year, 1, 1, tzinfo=utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=utc)
    found = []
    while moment < end:
        following = moment + timedelta(days=1)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            instant = high.replace(microsecond=0)
            before, after = low.astimezone(zone), instant.astimezone(zone)
            found.append((instant, before.utcoffset(), after.utcoffset(), bool(after.dst()), after.tzname()))
        moment = following
    return found


@lru_cache(maxsize=32)
def _vtimezone_ical(tzid, first_year, last_year):
    """The VTIMEZONE of a zone for these years, serialised once per process.

    Each change of offset is its own STANDARD or DAYLIGHT sub-component with its own DTSTART (the local
    time before the change, as RFC 5545 has it): no RRULE to guess from a zone's history, and no
    multi-valued RDATE, which some parsers (ical.js, the library behind Thunderbird's and Nextcloud's
    calendars) read only the first value of.
    """
    zone = ZoneInfo(tzid)
    timezone_component = Timezone()
    timezone_component.add("tzid", tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone)
    initial = TimezoneDaylight() if start.dst() else TimezoneStandard()
    initial.add("dtstart", start.replace(tzinfo=None))
    initial.add("tzoffsetfrom", start.utcoffset())
    initial.add("tzoffsetto", start.utcoffset())
    initial.add("tzname", start.tzname())
    timezone_component.add_component(initial)
    for instant, before, after, dst, name in _transitions(zone, first_year, last_year):
        component = TimezoneDaylight() if dst else TimezoneStandard()
        component.add("dtstart", (instant + before).replace(tzinfo=None))
        component.add("tzoffsetfrom", before)
        component.add("tzoffsetto", after)
        component.add("tzname", name)
        timezone_component.add_component(component)
    return timezone_component.to_ical()


def vtimezone(tzid=None, *, years=None):
    """The VTIMEZONE covering `years` (an iterable of years, e.g. the items'), a year either side, and at
    least from last year to the next three."""
    this_year = timezone.localdate().year
    years = {this_year - 1, this_year + 3, *(years or ())}
    first, last = min(years) - VTIMEZONE_MARGIN_YEARS, max(years) + VTIMEZONE_MARGIN_YEARS
    return Timezone.from_ical(_vtimezone_ical(tzid or calendar_tzid(), first, last))


def _item_years(items):
    return {year for item in items for year in (item.start.year, item.end.year)}


def uid_host():
    return urlparse(settings.WAGTAILADMIN_BASE_URL).hostname or "parvis.localhost"


def item_uid(item):
    """Stable per page: `<kind>-<page id>@<host>` (meetings keep the UIDs they were published with)."""
    return f"{item.ical_uid_prefix}-{item.pk}@{uid_host()}"


meeting_uid = item_uid


def _site_name():
    return getattr(settings, "WAGTAIL_SITE_NAME", "Parvis")


def new_calendar(*, name, description="", refresh=True, years=None):
    """An empty VCALENDAR with the properties every client expects, and our time zone."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{_site_name()}//Parvis//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # One line: a title with a line break (typed by an editor) must not break the file.
    calendar.add("x-wr-calname", " ".join(str(name).split()))
    calendar.add("x-wr-timezone", calendar_tzid())
    if description:
        calendar.add("x-wr-caldesc", description)
    if refresh:
        # RFC 7986 and its older, widely read equivalent: how often subscribers should refetch.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(vtimezone(years=years))
    return calendar


def _location(item):
    if item.format == ItemFormat.ONLINE:
        return item.online_url or _("Online")
    return ", ".join(part for part in (item.place_name, item.place_address) if part)


def _session_line(item, session, *, several_days):
    """One line of an event's programme: "10:00–10:45 Title (Room) — Speakers"."""
    tz = ZoneInfo(calendar_tzid())
    day = session.day or item.start.astimezone(tz).date()
    when = session.start_time.strftime("%H:%M")
    if session.end_time:
        when = f"{when}–{session.end_time.strftime('%H:%M')}"
    if several_days:
        when = f"{french_date(day, 'l j F')}, {when}"
    line = f"{when} {session.title}"
    if session.room:
        line = f"{line} ({session.room})"
    if session.speakers:
        line = f"{line} — {session.speakers}"
    return line


def _programme(item):
    """An event's programme as text lines (the sessions must have been prefetched: no query here)."""
    cache = getattr(item, "_prefetched_objects_cache", {})
    if "sessions" not in cache:
        return ""
    tz = ZoneInfo(calendar_tzid())
    first_day = item.start.astimezone(tz).date()
    sessions = sorted(
        cache["sessions"], key=lambda s: (s.day or first_day, s.start_time, s.sort_order or 0, s.pk)
    )
    if not sessions:
        return ""
    several_days = any(s.day and s.day != first_day for s in sessions)
    lines = [_session_line(item, session, several_days=several_days) for session in sessions]
    return "\n".join([_("Programme:"), *lines])


def _description(item, url):
    parts = []
    if item.status == ItemStatus.CANCELLED:
        parts.append(_("Cancelled."))
        if item.cancellation_reason:
            parts.append(item.cancellation_reason)
    if getattr(item, "summary", ""):
        parts.append(item.summary)
    if item.online_url and item.format in (ItemFormat.ONLINE, ItemFormat.HYBRID):
        parts.append(_("Join online: %(url)s") % {"url": item.online_url})
    if item.access_notes:
        parts.append(item.access_notes)
    programme = _programme(item)
    if programme:
        parts.append(programme)
    if url:
        parts.append(_("Details: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def item_event(item, *, request=None, stamp=None):
    """One VEVENT for a meeting or an event. `item.council` (see `attach_councils`) names the council;
    without one (the city's events), the summary is the title alone."""
    tz = ZoneInfo(calendar_tzid())
    url = item.get_full_url(request)
    council = getattr(item, "council", None)
    event = Event()
    event.add("uid", item_uid(item))
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    summary = f"{council.title} — {item.title}" if council else item.title
    if item.status == ItemStatus.CANCELLED:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    event.add("summary", summary)
    location = _location(item)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    description = _description(item, url)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if item.status == ItemStatus.CANCELLED else "CONFIRMED")
    event.add("sequence", item.ical_sequence or 0)
    event.add("class", "PUBLIC")
    event.add("transp", "OPAQUE")
    modified = item.last_published_at or item.latest_revision_created_at
    if modified:
        event.add("last-modified", modified.astimezone(ZoneInfo("UTC")))
    return event


meeting_event = item_event


def _response(calendar, *, filename, attachment):
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _with_programme(queryset):
    """Events' sessions in one more query (their programme goes into the description)."""
    if hasattr(queryset.model, "sessions"):
        return queryset.prefetch_related("sessions")
    return queryset


def feed_items(querysets, *, now=None):
    """Listed items for a feed, from a year ago on, ordered by start: one query per page type (and one for
    the events' programmes), whatever the number of items."""
    since = (now or timezone.now()) - FEED_PAST
    items = []
    for queryset in querysets:
        listed = dated_light(queryset.listed().filter(end__gte=since)).order_by("start", "pk")[
            :FEED_MAX_ITEMS
        ]
        items.extend(_with_programme(listed))
    items.sort(key=lambda item: (item.start, item.pk))
    return items


def feed_calendar(items, *, name, description="", request=None):
    calendar = new_calendar(name=name, description=description, years=_item_years(items))
    stamp = timezone.now()
    for item in items:
        calendar.add_component(item_event(item, request=request, stamp=stamp))
    return calendar


def item_ics_response(request, *, item):
    """ "Add to my calendar": one meeting or event as a downloadable .ics."""
    # Wagtail's `before_serve_page` hook has already refused a restricted page; check again so that
    # no other caller can hand out a private item.
    if not page_visible_to(item, request):
        raise PermissionDenied
    attach_councils([item])
    if hasattr(type(item), "sessions") and item.pk:
        prefetch_related_objects([item], "sessions")
    council = getattr(item, "council", None)
    calendar = new_calendar(
        name=council.title if council else item.title, refresh=False, years=_item_years([item])
    )
    calendar.add_component(item_event(item, request=request))
    return _response(calendar, filename=f"{item.slug}.ics", attachment=True)


def council_feed_response(request, *, council, querysets):
    """A council's subscribable feed: its public meetings and events (`querysets`: one per page type,
    already limited to the council's pages)."""
    items = feed_items(querysets)
    for item in items:
        item.council = council
    name = council.title
    calendar = feed_calendar(
        items,
        name=name,
        description=_("Meetings and events of %(council)s") % {"council": name},
        request=request,
    )
    return _response(calendar, filename=f"{slugify(council.slug) or 'conseil'}.ics", attachment=False)


def city_feed_response(request, *, querysets, agenda=None):
    """The city's feed: every public meeting of every listed council and every public event, the city's
    and the councils' (`querysets`: one per page type)."""
    items = feed_items(querysets)
    attach_councils(items)
    name = agenda.title if agenda is not None else _("Agenda")
    calendar = feed_calendar(
        items,
        name=f"{_site_name()} — {name}",
        description=_("Every public meeting and event of the city and its councils"),
        request=request,
    )
    return _response(calendar, filename="agenda.ics", attachment=False)
