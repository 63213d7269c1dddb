from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def meeting_index_a(council_a):
    index = MeetingIndexPageFactory(parent=council_a)
    index.save_revision().publish()
    return index


@pytest.fixture
def meeting_factory(meeting_index_a):
    def make(parent=None, publish=True, **kwargs):
        meeting = MeetingPageFactory(parent=parent or meeting_index_a, **kwargs)
        if publish:
            meeting.save_revision().publish()
            meeting.refresh_from_db()
        else:
            meeting.live = False
            meeting.save(update_fields=["live"])
        return meeting

    return make
