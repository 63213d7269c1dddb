"""Drawing a panel: quotas met, the same seed gives the same panel, infeasible quotas, bad files, inviting
the panel into the "drawn by lot" college."""

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

import pytest

from councils.factories import UserFactory
from councils.models import Membership
from members.models import Invitation
from sortition import engine, samples, services
from sortition.models import DrawStatus

from .conftest import pool_files


def _quotas_met(draw):
    _people, quotas, _features, _inputs = services.draw_panel(draw=draw)
    return all(row["min"] <= row["achieved"] <= row["max"] for row in quotas)


def test_a_draw_meets_every_quota_and_keeps_its_inputs_seed_algorithm_and_version(
    council_a, editor_a, make_draw
):
    candidates, quotas = pool_files(60, 12)
    draw = make_draw(council=council_a, by=editor_a, panel_size=12, files=(candidates, quotas))
    assert draw.status == DrawStatus.DONE, draw.error
    assert len(draw.selected_ids) == 12
    assert len(set(draw.selected_ids)) == 12
    assert _quotas_met(draw)
    assert (draw.candidates_csv, draw.quotas_csv) == (candidates, quotas)
    assert (draw.seed, draw.algorithm) == (4242, "legacy")
    assert draw.package_version == "0.12.15"
    assert draw.run_info["versions"]["sortition-algorithms"] == "0.12.15"
    assert draw.finished_at is not None


def test_the_same_seed_gives_the_same_panel_and_another_seed_another_one(council_a, editor_a, make_draw):
    files = pool_files(50, 10, seed=7)
    first = make_draw(council=council_a, by=editor_a, panel_size=10, files=files, seed=111)
    second = make_draw(council=council_a, by=editor_a, panel_size=10, files=files, seed=111)
    other = make_draw(council=council_a, by=editor_a, panel_size=10, files=files, seed=222)
    assert first.selected_ids == second.selected_ids
    assert other.selected_ids != first.selected_ids
    rerun = services.draw_rerun(draw=first)
    assert rerun.identical and rerun.selected == first.selected_ids


def test_maximin_on_a_tiny_pool_is_reproducible(council_a, editor_a, make_draw):
    draw = make_draw(council=council_a, by=editor_a, size=20, panel_size=6, algorithm="maximin", seed=99)
    assert draw.status == DrawStatus.DONE, draw.error
    assert len(draw.selected_ids) == 6 and _quotas_met(draw)
    assert services.draw_rerun(draw=draw).identical


def test_a_seed_is_chosen_at_random_when_none_is_given(council_a, editor_a, make_draw):
    draw = make_draw(council=council_a, by=editor_a, seed=None)
    assert 1 <= draw.seed <= 999_999_999
    assert draw.status == DrawStatus.DONE


INFEASIBLE_CANDIDATES = "id;nom;email;genre;age\n" + "".join(
    f"{n};Personne {n};p{n}@exemple.org;{'femme' if n <= 6 else 'homme'};{'60+' if n <= 6 else '18-59'}\n"
    for n in range(1, 15)
)
INFEASIBLE_QUOTAS = "critere;valeur;min;max\ngenre;femme;3;5\ngenre;homme;3;5\nage;60+;0;1\nage;18-59;5;8\n"


def test_quotas_that_cannot_be_met_together_fail_with_the_change_that_would_make_them_possible(
    council_a, editor_a, make_draw
):
    # Every woman is over 60: three women and at most one person over 60 cannot both hold.
    draw = make_draw(
        council=council_a, by=editor_a, panel_size=8, files=(INFEASIBLE_CANDIDATES, INFEASIBLE_QUOTAS)
    )
    assert draw.status == DrawStatus.FAILED
    assert draw.selected_ids == []
    error = draw.run_info["error"]
    assert error["code"] == "infeasible"
    assert error["changes"], error
    assert {(c["feature"], c["value"]) for c in error["changes"]} <= {
        ("genre", "femme"),
        ("age", "60+"),
    }
    assert "The quotas cannot all be met" in draw.error or "Les quotas ne peuvent" in draw.error
    assert "60+" in draw.error or "femme" in draw.error
    assert services.draw_rerun(draw=draw).identical  # the same failure


