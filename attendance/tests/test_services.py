from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest
import time_machine

from attendance import services
from attendance.factories import attendance_fill
from attendance.models import Attendance, AttendanceMethod, AttendanceStatus, CheckInCode


def test_the_sheet_groups_the_council_members_by_college_with_counts(assembly):
    sheet = services.attendance_sheet(meeting=assembly["session"])
    # The editor holds a mandate too (without a college here): listed last.
    assert [len(group.rows) for group in sheet] == [4, 3, 2, 1]
    assert [group.college for group in sheet] == [*assembly["colleges"], None]
    assert sheet[3].rows[0].user == assembly["editor"]
    assert sheet[0].counts == {"present": 0, "excused": 0, "absent": 0, "unknown": 4, "total": 4}


def test_recording_the_sheet_writes_one_record_per_member_and_updates_it(assembly):
    session, members, editor = assembly["session"], assembly["members"], assembly["editor"]
    statuses = {user.pk: AttendanceStatus.PRESENT for user in members[:5]}
    statuses[members[5].pk] = AttendanceStatus.EXCUSED
    assert services.attendance_record(meeting=session, statuses=statuses, by=editor) == 6
    statuses[members[0].pk] = AttendanceStatus.ABSENT
    services.attendance_record(meeting=session, statuses=statuses, by=editor)
    assert Attendance.objects.filter(meeting=session).count() == 6
    first = Attendance.objects.get(meeting=session, member=members[0])
    assert first.status == AttendanceStatus.ABSENT
    assert first.college == assembly["colleges"][0]
    assert first.method == AttendanceMethod.EDITOR
    totals = services.sheet_totals(services.attendance_sheet(meeting=session))
    assert (totals["present"], totals["excused"], totals["absent"], totals["unknown"]) == (4, 1, 1, 4)


def test_the_sheet_ignores_people_who_are_not_members_and_unknown_statuses(assembly, other_assembly):
    outsider = other_assembly["members"][0]
    count = services.attendance_record(
        meeting=assembly["session"],
        statuses={outsider.pk: "present", assembly["members"][0].pk: "maybe"},
        by=assembly["editor"],
    )
    assert count == 0
    assert not Attendance.objects.exists()


def test_a_code_is_six_unambiguous_characters_valid_around_the_session(assembly):
    session = assembly["session"]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    assert len(code.code) == 6 and set(code.code) <= set(services.CODE_ALPHABET)
    assert not set("0O1IL5S2Z8B") & set(services.CODE_ALPHABET)
    assert code.valid_from == session.start - timedelta(hours=1)
    assert code.valid_until == session.end + timedelta(hours=1)
    again = services.check_in_code_create(meeting=session, by=assembly["editor"])
    assert CheckInCode.objects.filter(meeting=session).count() == 1
    assert again.pk == code.pk


def test_the_right_code_marks_the_member_present(assembly):
    session, member = assembly["session"], assembly["members"][4]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.start + timedelta(minutes=5)):
        record = services.check_in(user=member, code=f" {code.code.lower()} ")
    assert record.status == AttendanceStatus.PRESENT
    assert record.method == AttendanceMethod.CODE
    assert record.college == assembly["colleges"][1]
    with time_machine.travel(session.start + timedelta(minutes=6)):
        assert services.check_in(user=member, code=code.code).pk == record.pk
    assert Attendance.objects.count() == 1


def test_a_wrong_code_is_refused(assembly):
    session = assembly["session"]
    services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.start), pytest.raises(services.CheckInError) as error:
        services.check_in(user=assembly["members"][0], code="XXXXXX")
    assert error.value.code == "wrong"


def test_an_expired_or_early_code_is_refused_with_its_own_message(assembly):
    session, member = assembly["session"], assembly["members"][0]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.end + timedelta(hours=2)), pytest.raises(services.CheckInError) as error:
        services.check_in(user=member, code=code.code)
    assert error.value.code == "expired"
    with (
        time_machine.travel(session.start - timedelta(hours=3)),
        pytest.raises(services.CheckInError) as error,
    ):
        services.check_in(user=member, code=code.code)
    assert error.value.code == "early"
    assert not Attendance.objects.exists()


def test_someone_outside_the_council_gets_the_wrong_code_message(assembly, other_assembly):
    session = assembly["session"]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.start), pytest.raises(services.CheckInError) as error:
        services.check_in(user=other_assembly["members"][0], code=code.code)
    assert error.value.code == "wrong"
    assert not Attendance.objects.exists()


