"""The search page on a phone and a desktop: results with their council, type, date and extract, the
filters, no result, a member's results (members-only content marked). Screenshots, no horizontal
overflow, 0 axe violations of any impact."""

import os
import tempfile
from datetime import timedelta

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_member
from documents.services import document_create
from home.factories import StandardPageFactory
from meetings.factories import MeetingPageFactory
from meetings.models import MeetingIndexPage
from tests.browser.conftest import assert_no_axe_violation

pytestmark = pytest.mark.browser

SHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-coord", "shots", "search")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(live_home):
    index = CouncilIndexPage.objects.get()
    councils = []
    for title, slug in (
        ("Conseil de quartier des Charmettes", "charmettes"),
        ("Conseil de quartier Bellevue", "bellevue"),
    ):
        council = CouncilPageFactory(parent=index, title=title, slug=slug)
        council.save_revision().publish()
        councils.append(council)
    charmettes = councils[0]
    meetings = MeetingIndexPage.objects.child_of(charmettes).get()
    now = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)
    for days, title in (
        (12, "Réunion du conseil — jardins partagés"),
        (-30, "Réunion de rentrée du conseil"),
    ):
        MeetingPageFactory(
            parent=meetings,
            title=title,
            slug=f"reunion-{days + 100}",
            start=now + timedelta(days=days),
            end=now + timedelta(days=days, hours=2),
            summary="Séance publique : chacune et chacun peut assister à la réunion et prendre la parole.",
        )
    news = BlogIndexPage.objects.child_of(charmettes).get()
    BlogPageFactory(
        parent=news,
        title="Jardin partagé : première récolte",
        slug="recolte",
        intro="Les jardiniers ont présenté leur récolte lors de la dernière réunion du conseil.",
    )
    document_create(
        title="Compte rendu de la réunion de rentrée",
        file=ContentFile(b"not a PDF", name="compte-rendu.pdf"),
        collection=charmettes.access.collection,
        kind="minutes",
        description="Approuvé à la réunion suivante.",
    )
    private = StandardPageFactory(
        parent=charmettes,
        title="Espace des membres",
        slug="espace-membres",
        intro="Notes de réunion internes.",
    )
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(charmettes.access.members_group)
    query = Query.objects.create(query_string="reunion")
    SearchPromotion.objects.create(
        query=query, page=charmettes, description="Le conseil se réunit chaque mois.", sort_order=0
    )
    member = UserFactory(username="membre-charmettes")
    council_add_member(council=charmettes, user=member)
    return {"member": member}


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_search_page_reads_well_and_passes_axe(page, live_server, world, viewport):
    label = viewport["width"]
    page.set_viewport_size(viewport)
    screens = [
        ("results", "/recherche/?q=reunion"),
        ("filters", "/recherche/?q=reunion&type=meeting&periode=upcoming&conseil=charmettes"),
        ("typo", "/recherche/?q=recolte+jardn"),
        ("no-results", "/recherche/?q=piscine+municipale"),
        ("empty", "/recherche/"),
    ]
    for name, path in screens:
        page.goto(f"{live_server.url}{path}")
        _shoot(page, f"search-{name}-{label}")
        assert _fits(page), f"{name} overflows at {label}"
        assert_no_axe_violation(page, where=f"search {name} {label}")
    page.goto(f"{live_server.url}/recherche/?q=reunion")
    assert page.locator(".search-result mark").count() >= 3
    assert page.locator("text=Espace des membres").count() == 0

    _sign_in(page, live_server, world["member"])
    page.goto(f"{live_server.url}/recherche/?q=reunion")
    assert (
        page.locator(".search-result", has_text="Espace des membres").locator(".badge--private").count() == 1
    )
    _shoot(page, f"search-member-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"search member {label}")
