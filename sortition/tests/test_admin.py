"""The sortition admin screens: who may open them, a draw from the form to its page, the files."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from members.models import Invitation
from sortition.models import DrawStatus, SortitionDraw

from .conftest import pool_files


def _council_url(council):
    return reverse("sortition_admin:council", args=[council.pk])


def _draw_urls(draw):
    return [
        reverse("sortition_admin:draw", args=[draw.pk]),
        reverse("sortition_admin:status", args=[draw.pk]),
        reverse("sortition_admin:invite", args=[draw.pk]),
        reverse("sortition_admin:file", args=[draw.pk, "candidats"]),
        reverse("sortition_admin:file", args=[draw.pk, "quotas"]),
        reverse("sortition_admin:file", args=[draw.pk, "panel"]),
    ]


@pytest.fixture
def draw_a(council_a, editor_a, make_draw):
    return make_draw(council=council_a, by=editor_a, size=30, panel_size=8)


def test_an_editor_starts_a_draw_from_the_form_and_sees_the_panel_and_the_quotas(
    client, council_a, editor_a, drawn_college, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    response = client.get(_council_url(council_a))
    assert response.status_code == 200
    assert 'name="candidates_file"' in response.content.decode()
    candidates, quotas = pool_files(30, 8)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _council_url(council_a),
            {
                "title": "Panel du quartier",
                "panel_size": 8,
                "candidates_file": SimpleUploadedFile("c.csv", candidates.encode("utf-8-sig")),
                "quotas_file": SimpleUploadedFile("q.csv", quotas.encode()),
                "seed": "",
                "algorithm": "legacy",
            },
        )
    draw = SortitionDraw.objects.get()
    assert response.status_code == 302 and response.url == reverse("sortition_admin:draw", args=[draw.pk])
    assert draw.status == DrawStatus.DONE
    page = client.get(response.url)
    content = page.content.decode()
    assert page.status_code == 200
    assert str(draw.seed) in content and "0.12.15" in content
    assert f"sortition_rerun {draw.pk}" in content
    for person_id in draw.selected_ids:
        assert person_id in content
    assert reverse("sortition_admin:invite", args=[draw.pk]) in content
    assert client.get(reverse("sortition_admin:status", args=[draw.pk])).json()["status"] == "done"
    assert client.get(_council_url(council_a)).content.decode().count("Panel du quartier") == 1


def test_the_form_shows_the_files_problems_next_to_the_fields(client, council_a, editor_a):
    client.force_login(editor_a)
    response = client.post(
        _council_url(council_a),
        {
            "title": "Mauvais fichiers",
            "panel_size": 2,
            "candidates_file": SimpleUploadedFile("c.csv", b"nom;genre\nAda;femme\n"),
            "quotas_file": SimpleUploadedFile("q.xlsx", b"PK\x03\x04binary"),
            "algorithm": "legacy",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["quotas_file"]
    assert not SortitionDraw.objects.exists()


def test_checking_a_draw_runs_it_again_and_records_the_same_panel(
    client, draw_a, editor_a, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sortition_admin:verify", args=[draw_a.pk]))
    assert response.status_code == 302
    draw_a.refresh_from_db()
    assert draw_a.verified_identical is True and not draw_a.is_verifying


def test_the_panel_is_invited_from_its_page(
    client, draw_a, editor_a, drawn_college, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    assert client.get(reverse("sortition_admin:invite", args=[draw_a.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sortition_admin:invite", args=[draw_a.pk]))
    assert response.status_code == 302
    draw_a.refresh_from_db()
    assert draw_a.run_info["invite"]["invited"] == 8
    assert Invitation.objects.filter(council=draw_a.council, college=drawn_college).count() == 8


def test_the_files_download_as_csv_the_panel_without_formulas(client, council_a, editor_a, make_draw):
    candidates, quotas = pool_files(20, 4)
    candidates = candidates.replace("Dominique", "=HYPERLINK(1)", 3)
    draw = make_draw(council=council_a, by=editor_a, panel_size=4, files=(candidates, quotas), size=20)
    client.force_login(editor_a)
    kept = client.get(reverse("sortition_admin:file", args=[draw.pk, "candidats"]))
    assert kept.content.decode() == candidates
    assert kept["Content-Disposition"].startswith("attachment")
    panel = client.get(reverse("sortition_admin:file", args=[draw.pk, "panel"])).content.decode("utf-8-sig")
    assert len(panel.strip().splitlines()) == 5
    assert ";=" not in panel
    example = client.get(reverse("sortition_admin:example", args=["quotas"]))
    assert example.status_code == 200 and "critere;valeur;min;max" in example.content.decode("utf-8-sig")


def test_another_councils_editor_and_a_member_get_403_on_every_screen_and_learn_nothing(
    client, council_a, draw_a, editor_b, member_a
):
    people = draw_a.candidates_csv.splitlines()[1:3]
    for user in (editor_b, member_a):
        client.force_login(user)
        for url in [_council_url(council_a), *_draw_urls(draw_a)]:
            response = client.get(url)
            # A member has no admin access at all: Wagtail sends them to its sign-in page.
            assert response.status_code in (403, 404) or response.url.startswith("/admin/login/"), (user, url)
            body = response.content.decode()
            assert draw_a.title not in body
            assert all(line.split(";")[1] not in body for line in people)
        assert client.post(reverse("sortition_admin:invite", args=[draw_a.pk])).status_code in (302, 403, 404)
        assert client.post(reverse("sortition_admin:verify", args=[draw_a.pk])).status_code in (302, 403, 404)
    draw_a.refresh_from_db()
    assert draw_a.invited_at is None and draw_a.verify_requested_at is None
    client.force_login(member_a)
    assert client.get(reverse("sortition_admin:index")).status_code in (302, 403)
    assert client.get(reverse("sortition_admin:example", args=["candidats"])).status_code in (302, 403)


def test_the_communications_team_reaches_every_councils_draws(
    client, council_a, council_b, city_staff, draw_a
):
    client.force_login(city_staff)
    assert client.get(reverse("sortition_admin:index")).status_code == 200
    assert client.get(_council_url(council_b)).status_code == 200
    assert client.get(reverse("sortition_admin:draw", args=[draw_a.pk])).status_code == 200


def test_the_draws_list_and_a_draws_page_take_a_bounded_number_of_queries(
    client, council_a, editor_a, draw_a, django_assert_max_num_queries
):
    client.force_login(editor_a)
    url = _council_url(council_a)
    draw_url = reverse("sortition_admin:draw", args=[draw_a.pk])
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(draw_url).status_code == 200
    for number in range(10):
        SortitionDraw.objects.create(
            council=council_a,
            title=f"Tirage {number}",
            panel_size=draw_a.panel_size,
            candidates_csv=draw_a.candidates_csv,
            quotas_csv=draw_a.quotas_csv,
            seed=number + 1,
            selected_ids=draw_a.selected_ids,
            status=DrawStatus.DONE,
            created_by=editor_a,
        )
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
