"""A reader registers for the users' meetup on a phone, and a seat freed from a full event is offered to
the first person waiting, who takes it — in a real browser, with the emails read from Django's outbox.

1. From the agenda, the reader opens the meetup (the demo's own content), reads the programme, registers
   with the keyboard (name, email, consent), sees the neutral "check your inbox" page, receives the
   confirmation, opens the email's link and cancels.
2. A full event with someone waiting: a confirmed person cancels from their link; the first person waiting
   receives the offer, opens its link and takes the seat with one button.

Every page visited passes axe-core with no violation of any impact at 375 px (the event page at 1280 px
too). Emails flow as in production: queued in the request's transaction, delivered on commit by the task
(the test settings' immediate backend), into Django's locmem outbox.
"""

import os
import re
import tempfile
import time
from urllib.parse import urlparse

from django.core import mail

import pytest
from playwright.sync_api import expect

from events.factories import RegistrationEventFactory
from events.models import EventIndexPage, Registration, RegistrationStatus
from events.registrations import registration_create
from home import demo_content
from home.management.commands.seed_demo import DemoSeeder
from tests.browser.conftest import assert_no_axe_violation

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LINK = re.compile(r"https?://[^\s\"'<>]+/inscriptions/[^\s\"'<>]+/")
OFFER_LINK = re.compile(r"https?://[^\s\"'<>]+/inscriptions/[^\s\"'<>]+/accepter/")


def _shoot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/event-journey-{name}.png", full_page=True)


def _emails_to(address, *, at_least=1, timeout=10.0):
    """The emails delivered to `address` so far, waiting a little: delivery runs on the server's thread."""
    deadline = time.monotonic() + timeout
    while True:
        found = [message for message in mail.outbox if address in message.to]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _link_in(message, pattern=LINK):
    match = pattern.search(message.body)
    assert match, f"No link in the email {message.subject!r}:\n{message.body}"
    return match.group(0)


def _filename(attachment):
    return attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()


def _cancel(page):
    """Cancel from the manage page: the link asks for a confirmation, "Yes" posts it."""
    page.get_by_role(
        "link", name=re.compile(r"(annuler mon inscription|cancel my registration)", re.I)
    ).click()
    page.get_by_role("button", name=re.compile(r"^(oui|yes)", re.I)).click()
    expect(page.locator("main [role=status]")).to_contain_text(re.compile(r"(annulée|cancelled)", re.I))


def _local(live_server, url):
    """The email's link on the live server (same path, whatever host the email names)."""
    return f"{live_server.url}{urlparse(url).path}"


def _tab_to(page, locator, *, limit=80):
    """Move the focus with the Tab key until `locator` has it (a keyboard user's way to a control)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


@pytest.fixture
def site_urls(settings, live_server):
    """Links in emails point at the live server."""
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def meetup(live_home, site_urls):
    """The users' yearly meetup exactly as the demo builds it: programme, rooms, free registration."""
    seeder = DemoSeeder(hostname="localhost", port=80, reset_passwords=False, log=lambda *_: None)
    event, created = seeder.event(EventIndexPage.objects.get(), demo_content.MEETUP)
    assert created
    return event


