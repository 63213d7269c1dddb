"""The Content-Security-Policy breaks nothing: the admin's page editor, its image chooser and the public
pages run in Chromium without a single CSP violation (issue 13, item 6)."""

from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _watch(page):
    console_errors = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            console_errors.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    return console_errors


def _violations(page, console_errors):
    return [*page.evaluate("window.__cspViolations || []"), *console_errors]


def test_the_city_team_edits_a_council_and_opens_the_image_chooser_without_csp_violations(
    page, live_home, live_server
):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title="Conseil Centre", slug="centre")
    council.save_revision().publish()
    city = UserFactory(username="ville")
    city.groups.add(communications_team_group())
    console_errors = _watch(page)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ville")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert _violations(page, console_errors) == []

    page.goto(f"{live_server.url}/admin/pages/{council.pk}/edit/")
    expect(page.locator("#id_title")).to_have_value("Conseil Centre")
    page.locator("#id_cover_image-chooser .unchosen [data-chooser-action-choose]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(
        dialog.locator("input[type=file], .upload, #id_image-chooser-upload-file, form").first
    ).to_be_attached()
    page.keyboard.press("Escape")
    assert _violations(page, console_errors) == []

    page.goto(f"{live_server.url}/admin/users/")
    expect(page.locator("main")).to_contain_text("ville")
    page.goto(f"{live_server.url}{council.url}")
    expect(page.locator("h1")).to_contain_text("Conseil Centre")
    assert _violations(page, console_errors) == []


def test_public_pages_run_without_csp_violations(page, live_home, live_server):
    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title="Conseil Centre", slug="centre")
    council.save_revision().publish()
    console_errors = _watch(page)
    for path in (
        "/",
        council.url,
        "/agenda/",
        "/recherche/?q=conseil",
        "/_util/login/",
        "/introuvable/",
        "/?q=%00",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert _violations(page, console_errors) == [], path
    # The phone menu's script (static file) still runs: it reveals the menu button.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-nav-toggle]")).to_be_visible()
