"""The admin screens Parvis adds to Wagtail — a council editor's dashboard panel and the editors' guide —
on a phone and on a desktop: no axe violation of any impact in Parvis's own markup, and usable by keyboard.
(Wagtail's own admin chrome around them is not Parvis's to fix, so axe looks only inside our markup.)"""

import os
import tempfile

from django.utils import translation

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from home.tests.content import council_with_content
from tests.browser.conftest import assert_no_axe_violation

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _council_factory(**kwargs):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), **kwargs)
    council.save_revision().publish()
    return council


@pytest.fixture
def council_editor(live_home):
    """An editor of two councils with real content (upcoming and past meetings, a page)."""
    editor = UserFactory(username="editrice-centre")
    for title, slug in [("Conseil de quartier Centre", "centre"), ("Conseil de quartier Biollay", "biollay")]:
        council = council_with_content(_council_factory, title=title, slug=slug)
        council_add_editor(council=council, user=editor)
    return editor


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def _shoot(page, name):
    """Wagtail's admin scrolls inside its own layout, so a "full page" shot stops at the window: make the
    window as tall as the content for the shot."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body, body *'), el => el.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)
    page.set_viewport_size(viewport)


def _fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_council_editor_s_dashboard_and_guide_have_no_accessibility_violation_of_any_impact(
    page, live_server, council_editor, viewport
):
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server, "editrice-centre")

    panel = page.locator("[data-parvis-my-councils]")
    assert panel.is_visible()
    assert panel.locator(".parvis-council").count() == 2
    _shoot(page, f"admin-dashboard-{label}")
    assert _fits_the_width(page)
    # An action's icon stays the size of its text, beside its label (not drawn over it).
    action = panel.locator(".parvis-action").first
    icon_box = action.locator(".parvis-action__icon").bounding_box()
    label_box = action.locator(".parvis-action__label").bounding_box()
    assert icon_box["height"] <= label_box["height"] + 1
    assert icon_box["x"] + icon_box["width"] <= label_box["x"]
    missing_icons = panel.locator(".parvis-action__icon use").evaluate_all(
        "uses => uses.map(u => u.getAttribute('href')).filter(h => !document.querySelector(h))"
    )
    assert_no_axe_violation(page, context="[data-parvis-my-councils]")

    page.goto(f"{live_server.url}/admin/guide/")
    guide = page.locator(".parvis-guide")
    assert guide.is_visible()
    with translation.override("fr"):
        title = translation.gettext("Editors' guide")
    assert page.locator("h1").all_inner_texts() == [title], "the page's one h1 names the guide"
    _shoot(page, f"admin-guide-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context=".parvis-guide")

    # Every quick action's icon exists in Wagtail's icon set (an unknown name draws an empty gap).
    assert missing_icons == [], f"icons not in Wagtail's set (see councils/dashboard.py): {missing_icons}"


def test_a_council_editor_reaches_a_quick_action_with_the_keyboard_and_sees_where_the_focus_is(
    page, live_server, council_editor
):
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server, "editrice-centre")
    first_action = page.locator("[data-parvis-my-councils] .parvis-action").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('parvis-action')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('parvis-action')"), (
        "a quick action is reachable with Tab"
    )
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused action shows a focus ring"
    _shoot(page, "admin-dashboard-focus-desktop")
    href = first_action.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{href}")
