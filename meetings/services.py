"""Writes on meetings: the calendar sequence on publish, and planning a series of sessions in one action."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.coreutils import find_available_slug

from dateutil import rrule as rr

from core.dated import dated_bump_sequence
from core.typography import french_date

from .models import MeetingFormat, MeetingIndexPage, MeetingPage, MeetingSeries

MAX_SERIES_SESSIONS = 60

FREQUENCY_WEEKLY = "weekly"
FREQUENCY_MONTHLY_WEEKDAY = "monthly_weekday"
WEEKDAYS = (rr.MO, rr.TU, rr.WE, rr.TH, rr.FR, rr.SA, rr.SU)


def meeting_bump_sequence(*, meeting: MeetingPage) -> None:
    """Tell calendar subscribers the meeting changed (RFC 5545 SEQUENCE), without a read-modify-write race.

    The same write for every dated page (meetings, events): `core.dated.dated_bump_sequence`."""
    dated_bump_sequence(item=meeting)


def _local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def _naive_local(value: datetime) -> datetime:
    if timezone.is_aware(value):
        value = value.astimezone(_local_zone())
    return value.replace(tzinfo=None, microsecond=0)


def series_rule_build(
    *, frequency: str, weekday: int, interval: int = 1, position: int = 1, until: date | None = None
) -> rr.rrule:
    """An rrule (without dtstart) for the editor's choices.

    `weekday` is 0 for Monday … 6 for Sunday; `position` is 1…4 or -1 (last) for monthly rules.
    """
    until_dt = datetime.combine(until, time.max).replace(microsecond=0) if until else None
    if frequency == FREQUENCY_MONTHLY_WEEKDAY:
        return rr.rrule(rr.MONTHLY, interval=interval, byweekday=WEEKDAYS[weekday](position), until=until_dt)
    return rr.rrule(rr.WEEKLY, interval=interval, byweekday=WEEKDAYS[weekday], until=until_dt)


def _rule_for(rule, *, first_start: datetime, until: date | None):
    dtstart = _naive_local(first_start)
    if isinstance(rule, str):
        rule = rr.rrulestr(rule, dtstart=dtstart, ignoretz=True)
    rule = rule.replace(dtstart=dtstart)
    if until is not None:
        rule = rule.replace(until=datetime.combine(until, time.max).replace(microsecond=0))
    elif rule._until is not None and rule._until.tzinfo is not None:
        rule = rule.replace(until=_naive_local(rule._until))
    return rule


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    end: datetime


def series_occurrences(
    *, rule, first_start: datetime, duration_minutes: int, until: date | None = None
) -> list[Occurrence]:
    """The sessions a rule gives, as aware datetimes in the city's time zone.

    Occurrences are computed in local wall-clock time, so a meeting at 18:30 stays at 18:30 across a
    daylight-saving change. Raises ValidationError when there are none, none ends, or too many.
    """
    rule = _rule_for(rule, first_start=first_start, until=until)
    if rule._until is None and rule._count is None:
        raise ValidationError(_("Give an end date for the series."))
    zone = _local_zone()
    occurrences = []
    for local in rule:
        if len(occurrences) == MAX_SERIES_SESSIONS:
            raise ValidationError(
                _("A series may hold at most %(max)d sessions: choose an earlier end date.")
                % {"max": MAX_SERIES_SESSIONS}
            )
        start = local.replace(tzinfo=zone)
        occurrences.append(Occurrence(start=start, end=start + timedelta(minutes=duration_minutes)))
    if not occurrences:
        raise ValidationError(_("These choices give no session: check the dates and the day."))
    return occurrences


def series_session_title(title: str, start: datetime) -> str:
    local = timezone.localtime(start, _local_zone())
    return f"{title} — {french_date(local.date(), 'j F Y')}"


@transaction.atomic
def meeting_series_create(
    *,
    index: MeetingIndexPage,
    title: str,
    first_start: datetime,
    duration_minutes: int,
    rule,
    until: date | None = None,
    format: str = MeetingFormat.IN_PERSON,  # noqa: A002 - the model field's name
    place_name: str = "",
    place_address: str = "",
    access_notes: str = "",
    online_url: str = "",
    summary: str = "",
    user=None,
    publish: bool = False,
) -> MeetingSeries:
    """Plan a series in one action: one MeetingPage per occurrence, and the series keeping the rule.

    Sessions are titled "<title> — <date>", with unique slugs; drafts unless `publish`.
    """
    if user is not None and not index.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    rule = _rule_for(rule, first_start=first_start, until=until)
    occurrences = series_occurrences(rule=rule, first_start=first_start, duration_minutes=duration_minutes)
    series = MeetingSeries.objects.create(
        title=title,
        rule=str(rule),
        index=index,
        duration_minutes=duration_minutes,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    for occurrence in occurrences:
        local_date = timezone.localtime(occurrence.start, _local_zone()).date()
        meeting = MeetingPage(
            title=series_session_title(title, occurrence.start),
            slug=find_available_slug(index, slugify(f"{title} {local_date.isoformat()}")[:240]),
            start=occurrence.start,
            end=occurrence.end,
            format=format,
            place_name=place_name,
            place_address=place_address,
            access_notes=access_notes,
            online_url=online_url,
            summary=summary,
            series=series,
            live=False,
            owner=user if user is not None and user.is_authenticated else None,
        )
        index.add_child(instance=meeting)
        revision = meeting.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user)
    return series
