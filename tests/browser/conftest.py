"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

These tests fail (never skip) when Chromium is missing: `.ci/run` installs it.
"""

import os
import tempfile

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), (
        f"Chromium not found at {CHROMIUM}: run .ci/run or apt-get install chromium"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_home(transactional_db, live_server):
    """The site skeleton on the live server's host (a transactional test starts from an empty DB)."""
    from urllib.parse import urlparse

    from home.services import site_structure_ensure

    url = urlparse(live_server.url)
    return site_structure_ensure(hostname=url.hostname, port=url.port)


def axe_violations(page, context=None, options=None):
    """Run axe-core (shipped inside axe-playwright-python, offline) and return every violation, whatever
    its impact: the project's standard is 0 violations of any impact.

    `context` narrows the run to part of the page (a CSS selector or axe's include/exclude object), for
    screens where only some of the markup is ours (Wagtail's admin chrome is not).
    """
    from axe_playwright_python.sync_playwright import Axe

    kwargs = {"options": options} if options is not None else {}
    results = Axe().run(page, context=context, **kwargs)
    return results.response["violations"]


def axe_report(violations):
    """A failure message that says what to fix: rule, impact, help and where (the first selectors)."""
    lines = []
    for violation in violations:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" -> {' | '.join(targets)}{f' (+{more} more)' if more > 0 else ''}"
        )
    return "\n".join(lines)


def assert_no_axe_violation(page, context=None, where=""):
    """Fail with a readable list when axe-core finds any violation (of any impact) on the page."""
    violations = axe_violations(page, context=context)
    assert violations == [], f"axe-core violations on {where or page.url}:\n{axe_report(violations)}"


#: Where browser tests write their screenshots (to look at them): SCREENSHOT_DIR, else a temporary folder.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))


def admin_sign_in(page, live_server, username, password="demo"):  # noqa: S107 - the test accounts' password
    """Sign in to the admin through its form, as a person does."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def screenshot_whole(page, name):
    """A screenshot of the whole page, scrolling containers included (the admin scrolls inside <main>)."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body, body *'), el => el.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)
    page.set_viewport_size(viewport)


def fits_the_width(page):
    """No sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
