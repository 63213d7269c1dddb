"""French typography on the public site: "9 h 30", "18 h 30–20 h 30", "1er décembre 2026"."""

from datetime import date
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

import pytest

from core.typography import french_date, french_time, french_time_range
from meetings.tests.conftest import paris


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_a_time_has_no_break_spaces_around_the_h():
    assert french_time(paris(2026, 12, 1, 9, 30)) == "9\u00a0h\u00a030"
    assert french_time(paris(2026, 12, 1, 18, 5)) == "18\u00a0h\u00a005"


def test_a_time_on_the_hour_has_no_minutes():
    assert french_time(paris(2026, 12, 1, 18, 0)) == "18\u00a0h"


def test_a_time_is_read_in_the_citys_time_zone():
    utc = paris(2026, 12, 1, 18, 30).astimezone(ZoneInfo("UTC"))

    assert french_time(utc) == "18\u00a0h\u00a030"


def test_a_time_range_has_an_en_dash_that_never_ends_a_line():
    assert (
        french_time_range(paris(2026, 12, 1, 18, 30), paris(2026, 12, 1, 20, 30))
        == "18\u00a0h\u00a030\u2013\u206020\u00a0h\u00a030"
    )


def test_the_first_of_the_month_is_written_1er():
    assert french_date(date(2026, 12, 1), "j F Y") == "1er\u00a0décembre\u00a02026"
    assert french_date(date(2026, 12, 2), "j F Y") == "2\u00a0décembre\u00a02026"


def test_a_long_date_keeps_day_month_and_year_together_but_may_break_after_the_weekday():
    assert french_date(paris(2026, 12, 1, 18, 30)) == "mardi 1er\u00a0décembre\u00a02026"


def test_the_template_filters_render_the_exact_characters():
    html = Template(
        "{% load typography %}{{ start|fr_date }}, {{ start|fr_time }}{% range_dash %}{{ end|fr_time }}"
        "|{{ start|fr_time_range:end }}"
    ).render(Context({"start": paris(2026, 12, 1, 18, 30), "end": paris(2026, 12, 1, 20, 30)}))

    assert html == (
        "mardi 1er\u00a0décembre\u00a02026, 18\u00a0h\u00a030\u2013\u206020\u00a0h\u00a030"
        "|18\u00a0h\u00a030\u2013\u206020\u00a0h\u00a030"
    )
