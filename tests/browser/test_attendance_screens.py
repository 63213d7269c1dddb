"""Attendance in a browser, on a phone and on a desktop: a member checks in at `/emargement/` with the
session's code (signing in first), the editor's screens (sheet, printable sheet, code, groups, council
overview, allowance, dashboard) and the public chart. No axe violation of any impact in our markup;
screenshots in SCREENSHOT_DIR."""

import os
import tempfile
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from attendance import services
from attendance.factories import attendance_fill, colleges_create, members_create, session_create
from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from tests.browser.conftest import assert_no_axe_violation

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots", "attendance")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(live_home):  # noqa: F811
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(),
        title="Assemblée citoyenne",
        slug="assemblee",
        allowance_per_session=Decimal("20"),
        attendance_chart_public=True,
    )
    council.save_revision().publish()
    editor = UserFactory(username="editrice", first_name="Claire", last_name="Martin")
    council_add_editor(council=council, user=editor, started_on=(timezone.localdate() - timedelta(days=60)))
    colleges = colleges_create(council=council)
    now = timezone.localtime()
    members = members_create(
        council=council,
        colleges=colleges,
        per_college=[8, 6, 4],
        prefix="m",
        started_on=(now - timedelta(days=60)).date(),
    )
    past = [
        session_create(council=council, start=now - timedelta(days=7 * (5 - n)), title=f"Séance n° {n}")
        for n in range(1, 5)
    ]
    for index, (session, present) in enumerate(zip(past, (17, 13, 10, 9), strict=True)):
        attendance_fill(meeting=session, present=present, excused=1, seed=index, by=editor)
    current = session_create(
        council=council, start=now - timedelta(minutes=30), title="Séance n° 5 — les zones"
    )
    attendance_fill(meeting=current, present=10, excused=2, seed=9, by=editor)
    code = services.check_in_code_create(meeting=current, by=editor)
    draw = services.groups_draw(meeting=current, group_count=3, seed="demo-seance-5", by=editor)
    # A latecomer the editor has not marked yet (a code never overrides the editor's own entries).
    late_record = current.attendances.filter(status="absent").first()
    late_record.delete()
    return {
        "council": council,
        "editor": editor,
        "members": members,
        "current": current,
        "code": code,
        "draw": draw,
        "late": late_record.member,
    }


def _shoot(page, name):  # noqa: F811
    os.makedirs(SCREENSHOTS, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body, body *'), el => el.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(height, 6000))})
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)
    page.set_viewport_size(viewport)


def _fits(page):  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_member_checks_in_on_their_phone(page, live_server, world, viewport):  # noqa: F811
    label = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/emargement/")
    assert "/connexion/" in page.url
    page.fill("#id_username", world["late"].username)
    page.fill("#id_password", "demo")
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/emargement/")
    assert page.get_by_text("Séance n° 5 — les zones").is_visible()
    _shoot(page, f"check-in-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"/emargement/ ({label})")

    page.fill("#id_code", "ZZZZZZ")
    page.click("form.check-in__form button[type=submit]")
    assert page.locator(".form-errors[role=alert]").is_visible()
    _shoot(page, f"check-in-wrong-code-{label}")
    assert_no_axe_violation(page, where=f"/emargement/ wrong code ({label})")

    page.fill("#id_code", world["code"].code.lower())
    page.click("form.check-in__form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".check-in__done").is_visible()
    _shoot(page, f"check-in-done-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"/emargement/ done ({label})")
    assert world["current"].attendances.get(member=world["late"]).status == "present"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_public_chart_on_the_council_page(page, live_server, world, viewport):  # noqa: F811
    label = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{world['council'].url}")
    chart = page.locator(".attendance-chart")
    assert chart.is_visible()
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=f"{SCREENSHOTS}/council-chart-{label}.png")
    _shoot(page, f"council-page-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, context=".attendance-chart", where=f"council chart ({label})")


def _admin_sign_in(page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editrice")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_editors_screens(page, live_server, world, viewport):  # noqa: F811
    label = "phone" if viewport is PHONE else "desktop"
    page.set_viewport_size(viewport)
    _admin_sign_in(page, live_server)
    assert page.locator(".attendance-panel").is_visible()
    page.locator(".attendance-panel").screenshot(path=f"{SCREENSHOTS}/admin-dashboard-panel-{label}.png")
    assert_no_axe_violation(page, context=".attendance-panel", where=f"dashboard ({label})")

    current, council, draw = world["current"], world["council"], world["draw"]
    screens = [
        ("admin-sheet", f"/admin/presences/{current.pk}/", "main"),
        ("admin-code", f"/admin/presences/{current.pk}/code/", "main"),
        ("admin-groups", f"/admin/presences/{current.pk}/groupes/", "main"),
        ("admin-council", f"/admin/presences/conseil/{council.pk}/", "main"),
        ("admin-allowance", f"/admin/presences/conseil/{council.pk}/indemnites/", "main"),
        ("print-sheet", f"/admin/presences/{current.pk}/feuille/", None),
        ("print-groups", f"/admin/presences/{current.pk}/groupes/{draw.pk}/imprimer/", None),
        ("code-projection", f"/admin/presences/{current.pk}/code/?projection=1", None),
    ]
    for name, path, context in screens:
        page.goto(f"{live_server.url}{path}")
        _shoot(page, f"{name}-{label}")
        assert _fits(page), name
        assert_no_axe_violation(page, context=context, where=f"{name} ({label})")
    page.goto(f"{live_server.url}/admin/presences/{current.pk}/feuille/")
    page.emulate_media(media="print")
    _shoot(page, f"print-sheet-print-media-{label}")
    page.emulate_media(media="screen")
