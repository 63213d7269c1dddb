"""The meeting, agenda and documents pages in a real browser: no accessibility fault of any impact, on a desktop
and on a phone, and nothing wider than a phone's screen."""

import os
import tempfile
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_member
from documents.models import DocumentIndexPage
from documents.services import document_create
from events.tests.helpers import meeting_index_for
from meetings.factories import MeetingPageFactory, agenda_item
from meetings.models import MeetingDocument, MeetingStatus, MinutesStatus
from tests.browser.conftest import axe_report, axe_violations

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _pdf(name):
    return ContentFile(b"%PDF-1.4\n" + b"x" * 2000, name=name)


def _publish(page):
    page.save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)


@pytest.fixture
def council_pages(live_home):
    """A council with a held meeting (agenda, approved minutes, decisions, a document), a cancelled one,
    a documents page with a public and a members-only document, and a member to see the latter."""
    council = _publish(
        CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title="Conseil des Halles", slug="halles")
    )
    index = meeting_index_for(council)
    evening = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)

    minutes_doc = document_create(
        title="Compte rendu signé",
        file=_pdf("compte-rendu.pdf"),
        collection=council.access.collection,
        kind="minutes",
        description="Signé par la présidente de séance.",
    )
    document_create(
        title="Notes de travail du bureau",
        file=_pdf("notes.pdf"),
        collection=council.access.private_collection,
        kind="report",
    )

    held = _publish(
        MeetingPageFactory(
            parent=index,
            title="Séance plénière de rentrée",
            slug="seance-de-rentree",
            start=evening - timedelta(days=7),
            end=evening - timedelta(days=7) + timedelta(hours=2),
            status=MeetingStatus.HELD,
            agenda=[
                agenda_item("Accueil", duration=10),
                agenda_item(
                    "Budget participatif",
                    duration=45,
                    presenter="Mission démocratie locale",
                    description="Les projets retenus après le vote des habitants.",
                    sub_items=["Aire de jeux du square", "Jardin partagé"],
                ),
                agenda_item("Questions diverses", duration=20),
            ],
            minutes_status=MinutesStatus.APPROVED,
            minutes_approved_on=timezone.localdate(),
            attendee_count=27,
            minutes="<p>La séance s’ouvre à 18 h 30 en présence de vingt-sept habitants.</p>",
            decisions=[
                {
                    "type": "decision",
                    "value": {"text": "Soutenir le jardin partagé.", "votes": "adopté à l’unanimité"},
                },
                {
                    "type": "decision",
                    "value": {"text": "Reporter l’aire de jeux.", "votes": "20 pour, 7 contre"},
                },
            ],
        )
    )
    MeetingDocument.objects.create(page=held, document=minutes_doc)

    cancelled = _publish(
        MeetingPageFactory(
            parent=index,
            title="Séance de décembre",
            slug="seance-de-decembre",
            start=evening + timedelta(days=14),
            end=evening + timedelta(days=14, hours=2),
            status=MeetingStatus.CANCELLED,
            cancellation_reason="La salle est réquisitionnée pour un bureau de vote.",
            agenda=[agenda_item("Travaux de la place", duration=30)],
        )
    )

    documents = DocumentIndexPage.objects.child_of(council).get()  # created with the council
    documents.intro = "Les papiers du conseil."
    documents.save_revision().publish()

    member = UserFactory(username="membre-halles")
    council_add_member(council=council, user=member)
    return {"held": held, "cancelled": cancelled, "index": index, "documents": documents, "member": member}


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _month_path(day: date):
    return f"/agenda/mois/{day.year}/{day.month}/"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_meeting_agenda_and_documents_pages_have_no_accessibility_violation_of_any_impact(
    page, live_server, council_pages, viewport
):
    label = "desktop" if viewport is DESKTOP else "phone"
    held, cancelled = council_pages["held"], council_pages["cancelled"]
    _sign_in(page, live_server, council_pages["member"])
    page.set_viewport_size(viewport)
    checks = [
        (held.url, "meeting-held", ".meeting__agenda .agenda__time"),
        (cancelled.url, "meeting-cancelled", ".meeting__cancellation"),
        (council_pages["index"].url, "meetings-index", ".meeting-index__list--past"),
        ("/agenda/", "agenda", ".agenda-day"),
        (_month_path(held.start.date()), "agenda-month", "a.month-grid__link"),
        (_month_path(timezone.localdate()), "agenda-this-month", ".month-grid__day--today"),
        (council_pages["documents"].url, "documents", ".document-item--private"),
    ]
    failures = {}
    for path, name, landmark in checks:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator(landmark).first.is_visible(), (path, landmark)
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{label}.png", full_page=True)
        # Nothing (the month grid included) makes the page scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        violations = axe_violations(page)
        if violations:
            failures[path] = axe_report(violations)
    assert failures == {}, "\n".join(f"{path}\n{report}" for path, report in failures.items())


def test_the_cancellation_notice_comes_before_the_meeting_facts_and_stands_out(
    page, live_server, council_pages
):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + council_pages["cancelled"].url)
    notice = page.locator(".meeting__cancellation")
    facts = page.locator(".meeting__facts")
    assert notice.bounding_box()["y"] < facts.bounding_box()["y"]
    assert "La salle est réquisitionnée" in notice.inner_text()
    style = notice.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderLeftWidth, s.backgroundColor]; }"
    )
    assert style[0] != "0px" and style[1] != "0px", "the notice is framed"
    assert style[2] != "rgba(0, 0, 0, 0)", "the notice has its own background"
    assert page.locator(".meeting__calendar").count() == 0, "no 'add to my calendar' for a cancelled meeting"


def test_on_a_desktop_agenda_times_form_a_column_beside_the_item_titles(page, live_server, council_pages):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + council_pages["held"].url)
    items = page.locator(".meeting__agenda .agenda__item")
    assert items.count() == 3
    times = [items.nth(i).locator(".agenda__time").bounding_box() for i in range(3)]
    assert len({round(box["x"]) for box in times}) == 1, "the times line up"
    first_time = times[0]
    title_text_left = items.nth(0).locator(".agenda__meta").bounding_box()["x"]
    assert first_time["x"] + first_time["width"] <= title_text_left, "the time sits left of the item"
    # On a phone the time goes above the title instead, so long titles keep the full width.
    page.set_viewport_size(PHONE)
    time_box = items.nth(1).locator(".agenda__time").bounding_box()
    meta_box = items.nth(1).locator(".agenda__meta").bounding_box()
    assert time_box["y"] + time_box["height"] <= meta_box["y"]
