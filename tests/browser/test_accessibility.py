"""What a resident sees and can do in a real browser: no accessibility fault of any impact, keyboard and phone use."""

import os
import tempfile

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage, CouncilKind
from councils.services import council_add_member
from home.models import SiteSettings, StandardPage
from home.tests.content import council_with_content
from meetings.models import MeetingIndexPage, MeetingPage
from tests.browser.conftest import assert_no_axe_violation, axe_report, axe_violations

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


def _public_pages(live_server, centre):
    """Every public page type a resident meets, with the status it answers and something it must show."""
    meetings = MeetingIndexPage.objects.child_of(centre).get()
    upcoming = MeetingPage.objects.child_of(meetings).filter(start__gte=timezone.now()).get()
    past = MeetingPage.objects.child_of(meetings).filter(start__lt=timezone.now()).get()
    standard = StandardPage.objects.child_of(centre).get(slug="qui-sommes-nous")
    members_only = StandardPage(title="Espace des membres", slug="espace-membres", intro="Réservé.")
    centre.add_child(instance=members_only)
    members_only.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(centre.access.members_group)
    with_password = StandardPage(title="Atelier vélo", slug="atelier-velo", intro="Code du local.")
    centre.add_child(instance=with_password)
    with_password.save_revision().publish()
    PageViewRestriction.objects.create(
        page=with_password, restriction_type=PageViewRestriction.PASSWORD, password="rayon"
    )
    return [
        ("/", "home", 200, "h1"),
        ("/conseils/", "councils", 200, ".council-card"),
        (centre.url, "council", 200, "h1"),
        ("/conseils/biollay/", "council-without-content", 200, "h1"),
        (standard.url, "standard", 200, "h1"),
        (meetings.url, "meetings-index-centre", 200, "h1"),
        (upcoming.url, "meeting-upcoming", 200, "h1"),
        (past.url, "meeting-past-minutes", 200, "h1"),
        ("/recherche/?q=Centre", "search-results", 200, "main a[href='/conseils/centre/']"),
        ("/recherche/?q=xylophone", "search-empty", 200, "h1"),
        ("/cette-page-n-existe-pas/", "not-found", 404, "h1"),
        (members_only.url, "members-login", 200, "input[type=password]"),
        (with_password.url, "password-required", 200, "input[type=password]"),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_public_page_type_has_no_accessibility_violation_of_any_impact(
    page, live_server, site_with_councils, viewport
):
    label = "desktop" if viewport is DESKTOP else "phone"
    failures = {}
    for path, name, status, landmark in _public_pages(live_server, site_with_councils):
        response = _visit(page, live_server, path, viewport, name=f"{name}-{label}")
        assert response.status == status, path
        assert page.locator("html").get_attribute("lang") == "fr", path
        assert page.locator(landmark).first.is_visible(), (path, landmark)
        # Nothing makes the page scroll sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        violations = axe_violations(page)
        if violations:
            failures[page.url] = axe_report(violations)
    assert failures == {}, "\n".join(f"{url}\n{report}" for url, report in failures.items())


def test_a_restricted_page_sends_a_visitor_to_a_sign_in_page_in_the_site_layout_that_works_by_keyboard(
    page, live_server, site_with_councils
):
    paths = {name: path for path, name, *_ in _public_pages(live_server, site_with_councils)}
    path = paths["members-login"]
    page.goto(live_server.url + path)
    assert "/connexion/?next=" in page.url
    assert page.locator("header.site-header").is_visible(), "the sign-in page keeps the site's header"
    assert page.locator("main h1").is_visible()
    assert page.locator("label[for=id_username]").is_visible()
    # A member signs in with the keyboard alone and lands on the page they asked for.
    member = UserFactory(username="membre-centre")
    council_add_member(council=site_with_councils, user=member)
    page.locator("#id_username").focus()
    page.keyboard.type("membre-centre")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + path)
    assert page.locator("h1").inner_text() == "Espace des membres"

    # A page behind a shared password: the form keeps the site's layout and works from the keyboard.
    page.goto(live_server.url + paths["password-required"])
    assert page.locator("header.site-header").is_visible()
    page.locator("input[type=password]").focus()
    page.keyboard.type("rayon")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Atelier vélo")


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
    assert_no_axe_violation(page)
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
    assert_no_axe_violation(page)
    page.keyboard.press("Escape")
    assert not link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('council-menu__summary')")


def _focused(page, script):
    return page.evaluate(f"(el => {script})(document.activeElement)")


def _focus_ring(page):
    return _focused(page, "getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")


def test_on_a_phone_the_menu_works_with_the_keyboard_alone_and_shows_where_the_focus_is(
    page, live_server, site_with_councils
):
    _visit(page, live_server, "/", PHONE)
    toggle = page.locator("[data-nav-toggle]")
    # Skip link, then the brand, then the menu button: each shows a focus ring.
    page.keyboard.press("Tab")
    assert _focused(page, "el.className") == "skip-link"
    page.keyboard.press("Tab")
    assert _focused(page, "el.className") == "brand"
    assert _focus_ring(page).startswith("solid")
    page.keyboard.press("Tab")
    assert _focused(page, "el.hasAttribute('data-nav-toggle')")
    assert _focus_ring(page).startswith("solid"), "the menu button shows it has focus"

    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    home_link = page.locator(".main-nav a[href='/']")
    assert home_link.is_visible()
    # The next Tab stop is the first link of the open menu, with a visible focus ring.
    page.keyboard.press("Tab")
    assert _focused(page, "el.getAttribute('href')") == "/"
    assert _focus_ring(page).startswith("solid")
    page.screenshot(path=f"{SCREENSHOTS}/menu-keyboard-phone.png")
    # The councils drop-down opens with the keyboard too.
    page.keyboard.press("Tab")
    assert _focused(page, "el.classList.contains('council-menu__summary')")
    page.keyboard.press("Enter")
    assert page.locator(".council-menu__link[href='/conseils/centre/']").is_visible()
    assert_no_axe_violation(page)

    # Escape closes the drop-down first, then the menu, and focus goes back to the menu button.
    page.keyboard.press("Escape")
    assert not page.locator(".council-menu__link[href='/conseils/centre/']").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true", "the first Escape closes only the drop-down"
    assert _focused(page, "el.classList.contains('council-menu__summary')")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not home_link.is_visible()
    assert _focused(page, "el.hasAttribute('data-nav-toggle')")
    # Space opens it again (a real button), and the page's content was never hidden by the menu.
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    menu_bottom = page.locator("#site-nav").bounding_box()
    hero_top = page.locator("main").bounding_box()
    assert menu_bottom["y"] + menu_bottom["height"] <= hero_top["y"] + 1, "the open menu pushes the page down"
