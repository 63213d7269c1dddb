"""Attendance, check-in codes, the allowance report, the attendance chart and random working groups.

Plain keyword-only functions; views, hooks and the demo only call them.
"""

import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from councils.membership import College, Membership
from councils.models import CouncilPage, WorkingGroupPage
from councils.services import councils_edited_by
from meetings.models import MeetingPage

from .models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    CheckInCode,
    GroupAssignment,
    GroupDraw,
)

ACTION_SHEET = "parvis.attendance_sheet"
ACTION_CODE = "parvis.attendance_code"
ACTION_GROUPS = "parvis.attendance_groups"

#: No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read off a projector and typed on a phone.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_MARGIN = timedelta(hours=1)

#: The name and version recorded with every draw; change the version whenever `_groups_assign` changes.
GROUPS_ALGORITHM = "round-robin-by-college/1"
GROUPS_MAX = 50

MODERATE_PERMISSION = "moderation.moderate_councils"


# -- Who, where ------------------------------------------------------------------------------------------


def meeting_council(*, meeting) -> CouncilPage | None:
    """The council a session belongs to (that of its working group for a working group's session)."""
    return CouncilPage.objects.ancestor_of(meeting).first()


def meeting_working_group(*, meeting) -> WorkingGroupPage | None:
    return WorkingGroupPage.objects.ancestor_of(meeting).select_related("access").first()


def councils_attendance_managed_by(user):
    """Councils whose attendance `user` keeps: the communications team all, an editor their own."""
    if not user.is_authenticated or not user.is_active:
        return CouncilPage.objects.none()
    if user.has_perm(MODERATE_PERMISSION):
        return CouncilPage.objects.order_by("title")
    return councils_edited_by(user)


def attendance_manageable_by(*, user, council) -> bool:
    if council is None:
        return False
    return councils_attendance_managed_by(user).filter(pk=council.pk).exists()


def council_sessions(*, council):
    """The council's own sessions (children of its meetings index; not its working groups')."""
    return MeetingPage.objects.filter(path__startswith=council.path, depth=council.depth + 2).order_by(
        "start", "pk"
    )


def _session_day(meeting):
    return timezone.localdate(meeting.start) if meeting.start else timezone.localdate()


def session_members(*, meeting, council=None):
    """The memberships expected at a session: the council's mandates running on the session's day (for a
    working group's session, those of the group's members), by college then name."""
    council = council or meeting_council(meeting=meeting)
    if council is None:
        return Membership.objects.none()
    members = Membership.objects.active(on=_session_day(meeting)).filter(council=council)
    working_group = meeting_working_group(meeting=meeting)
    if working_group is not None:
        access = getattr(working_group, "access", None)
        members = members.filter(user__groups=access.group_id) if access else members.none()
    return members.select_related("user", "college").order_by(
        "college__sort_order", "college__name", "user__last_name", "user__first_name", "user_id"
    )


# -- The attendance sheet --------------------------------------------------------------------------------


@dataclass
class SheetRow:
    membership: Membership
    attendance: Attendance | None

    @property
    def user(self):
        return self.membership.user

    @property
    def status(self):
        return self.attendance.status if self.attendance else ""


@dataclass
class SheetCollege:
    college: College | None
    rows: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def name(self):
        return self.college.name if self.college else _("Without a college")


def attendance_sheet(*, meeting, council=None) -> list[SheetCollege]:
    """The session's members grouped by college, each with their record (or None), and counts by status
    per college. Three queries whatever the number of members."""
    memberships = list(session_members(meeting=meeting, council=council))
    records = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
    groups = {}
    for membership in memberships:
        group = groups.setdefault(membership.college_id, SheetCollege(college=membership.college))
        group.rows.append(SheetRow(membership=membership, attendance=records.get(membership.user_id)))
    for group in groups.values():
        counts = Counter(row.status for row in group.rows)
        group.counts = {
            "present": counts[AttendanceStatus.PRESENT],
            "excused": counts[AttendanceStatus.EXCUSED],
            "absent": counts[AttendanceStatus.ABSENT],
            "unknown": counts[""],
            "total": len(group.rows),
        }
    return list(groups.values())