def test_checking_in_never_changes_an_editors_entry(assembly):
    session, members = assembly["session"], assembly["members"]
    services.attendance_record(
        meeting=session, statuses={members[0].pk: "present", members[1].pk: "absent"}, by=assembly["editor"]
    )
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.start):
        kept = services.check_in(user=members[0], code=code.code)
        with pytest.raises(services.CheckInError) as error:
            services.check_in(user=members[1], code=code.code)
    assert error.value.code == "recorded"
    kept.refresh_from_db()
    assert (kept.status, kept.method, kept.recorded_by) == (
        "present",
        AttendanceMethod.EDITOR,
        assembly["editor"],
    )
    absent = Attendance.objects.get(meeting=session, member=members[1])
    assert (absent.status, absent.method) == ("absent", AttendanceMethod.EDITOR)


def test_a_member_without_a_record_or_marked_by_code_checks_in(assembly):
    session, members = assembly["session"], assembly["members"]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    with time_machine.travel(session.start):
        came = services.check_in(user=members[2], code=code.code)
    came.refresh_from_db()
    assert (came.status, came.method, came.recorded_by) == ("present", AttendanceMethod.CODE, members[2])


def test_sessions_to_check_in_lists_the_members_sessions_with_a_valid_code(assembly, other_assembly):
    session, member = assembly["session"], assembly["members"][0]
    code = services.check_in_code_create(meeting=session, by=assembly["editor"])
    services.check_in_code_create(
        meeting=other_assembly["session"],
        by=other_assembly["editor"],
        valid_from=session.start - timedelta(hours=1),
        valid_until=session.end,
    )
    with time_machine.travel(session.start - timedelta(hours=2)):
        assert services.sessions_to_check_in(user=member) == []
    with time_machine.travel(session.start):
        found = services.sessions_to_check_in(user=member)
        assert [(item.meeting.pk, item.present) for item in found] == [(session.pk, False)]
        services.check_in(user=member, code=code.code)
        assert services.sessions_to_check_in(user=member)[0].present is True


def test_the_allowance_report_multiplies_sessions_attended_by_the_amount(assembly):
    council, editor = assembly["council"], assembly["editor"]
    council.allowance_per_session = Decimal("20.00")
    council.save()
    first = assembly["session"]
    second = services_session(council, days=9)
    attendance_fill(meeting=first, present=7, excused=1, seed=1)  # of 10 mandates (the editor's too)
    attendance_fill(meeting=second, present=4, seed=2)
    report = services.allowance_report(council=council)
    assert report.session_count == 2
    assert report.total_sessions == 11 == Attendance.objects.filter(status="present").count()
    assert report.total_amount == Decimal("220.00")
    for row in report.rows:
        expected = Attendance.objects.filter(member=row.member, status="present").count()
        assert row.sessions == expected
        assert row.amount == Decimal("20.00") * expected
    only_first = services.allowance_report(council=council, end=first.start.date())
    assert only_first.total_sessions == 7
    assert len(report.rows) == len({a.member_id for a in Attendance.objects.filter(status="present")})
    assert editor


def test_the_allowance_report_without_an_amount_counts_sessions_only(assembly):
    attendance_fill(meeting=assembly["session"], present=3)
    report = services.allowance_report(council=assembly["council"])
    assert report.total_sessions == 3
    assert report.total_amount is None
    assert all(row.amount is None for row in report.rows)


def services_session(council, days):
    from django.utils import timezone

    from attendance.factories import session_create

    start = (timezone.localtime() + timedelta(days=days)).replace(hour=18, minute=0, second=0, microsecond=0)
    return session_create(council=council, start=start)


def test_groups_need_at_least_two_and_at_most_the_members_present(assembly):
    attendance_fill(meeting=assembly["session"], present=3)
    with pytest.raises(ValidationError):
        services.groups_draw(meeting=assembly["session"], group_count=1, by=assembly["editor"])
    with pytest.raises(ValidationError):
        services.groups_draw(meeting=assembly["session"], group_count=4, by=assembly["editor"])


def test_the_same_seed_and_the_same_members_present_give_the_same_groups(assembly):
    session = assembly["session"]
    attendance_fill(meeting=session, present=9)
    first = services.groups_draw(meeting=session, group_count=3, seed="graine", by=assembly["editor"])
    second = services.groups_draw(meeting=session, group_count=3, seed="graine", by=assembly["editor"])
    other = services.groups_draw(meeting=session, group_count=3, by=assembly["editor"])
    assert len(other.seed) == 16 and other.seed != "graine"
    assert first.algorithm == services.GROUPS_ALGORITHM

    def groups(draw):
        return {a.member_id: a.group_number for a in draw.assignments.all()}

    assert groups(first) == groups(second)
    assert len(groups(first)) == 9
