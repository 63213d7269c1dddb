"""`/emargement/`: members check in with the session's code."""

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse

import pytest
import time_machine

from attendance import services
from attendance.models import Attendance, AttendanceMethod


@pytest.fixture
def code(assembly):
    cache.clear()  # the rate limit's counters
    return services.check_in_code_create(meeting=assembly["session"], by=assembly["editor"])


def url():
    return reverse("attendance:check_in")


def test_the_page_lives_at_emargement():
    assert url() == "/emargement/"


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, db):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next=/emargement/"


def test_a_member_checks_in_with_the_right_code(client, assembly, code):
    member = assembly["members"][0]
    client.force_login(member)
    with time_machine.travel(assembly["session"].start + timedelta(minutes=10)):
        page = client.get(url())
        assert page.status_code == 200
        assert "private" in page["Cache-Control"]
        assert assembly["session"].title in page.content.decode()
        response = client.post(url(), {"code": code.code.lower()})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    record = Attendance.objects.get(meeting=assembly["session"], member=member)
    assert (record.status, record.method) == ("present", AttendanceMethod.CODE)
    assert "check-in__done" in response.content.decode()


def test_a_wrong_code_says_so_and_records_nothing(client, assembly, code):
    client.force_login(assembly["members"][0])
    with time_machine.travel(assembly["session"].start):
        response = client.post(url(), {"code": "AAAAAA"})
    assert response.status_code == 400
    assert "Ce code ne correspond à aucune séance" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_expired_code_says_so(client, assembly, code):
    client.force_login(assembly["members"][0])
    with time_machine.travel(assembly["session"].end + timedelta(hours=3)):
        response = client.post(url(), {"code": code.code})
    assert response.status_code == 400
    assert "Ce code a expiré" in response.content.decode()
    assert not Attendance.objects.exists()


def test_someone_from_another_council_gets_the_same_message_as_for_a_wrong_code(
    client, assembly, other_assembly, code
):
    client.force_login(other_assembly["members"][0])
    with time_machine.travel(assembly["session"].start):
        response = client.post(url(), {"code": code.code})
    assert response.status_code == 400
    assert "Ce code ne correspond à aucune séance" in response.content.decode()
    assert assembly["session"].title not in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_form_needs_the_csrf_token(assembly, code):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(assembly["members"][0])
    with time_machine.travel(assembly["session"].start):
        assert client.post(url(), {"code": code.code}).status_code == 403
    assert not Attendance.objects.exists()


def test_attempts_are_limited_per_person(client, assembly, code, settings):
    client.force_login(assembly["members"][0])
    with time_machine.travel(assembly["session"].start):
        for _ in range(10):
            assert client.post(url(), {"code": "AAAAAA"}).status_code == 400
        throttled = client.post(url(), {"code": code.code})
    assert throttled.status_code == 429
    assert not Attendance.objects.exists()


def test_failures_are_limited_per_connection_across_accounts(client, assembly, code, monkeypatch):
    from attendance import views

    monkeypatch.setattr(views, "IP_FAILURE_RATE", "10/10m")
    with time_machine.travel(assembly["session"].start):
        for index in range(11):  # the limit: more than 10 failures
            client.force_login(assembly["members"][index % 3])
            client.post(url(), {"code": "AAAAAA"}, REMOTE_ADDR="203.0.113.9")
        client.force_login(assembly["members"][5])
        throttled = client.post(url(), {"code": code.code}, REMOTE_ADDR="203.0.113.9")
        other_connection = client.post(url(), {"code": code.code}, REMOTE_ADDR="203.0.113.10")
    assert throttled.status_code == 429
    assert other_connection.status_code == 200


def test_a_whole_room_behind_one_address_checks_in(client, assembly, code):
    """Venue Wi-Fi or a carrier's NAT: successful check-ins never count against the shared address."""
    from attendance.factories import members_create

    more = members_create(
        council=assembly["council"], colleges=assembly["colleges"], per_college=[4, 4, 4], prefix="room"
    )
    members = [*assembly["members"], *more]
    assert len(members) > 20
    with time_machine.travel(assembly["session"].start):
        for member in members:
            client.force_login(member)
            assert client.post(url(), {"code": code.code}, REMOTE_ADDR="192.0.2.10").status_code == 200
    assert Attendance.objects.filter(meeting=assembly["session"], status="present").count() == len(members)


def test_the_page_has_a_bounded_number_of_queries(client, assembly, code, django_assert_max_num_queries):
    client.force_login(assembly["members"][0])
    with time_machine.travel(assembly["session"].start):
        client.get(url())
        with django_assert_max_num_queries(20):
            assert client.get(url()).status_code == 200