def sheet_totals(sheet) -> dict:
    totals = Counter()
    for group in sheet:
        totals.update(group.counts)
    return dict(totals)


@transaction.atomic
def attendance_record(*, meeting, statuses: dict, by, council=None) -> int:
    """Save the sheet in one go: {user_id: status} for members of the session (others are ignored; an empty
    status leaves a member unrecorded). Returns the number of records written."""
    council = council or meeting_council(meeting=meeting)
    memberships = {m.user_id: m for m in session_members(meeting=meeting, council=council)}
    now = timezone.now()
    rows = [
        Attendance(
            meeting=meeting,
            member_id=user_id,
            status=status,
            college_id=memberships[user_id].college_id,
            method=AttendanceMethod.EDITOR,
            recorded_by=by,
            recorded_at=now,
        )
        for user_id, status in statuses.items()
        if user_id in memberships and status in AttendanceStatus.values
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["meeting", "member"],
        update_fields=["status", "college", "method", "recorded_by", "recorded_at"],
    )
    counts = Counter(row.status for row in rows)
    log(
        instance=council,
        action=ACTION_SHEET,
        user=by,
        data={
            "meeting": meeting.pk,
            "title": meeting.title,
            **{k: counts[k] for k in AttendanceStatus.values},
        },
    )
    return len(rows)


# -- Check-in by code ------------------------------------------------------------------------------------