def test_a_reader_registers_for_the_meetup_on_a_phone_and_cancels_from_the_email(page, live_server, meetup):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/agenda/")
    page.get_by_role("link", name=meetup.title).first.click()
    page.wait_for_url(f"{live_server.url}{meetup.url}")

    # The programme reads on a phone: times, titles, rooms, speakers.
    expect(page.locator("h1")).to_contain_text(meetup.title)
    main = page.locator("main")
    expect(main).to_contain_text("organisations apprenantes, logiciel libre et médiation numérique")
    expect(main).to_contain_text("Emmanuelle Roux")
    expect(main).to_contain_text("Auditorium")
    expect(main).to_contain_text("Salle du Lac")
    expect(main).to_contain_text("Au rez-de-chaussée à gauche")
    # By room: each room opens (a disclosure, from the keyboard) on its own sessions.
    room = page.locator("details").filter(has=page.locator("summary", has_text="Salle du Lac"))
    summary = room.locator("summary")
    _tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(room.get_by_text("événements, inscriptions et liste d’attente")).to_be_visible()
    expect(room).not_to_contain_text("Plénière")
    _shoot(page, "event-375")
    assert_no_axe_violation(page, where="the meetup's page at 375 px")
    page.set_viewport_size(DESKTOP)
    _shoot(page, "event-1280")
    assert_no_axe_violation(page, where="the meetup's page at 1280 px")
    page.set_viewport_size(PHONE)

    # Registering with the keyboard only.
    name = page.get_by_role("textbox", name=re.compile(r"^(nom|name|prénom|your name|votre nom)", re.I)).first
    _tab_to(page, name)
    page.keyboard.type("Louise Martin")
    email = page.get_by_role(
        "textbox", name=re.compile(r"(e-?mail|courriel|adresse électronique)", re.I)
    ).first
    _tab_to(page, email)
    page.keyboard.type("louise.martin@example.org")
    consent = page.get_by_role("checkbox")
    _tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    submit = page.locator("form").filter(has=consent).locator("button[type=submit], input[type=submit]")
    _tab_to(page, submit.first)
    page.keyboard.press("Enter")

    # The neutral "check your inbox" page: it says nothing of who is registered.
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text(re.compile(r"(courriel|boîte|messagerie|inbox|email)", re.I))
    _shoot(page, "thanks-375")
    assert_no_axe_violation(page, where="the page after registering")
    registration = Registration.objects.get(event=meetup, email="louise.martin@example.org")
    assert registration.status == RegistrationStatus.CONFIRMED

    (confirmation,) = _emails_to("louise.martin@example.org")
    assert meetup.title in confirmation.subject
    assert any(_filename(a).endswith(".ics") for a in confirmation.attachments)
    manage = _link_in(confirmation)

    # The email's link: the registration, and a button to cancel it.
    page.goto(_local(live_server, manage))
    expect(page.locator("main")).to_contain_text(meetup.title)
    _shoot(page, "manage-375")
    assert_no_axe_violation(page, where="the manage page")
    _cancel(page)
    _shoot(page, "cancelled-375")
    assert_no_axe_violation(page, where="the manage page after cancelling")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    # The cancellation is confirmed by email too.
    assert len(_emails_to("louise.martin@example.org", at_least=2)) == 2
    assert meetup.seats.taken == 0


def test_a_freed_seat_is_offered_to_the_first_person_waiting_who_takes_it(
    page, live_server, live_home, site_urls
):
    event = RegistrationEventFactory(
        parent=EventIndexPage.objects.get(),
        title="Atelier vélo de la Rive-du-Lac",
        slug="atelier-velo",
        capacity=2,
    )
    event.save_revision().publish()
    people = [
        ("Ana Duret", "ana@example.org"),
        ("Bruno Vial", "bruno@example.org"),
        ("Chantal Revel", "chantal@example.org"),
        ("Djamel Ziani", "djamel@example.org"),
    ]
    outcomes = [registration_create(event=event, name=n, email=e, consent=True) for n, e in people]
    assert [o.status for o in outcomes] == ["confirmed", "confirmed", "waiting", "waiting"]

    # Bruno cannot come: he cancels from his confirmation email.
    page.set_viewport_size(PHONE)
    (confirmation,) = _emails_to("bruno@example.org")
    page.goto(_local(live_server, _link_in(confirmation)))
    _cancel(page)

    # Chantal, first waiting, receives the offer; Djamel, second, does not.
    offers = [m for m in _emails_to("chantal@example.org", at_least=2) if OFFER_LINK.search(m.body)]
    assert len(offers) == 1, [m.subject for m in mail.outbox if "chantal@example.org" in m.to]
    assert not [m for m in mail.outbox if "djamel@example.org" in m.to and OFFER_LINK.search(m.body)]
    chantal = Registration.objects.get(event=event, email="chantal@example.org")
    assert chantal.status == RegistrationStatus.OFFERED

    page.goto(_local(live_server, _link_in(offers[0], OFFER_LINK)))
    expect(page.locator("main")).to_contain_text(event.title)
    _shoot(page, "offer-375")
    assert_no_axe_violation(page, where="the offer page")
    accept = page.get_by_role("button", name=re.compile(r"(prendre|accepter|confirmer|take|accept)", re.I))
    expect(accept).to_have_count(1)
    _tab_to(page, accept)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text(re.compile(r"(inscrit|registered|confirm)", re.I))
    _shoot(page, "offer-accepted-375")
    assert_no_axe_violation(page, where="the page after taking the seat")

    chantal.refresh_from_db()
    assert chantal.status == RegistrationStatus.CONFIRMED
    # Waiting list, offer, then the confirmation with the event for her calendar.
    emails = _emails_to("chantal@example.org", at_least=3)
    assert len(emails) == 3
    assert any(_filename(a).endswith(".ics") for a in emails[-1].attachments)
    assert (
        Registration.objects.get(event=event, email="djamel@example.org").status == RegistrationStatus.WAITING
    )
    event.seats.refresh_from_db()
    assert event.seats.taken == 2
