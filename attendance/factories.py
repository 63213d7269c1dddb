"""Factories and helpers building attendance data the way tests and the demo both need it.

Stable names (the demo uses them): `CollegeFactory`, `AttendanceFactory`, `CheckInCodeFactory`,
`colleges_create`, `members_create`, `session_create`, `attendance_fill`.
"""

import random
from datetime import timedelta

from django.utils import timezone

import factory

from councils.factories import UserFactory
from councils.membership import College
from councils.services import council_add_member
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory

from .models import Attendance, AttendanceMethod, AttendanceStatus, CheckInCode

ASSEMBLY_COLLEGES = ("Volontaires", "Tirés au sort", "Représentants des ateliers de quartier")


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College
        django_get_or_create = ("council", "name")

    name = factory.Sequence(lambda n: f"Collège {n}")
    sort_order = factory.Sequence(lambda n: n)


class AttendanceFactory(factory.django.DjangoModelFactory):
    """Give `meeting` and `member`; the college is the member's in the meeting's council if not given."""

    class Meta:
        model = Attendance

    status = AttendanceStatus.PRESENT
    method = AttendanceMethod.EDITOR


class CheckInCodeFactory(factory.django.DjangoModelFactory):
    """A code valid from an hour before the session's start to an hour after its end."""

    class Meta:
        model = CheckInCode

    code = factory.Sequence(lambda n: f"K{n:05d}"[-6:])
    valid_from = factory.LazyAttribute(lambda c: c.meeting.start - timedelta(hours=1))
    valid_until = factory.LazyAttribute(lambda c: c.meeting.end + timedelta(hours=1))


def colleges_create(*, council, names=ASSEMBLY_COLLEGES):
    """The council's colleges, in order (existing ones with the same names are reused)."""
    return [CollegeFactory(council=council, name=name, sort_order=index) for index, name in enumerate(names)]


def members_create(*, council, colleges=None, per_college=10, prefix=None, started_on=None):
    """Create `per_college` members (an int, or one count per college) in each college of the council
    (or `per_college` members without a college when `colleges` is empty), their mandates starting on
    `started_on` (today by default: give an earlier date for past sessions, whose sheets list the mandates
    running on their day). Returns the users, in order."""
    prefix = prefix or f"c{council.pk}"
    colleges = list(colleges) if colleges else [None]
    counts = per_college if isinstance(per_college, list | tuple) else [per_college] * len(colleges)
    users = []
    for college_index, (college, count) in enumerate(zip(colleges, counts, strict=True)):
        for number in range(count):
            user = UserFactory(username=f"{prefix}-m{college_index}-{number}")
            council_add_member(council=council, user=user, college=college, started_on=started_on)
            users.append(user)
    return users


def session_create(*, council, start=None, title=None, duration=timedelta(hours=2), **fields):
    """A published session (meeting) of the council (or working group), starting at `start` (in 14 days
    at 18:30 by default)."""
    index = MeetingIndexPageFactory(parent=council)
    kwargs = dict(fields)
    if start is not None:
        kwargs.update(start=start, end=start + duration)
    if title is not None:
        kwargs["title"] = title
    meeting = MeetingPageFactory(parent=index, **kwargs)
    meeting.save_revision().publish()
    meeting.refresh_from_db()
    return meeting


def attendance_fill(*, meeting, present, excused=0, seed=0, by=None, at=None):
    """Record an attendance for every active member of the session's council: `present` of them present
    (an int), `excused` excused, the rest absent, chosen by a seeded shuffle. Returns the records."""
    from .services import session_members

    members = session_members(meeting=meeting)
    order = list(members)
    random.Random(seed).shuffle(order)  # noqa: S311 - test and demo data, not security
    at = at or meeting.start or timezone.now()
    rows = []
    for index, membership in enumerate(order):
        if index < present:
            status = AttendanceStatus.PRESENT
        elif index < present + excused:
            status = AttendanceStatus.EXCUSED
        else:
            status = AttendanceStatus.ABSENT
        rows.append(
            Attendance(
                meeting=meeting,
                member_id=membership.user_id,
                college_id=membership.college_id,
                status=status,
                method=AttendanceMethod.EDITOR,
                recorded_by=by,
                recorded_at=at,
            )
        )
    return Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["meeting", "member"],
        update_fields=["status", "college", "method", "recorded_by", "recorded_at"],
    )
