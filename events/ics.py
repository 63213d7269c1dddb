"""One event as an .ics file: attached to the confirmation email, downloadable from the manage page.

The VEVENT is core.ical's (same UID, SEQUENCE and time zone as the page's own "Add to my calendar"), so a
calendar that imported both keeps one entry.
"""

from django.utils.text import slugify

from core.ical import meeting_event, new_calendar
from core.visibility import attach_councils

ICS_MIMETYPE = "text/calendar"


def event_ics(event) -> str:
    """The event alone in a VCALENDAR, as text."""
    attach_councils([event])
    council = getattr(event, "council", None)
    calendar = new_calendar(name=council.title if council else event.title, refresh=False)
    calendar.add_component(meeting_event(event))
    return calendar.to_ical().decode()


def event_ics_filename(event) -> str:
    return f"{slugify(event.slug) or 'evenement'}.ics"


def event_ics_attachment(event) -> dict:
    """An attachment for `jobs.emails.email_queue`."""
    return {"filename": event_ics_filename(event), "content": event_ics(event), "mimetype": ICS_MIMETYPE}
