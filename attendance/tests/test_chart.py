"""The attendance chart: well-formed, accessible SVG; numbers only on the public page."""

import xml.etree.ElementTree as ET
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from attendance import services
from attendance.chart import STYLES
from attendance.factories import attendance_fill, session_create

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def attended(assembly):
    council = assembly["council"]
    sessions = [assembly["session"]]
    for days in (9, 16, 23):
        sessions.append(
            session_create(council=council, start=assembly["session"].start + timedelta(days=days))
        )
    for index, (session, present) in enumerate(zip(sessions, (9, 7, 5, 4), strict=True)):
        attendance_fill(meeting=session, present=present, seed=index)
    return sessions


def test_the_svg_is_well_formed_with_a_title_a_description_and_one_bar_per_session(assembly, attended):
    svg = services.attendance_chart_svg(council=assembly["council"])
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and "Conseil de quartier Centre" in title.text
    assert desc is not None and "4 séances" in desc.text and "9 présents à la première" in desc.text
    labelled = root.get("aria-labelledby").split()
    assert labelled == [title.get("id"), desc.get("id")]
    totals = [
        t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold" and t.get("fill") == "#111"
    ]
    assert totals == ["9", "7", "5", "4"]


def test_the_data_add_up_to_the_records_per_session_and_college(assembly, attended):
    data = services.attendance_chart_data(council=assembly["council"])
    assert [s["total"] for s in data.sessions] == [9, 7, 5, 4]
    for session in data.sessions:
        assert sum(session["columns"]) == session["total"]
        assert session["total"] == session["meeting"].attendances.filter(status="present").count()


def test_colleges_are_told_apart_by_pattern_not_only_colour(assembly, attended):
    root = ET.fromstring(services.attendance_chart_svg(council=assembly["council"]))  # noqa: S314
    patterns = root.findall(f".//{SVG}pattern")
    data = services.attendance_chart_data(council=assembly["council"])
    # Every college after the first (solid) has a pattern; the legend names each.
    assert len(patterns) == len([s for s in STYLES[: len(data.colleges)] if s[1] != "solid"])
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "13"]
    assert legend == [name for _key, name in data.colleges]


def test_names_are_escaped(assembly, attended):
    college = assembly["colleges"][0]
    college.name = "<script>&"
    college.save()
    svg = services.attendance_chart_svg(council=assembly["council"])
    ET.fromstring(svg)  # noqa: S314 - our own markup
    assert "<script>" not in svg


def test_the_chart_queries_do_not_grow_with_sessions(assembly, attended):
    with CaptureQueriesContext(connection) as few:
        services.attendance_chart_data(council=assembly["council"])
    for _ in range(6):
        attendance_fill(meeting=session_create(council=assembly["council"]), present=3)
    with CaptureQueriesContext(connection) as more:
        data = services.attendance_chart_data(council=assembly["council"])
    assert len(data.sessions) == 10
    assert len(more.captured_queries) == len(few.captured_queries) <= 6


def test_the_public_council_page_shows_numbers_only_when_the_council_chose_it(client, assembly, attended):
    council = assembly["council"]
    page = client.get(council.url).content.decode()
    assert "attendance-chart" not in page
    council.attendance_chart_public = True
    council.save_revision().publish()
    page = client.get(council.url).content.decode()
    assert "attendance-chart" in page and "<svg" in page
    for member in assembly["members"]:
        assert member.last_name not in page or member.last_name in council.title
        assert member.username not in page


def test_the_public_chart_is_empty_without_records(client, assembly):
    council = assembly["council"]
    council.attendance_chart_public = True
    council.save_revision().publish()
    assert "attendance-chart" not in client.get(council.url).content.decode()