class CheckInError(Exception):
    """A check-in refused, with a message for the member (the same for an unknown code and a session that
    is not theirs, so that nothing is learnt about other councils)."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


def code_normalise(code: str) -> str:
    return "".join(code.split()).upper().replace("-", "")


def _code_new():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def check_in_code_create(*, meeting, by, valid_from=None, valid_until=None, now=None) -> CheckInCode:
    """A new code for the session (replacing any previous one), valid by default from an hour before its
    start to an hour after its end. Never the same as another code valid at the same time."""
    now = now or timezone.now()
    valid_from = valid_from or (meeting.start - CODE_MARGIN)
    valid_until = valid_until or (meeting.end + CODE_MARGIN)
    if valid_until <= valid_from:
        raise ValidationError(_("The code must stop being valid after it starts being valid."))
    overlapping = CheckInCode.objects.filter(valid_from__lt=valid_until, valid_until__gt=valid_from).exclude(
        meeting=meeting
    )
    taken = set(overlapping.values_list("code", flat=True))
    code = _code_new()
    while code in taken:
        code = _code_new()
    check_in_code, _created = CheckInCode.objects.update_or_create(
        meeting=meeting,
        defaults={
            "code": code,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "created_by": by,
            "created_at": now,
        },
    )
    council = meeting_council(meeting=meeting)
    if council is not None:
        log(
            instance=council,
            action=ACTION_CODE,
            user=by,
            data={"meeting": meeting.pk, "title": meeting.title},
        )
    return check_in_code


def _user_memberships(user, on):
    return Membership.objects.active(on=on).filter(user=user)


def check_in(*, user, code: str, now=None) -> Attendance:
    """Mark `user` present at the session whose code this is, if it is one of their councils' sessions and
    the code is valid now. Someone already recorded present keeps their record (an editor's entry is never
    downgraded to a check-in); someone recorded absent or excused beforehand is now present, by code.
    Raises `CheckInError`."""
    now = now or timezone.now()
    code = code_normalise(code)
    wrong = CheckInError(_("This code does not match any session. Check it and try again."), "wrong")
    if len(code) != CODE_LENGTH:
        raise wrong
    candidates = list(CheckInCode.objects.filter(code=code).select_related("meeting"))
    if not candidates:
        raise wrong
    council_ids = set(_user_memberships(user, timezone.localdate(now)).values_list("council_id", flat=True))
    mine = []
    for candidate in candidates:
        meeting = candidate.meeting
        council = meeting_council(meeting=meeting)
        if council is None or council.pk not in council_ids:
            continue
        if not session_members(meeting=meeting, council=council).filter(user=user).exists():
            continue
        mine.append((candidate, council))
    if not mine:
        raise wrong
    valid = [(c, council) for c, council in mine if c.valid_from <= now <= c.valid_until]
    if not valid:
        if any(now < c.valid_from for c, _council in mine):
            raise CheckInError(_("This code is not valid yet: check in when the session begins."), "early")
        raise CheckInError(_("This code has expired: the session is over. Ask an editor."), "expired")
    candidate, council = valid[0]
    meeting = candidate.meeting
    membership = session_members(meeting=meeting, council=council).filter(user=user).first()
    with transaction.atomic():
        existing = Attendance.objects.select_for_update().filter(meeting=meeting, member=user).first()
        if existing is not None:
            if existing.status == AttendanceStatus.PRESENT:
                return existing  # already present: nothing to change
            if existing.method == AttendanceMethod.EDITOR:
                # An editor recorded this member absent or excused: a code never overrides the sheet.
                raise CheckInError(
                    _(
                        "An editor has already recorded your attendance at this session: ask them to correct it."
                    ),
                    "recorded",
                )
            existing.status = AttendanceStatus.PRESENT
            existing.method = AttendanceMethod.CODE
            existing.recorded_by = user
            existing.recorded_at = now
            existing.save(update_fields=["status", "method", "recorded_by", "recorded_at"])
            return existing
        try:
            with transaction.atomic():
                return Attendance.objects.create(
                    meeting=meeting,
                    member=user,
                    status=AttendanceStatus.PRESENT,
                    college_id=membership.college_id if membership else None,
                    method=AttendanceMethod.CODE,
                    recorded_by=user,
                    recorded_at=now,
                )
        except IntegrityError:  # the same member checking in twice at once
            return Attendance.objects.get(meeting=meeting, member=user)


@dataclass
class SessionToCheckIn:
    meeting: MeetingPage
    council: CouncilPage
    valid_until: object
    present: bool


def sessions_to_check_in(*, user, now=None) -> list[SessionToCheckIn]:
    """Sessions of the user's councils with a code valid now, and whether the user is already present.
    For "Mon espace". A few queries whatever the number of councils."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    councils = {
        c.pk: c
        for c in CouncilPage.objects.filter(
            pk__in=_user_memberships(user, timezone.localdate(now)).values("council_id")
        )
    }
    if not councils:
        return []
    codes = list(
        CheckInCode.objects.filter(valid_from__lte=now, valid_until__gte=now)
        .select_related("meeting")
        .order_by("meeting__start", "pk")
    )
    present = set(
        Attendance.objects.filter(
            member=user, status=AttendanceStatus.PRESENT, meeting__in=[c.meeting_id for c in codes]
        ).values_list("meeting_id", flat=True)
    )
    found = []
    for code in codes:
        meeting = code.meeting
        council = next((c for c in councils.values() if meeting.path.startswith(c.path)), None)
        if council is None:
            continue
        if meeting.depth != council.depth + 2 and not (
            session_members(meeting=meeting, council=council).filter(user=user).exists()
        ):
            continue  # a working group's session the user is not in
        found.append(
            SessionToCheckIn(
                meeting=meeting, council=council, valid_until=code.valid_until, present=meeting.pk in present
            )
        )
    return found


# -- Allowance -------------------------------------------------------------------------------------------


@dataclass
class AllowanceRow:
    member: object
    college: College | None
    sessions: int
    amount: Decimal | None


@dataclass
class AllowanceReport:
    council: CouncilPage
    allowance: Decimal | None
    start: object
    end: object
    session_count: int
    rows: list
    total_sessions: int
    total_amount: Decimal | None


