"""The "Membres" admin screens (mandates by college, ending a mandate, colleges) and the public list of
members by college, on a phone and on a desktop: no axe violation of any impact in Parvis's markup, no
sideways scrolling, and an editor ends a mandate from the browser."""

import datetime
import os
import tempfile

import pytest

from councils.factories import CollegeFactory, CouncilPageFactory, MembershipFactory, UserFactory
from councils.models import CouncilIndexPage, Membership, Position
from councils.services import council_add_editor
from members import services
from members.models import Invitation, Role
from tests.browser.conftest import assert_no_axe_violation

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PEOPLE = [
    ("Volontaires", "Amélie", "Rousseau-Delacroix", Position.PRESIDENT, True),
    ("Volontaires", "Bernard", "Lefèvre", Position.NONE, False),
    ("Volontaires", "Chantal", "Nguyen", Position.SECRETARY, True),
    ("Tirés au sort", "Didier", "Moreau", Position.NONE, True),
    ("Tirés au sort", "Élodie", "Garnier", Position.NONE, False),
    ("Tirés au sort", "Fatou", "Diallo", Position.SPOKESPERSON, True),
    ("Représentants des ateliers", "Grégoire", "Lambert", Position.NONE, True),
    (None, "Hélène", "Petit", Position.TREASURER, False),
]


@pytest.fixture
def assembly(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(),
        title="Assemblée citoyenne pour le climat",
        slug="assemblee",
        kind="assembly",
        members_list_public=True,
    )
    council.save_revision().publish()
    editor = UserFactory(username="editrice", first_name="Inès", last_name="Bonnet", email="ines@example.org")
    council_add_editor(council=council, user=editor)
    colleges = {
        "Volontaires": CollegeFactory(
            council=council, name="Volontaires", sort_order=1, description="Habitants qui se sont proposés"
        ),
        "Tirés au sort": CollegeFactory(
            council=council,
            name="Tirés au sort",
            sort_order=2,
            drawn_by_lot=True,
            description="Tirés au sort sur les listes électorales",
        ),
        "Représentants des ateliers": CollegeFactory(
            council=council, name="Représentants des ateliers", sort_order=3
        ),
    }
    for college, first, last, position, listed in PEOPLE:
        user = UserFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.org")
        mandate = MembershipFactory(
            council=council,
            user=user,
            college=colleges[college] if college else None,
            position=position or None,
            started_on=datetime.date(2025, 9, 1),
        )
        if listed:
            services.membership_consent_set(user=user, council_id=council.pk, listed=True)
        if first == "Bernard":
            services.membership_end(membership=mandate, by=editor, ended_on=datetime.date(2026, 1, 15))
    Invitation.objects.create(
        council=council,
        email="nouvelle@example.org",
        role=Role.MEMBER,
        user=UserFactory(email="nouvelle@example.org"),
        college=colleges["Tirés au sort"],
        token_hash="0" * 64,
    )
    return council


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editrice")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def _shoot(page, name):
    """Wagtail's admin scrolls inside its own layout: make the window as tall as the content for the shot."""
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
def test_the_members_screens_and_the_public_list_have_no_accessibility_violation(
    page, live_server, assembly, viewport
):
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/admin/membres/{assembly.pk}/")
    sections = page.locator(".council-members__college h3")
    assert sections.count() == 4  # three colleges, then those without one
    page.locator(".council-members__ended summary").click()
    assert page.locator(".council-members__ended").get_attribute("open") is not None
    _shoot(page, f"admin-members-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context="main .council-members")

    mandate = Membership.objects.get(user__first_name="Chantal")
    page.goto(f"{live_server.url}/admin/membres/{assembly.pk}/mandat/{mandate.pk}/")
    _shoot(page, f"admin-mandate-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context="main form")

    page.goto(f"{live_server.url}/admin/membres/{assembly.pk}/mandat/{mandate.pk}/fin/")
    _shoot(page, f"admin-mandate-end-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context="main form")

    page.goto(f"{live_server.url}/admin/membres/{assembly.pk}/colleges/")
    assert page.locator(".council-colleges tbody tr").count() == 3
    _shoot(page, f"admin-colleges-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context="main .council-members")

    page.context.clear_cookies()  # the public list as the public sees it
    page.goto(f"{live_server.url}{assembly.url}membres/")
    names = page.locator(".member-college__name").all_inner_texts()
    assert "Amélie Rousseau-Delacroix" in names and "Élodie Garnier" not in names
    assert "Bernard Lefèvre" not in names  # ended mandate
    _shoot(page, f"public-members-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page)


def test_an_editor_ends_a_mandate_from_the_browser(page, live_server, assembly):
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/membres/{assembly.pk}/")
    row = page.locator("tr", has_text="didier@example.org")
    row.get_by_role("link", name="Mettre fin au mandat").or_(
        row.get_by_role("link", name="End the mandate")
    ).click()
    page.locator("form button.no").click()
    page.wait_for_url(f"{live_server.url}/admin/membres/{assembly.pk}/")
    mandate = Membership.objects.get(user__email="didier@example.org")
    assert mandate.ended_on == datetime.date.today()
    assert not mandate.user.groups.filter(pk=assembly.access.members_group_id).exists()
    page.goto(f"{live_server.url}{assembly.url}membres/")
    assert "Didier Moreau" not in page.locator("main").inner_text()
