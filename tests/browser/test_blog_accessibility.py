"""News pages in a real browser: no accessibility fault of any impact, on a phone and on a desktop."""

import datetime
import os
import tempfile

from django.test import override_settings

from wagtail.embeds.finders import get_finders

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import CouncilPageFactory
from councils.models import CouncilIndexPage
from home.demo_content import news_body_blocks
from images.factories import CouncilImageFactory
from tests.browser.conftest import axe_report, axe_violations

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def offline_embeds():
    """The browser test reaches no video provider: the replay falls back to a plain link."""
    get_finders.cache_clear()
    with override_settings(WAGTAILEMBEDS_FINDERS=[{"class": "blog.tests.fake_finders.OfflineFinder"}]):
        yield
    get_finders.cache_clear()


@pytest.fixture
def news(live_home, offline_embeds):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Conseil de quartier Centre", slug="centre"
    )
    council.save_revision().publish()
    city_blog = BlogIndexPage.objects.child_of(live_home).get()
    council_blog = BlogIndexPage.objects.child_of(council).get()
    image = CouncilImageFactory()
    replay = BlogPageFactory(
        parent=city_blog,
        slug="replay-webinaire",
        title="Replay : le webinaire « Parvis, mode d’emploi »",
        date=datetime.date(2026, 3, 12),
        intro="Une heure pour prendre en main l’espace de votre conseil.",
        lead_image=image,
        lead_image_alt="Des animatrices devant un écran",
        body=news_body_blocks(
            [
                ("p", "<p>Le webinaire a réuni une soixantaine d’animateurs.</p>"),
                (
                    "video",
                    "https://www.youtube.com/watch?v=abcdefghijk",
                    "Webinaire « Parvis, mode d’emploi »",
                ),
                ("quote", "On a publié notre premier ordre du jour en dix minutes.", "Une animatrice"),
            ]
        ),
        tags=["webinaire", "plateforme"],
    )
    for n in range(3):
        BlogPageFactory(
            parent=city_blog,
            slug=f"nouvelle-{n}",
            title=f"Budget participatif : étape {n + 1}",
            date=datetime.date(2026, 2, 1 + n),
            lead_image=image if n % 2 else None,
            lead_image_alt="La place du marché" if n % 2 else "",
            tags=["plateforme", "budget participatif"],
        )
    BlogPageFactory(
        parent=council_blog,
        slug="place-de-la-fontaine",
        title="La place de la Fontaine se met au vert",
        date=datetime.date(2026, 3, 10),
        tags=["végétalisation"],
    )
    return [
        ("/", "home-news"),
        ("/actualites/", "blog-index"),
        (replay.url, "blog-post"),
        ("/actualites/tag/plateforme/", "blog-tag"),
        (council.url, "council-news"),
        ("/conseils/centre/actualites/", "council-blog"),
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_news_pages_have_no_accessibility_violation_of_any_impact(page, live_server, news, viewport):
    label = "desktop" if viewport is DESKTOP else "phone"
    os.makedirs(SCREENSHOTS, exist_ok=True)
    failures = {}
    page.set_viewport_size(viewport)
    for path, name in news:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{label}.png", full_page=True)
        assert page.locator("main h1").first.is_visible(), path
        # Nothing makes the page scroll sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        violations = axe_violations(page)
        if violations:
            failures[path] = axe_report(violations)
    assert failures == {}, "\n".join(f"{url}\n{report}" for url, report in failures.items())


def test_the_webinar_replay_offers_a_plain_link_when_the_video_cannot_be_embedded(page, live_server, news):
    page.goto(live_server.url + news[2][0])
    link = page.locator("a.stream-video__link")
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=abcdefghijk"
    assert "Webinaire" in link.inner_text()
