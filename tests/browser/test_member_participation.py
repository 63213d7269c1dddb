"""A member's journey on a phone (issue 16): signs in, finds their working group from "Mon espace" and
opens it, votes on an open proposal with the keyboard only, checks in to a session with its code, and —
once the voting window has closed — sees the result. "Mon espace", the working group's page, the
proposal's page and `/emargement/` have no accessibility fault of any impact at 375 and 1280 px."""

import os
import tempfile
from datetime import timedelta

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from attendance.factories import CheckInCodeFactory
from councils.factories import CouncilPageFactory, UserFactory, working_group_create
from councils.models import CouncilIndexPage
from councils.services import council_add_member
from events.tests.helpers import meeting_publish
from participation.factories import ProposalFactory, ProposalIndexPageFactory, VoteFactory
from participation.models import Proposal, Vote
from tests.browser.conftest import assert_no_axe_violation
from tests.browser.test_member_sign_in import PASSWORD, assert_no_sideways_scroll, tab_to

SCREENSHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-screenshots", "member-participation")
)
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CODE = "JARDIN"


def shoot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def check_both_widths(page, name):
    """axe at 375 and 1280 px, nothing sideways on the phone, a screenshot of each; back to the phone."""
    for label, size in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        assert_no_axe_violation(page, where=f"{name} at {label} px")
        if size is PHONE:
            assert_no_sideways_scroll(page)
        shoot(page, f"{name}-{label}")
    page.set_viewport_size(PHONE)


@pytest.fixture
def journey(live_home):
    index = CouncilIndexPage.objects.get()
    centre = CouncilPageFactory(parent=index, title="Conseil de quartier Centre", slug="centre")
    centre.save_revision().publish()
    member = UserFactory(
        username="karim", email="karim.benali@example.org", first_name="Karim", last_name="Benali"
    )
    member.set_password(PASSWORD)
    member.save()
    council_add_member(council=centre, user=member)
    neighbours = [UserFactory(username=f"voisin{n}", first_name=f"Voisin {n}") for n in range(3)]
    for neighbour in neighbours:
        council_add_member(council=centre, user=neighbour)
    group = working_group_create(centre, "Jardins partagés", members=[member, neighbours[0]])
    group.intro = "Le groupe prépare les jardins partagés du quartier."
    group.save_revision().publish()
    working_group_create(centre, "Voirie", members=[neighbours[1]])
    proposals = ProposalIndexPageFactory(parent=centre)
    proposals.save_revision().publish()
    now = timezone.now()
    proposal = ProposalFactory(
        index=proposals,
        title="Des bancs sur la place du Marché",
        vote_opens_at=now - timedelta(days=1),
        vote_closes_at=now + timedelta(days=2),
    )
    VoteFactory(proposal=proposal, voter=neighbours[0], choice="for")
    VoteFactory(proposal=proposal, voter=neighbours[1], choice="against")
    session = meeting_publish(centre, title="Séance plénière de novembre", start=now + timedelta(minutes=20))
    CheckInCodeFactory(meeting=session, code=CODE)
    return {"member": member, "group": group, "proposal": proposal, "session": session}


def test_a_member_votes_and_checks_in_from_mon_espace_on_a_phone(page, live_server, journey):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/connexion/?next=/mon-espace/")
    page.fill("#id_username", "karim")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(live_server.url + "/mon-espace/")
    main = page.locator("main")
    expect(main).to_contain_text("Jardins partagés")
    expect(main).to_contain_text("Des bancs sur la place du Marché")
    expect(main).not_to_contain_text("Voirie")
    check_both_widths(page, "1-mon-espace")

    # The working group, from "Mon espace".
    page.locator("main").get_by_role("link", name="Jardins partagés").click()
    page.wait_for_url(live_server.url + journey["group"].url)
    expect(page.locator("h1")).to_contain_text("Jardins partagés")
    check_both_widths(page, "2-working-group")

    # The vote, with the keyboard only: from "Mon espace" to the proposal, a choice, the button.
    page.goto(live_server.url + "/mon-espace/")
    tab_to(page, "Des bancs sur la place du Marché")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/propositions/{journey['proposal'].pk}/")
    check_both_widths(page, "3-proposal-open")
    for _press in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "choice":
            break
    else:
        raise AssertionError("never reached the vote's choices with Tab")
    # Arrow keys move within a radio group; the first arrow selects the next choice.
    page.keyboard.press("Space")
    while page.evaluate("document.activeElement.value") != "for":
        page.keyboard.press("ArrowDown")
    for _press in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    shoot(page, "4-proposal-choice-375")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".proposal__mine")).to_be_visible()
    assert Vote.objects.get(proposal=journey["proposal"], voter=journey["member"]).choice == "for"
    expect(page.locator(".proposal__mine")).to_be_visible()
    shoot(page, "5-proposal-voted-375")

    # "Mon espace" says so, and offers to check in.
    page.goto(live_server.url + "/mon-espace/")
    expect(page.locator("main .member-upcoming__badges").first).to_be_visible()
    shoot(page, "6-mon-espace-voted-375")
    page.locator("main a[href='/emargement/']").first.click()
    page.wait_for_url(live_server.url + "/emargement/")
    check_both_widths(page, "7-check-in")
    page.fill("input[name=code]", CODE.lower())
    page.locator("form.check-in__form button[type=submit]").click()
    expect(page.locator(".check-in__done")).to_contain_text("Séance plénière de novembre")
    assert journey["session"].attendances.get(member=journey["member"]).status == "present"
    check_both_widths(page, "8-checked-in")

    # The window closes: the result.
    now = timezone.now()
    Proposal.objects.filter(pk=journey["proposal"].pk).update(
        vote_opens_at=now - timedelta(days=3), vote_closes_at=now - timedelta(minutes=1)
    )
    page.goto(live_server.url + "/mon-espace/")
    expect(page.locator("main")).not_to_contain_text("Des bancs sur la place du Marché")
    page.goto(live_server.url + journey["proposal"].index.url + f"{journey['proposal'].pk}/")
    expect(page.locator(".results")).to_be_visible()
    expect(page.locator(".results__bar--for .results__figure")).to_contain_text("2")
    expect(page.locator(".results__bar--against .results__figure")).to_contain_text("1")
    check_both_widths(page, "9-proposal-result")
