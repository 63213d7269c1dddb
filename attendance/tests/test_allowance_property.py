"""The allowance report's totals equal the attendance records, whatever the records (a property)."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance import services
from attendance.factories import session_create
from attendance.models import Attendance, AttendanceStatus

STATUSES = st.sampled_from([None, *AttendanceStatus.values])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), amount=st.decimals(min_value=0, max_value=200, places=2))
def test_the_report_counts_exactly_the_present_records_of_the_councils_sessions(assembly, data, amount):
    council, members = assembly["council"], assembly["members"]
    if not hasattr(council, "_sessions"):
        council._sessions = [assembly["session"]] + [
            session_create(council=council, start=assembly["session"].start + timedelta(days=7 * n))
            for n in (1, 2)
        ]
    sessions = council._sessions
    Attendance.objects.filter(meeting__in=sessions).delete()
    council.allowance_per_session = amount
    statuses = data.draw(
        st.lists(st.lists(STATUSES, min_size=len(members), max_size=len(members)), min_size=3, max_size=3)
    )
    for session, row in zip(sessions, statuses, strict=True):
        services.attendance_record(
            meeting=session,
            statuses={m.pk: s for m, s in zip(members, row, strict=True) if s},
            by=assembly["editor"],
            council=council,
        )
    report = services.allowance_report(council=council)
    present = Attendance.objects.filter(meeting__in=sessions, status=AttendanceStatus.PRESENT)
    assert report.total_sessions == present.count() == sum(row.count("present") for row in statuses)
    assert report.total_amount == amount * present.count()
    assert sum((r.amount for r in report.rows), Decimal(0)) == report.total_amount
    for row in report.rows:
        assert row.sessions == present.filter(member=row.member).count() > 0
    assert {r.member.pk for r in report.rows} == set(present.values_list("member_id", flat=True))
