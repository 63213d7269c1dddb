"""A member signs in on a phone (issue 16, item 1): from the header, with the keyboard only, reaches
"Mon espace", opens a members-only page and signs out. Every account screen has no accessibility fault of
any impact at 375 and 1280 px, and nothing scrolls sideways on the phone."""

import os
import re
import tempfile
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from playwright.sync_api import expect

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor, council_add_member
from events.tests.helpers import meeting_make_private, meeting_publish
from home.models import StandardPage
from tests.browser.conftest import assert_no_axe_violation, axe_report, axe_violations
from tests.browser.test_content_security_policy import _violations, _watch

SCREENSHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots", "member-sign-in")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Un-long-mot-de-passe-42"


def shoot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def tab_to(page, name, limit=40):
    """Press Tab until the focused element's accessible text is `name` (keyboard only, no click)."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.getAttribute('aria-label') || e.innerText || e.value || '').trim(); }"
        )
        if focused == name:
            return
    raise AssertionError(f"never reached {name!r} with Tab on {page.url}")


def soon(days):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=18, minute=30, second=0, microsecond=0)


@pytest.fixture
def member_world(live_home):
    index = CouncilIndexPage.objects.get()
    centre = CouncilPageFactory(parent=index, title="Conseil de quartier Centre", slug="centre")
    centre.save_revision().publish()
    other = CouncilPageFactory(parent=index, title="Conseil de quartier Biollay", slug="biollay")
    other.save_revision().publish()
    for council, title, slug in (
        (centre, "Espace des membres", "espace-membres"),
        (other, "Notes privées de Biollay", "notes"),
    ):
        page = StandardPage(title=title, slug=slug, intro="Ordre du jour du bureau et documents de travail.")
        council.add_child(instance=page)
        page.save_revision().publish()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(council.access.members_group, council.access.editors_group)
    meeting_publish(centre, title="Séance plénière de printemps", start=soon(9))
    meeting_make_private(meeting_publish(centre, title="Réunion du bureau", start=soon(4)), centre)
    member = UserFactory(
        username="karim",
        email="karim.benali@example.org",
        first_name="Karim",
        last_name="Benali",
        password=PASSWORD,
    )
    council_add_member(council=centre, user=member)
    editor = UserFactory(username="jeanne", first_name="Jeanne", last_name="Morel", password=PASSWORD)
    council_add_editor(council=centre, user=editor)
    return {"centre": centre, "member": member, "editor": editor}


def test_a_member_signs_in_from_the_header_on_a_phone_with_the_keyboard_only(page, live_server, member_world):
    csp_errors = _watch(page)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/conseils/centre/")
    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    expect(page.locator("#site-nav .account-nav")).to_be_visible()
    expect(page.locator(".site-header__bar .account-nav")).to_be_hidden()
    shoot(page, "header-signed-out-phone")
    tab_to(page, "Se connecter")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/connexion/")
    expect(page.locator("h1")).to_have_text("Se connecter")

    # A wrong password first: a French message, the login kept.
    tab_to(page, "")  # the login field has no text of its own
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("karim.benali@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("pas-le-bon")
    page.keyboard.press("Enter")
    expect(page.locator("[role=alert]")).to_contain_text("ne correspondent pas")
    expect(page.locator("#id_username")).to_have_value("karim.benali@example.org")
    assert_no_axe_violation(page, where="sign-in with an error, phone")
    assert_no_sideways_scroll(page)
    shoot(page, "sign-in-error-phone")

    tab_to(page, "")  # past the kept login, to the emptied password field
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/mon-espace/")
    expect(page.locator("h1")).to_have_text("Mon espace")
    main = page.locator("main")
    expect(main).to_contain_text("Conseil de quartier Centre")
    expect(main).to_contain_text("Réunion du bureau")
    expect(main).not_to_contain_text("Biollay")
    assert_no_sideways_scroll(page)
    shoot(page, "member-space-phone")

    tab_to(page, "Espace des membres")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/conseils/centre/espace-membres/")
    expect(page.locator("h1")).to_have_text("Espace des membres")

    # Signed in, the header's menu offers "Mon espace" and signing out.
    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    expect(page.locator("#site-nav .account-nav")).to_contain_text("Mon espace")
    shoot(page, "header-signed-in-menu-phone")
    tab_to(page, "Se déconnecter")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/deconnexion/")
    expect(page.locator("h1")).to_have_text("Vous êtes déconnecté")
    assert_no_axe_violation(page, where="signed out, phone")
    shoot(page, "signed-out-phone")

    # The members-only page is closed again.
    page.goto(live_server.url + "/conseils/centre/espace-membres/")
    page.wait_for_url(re.compile(r"/connexion/\?next="))
    assert _violations(page, csp_errors) == []


@pytest.mark.parametrize("viewport,label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_account_screens_have_no_accessibility_fault(page, live_server, member_world, viewport, label):
    page.set_viewport_size(viewport)
    url = live_server.url

    for path, name in (
        ("/connexion/", "sign-in"),
        ("/mot-de-passe/", "password-reset"),
        ("/deconnexion/", "signed-out"),
    ):
        page.goto(url + path)
        assert_no_axe_violation(page, where=f"{path} at {label}")
        if viewport == PHONE:
            assert_no_sideways_scroll(page)
        shoot(page, f"{name}-{label}")

    page.goto(url + "/")
    shoot(page, f"home-signed-out-{label}")

    # Password reset, end to end in the browser.
    page.goto(url + "/mot-de-passe/")
    page.fill("#id_email", "pas-une-adresse")
    page.click(".account-form button[type=submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    assert_no_axe_violation(page, where=f"reset errors at {label}")
    shoot(page, f"password-reset-error-{label}")
    mail.outbox.clear()
    page.fill("#id_email", "karim.benali@example.org")
    page.click(".account-form button[type=submit]")
    page.wait_for_url(url + "/mot-de-passe/envoye/")
    assert_no_axe_violation(page, where=f"reset sent at {label}")
    shoot(page, f"password-reset-sent-{label}")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+?(/mot-de-passe/reinitialiser/\S+/)", mail.outbox[0].body).group(1)
    page.goto(url + link)
    expect(page.locator("h1")).to_have_text("Choisir un nouveau mot de passe")
    assert_no_axe_violation(page, where=f"new password at {label}")
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    shoot(page, f"password-new-{label}")
    page.fill("#id_new_password1", PASSWORD + "-bis")
    page.fill("#id_new_password2", PASSWORD + "-bis")
    page.click(".account-form button[type=submit]")
    page.wait_for_url(url + "/mot-de-passe/modifie/")
    assert_no_axe_violation(page, where=f"password changed at {label}")
    shoot(page, f"password-changed-{label}")

    # Signed in as a member with the new password: "Mon espace", the sign-out confirmation, the header.
    sign_in(page, url, "karim", PASSWORD + "-bis")
    expect(page.locator("h1")).to_have_text("Mon espace")
    expect(page.locator("main")).to_contain_text("Espace des membres")
    expect(page.locator("main")).not_to_contain_text("Notes privées de Biollay")
    assert_no_axe_violation(page, where=f"member space at {label}")
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    shoot(page, f"member-space-{label}")
    page.goto(url + "/deconnexion/")
    expect(page.locator("h1")).to_have_text("Se déconnecter")
    assert_no_axe_violation(page, where=f"sign-out confirmation at {label}")
    shoot(page, f"sign-out-confirm-{label}")
    page.goto(url + "/conseils/centre/")
    assert_no_axe_violation(page, where=f"council page signed in at {label}")
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    shoot(page, f"header-signed-in-{label}")

    # An editor also gets the way to the admin. Wagtail's userbar (shadow DOM, editors only) makes axe
    # take the skip link for content outside a landmark ("region"): that rule is left out here only.
    page.context.clear_cookies()
    sign_in(page, url, "jeanne", PASSWORD)
    expect(page.locator("main")).to_contain_text("Modifier « Conseil de quartier Centre » dans l")
    violations = axe_violations(page, options={"rules": {"region": {"enabled": False}}})
    assert violations == [], axe_report(violations)
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    shoot(page, f"member-space-editor-{label}")


def sign_in(page, url, login, password):
    page.goto(url + "/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click(".account-form button[type=submit]")
    page.wait_for_url(url + "/mon-espace/")
