"""The newsletter's subscribers and consent texts in the admin, in Chromium, on a phone and on a desktop: no
axe violation of any impact in the screens' content, no sideways scrolling; the city team erases a
subscriber after confirming."""

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group
from newsletter.admin_subscribers import consent_text_create
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
from newsletter.models import Delivery, Subscriber, SubscriberStatus
from tests.browser.conftest import admin_sign_in, assert_no_axe_violation, fits_the_width, screenshot_whole

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def subscribers(live_home):
    index = CouncilIndexPage.objects.get()
    centre = CouncilPageFactory(parent=index, title="Centre-Ville", slug="centre")
    centre.save_revision().publish()
    gare = CouncilPageFactory(parent=index, title="Quartier de la Gare", slug="gare")
    gare.save_revision().publish()
    consent = consent_text_create(text="J’accepte de recevoir la lettre d’information de Parvis-sur-Lac.")
    city, a, b = city_list(), council_list(centre), council_list(gare)
    ada = SubscriberFactory(
        email="ada.lovelace@example.org",
        consent_text=consent,
        consent_source="/conseils/centre/",
        lists=[city, a],
    )
    SubscriberFactory(email="bob@example.org", lists=[b], status=SubscriberStatus.PENDING, confirmed_at=None)
    SubscriberFactory(
        email="cleo@example.org",
        lists=[city],
        status=SubscriberStatus.BOUNCED,
        status_reason="Postmark: 550 5.1.1 mailbox unknown",
    )
    for n in range(5):
        SubscriberFactory(email=f"lecteur{n}@example.org", lists=[city] if n % 2 else [a, b])
    issue = NewsletterIssueFactory(lists=[a])
    Delivery.objects.create(issue=issue, subscriber=ada)
    consent_text_create(text="Nouvelle rédaction, pas encore acceptée.")
    user = UserFactory(username="ville", first_name="Camille", last_name="Martin")
    user.groups.add(communications_team_group())
    return ada


def _sign_in(page, live_server):
    admin_sign_in(page, live_server, "ville")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_subscriber_screens_have_no_accessibility_violation(page, live_server, subscribers, viewport):
    ada = subscribers
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)
    used = ada.consent_text
    screens = [
        ("/admin/lettre/abonnes/", "subscribers", "main"),
        ("/admin/lettre/abonnes/?status=bounced&status=pending", "subscribers-filtered", "main"),
        (f"/admin/lettre/abonnes/inspect/{ada.pk}/", "subscriber", "main"),
        (f"/admin/lettre/abonnes/delete/{ada.pk}/", "subscriber-erase", "main"),
        ("/admin/lettre/consentement/", "consent-texts", "main"),
        ("/admin/lettre/consentement/new/", "consent-text-new", "main"),
        (f"/admin/lettre/consentement/delete/{used.pk}/", "consent-text-delete-refused", "main"),
    ]
    for path, name, context in screens:
        page.goto(f"{live_server.url}{path}")
        screenshot_whole(page, f"newsletter-{name}-{label}")
        assert fits_the_width(page), path
        assert_no_axe_violation(page, context=context, where=path)


def test_the_city_team_finds_and_erases_a_subscriber(page, live_server, subscribers):
    ada = subscribers
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/lettre/abonnes/")
    page.fill("#id_q", "ada.love")
    page.get_by_role("link", name="ada.lovelace@example.org").click()
    page.wait_for_url(f"{live_server.url}/admin/lettre/abonnes/inspect/{ada.pk}/")
    assert page.get_by_text("J’accepte de recevoir la lettre d’information de Parvis-sur-Lac.").is_visible()
    page.locator(f"a[href='/admin/lettre/abonnes/delete/{ada.pk}/']").first.click()
    page.wait_for_url(f"{live_server.url}/admin/lettre/abonnes/delete/{ada.pk}/")
    page.locator("[data-parvis-subscriber-erase] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/lettre/abonnes/")
    assert not Subscriber.objects.filter(pk=ada.pk).exists()
    assert page.get_by_text("ada.lovelace@example.org").count() == 0
