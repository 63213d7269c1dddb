"""A council's resident editor in the real Wagtail admin: publishes in their council, is refused elsewhere."""

import re

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from home.models import StandardPage


def _council(title, slug):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title=title, slug=slug)
    council.save_revision().publish()
    return council


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_an_editor_publishes_in_their_council_and_is_refused_another_one(page, live_home, live_server):
    council_a = _council("Conseil de quartier Centre", "centre")
    council_b = _council("Conseil de quartier Biollay", "biollay")
    secret = StandardPage(title="Jardin partagé Biollay", slug="jardin")
    council_b.add_child(instance=secret)
    secret.save_revision().publish()
    editor = UserFactory(username="editeur-centre")
    council_add_editor(council=council_a, user=editor)

    _sign_in(page, live_server, "editeur-centre")

    # The dashboard lands them on their council: its panel links to adding a page there.
    panel = page.locator("[data-parvis-my-councils]")
    expect(panel).to_contain_text("Conseil de quartier Centre")
    expect(panel).not_to_contain_text("Biollay")
    panel.locator(f'a[href="/admin/pages/add/home/standardpage/{council_a.pk}/"]').click()

    page.fill("#id_title", "Fête de la rue Neuve")
    # Leaving the title fills in the slug (Wagtail syncs it on change), as a person tabbing on would.
    page.locator("#id_title").press("Tab")
    page.locator("footer .w-dropdown--dropdown-button .w-dropdown__toggle").click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{council_a.pk}/"))

    created = StandardPage.objects.get(title="Fête de la rue Neuve")
    assert created.live
    assert created.get_parent().pk == council_a.pk

    # The public sees it.
    page.goto(f"{live_server.url}{created.url}")
    expect(page.locator("h1")).to_contain_text("Fête de la rue Neuve")

    # Another council's page: refused before Wagtail's view runs, and nothing of it is shown.
    response = page.goto(f"{live_server.url}/admin/pages/{council_b.pk}/edit/")
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text("Biollay")
    expect(page.locator("#id_title")).to_have_count(0)

    # The explorer of B takes them back to their own council, which does not list B.
    page.goto(f"{live_server.url}/admin/pages/{council_b.pk}/")
    page.wait_for_url(f"{live_server.url}/admin/pages/{council_a.pk}/")
    listing = page.locator("main")
    expect(listing).to_contain_text("Fête de la rue Neuve")
    expect(listing).not_to_contain_text("Biollay")

    # Nor does the admin search.
    page.goto(f"{live_server.url}/admin/pages/search/?q=Jardin")
    expect(page.locator("main")).not_to_contain_text("Jardin partagé Biollay")
