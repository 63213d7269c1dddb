from meetings.models import MeetingPage
from meetings.services import meeting_bump_sequence


def sequence_of(meeting):
    return MeetingPage.objects.values_list("ical_sequence", flat=True).get(pk=meeting.pk)


def test_each_publication_bumps_the_calendar_sequence(meeting_factory):
    meeting = meeting_factory(publish=False)
    assert sequence_of(meeting) == 0

    meeting.save_revision().publish()
    assert sequence_of(meeting) == 1

    meeting = MeetingPage.objects.get(pk=meeting.pk).get_latest_revision_as_object()
    meeting.title = "Séance reportée"
    meeting.save_revision().publish()
    assert sequence_of(meeting) == 2


def test_republishing_an_old_revision_does_not_take_the_sequence_back(meeting_factory):
    meeting = meeting_factory(publish=False)
    old = meeting.save_revision()
    old.publish()
    meeting.refresh_from_db()
    meeting.save_revision().publish()
    assert sequence_of(meeting) == 2

    old.publish()

    assert sequence_of(meeting) == 3


def test_saving_a_draft_does_not_bump_the_sequence(meeting_factory):
    meeting = meeting_factory()
    before = sequence_of(meeting)

    meeting.save_revision()

    assert sequence_of(meeting) == before


def test_bump_sequence_is_an_atomic_increment(meeting_factory):
    meeting = meeting_factory(publish=False)
    stale = MeetingPage.objects.get(pk=meeting.pk)

    meeting_bump_sequence(meeting=meeting)
    meeting_bump_sequence(meeting=stale)

    assert sequence_of(meeting) == 2
