"""A reader follows their council's news on a phone: they subscribe from the footer with the keyboard only,
confirm from the email, change their lists, then leave in one click from another email's link — in a real
browser, with the emails read from Django's outbox (queued in the request's transaction, delivered on
commit by the test settings' immediate task backend).

Every page of the journey passes axe-core with no violation of any impact at 375 px and at 1280 px, and is
photographed at both widths (SCREENSHOT_DIR).
"""

import importlib
import os
import re
import tempfile
import time
from urllib.parse import urlparse

from django.core import mail

import pytest
from playwright.sync_api import expect

from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage
from newsletter.factories import city_list, council_list
from newsletter.models import ConsentText, Subscriber, SubscriberStatus
from tests.browser.conftest import assert_no_axe_violation

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ADDRESS = "nadia.benali@example.org"


def _link(message, kind):
    match = re.search(rf"https?://[^\s\"'<>]+/lettre/{kind}/[^\s\"'<>]+/", message.body)
    assert match, f"No {kind} link in the email {message.subject!r}:\n{message.body}"
    return match.group(0)


def _emails_to(address, *, at_least=1, timeout=10.0):
    """The emails delivered to `address` so far, waiting a little: delivery runs on the server's thread."""
    deadline = time.monotonic() + timeout
    while True:
        found = [message for message in mail.outbox if address in message.to]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _local(live_server, url):
    return f"{live_server.url}{urlparse(url).path}"


def _tab_to(page, locator, *, limit=120):
    """Move the focus with the Tab key until `locator` has it (a keyboard user's way to a control)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


def _check(page, name, *, context=None):
    """axe-core at both widths, and a photograph of each; back to the phone."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    for label, size in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SCREENSHOTS}/newsletter-{name}-{label}.png", full_page=True)
        assert_no_axe_violation(page, context=context, where=f"{name} at {label} px")
    page.set_viewport_size(PHONE)


@pytest.fixture
def council(live_home, settings, live_server):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    consent_v1 = importlib.import_module("newsletter.migrations.0002_consent_text_and_city_list").CONSENT_V1
    ConsentText.objects.get_or_create(version=1, defaults={"text": consent_v1})
    city_list()
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier des Pentes", slug="pentes"
    )
    council.save_revision().publish()
    return council


def test_a_reader_subscribes_from_the_footer_on_a_phone_and_leaves_in_one_click(page, live_server, council):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{council.url}")
    footer = page.locator(".newsletter-footer")
    expect(footer).to_contain_text("Conseil de quartier des Pentes")
    _check(page, "footer-council-page")

    # Keyboard only: the address, the lists (this council's is ticked, as the city's), the button.
    email = footer.get_by_role("textbox", name=re.compile(r"(e-?mail|courriel|adresse)", re.I))
    _tab_to(page, email)
    page.keyboard.type(ADDRESS)
    council_box = footer.get_by_role("checkbox", name="Conseil de quartier des Pentes")
    expect(council_box).to_be_checked()
    _tab_to(page, council_box)
    page.keyboard.press("Space")
    expect(council_box).not_to_be_checked()
    page.keyboard.press("Space")
    expect(council_box).to_be_checked()
    expect(footer.get_by_role("checkbox").first).to_be_checked()  # the city's news, ticked by default
    submit = footer.get_by_role("button")
    _tab_to(page, submit)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/lettre/inscription/envoyee/")
    expect(page.locator("main")).to_contain_text(re.compile(r"(e-mail|courriel|email)", re.I))
    _check(page, "sent")
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.status == SubscriberStatus.PENDING
    assert set(subscriber.lists.all()) == {city_list(), council_list(council)}
    assert subscriber.consent_source == council.url

    # The email's link opens a page with a button: opening it confirms nothing.
    (confirmation,) = _emails_to(ADDRESS)
    page.goto(_local(live_server, _link(confirmation, "confirmer")))
    _check(page, "confirm")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    page.get_by_role("button", name=re.compile(r"(confirmer|confirm)", re.I)).click()
    expect(page.locator("main [role=status]")).to_contain_text(re.compile(r"(confirmée|confirmed)", re.I))
    _check(page, "confirmed")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED

    # Only the council's news from now on.
    page.get_by_role("link", name=re.compile(r"(listes|lists)", re.I)).click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"(préférences|preferences)", re.I))
    _check(page, "preferences")
    page.locator("main").get_by_role("checkbox").first.uncheck()
    page.get_by_role("button", name=re.compile(r"(enregistrer|save)", re.I)).click()
    expect(page.locator("main [role=status]")).to_be_visible()
    _check(page, "preferences-saved")
    assert list(subscriber.lists.all()) == [council_list(council)]

    # Later: "change my preferences" from /lettre/, an email with the links, and one click to leave.
    page.goto(f"{live_server.url}/lettre/")
    _check(page, "page")
    page.get_by_role("link", name=re.compile(r"(modifier mes listes|change my lists)", re.I)).click()
    _check(page, "preferences-request")
    page.locator("main").get_by_role("textbox").fill(ADDRESS)
    page.locator("main").get_by_role("button").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    reminder = _emails_to(ADDRESS, at_least=2)[-1]
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto(_local(live_server, _link(reminder, "desinscription")))
    _check(page, "unsubscribe")
    page.get_by_role("button", name=re.compile(r"(désinscrire|unsubscribe)", re.I)).click()
    expect(page.locator("main [role=status]")).to_contain_text(
        re.compile(r"(désinscription|unsubscribed)", re.I)
    )
    _check(page, "unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not subscriber.lists.exists()


def test_the_sign_up_page_refuses_bad_input_accessibly(page, live_server, council):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/lettre/")
    main = page.locator("main")
    main.get_by_role("textbox").fill("pas-une-adresse")
    main.get_by_role("button", name=re.compile(r"(inscrire|subscribe)", re.I)).click()
    expect(page.locator("#erreurs")).to_be_visible()
    expect(main.get_by_role("textbox")).to_have_value("pas-une-adresse")
    _check(page, "page-errors")
    assert not Subscriber.objects.exists()
