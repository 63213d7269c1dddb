"""A small assembly: council A with three colleges (4, 3, 2 members), its editor, one session."""

from datetime import timedelta

from django.utils import timezone

import pytest

from attendance.factories import colleges_create, members_create, session_create


@pytest.fixture
def assembly(council_a, editor_a):
    colleges = colleges_create(council=council_a)
    members = members_create(council=council_a, colleges=colleges, per_college=[4, 3, 2], prefix="a")
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=18, minute=30, second=0, microsecond=0)
    session = session_create(council=council_a, start=start, title="Séance plénière n° 1")
    return {
        "council": council_a,
        "colleges": colleges,
        "members": members,
        "session": session,
        "editor": editor_a,
    }


@pytest.fixture
def other_assembly(council_b):
    from councils.factories import UserFactory
    from councils.services import council_add_editor

    editor = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=editor)
    colleges = colleges_create(council=council_b, names=("Habitants",))
    members = members_create(council=council_b, colleges=colleges, per_college=2, prefix="b")
    session = session_create(council=council_b, title="Séance du Biollay")
    return {
        "council": council_b,
        "colleges": colleges,
        "members": members,
        "session": session,
        "editor": editor,
    }
