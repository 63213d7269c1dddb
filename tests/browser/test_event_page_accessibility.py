"""The event page in a real browser, with its programme and its registration area: no accessibility fault of
any impact on a phone and on a desktop, nothing wider than the screen, the programme by room opening
without JavaScript's help, and its JSON-LD blocked by no Content-Security-Policy. The council's page and
the home page show the upcoming events."""

import json
import os
import tempfile
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage
from events.models import EventIndexPage, RegistrationMode
from events.tests.event_page_helpers import MEETUP_ROOMS, MEETUP_SESSIONS, event_publish
from images.factories import CouncilImageFactory
from tests.browser.conftest import axe_report, axe_violations

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""

SECOND_DAY_SESSIONS = [
    dict(start_time=time(9, 30), end_time=time(10, 30), title="Petit-déjeuner des bénévoles", room="Atelier"),
    dict(
        start_time=time(10, 30),
        end_time=time(12, 0),
        title="Atelier : animer une réunion en ligne",
        room="Salle Léman",
        speakers="Sophie Laurent",
        description="Outils, rôles et bonnes pratiques pour une réunion hybride.",
    ),
    dict(
        start_time=time(10, 30),
        end_time=time(11, 30),
        title="Les données ouvertes de la ville",
        room="Auditorium",
        speakers="Service numérique",
    ),
]


@pytest.fixture
def events(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier Centre", slug="centre"
    )
    council.save_revision().publish()
    start = (timezone.localtime() + timedelta(days=21)).replace(hour=9, minute=30, second=0, microsecond=0)
    second_day = (start + timedelta(days=1)).date()
    image = CouncilImageFactory()
    meetup = event_publish(
        EventIndexPage.objects.get(),
        title="Rencontre des utilisateurs de Parvis",
        slug="rencontre-utilisateurs",
        start=start,
        end=(start + timedelta(days=1)).replace(hour=17, minute=30),
        rooms=MEETUP_ROOMS,
        sessions=[*MEETUP_SESSIONS, *({**s, "day": second_day} for s in SECOND_DAY_SESSIONS)],
        lead_image=image,
        lead_image_alt="Des bénévoles échangent autour d’une table",
        access_notes="Accessible en fauteuil roulant ; tram ligne 1, arrêt Mairie.",
        registration_mode=RegistrationMode.PARVIS,
        capacity=120,
        body=[("paragraph", "<p>Deux jours pour partager ce qui marche dans les conseils.</p>")],
    )
    balade = event_publish(
        council,
        title="Balade urbaine : les jardins partagés",
        slug="balade-jardins",
        start=start - timedelta(days=7),
        end=(start - timedelta(days=7)).replace(hour=12),
        place_name="Devant la mairie annexe",
        price=Decimal("3"),
        price_details="gratuit pour les moins de 12 ans",
    )
    return {"meetup": meetup, "balade": balade, "council": council}


def check(page, url, name, viewport):
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    response = page.goto(url)
    assert response.status == 200, url
    page.screenshot(path=f"{SCREENSHOTS}/{name}-{label}.png", full_page=True)
    assert page.locator("main h1").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], url
    return axe_violations(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_event_pages_have_no_accessibility_violation_of_any_impact(page, live_server, events, viewport):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.add_init_script(WATCH_CSP)
    failures = {}
    urls = [
        (events["meetup"].url, "event"),
        (events["balade"].url, "event-council"),
        (events["council"].url, "council-events"),
        ("/", "home-events"),
    ]
    for path, name in urls:
        violations = check(page, live_server.url + path, name, viewport)
        if violations:
            failures[path] = axe_report(violations)
        assert page.evaluate("window.__cspViolations") == [], path

    # Every room of the programme open, as a reader would: still nothing wrong.
    page.goto(live_server.url + events["meetup"].url)
    page.set_viewport_size(viewport)
    for summary in page.locator("summary.programme-room__summary").all():
        summary.click()
    assert page.locator("details.programme-room[open]").count() == 4
    label = "desktop" if viewport is DESKTOP else "phone"
    page.screenshot(path=f"{SCREENSHOTS}/event-rooms-open-{label}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = axe_violations(page)
    if violations:
        failures["rooms open"] = axe_report(violations)
    assert failures == {}, "\n".join(f"{url}\n{report}" for url, report in failures.items())


def test_the_reader_finds_sessions_by_room_and_the_search_engines_find_the_event(page, live_server, events):
    page.set_viewport_size(PHONE)
    page.add_init_script(WATCH_CSP)
    page.goto(live_server.url + events["meetup"].url)

    # The programme by time: day headings, then sessions side by side when they start together.
    assert page.locator("h3.programme__day").count() == 2
    workshop = page.locator("#programme-par-salle details", has_text="Salle Léman")
    assert not workshop.locator("ol").is_visible()
    workshop.locator("summary").click()
    assert workshop.locator("ol").is_visible()
    workshop.get_by_role("link", name="Atelier : animer une réunion en ligne").click()
    assert page.url.endswith("#seance-" + page.url.rsplit("#seance-", 1)[-1])
    assert page.locator(":target h4").inner_text() == "Atelier : animer une réunion en ligne"

    # The JSON-LD is there, parsed by the browser's own JSON, and the CSP let the page through untouched.
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["name"] == "Rencontre des utilisateurs de Parvis"
    assert len(data["subEvent"]) == len(MEETUP_SESSIONS) + len(SECOND_DAY_SESSIONS)
    assert page.evaluate("window.__cspViolations") == []
    assert page.locator('meta[property="og:image"]').get_attribute("content").startswith(live_server.url)

    # "S'inscrire" leads to the registration area (events/includes/registration.html).
    page.locator(".event__actions a[href='#inscription']").click()
    assert page.locator("#inscription").is_visible()
