"""The registration form itself, in a real browser on a phone: keyboard only, errors announced and linked,
0 axe violations in every state (open, errors, full with waiting list, closed), and the neutral pages.

Screenshots of each state go to $PARVIS_SHOTS/h3 when that variable is set (the project's habit of
looking at every screen)."""

import os
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import pytest

from events.factories import RegistrationEventFactory
from events.links import registration_token
from events.models import EventIndexPage, Registration, RegistrationStatus
from events.registrations import registration_create
from tests.browser.conftest import assert_no_axe_violation

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("PARVIS_SHOTS")


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def agenda(live_home):
    return EventIndexPage.objects.get()


def event_url(live_server, event):
    return live_server.url + event.url


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus (keyboard only, like a person)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} never received the focus")


def test_keyboard_only_registration_on_a_phone(page, live_server, agenda):
    event = RegistrationEventFactory(parent=agenda, title="Rencontre des utilisateurs", capacity=12)
    page.set_viewport_size(PHONE)
    page.goto(event_url(live_server, event) + "#inscription")
    section = page.locator("#inscription")
    assert "12 places restantes" in section.inner_text()
    assert_no_axe_violation(page)
    shoot(page, "form-open-375")

    # Submit empty-handed with the keyboard: the error summary takes the focus and links to each field.
    tab_to(page, "#id_name")
    tab_to(page, ".registration-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#inscription-erreurs")
    assert page.evaluate("document.activeElement.id") == "inscription-erreurs"
    summary = page.locator("#inscription-erreurs").inner_text()
    assert "Indiquez votre nom." in summary
    assert "Indiquez votre adresse e-mail." in summary
    assert "Cochez la case pour accepter l’utilisation de vos données." in summary
    assert re.match(r"Erreur\W*:", page.title())
    assert_no_axe_violation(page)
    shoot(page, "form-errors-375")

    # The first link of the summary leads to its field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_name"

    # Fill it in with the keyboard; the honeypot is never reached.
    page.keyboard.type("Camille Durand")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("camille@example.org")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    tab_to(page, ".registration-form button[type=submit]")
    assert page.evaluate("document.activeElement.name") != "website"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inscription/merci/$"))
    assert page.locator("h1").inner_text() == "Vérifiez votre boîte mail"
    assert_no_axe_violation(page)
    shoot(page, "thanks-375")
    page.set_viewport_size(DESKTOP)
    shoot(page, "thanks-1280")

    registration = Registration.objects.get(event=event)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.name == "Camille Durand"


def test_the_honeypot_is_never_reached_by_the_keyboard(page, live_server, agenda):
    event = RegistrationEventFactory(parent=agenda, capacity=12)
    page.set_viewport_size(PHONE)
    page.goto(event_url(live_server, event))
    focused = []
    for _ in range(120):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement && document.activeElement.name")
        focused.append(name)
        if name == "consent":
            break
    assert "website" not in focused
    assert "consent" in focused
    assert page.locator("#id_website").is_visible() is False or page.evaluate(
        "document.getElementById('id_website').getBoundingClientRect().right < 0"
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_every_state_of_the_block_has_no_axe_violation(page, live_server, agenda, viewport):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    full = RegistrationEventFactory(parent=agenda, title="Atelier complet", capacity=1)
    registration_create(event=full, name="A", email="a@example.org", consent=True)
    closed = RegistrationEventFactory(
        parent=agenda, title="Atelier clos", registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    later = RegistrationEventFactory(
        parent=agenda, title="Atelier à venir", registration_opens_at=timezone.now() + timedelta(days=3)
    )
    open_event = RegistrationEventFactory(parent=agenda, title="Atelier ouvert", capacity=12)
    for event, name, text in (
        (open_event, "form-open", "12 places restantes"),
        (full, "form-full-waiting", "Complet — inscription sur liste d’attente"),
        (closed, "form-closed", "Les inscriptions sont closes."),
        (later, "form-not-open", "Les inscriptions ouvriront le"),
    ):
        page.goto(event_url(live_server, event) + "#inscription")
        assert text in page.locator("#inscription").inner_text()
        assert_no_axe_violation(page)
        page.locator("#inscription").screenshot(path=f"{SHOTS}/{name}-{width}.png") if SHOTS else None

    # Errors on a desktop too, with the data kept.
    page.goto(event_url(live_server, open_event) + "#inscription")
    page.fill("#id_name", "Camille Durand")
    page.fill("#id_email", "pas-une-adresse")
    page.click(".registration-form button[type=submit]")
    page.wait_for_selector("#inscription-erreurs")
    assert page.locator("#id_name").input_value() == "Camille Durand"
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert_no_axe_violation(page)
    shoot(page, f"form-errors-page-{width}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_manage_and_invalid_link_pages_have_no_axe_violation(page, live_server, agenda, viewport):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    event = RegistrationEventFactory(parent=agenda, title="Rencontre des utilisateurs", capacity=1)
    registration = registration_create(
        event=event, name="Camille Durand", email="c@example.org", consent=True
    )
    waiting = registration_create(event=event, name="Dominique", email="d@example.org", consent=True)
    manage = f"{live_server.url}/inscriptions/{registration_token(registration.registration)}/"

    waiting_url = f"{live_server.url}/inscriptions/{registration_token(waiting.registration)}/"
    page.goto(waiting_url)
    assert "Vous êtes sur la liste d’attente, en position 1." in page.locator("main").inner_text()
    assert_no_axe_violation(page)
    shoot(page, f"manage-waiting-{width}")

    page.goto(manage)
    assert "Vous êtes inscrit·e." in page.locator("main").inner_text()
    assert_no_axe_violation(page)
    shoot(page, f"manage-confirmed-{width}")

    page.get_by_role("link", name="Annuler mon inscription").click()
    assert_no_axe_violation(page)
    shoot(page, f"manage-confirm-cancel-{width}")
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    page.wait_for_url(re.compile(r"etat=cancelled"))
    assert "Votre inscription est annulée." in page.locator("main").inner_text()
    assert_no_axe_violation(page)
    shoot(page, f"manage-cancelled-{width}")

    # The seat given back was offered to the person waiting.
    page.goto(waiting_url)
    assert "Une place vous est proposée" in page.locator("main").inner_text()
    assert_no_axe_violation(page)
    shoot(page, f"manage-offered-{width}")

    response = page.goto(f"{live_server.url}/inscriptions/abimé/")
    assert response.status == 404
    assert "Ce lien n’est pas valide" in page.locator("h1").inner_text()
    assert_no_axe_violation(page)
    shoot(page, f"invalid-link-{width}")
