"""Working groups on a phone and a desktop: the public index, a group's page and the admin "Membres du
groupe" screen. Screenshots, no horizontal overflow, 0 axe violations of any impact (in Parvis's markup on
the admin screen). Ready to move to tests/browser/test_working_groups_accessibility.py."""

import os
import tempfile
from datetime import timedelta

from django.utils import timezone

import pytest

from councils.factories import (
    CollegeFactory,
    CouncilPageFactory,
    MembershipFactory,
    UserFactory,
    working_group_create,
)
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from events.tests.helpers import meeting_publish
from home.models import StandardPage
from tests.browser.conftest import assert_no_axe_violation, axe_report, axe_violations

pytestmark = pytest.mark.browser

SHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots", "working-groups")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
FIRST = [
    "Aline",
    "Bruno",
    "Chloé",
    "Dylan",
    "Emma",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jules",
    "Karima",
    "Léo",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent-Lefebvre",
]


@pytest.fixture
def world(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Assemblée citoyenne", slug="assemblee"
    )
    council.save_revision().publish()
    editor = UserFactory(username="editrice", first_name="Nadia", last_name="Éditrice")
    council_add_editor(council=council, user=editor)
    colleges = [
        CollegeFactory(council=council, name=name)
        for name in ("Volontaires", "Tirés au sort", "Ateliers de quartier")
    ]
    people = []
    for n, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        user = UserFactory(
            username=f"p{n}",
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@exemple-tres-long-domaine.fr",
        )
        MembershipFactory(council=council, user=user, college=colleges[n % 3])
        people.append(user)
    group = working_group_create(
        council,
        "Mobilités douces",
        members=people[:5],
        intro="Proposer des itinéraires cyclables et piétons entre les écoles et le centre-ville.",
    )
    working_group_create(council, "Jardins partagés", members=people[4:8], intro="Les jardins du quartier.")
    working_group_create(
        council, "Budget participatif", members=people[8:], intro="Suivre les projets votés."
    )
    page = StandardPage(title="Carte des trajets", slug="carte", intro="")
    group.add_child(instance=page)
    page.save_revision().publish()
    meeting_publish(group, title="Atelier vélo-école", start=timezone.now() + timedelta(days=5))
    return {"council": council, "group": group, "member": people[0], "editor": editor}


def _sign_in(page, live_server, username, admin=False):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body, body *'), el => el.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(height, 6000))})
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    page.set_viewport_size(viewport)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_working_group_pages_and_admin_screen(page, live_server, world, viewport):
    label = viewport["width"]
    page.set_viewport_size(viewport)
    _sign_in(page, live_server, world["member"].username)
    page.goto(f"{live_server.url}{world['group'].get_parent().url}")
    assert page.locator("h1").inner_text()
    _shoot(page, f"wg-index-member-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"index {label}")
    page.goto(f"{live_server.url}{world['group'].url}")
    _shoot(page, f"wg-page-member-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"group page {label}")

    page.context.clear_cookies()
    _sign_in(page, live_server, "editrice")
    page.goto(f"{live_server.url}{world['group'].get_parent().url}")
    _shoot(page, f"wg-index-editor-{label}")
    # Wagtail's userbar (editors only, shadow DOM) makes axe take the skip link for content outside a
    # landmark ("region"): left out here only, as in tests/browser/test_member_sign_in.py.
    violations = axe_violations(page, options={"rules": {"region": {"enabled": False}}})
    assert violations == [], axe_report(violations)
    page.goto(f"{live_server.url}/admin/groupes/{world['group'].pk}/membres/")
    _shoot(page, f"wg-admin-members-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, context=".wg-members", where=f"admin {label}")
    page.fill("#wg-members-filter", "gae")
    assert page.locator("[data-wg-person]:visible").count() >= 1
    _shoot(page, f"wg-admin-members-search-{label}")
    assert_no_axe_violation(page, context=".wg-members", where=f"admin search {label}")
    page.fill("#wg-members-filter", "")
    page.check(f"#wg-member-{world['editor'].pk}")
    page.click("button[type=submit]:has-text('Save')") if page.locator(
        "button:has-text('Save')"
    ).count() else page.click(".wg-members__actions button")
    page.wait_for_load_state()
    _shoot(page, f"wg-admin-members-saved-{label}")
    assert_no_axe_violation(page, context=".wg-members", where=f"admin saved {label}")