def allowance_report(*, council, start=None, end=None) -> AllowanceReport:
    """Per member who attended at least one of the council's own sessions between `start` and `end`
    (dates, inclusive): their college (at their last attended session), the number of sessions attended
    (records "present") and the amount (count × the council's allowance; None when it pays none)."""
    sessions = council_sessions(council=council)
    if start is not None:
        sessions = sessions.filter(start__date__gte=start)
    if end is not None:
        sessions = sessions.filter(start__date__lte=end)
    present = Attendance.objects.filter(meeting__in=sessions.values("pk"), status=AttendanceStatus.PRESENT)
    counts = dict(present.values("member_id").annotate(n=Count("pk")).values_list("member_id", "n"))
    last_college = dict(
        present.order_by("member_id", "meeting__start").values_list("member_id", "college_id")
    )
    users = get_user_model().objects.in_bulk(counts.keys())
    colleges = College.objects.in_bulk([c for c in last_college.values() if c])
    allowance = council.allowance_per_session
    rows = [
        AllowanceRow(
            member=users[user_id],
            college=colleges.get(last_college.get(user_id)),
            sessions=count,
            amount=(allowance * count) if allowance is not None else None,
        )
        for user_id, count in counts.items()
    ]
    rows.sort(
        key=lambda r: (
            r.college is None,
            r.college.sort_order if r.college else 0,
            r.college.name if r.college else "",
            r.member.last_name.lower(),
            r.member.first_name.lower(),
            r.member.pk,
        )
    )
    total_sessions = sum(r.sessions for r in rows)
    return AllowanceReport(
        council=council,
        allowance=allowance,
        start=start,
        end=end,
        session_count=sessions.count(),
        rows=rows,
        total_sessions=total_sessions,
        total_amount=(allowance * total_sessions) if allowance is not None else None,
    )


# -- Chart -----------------------------------------------------------------------------------------------


@dataclass
class ChartData:
    colleges: list  # [(key, name)]
    sessions: list  # [{"meeting", "counts": {key: n}, "total"}]
    members: int


def attendance_chart_data(*, council, public=False) -> ChartData:
    """Present per session (the council's own sessions with at least one record) and college. Numbers only.
    Three queries whatever the number of sessions. `public`: only sessions anyone may see (listed), so the
    public chart never names a members-only session."""
    sessions = council_sessions(council=council)
    if public:
        sessions = sessions.listed()
    rows = (
        Attendance.objects.filter(meeting__in=sessions.values("pk"), status=AttendanceStatus.PRESENT)
        .values("meeting_id", "college_id")
        .annotate(n=Count("pk"))
    )
    recorded = set(
        Attendance.objects.filter(meeting__in=sessions.values("pk")).values_list("meeting_id", flat=True)
    )
    counts = defaultdict(dict)
    college_ids = set()
    for row in rows:
        counts[row["meeting_id"]][row["college_id"]] = row["n"]
        college_ids.add(row["college_id"])
    colleges = [(c.pk, c.name) for c in College.objects.filter(council=council) if c.pk in college_ids]
    if None in college_ids:
        colleges.append((None, _("Without a college")))
    meetings = [m for m in sessions.only("pk", "title", "start") if m.pk in recorded]
    sessions = [
        {
            "meeting": m,
            "counts": counts.get(m.pk, {}),
            "columns": [counts.get(m.pk, {}).get(key, 0) for key, _name in colleges],
            "total": sum(counts.get(m.pk, {}).values()),
        }
        for m in meetings
    ]
    members = Membership.objects.active().filter(council=council).count()
    return ChartData(colleges=colleges, sessions=sessions, members=members)


def councils_with_attendance(*, queryset):
    """The councils of `queryset` whose own sessions have attendance records (the dashboard's panel)."""
    steplen = CouncilPage.steplen
    meeting_paths = Attendance.objects.values_list("meeting__path", flat=True).distinct()
    council_paths = {path[: -2 * steplen] for path in meeting_paths}
    return queryset.filter(path__in=council_paths)


def attendance_chart_svg(*, council, data=None) -> str:
    """The chart as SVG markup (see `attendance.chart`)."""
    from .chart import chart_svg

    return chart_svg(data or attendance_chart_data(council=council), title=council.title)


