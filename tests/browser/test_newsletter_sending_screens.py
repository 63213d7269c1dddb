"""The newsletter's sending progress screen in Chromium, on a phone and on a desktop: no axe violation of any
impact in Parvis's markup, no sideways scrolling; the page follows a send as it goes (its script updates the
bar and the counts, then shows the end), and a failed address is sent again from it."""

from django.core import mail
from django.utils import timezone

import pytest

from councils.factories import UserFactory
from councils.services import communications_team_group
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, NewsletterIssue, SubscriberStatus
from tests.browser.conftest import admin_sign_in, assert_no_axe_violation, fits_the_width, screenshot_whole

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def issue_sending(live_home):
    """An issue being sent to 12 people: 6 sent, 2 refused by the server, 1 unsubscribed, 3 waiting."""
    staff = UserFactory(username="ville", first_name="Claire", last_name="Martin")
    staff.groups.add(communications_team_group())
    issue = NewsletterIssueFactory(subject="Lettre de novembre : les conseils de quartier")
    people = [SubscriberFactory(email=f"habitante.{i}@quartier-centre.example.org") for i in range(12)]
    people[8].status = SubscriberStatus.UNSUBSCRIBED
    people[8].save()
    rows = (
        [("sent", "")] * 6
        + [
            ("failed", "550 5.1.1 <habitante.6@quartier-centre.example.org>: Recipient address rejected"),
            ("failed", "552 5.2.2 Mailbox full"),
            ("failed", "unsubscribed"),
        ]
        + [("pending", "")] * 3
    )
    for person, (status, error) in zip(people, rows, strict=True):
        Delivery.objects.create(issue=issue, subscriber=person, status=status, last_error=error, attempts=1)
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENDING,
        send_requested_by=staff,
        frozen={"subject": issue.subject, "html": "", "text": "x"},
    )
    return issue


def _sign_in(page, live_server):
    admin_sign_in(page, live_server, "ville")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_progress_screen_has_no_accessibility_violation(page, live_server, issue_sending, viewport):
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)
    path = f"/admin/lettre/envoi/{issue_sending.pk}/"
    page.goto(f"{live_server.url}{path}")
    assert page.locator("progress").get_attribute("value") == "75"  # 9 of 12 handled
    screenshot_whole(page, f"newsletter-sending-progress-{label}")
    assert fits_the_width(page)
    assert_no_axe_violation(page, context="main .nl-sending", where=path)


def test_the_page_follows_the_send_then_a_failed_address_is_sent_again(page, live_server, issue_sending):
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/lettre/envoi/{issue_sending.pk}/")
    assert page.locator("[data-sending-sent]").inner_text() == "6"

    # The worker sends two more: the script updates the counts in place.
    waiting = list(Delivery.objects.filter(issue=issue_sending, status="pending").order_by("pk"))
    Delivery.objects.filter(pk__in=[d.pk for d in waiting[:2]]).update(status=DeliveryStatus.SENT)
    page.locator("[data-sending-sent]").filter(has_text="8").wait_for(timeout=10_000)
    assert page.locator("progress").get_attribute("value") != "75"

    # The last one leaves, the issue is sent: the page reloads and says so.
    Delivery.objects.filter(pk=waiting[2].pk).update(status=DeliveryStatus.SENT)
    NewsletterIssue.objects.filter(pk=issue_sending.pk).update(
        status=IssueStatus.SENT, sent_at=timezone.now()
    )
    page.locator(".nl-sending-status--sent").wait_for(timeout=10_000)
    assert page.locator("progress").get_attribute("value") == "100"
    screenshot_whole(page, "newsletter-sending-sent-desktop")

    # The full mailbox was emptied: its address is sent again (immediate tasks: at once).
    row = page.locator("tr", has_text="habitante.7@")
    row.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.locator("[data-sending-sent]").inner_text() == "10"
    assert "habitante.7@" not in page.locator("table.nl-sending__table").inner_text()
    assert [message.to for message in mail.outbox] == [["habitante.7@quartier-centre.example.org"]]
    # Nobody who unsubscribed is offered a second try.
    assert page.locator("tr", has_text="habitante.8@").get_by_role("button").count() == 0
    screenshot_whole(page, "newsletter-sending-retried-desktop")
