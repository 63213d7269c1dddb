"""The sortition admin screens in Chromium, on a phone and on a desktop: no axe violation of any impact in
Parvis's markup, no sideways scrolling; an editor starts a draw from the form and the page follows it."""

import pytest

from councils.factories import CollegeFactory, CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import council_add_editor
from sortition import samples, services
from sortition.models import DrawStatus, SortitionDraw
from tests.browser.conftest import admin_sign_in, assert_no_axe_violation, fits_the_width, screenshot_whole

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def assembly(live_home):
    council = CouncilPageFactory(
        parent=CouncilIndexPage.objects.get(), title="Assemblée citoyenne pour le climat", slug="assemblee"
    )
    council.save_revision().publish()
    editor = UserFactory(username="editrice", first_name="Inès", last_name="Bonnet", email="ines@example.org")
    council_add_editor(council=council, user=editor)
    CollegeFactory(council=council, name="Tirés au sort", drawn_by_lot=True, sort_order=2)
    people = samples.pool(40, seed=5)
    files = (samples.to_csv(people), samples.to_csv(samples.quotas_for(people, 10)))
    done = services.draw_create(
        council=council,
        title="Panel climat 2027",
        panel_size=10,
        candidates_file=files[0].encode(),
        quotas_file=files[1].encode(),
        seed=2027,
        algorithm="legacy",
        by=editor,
    )
    SortitionDraw.objects.create(
        council=council,
        title="Panel en cours",
        panel_size=10,
        candidates_csv=files[0],
        quotas_csv=files[1],
        seed=31,
        status=DrawStatus.RUNNING,
        created_by=editor,
    )
    failed = SortitionDraw.objects.create(
        council=council,
        title="Quotas impossibles",
        panel_size=10,
        candidates_csv=files[0],
        quotas_csv=files[1],
        seed=32,
        status=DrawStatus.FAILED,
        created_by=editor,
    )
    error = {
        "code": "infeasible",
        "changes": [{"feature": "age", "value": "60+", "bound": "max", "old": 1, "new": 3}],
    }
    failed.error = services.error_message(error)
    failed.run_info = {"error": error}
    failed.save()
    return council, done, failed


def _sign_in(page, live_server):
    admin_sign_in(page, live_server, "editrice")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_sortition_screens_have_no_accessibility_violation(page, live_server, assembly, viewport):
    council, done, failed = assembly
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)
    done.refresh_from_db()
    assert done.status == DrawStatus.DONE, done.error
    screens = [
        (f"/admin/tirage-au-sort/{council.pk}/", "council"),
        (f"/admin/tirage-au-sort/tirage/{done.pk}/", "draw"),
        (f"/admin/tirage-au-sort/tirage/{failed.pk}/", "draw-failed"),
        (f"/admin/tirage-au-sort/tirage/{done.pk}/inviter/", "invite"),
    ]
    for path, name in screens:
        page.goto(f"{live_server.url}{path}")
        screenshot_whole(page, f"sortition-{name}-{label}")
        assert fits_the_width(page), path
        assert_no_axe_violation(page, context="main .sortition", where=path)
    running = SortitionDraw.objects.get(title="Panel en cours")
    page.goto(f"{live_server.url}/admin/tirage-au-sort/tirage/{running.pk}/")
    screenshot_whole(page, f"sortition-draw-running-{label}")
    assert_no_axe_violation(page, context="main .sortition", where="running")


def test_an_editor_starts_a_draw_and_the_page_shows_the_panel_when_it_is_done(
    page, live_server, assembly, tmp_path
):
    council, _done, _failed = assembly
    people = samples.pool(30, seed=8)
    candidates, quotas = tmp_path / "candidats.csv", tmp_path / "quotas.csv"
    candidates.write_text(samples.to_csv(people), encoding="utf-8-sig")
    quotas.write_text(samples.to_csv(samples.quotas_for(people, 6)), encoding="utf-8")
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/tirage-au-sort/{council.pk}/")
    page.fill("#id_title", "Panel du quartier")
    page.fill("#id_panel_size", "6")
    page.set_input_files("#id_candidates_file", str(candidates))
    page.set_input_files("#id_quotas_file", str(quotas))
    page.check("input[name=algorithm][value=legacy]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/tirage-au-sort/tirage/*/")
    page.locator(".sortition-status--done").wait_for(timeout=60_000)
    draw = SortitionDraw.objects.get(title="Panel du quartier")
    assert draw.status == DrawStatus.DONE
    for person_id in draw.selected_ids:
        assert page.get_by_text(person_id, exact=True).count() == 1
