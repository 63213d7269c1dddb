"""Proposals and votes in Chromium, on a phone and a desktop: a member reads the list, votes (three radio
buttons in a fieldset), sees their choice, reads the results of a closed vote; an editor's admin screen.
0 axe violations of any impact on what this app draws; screenshots for review."""

import os
import tempfile
from datetime import timedelta

from django.utils import timezone

import pytest

from councils.factories import CouncilPageFactory, UserFactory
from councils.membership import College
from councils.models import CouncilIndexPage
from councils.services import council_add_editor, council_add_member
from participation.factories import ProposalFactory, ProposalIndexPageFactory, votes_cast
from participation.models import Vote
from tests.browser.conftest import assert_no_axe_violation

pytestmark = pytest.mark.browser

SHOTS = os.environ.get(
    "SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "parvis-coord", "shots", "votes")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def assembly(live_home):  # noqa: F811
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Assemblée citoyenne", slug="assemblee"
    )
    council.vote_quorum_percent = 30
    council.save_revision().publish()
    colleges = [
        College.objects.create(council=council, name=name, sort_order=order)
        for order, name in enumerate(["Volontaires", "Tirés au sort", "Ateliers de quartier"])
    ]
    people = []
    for number in range(12):
        user = UserFactory(username=f"membre{number}")
        council_add_member(council=council, user=user, college=colleges[number % 3])
        people.append(user)
    editor = UserFactory(username="redactrice")
    council_add_editor(council=council, user=editor, college=colleges[0])
    index = ProposalIndexPageFactory(parent=council)
    now = timezone.now()
    open_one = ProposalFactory(
        index=index,
        title="Végétaliser la cour de l’école Jean-Jaurès",
        body="Remplacer l’enrobé de la cour par des espaces plantés et des jeux en bois.\n\n"
        "Un projet porté avec les parents d’élèves.",
        author=people[1],
        open_vote=True,
    )
    ProposalFactory(
        index=index,
        title="Un marché de producteurs le samedi matin",
        vote_opens_at=now + timedelta(days=3),
        vote_closes_at=now + timedelta(days=10),
        author=people[2],
    )
    closed = ProposalFactory(
        index=index,
        kind="resolution",
        title="Résolution n° 1 : zones à 30 km/h autour des écoles",
        body="L’assemblée demande à la ville de limiter la vitesse à 30 km/h autour des cinq écoles du quartier.",
        closed_vote=True,
        author=editor,
    )
    votes_cast(
        proposal=closed,
        ballots={user: ("for", "for", "against", "abstain")[i % 4] for i, user in enumerate(people[:10])},
    )
    ProposalFactory(index=index, title="Des bancs place du Marché", author=people[4])
    return {"index": index, "open": open_one, "closed": closed, "member": people[0], "editor": editor}


@pytest.fixture
def tab(browser):  # noqa: F811
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport,label", [(PHONE, "375"), (DESKTOP, "1280")])
def test_a_member_reads_votes_and_sees_results_without_accessibility_fault(
    tab, live_server, assembly, viewport, label
):
    page = tab
    page.set_viewport_size(viewport)
    _sign_in(page, live_server, assembly["member"].username)
    index_url = live_server.url + assembly["index"].url

    page.goto(index_url)
    assert page.locator(".proposal-card").count() == 4
    _shoot(page, f"list-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"list {label}")

    page.goto(f"{index_url}nouvelle/")
    page.fill("#id_body", "Mon texte, gardé malgré l’erreur.")
    page.click("main form button[type=submit]")
    assert page.locator(".proposal-form__errors").is_visible()
    assert page.input_value("#id_body") == "Mon texte, gardé malgré l’erreur."
    _shoot(page, f"form-errors-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"form {label}")

    page.goto(f"{index_url}{assembly['open'].pk}/")
    _shoot(page, f"detail-vote-{label}")
    assert_no_axe_violation(page, where=f"detail before vote {label}")
    page.check("input[value=for]")
    page.click(".vote-form button[type=submit]")
    page.wait_for_url(f"**/{assembly['open'].pk}/#vote")
    assert page.locator(".proposal__mine").is_visible()
    assert page.is_checked("input[value=for]")
    _shoot(page, f"detail-voted-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"detail after vote {label}")
    assert Vote.objects.get(proposal=assembly["open"], voter=assembly["member"]).choice == "for"

    page.goto(f"{index_url}{assembly['closed'].pk}/")
    assert page.locator(".results__table").is_visible()
    _shoot(page, f"detail-results-{label}")
    assert _fits(page)
    assert_no_axe_violation(page, where=f"results {label}")


@pytest.mark.parametrize("viewport,label", [(PHONE, "375"), (DESKTOP, "1280")])
def test_the_admin_screen_has_no_accessibility_fault(tab, live_server, assembly, viewport, label):
    page = tab
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "redactrice")
    page.fill("#id_password", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/propositions/{assembly['index'].pk}/")
    assert page.locator(".proposals-admin__table tbody tr").count() == 4
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body, body *'), e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    _shoot(page, f"admin-{label}")
    page.set_viewport_size(viewport)
    assert_no_axe_violation(page, context=".proposals-admin", where=f"admin {label}")
    page.goto(f"{live_server.url}/admin/propositions/{assembly['index'].pk}/{assembly['open'].pk}/masquer/")
    _shoot(page, f"admin-hide-{label}")
    assert_no_axe_violation(page, context="main form", where=f"admin hide {label}")
