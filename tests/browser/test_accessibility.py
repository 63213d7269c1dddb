"""What a resident sees and can do in a real browser: no serious accessibility fault, keyboard and phone use."""

import os
import tempfile

import pytest

from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage, CouncilKind
from home.models import SiteSettings
from home.tests.content import council_with_content
from tests.browser.conftest import axe_serious_violations

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _council_factory(**kwargs):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), **kwargs)
    council.save_revision().publish()
    return council


@pytest.fixture
def site_with_councils(live_home):
    settings = SiteSettings.for_site(live_home.get_site())
    settings.site_name = "Ville de Parvis"
    settings.tagline = "Les conseils citoyens"
    settings.contact_email = "participation@example.org"
    settings.postal_address = "Hôtel de ville\n1 place de la Mairie"
    settings.mastodon_url = "https://mastodon.example.org/@parvis"
    settings.save()
    live_home.intro = "<p>Trouvez votre conseil, sa prochaine réunion et ses comptes rendus.</p>"
    live_home.save_revision().publish()
    centre = council_with_content(_council_factory, title="Conseil de quartier Centre", slug="centre")
    council_with_content(
        _council_factory, title="Assemblée citoyenne du climat", slug="climat", kind=CouncilKind.ASSEMBLY
    )
    _council_factory(title="Conseil de quartier Biollay", slug="biollay")
    return centre


def _visit(page, live_server, path, viewport=DESKTOP, name=None):
    page.set_viewport_size(viewport)
    response = page.goto(live_server.url + path)
    if name:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)
    return response


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_violation(page, live_server, site_with_councils, viewport):
    label = "desktop" if viewport is DESKTOP else "phone"
    for path, name in [
        ("/", "home"),
        ("/conseils/", "councils"),
        (site_with_councils.url, "council"),
        ("/cette-page-n-existe-pas/", "not-found"),
    ]:
        response = _visit(page, live_server, path, viewport, name=f"{name}-{label}")
        assert response.status == (404 if name == "not-found" else 200)
        assert page.locator("html").get_attribute("lang") == "fr"
        violations = axe_serious_violations(page)
        assert violations == [], (path, [(v["id"], v["nodes"][0]["html"]) for v in violations])


def test_skip_link_is_the_first_tab_stop_and_takes_focus_to_the_content(
    page, live_server, site_with_councils
):
    _visit(page, live_server, "/conseils/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible(), "the skip link shows when it has focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab stop is inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_on_a_phone_the_menu_opens_and_leads_to_a_council(page, live_server, site_with_councils):
    _visit(page, live_server, "/", PHONE)
    toggle = page.locator("[data-nav-toggle]")
    agenda_link = page.locator(".main-nav a[href='/agenda/']")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not agenda_link.is_visible(), "the menu starts closed on a phone"

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert agenda_link.is_visible()
    assert page.locator("#site-search-q").is_visible()
    page.locator(".council-menu__summary").click()
    page.screenshot(path=f"{SCREENSHOTS}/menu-open-phone.png", full_page=True)
    assert axe_serious_violations(page) == []
    page.locator(".council-menu__link[href='/conseils/centre/']").click()
    page.wait_for_url(f"{live_server.url}/conseils/centre/")
    assert page.locator("h1").inner_text() == "Conseil de quartier Centre"

    # Escape closes the menu and gives focus back to its button.
    toggle = page.locator("[data-nav-toggle]")
    toggle.click()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-nav-toggle')")


def test_on_a_desktop_the_councils_drop_down_opens_and_closes_with_the_keyboard(
    page, live_server, site_with_councils
):
    _visit(page, live_server, "/", DESKTOP)
    assert not page.locator("[data-nav-toggle]").is_visible()
    summary = page.locator(".council-menu__summary")
    summary.focus()
    page.keyboard.press("Enter")
    link = page.locator(".council-menu__link[href='/conseils/climat/']")
    assert link.is_visible()
    page.screenshot(path=f"{SCREENSHOTS}/menu-open-desktop.png")
    page.keyboard.press("Escape")
    assert not link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('council-menu__summary')")
