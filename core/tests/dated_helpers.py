"""Building blocks for tests of meetings and events together: agenda, feeds, calendar files."""

from datetime import timedelta

from wagtail.models import PageViewRestriction

from events.models import EventIndexPage, EventPage
from events.tests.helpers import meeting_index_for, meeting_make_private, meeting_publish, paris  # noqa: F401


def agenda_page():
    return EventIndexPage.objects.get()


def event_publish(
    parent=None, *, title="Rencontre des habitants", start=None, end=None, hours=3, publish=True, **fields
):
    """An event of the council (`parent` a CouncilPage) or of the city (`parent` None: under the agenda),
    published through a revision like an editor would; `publish=False` is the fast path for bulk data."""
    parent = parent or agenda_page()
    start = start or paris(2026, 12, 12, 9, 30)
    fields.setdefault("place_name", "Maison des associations")
    fields.setdefault("place_address", "12 rue de la République")
    fields.setdefault("summary", "Une journée d’échanges entre habitants.")
    event = EventPage(title=title, start=start, end=end or start + timedelta(hours=hours), **fields)
    if publish:
        parent.add_child(instance=event)
        event.save_revision().publish()
    else:
        event.live = True
        parent.add_child(instance=event)
    return EventPage.objects.get(pk=event.pk)


def event_make_private(event, council):
    """Restrict the event to the council's members, as an editor would in the admin."""
    restriction = PageViewRestriction.objects.create(page=event, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council.access.members_group)
    return restriction


def council_feed_url(council):
    return meeting_index_for(council).url + "calendrier/"


def city_feed_url():
    return agenda_page().url + "calendrier/"
