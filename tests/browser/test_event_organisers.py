"""Organisers' admin screens (an event's registrations, attendance at the door) and the public page of a
seat offer, on a phone and on a desktop: no axe violation of any impact in Parvis's markup (the admin's
own chrome is Wagtail's), everything fits the width, and attendance is marked with one tap."""

import os
import tempfile
from datetime import timedelta

from django.utils import timezone

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from events import seats, waitlist
from events.factories import RegistrationEventFactory, RegistrationFactory
from events.links import registration_token
from events.models import Registration, RegistrationStatus
from tests.browser.conftest import assert_no_axe_violation

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
PEOPLE = [
    ("Camille Rousseau", "Amicale du Biollay", "Boucle magnétique"),
    ("Denis Lefèvre", "", ""),
    (
        "Éloïse Martin-Dupont",
        "Association des commerçants du centre-ville",
        "Fauteuil roulant : accès de plain-pied",
    ),
    ("Farid Benali", "", ""),
]


def _label(viewport):
    return "phone" if viewport is PHONE else "desktop"


@pytest.fixture
def organised_event(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier Centre", slug="centre"
    )
    council.save_revision().publish()
    editor = UserFactory(username="organisatrice")
    council_add_editor(council=council, user=editor)
    event = RegistrationEventFactory(parent=council, title="Fête des voisins du Centre", capacity=4)
    event.save_revision().publish()
    for name, organisation, needs in PEOPLE:
        seats.seat_take(event)
        RegistrationFactory(event=event, name=name, organisation=organisation, accessibility_needs=needs)
    Registration.objects.filter(name="Denis Lefèvre").update(attended_at=timezone.now())
    waiting = [
        RegistrationFactory(
            event=event,
            name=name,
            status=RegistrationStatus.WAITING,
            confirmed_at=None,
            waiting_since=timezone.now() - timedelta(hours=n),
        )
        for n, name in enumerate(["Gaëlle Caron", "Hugo Petit"], start=1)
    ]
    return event, waiting


def _sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "organisatrice")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def _shoot(page, name):
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


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_registrations_and_the_door_screens_are_accessible_and_mark_attendance_in_one_tap(
    page, live_server, organised_event, viewport
):
    event, _waiting = organised_event
    label = _label(viewport)
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/admin/inscriptions/")
    assert (
        page.locator(".parvis-registrations").get_by_role("link", name=event.title, exact=True).is_visible()
    )
    assert_no_axe_violation(page, context=".parvis-registrations")
    _shoot(page, f"admin-events-{label}")

    page.goto(f"{live_server.url}/admin/inscriptions/{event.pk}/")
    table = page.locator(".parvis-registrations__table")
    assert table.get_by_text("Éloïse Martin-Dupont").is_visible()
    assert table.get_by_text("Hugo Petit").is_visible()
    _shoot(page, f"admin-registrations-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page, context=".parvis-registrations")

    page.goto(f"{live_server.url}/admin/inscriptions/{event.pk}/presences/")
    count = page.locator(".parvis-attendance__count")
    assert "1 / 4" in count.inner_text()
    assert_no_axe_violation(page, context=".parvis-attendance")
    _shoot(page, f"admin-attendance-{label}")
    assert _fits_the_width(page)
    button = page.locator("#r-" + str(Registration.objects.get(name="Camille Rousseau").pk) + " button")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, "a button easy to tap at the door"
    button.click()
    page.wait_for_load_state()
    assert "2 / 4" in page.locator(".parvis-attendance__count").inner_text()
    assert Registration.objects.get(name="Camille Rousseau").attended_at is not None

    page.fill("#attendance-q", "far")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=far**")
    assert page.locator(".parvis-attendance__person").count() == 1
    _shoot(page, f"admin-attendance-search-{label}")
    assert_no_axe_violation(page, context=".parvis-attendance")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_offer_page_is_accessible_and_takes_the_seat_with_one_button(
    page, live_server, organised_event, viewport
):
    event, _waiting = organised_event
    label = _label(viewport)
    Registration.objects.filter(name="Farid Benali").update(status=RegistrationStatus.CANCELLED)
    seats.seat_release(event)
    assert waitlist.offers_make(event) == 1
    first = Registration.objects.get(event=event, status=RegistrationStatus.OFFERED)
    assert first.name == "Hugo Petit", "who waited longest"
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/inscriptions/{registration_token(first)}/accepter/")
    assert page.locator("h1").inner_text()
    assert page.locator("button[value=accept]").count() == 1
    _shoot(page, f"offer-{label}")
    assert _fits_the_width(page)
    assert_no_axe_violation(page)

    page.locator("button[value=accept]").click()
    page.wait_for_load_state()
    assert Registration.objects.get(pk=first.pk).status == RegistrationStatus.CONFIRMED
    _shoot(page, f"offer-accepted-{label}")
    assert_no_axe_violation(page)