def test_bad_files_are_refused_with_line_and_column_and_nothing_is_created(council_a, editor_a):
    candidates = "id;nom;genre;age\n1;Ada;femme;jeune\n1;Bob;homme;senior\n3;Cléo;femme;vieux\n"
    quotas = "critere;valeur;min;max\ngenre;femme;0;2\ngenre;homme;0;2\nage;jeune;2;1\n"
    with pytest.raises(ValidationError) as error:
        services.draw_create(
            council=council_a,
            title="Test",
            panel_size=1,
            candidates_file=candidates.encode(),
            quotas_file=quotas.encode(),
            by=editor_a,
        )
    assert set(error.value.message_dict) == {"quotas_file"}
    assert (
        "Line 4" in error.value.message_dict["quotas_file"][0]
        or "Ligne 4" in error.value.message_dict["quotas_file"][0]
    )
    good_quotas = "critere;valeur;min;max\ngenre;femme;0;2\ngenre;homme;0;2\nage;jeune;0;2\nage;senior;0;2\n"
    with pytest.raises(ValidationError) as error:
        services.draw_create(
            council=council_a,
            title="Test",
            panel_size=5,
            candidates_file=candidates.encode(),
            quotas_file=good_quotas.encode(),
            by=editor_a,
        )
    messages = error.value.message_dict["candidates_file"]
    assert len(messages) == 2  # the repeated id (line 3) and the unknown age (line 4)
    assert "Ligne 3" in messages[0] and "« 1 »" in messages[0]
    assert "4" in messages[1] and "vieux" in messages[1]
    assert council_a.sortition_draws.count() == 0


def test_the_panel_size_must_fit_the_pool_and_the_quotas(council_a, editor_a):
    candidates, quotas = pool_files(20, 6)
    with pytest.raises(ValidationError) as error:
        services.draw_create(
            council=council_a,
            title="Trop",
            panel_size=21,
            candidates_file=candidates.encode(),
            quotas_file=quotas.encode(),
            by=editor_a,
        )
    assert "panel_size" in error.value.message_dict
    assert "quotas_file" in error.value.message_dict  # the maximums add up to fewer than 21


def test_someone_who_does_not_manage_the_council_cannot_draw(council_a, editor_b, member_a):
    candidates, quotas = pool_files(20, 6)
    for user in (editor_b, member_a):
        with pytest.raises(PermissionDenied):
            services.draw_create(
                council=council_a,
                title="x",
                panel_size=6,
                candidates_file=candidates.encode(),
                quotas_file=quotas.encode(),
                by=user,
            )


def test_inviting_the_panel_invites_the_drawn_people_into_the_drawn_by_lot_college(
    council_a, editor_a, drawn_college, make_draw, django_capture_on_commit_callbacks, mailoutbox
):
    candidates, quotas = pool_files(30, 8, seed=3)
    draw = make_draw(council=council_a, by=editor_a, panel_size=8, files=(candidates, quotas))
    inputs = engine.parse_inputs(candidates, quotas)
    drawn = [p for p in inputs.candidates if p["id"] in draw.selected_ids]
    existing = UserFactory(username="deja-inscrit", email=drawn[0]["email"])
    existing.set_password("un mot de passe solide 42")
    existing.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.draw_invite(draw=draw, by=editor_a)
    assert outcome["invited"] == 8
    invitations = Invitation.objects.filter(council=council_a)
    assert sorted(i.email for i in invitations) == sorted(p["email"] for p in drawn)
    assert {i.college_id for i in invitations} == {drawn_college.pk}
    assert {i.role for i in invitations} == {"member"}
    mandate = Membership.objects.get(council=council_a, user=existing)
    assert (mandate.college, mandate.role, mandate.ended_on) == (drawn_college, "member", None)
    assert len(mailoutbox) == 8
    draw.refresh_from_db()
    assert draw.invited_at is not None
    with pytest.raises(ValidationError):
        services.draw_invite(draw=draw, by=editor_a)  # once only
    assert Invitation.objects.filter(council=council_a).count() == 8


def test_inviting_without_a_drawn_by_lot_college_is_refused_in_french(council_a, editor_a, make_draw):
    draw = make_draw(council=council_a, by=editor_a)
    with pytest.raises(ValidationError) as error:
        services.draw_invite(draw=draw, by=editor_a)
    assert "drawn by lot" in error.value.messages[0] or "tirés au sort" in error.value.messages[0]
    assert not Invitation.objects.exists()


def test_sortition_rerun_prints_the_comparison(council_a, editor_a, make_draw):
    draw = make_draw(council=council_a, by=editor_a)
    out = io.StringIO()
    call_command("sortition_rerun", str(draw.pk), stdout=out)
    assert "Identical" in out.getvalue()
    assert str(draw.seed) in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sortition_rerun", "999999", stdout=io.StringIO())


def test_drawn_people_sharing_an_address_get_one_invitation(council_a, editor_a, drawn_college, make_draw):
    people = samples.pool(30, seed=3)
    for person in people:
        person["email"] = "Foyer.Commun@example.org" if person is people[0] else "foyer.commun@example.org"
    candidates = samples.to_csv(people)
    quotas = samples.to_csv(samples.quotas_for(people, 8, slack=0.15))
    draw = make_draw(council=council_a, by=editor_a, panel_size=8, files=(candidates, quotas))
    outcome = services.draw_invite(draw=draw, by=editor_a)
    assert outcome["invited"] == 1
    assert len(outcome["refused"]) == 7
    assert Invitation.objects.filter(council=council_a).count() == 1