# -- Random working groups -------------------------------------------------------------------------------


def _groups_assign(members, *, group_count, seed):
    """{user_id: group number (1..K)} for `members` [(user_id, college_key)]. Deterministic in its inputs:
    members in a canonical order (college key, then user id), each college shuffled with one generator
    seeded by `seed`, then dealt round-robin continuing where the previous college stopped — so group sizes
    differ by at most one, and so do a college's numbers in any two groups."""
    rng = random.Random(f"{GROUPS_ALGORITHM}:{seed}")  # noqa: S311 - reproducible, not secret
    by_college = defaultdict(list)
    for user_id, college_key in members:
        by_college[college_key].append(user_id)
    position = 0
    result = {}
    for college_key in sorted(by_college, key=lambda k: (k is None, k)):
        ids = sorted(by_college[college_key])
        rng.shuffle(ids)
        for user_id in ids:
            result[user_id] = position % group_count + 1
            position += 1
    return result


def present_members(*, meeting):
    """[(user_id, college_key)] of the members marked present at the session; the key orders colleges as
    the council does."""
    rows = (
        Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT)
        .select_related("college")
        .order_by("member_id")
    )
    return [
        (row.member_id, (row.college.sort_order, row.college.name, row.college_id) if row.college else None)
        for row in rows
    ], {row.member_id: row.college_id for row in rows}


@transaction.atomic
def groups_draw(*, meeting, group_count: int, seed: str | None = None, by) -> GroupDraw:
    """Split the members present at the session into `group_count` groups balanced across colleges, and
    record the draw (seed and algorithm, so that anyone can make it again)."""
    members, colleges = present_members(meeting=meeting)
    if group_count < 2:
        raise ValidationError(_("Make at least two groups."))
    if group_count > min(GROUPS_MAX, max(len(members), 0)):
        raise ValidationError(
            _("There are %(count)d members present: make at most that many groups.") % {"count": len(members)}
        )
    seed = (seed or "").strip() or secrets.token_hex(8)
    assignment = _groups_assign(members, group_count=group_count, seed=seed)
    draw = GroupDraw.objects.create(
        meeting=meeting, group_count=group_count, seed=seed, algorithm=GROUPS_ALGORITHM, created_by=by
    )
    GroupAssignment.objects.bulk_create(
        GroupAssignment(draw=draw, member_id=user_id, college_id=colleges[user_id], group_number=number)
        for user_id, number in assignment.items()
    )
    council = meeting_council(meeting=meeting)
    if council is not None:
        log(
            instance=council,
            action=ACTION_GROUPS,
            user=by,
            data={"meeting": meeting.pk, "title": meeting.title, "groups": group_count, "seed": seed},
        )
    return draw


def draw_groups(*, draw) -> list[dict]:
    """[{number, members: [assignment], colleges: [(name, n)]}] of a draw, with the members' names. Two
    queries."""
    assignments = list(draw.assignments.select_related("member", "college"))
    groups = {n: [] for n in range(1, draw.group_count + 1)}
    for assignment in assignments:
        groups.setdefault(assignment.group_number, []).append(assignment)
    result = []
    for number, members in groups.items():
        members.sort(key=lambda a: (a.member.last_name.lower(), a.member.first_name.lower(), a.member_id))
        colleges = Counter(
            (a.college.sort_order, a.college.name) if a.college else (10_000, _("Without a college"))
            for a in members
        )
        result.append(
            {
                "number": number,
                "members": members,
                "colleges": [(name, n) for (_order, name), n in sorted(colleges.items())],
            }
        )
    return result


def sessions_counts(*, meetings) -> dict:
    """{meeting_id: {status: n}} for several sessions, in one query."""
    counts = defaultdict(dict)
    rows = (
        Attendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .values("meeting_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["meeting_id"]][row["status"]] = row["n"]
    return dict(counts)


def attendance_counts(*, meeting) -> dict:
    return dict(
        Attendance.objects.filter(meeting=meeting)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
