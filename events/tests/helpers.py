"""Building blocks for tests that need meetings (shared by the agenda, iCal and privacy tests)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wagtail.models import PageViewRestriction

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    """An aware datetime in the city's time zone: paris(2026, 10, 25, 18)."""
    return datetime(*args, tzinfo=PARIS)


def meeting_index_for(council):
    from meetings.models import MeetingIndexPage

    index = MeetingIndexPage.objects.child_of(council).first()
    if index is None:
        index = MeetingIndexPage(title="Réunions", slug="reunions")
        council.add_child(instance=index)
        index.save_revision().publish()
    return index


def meeting_publish(council, *, title="Séance plénière", start=None, hours=2, publish=True, **fields):
    """A meeting of the council, published through a revision like an editor would."""
    from meetings.models import MeetingPage

    index = meeting_index_for(council)
    start = start or paris(2026, 12, 8, 18, 30)
    fields.setdefault("place_name", "Maison de quartier")
    fields.setdefault("place_address", "12 rue de la République")
    meeting = MeetingPage(title=title, start=start, end=start + timedelta(hours=hours), **fields)
    if publish:
        index.add_child(instance=meeting)
        meeting.save_revision().publish()
    else:
        # Fast path for bulk data: a live page without revisions.
        meeting.live = True
        index.add_child(instance=meeting)
    return MeetingPage.objects.get(pk=meeting.pk)


def meeting_make_private(meeting, council):
    """Restrict the meeting to its council's members' group, as an editor would in the admin."""
    restriction = PageViewRestriction.objects.create(
        page=meeting, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(council.access.members_group)
    return restriction
