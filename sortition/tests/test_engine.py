"""Reading the candidate and quota files (no database, no draw)."""

import pytest

from sortition import engine, samples

QUOTAS = "critere;valeur;min;max\ngenre;femme;1;2\ngenre;homme;1;2\nage;jeune;0;2\nage;senior;0;2\n"
CANDIDATES = (
    "id;nom;email;genre;age\n"
    "1;Ada;ada@exemple.org;femme;jeune\n"
    "2;Bob;;homme;senior\n"
    "3;Cléo;cleo@exemple.org;Femme;senior\n"
)


def codes(error):
    return [(p.code, p.line, p.column) for p in error.value.problems]


def test_french_excel_files_with_semicolons_a_bom_and_windows_1252_are_read():
    text = engine.decode(("\ufeff" + CANDIDATES).encode("utf-8"))
    assert engine.parse_inputs(text, QUOTAS).candidates[2]["name"] == "Cléo"
    windows = engine.decode(CANDIDATES.encode("cp1252"))
    inputs = engine.parse_inputs(windows, QUOTAS)
    assert inputs.candidates[2]["name"] == "Cléo"
    assert inputs.candidates[2]["features"] == {"genre": "femme", "age": "senior"}  # case of the quotas file
    assert inputs.has_email


def test_comma_separated_files_and_english_headers_are_read_too():
    quotas = "feature,value,min,max\ngenre,femme,1,2\ngenre,homme,1,2\nage,jeune,0,2\nage,senior,0,2\n"
    candidates = CANDIDATES.replace(";", ",").replace("id,nom", "ID,Name")
    assert [p["id"] for p in engine.parse_inputs(candidates, quotas).candidates] == ["1", "2", "3"]


def test_a_spreadsheet_or_a_binary_file_is_refused():
    with pytest.raises(engine.InputProblems) as error:
        engine.decode(b"PK\x03\x04rest of a zip")
    assert codes(error) == [("spreadsheet_not_csv", None, "")]
    with pytest.raises(engine.InputProblems):
        engine.decode(b"id;nom\x00")


def test_missing_columns_unknown_values_and_repeated_ids_are_all_reported_with_their_line():
    candidates = (
        "id;nom;genre;age\n"
        "1;Ada;femme;jeune\n"
        "1;Bob;homme;senior\n"
        "3;Cléo;F;senior\n"
        ";Dan;homme;jeune\n"
        "5;Eve;;jeune\n"
    )
    with pytest.raises(engine.InputProblems) as error:
        engine.parse_inputs(candidates, QUOTAS)
    assert codes(error) == [
        ("id_repeated", 3, "id"),
        ("value_unknown", 4, "genre"),
        ("id_empty", 5, "id"),
        ("value_empty", 6, "genre"),
    ]
    assert error.value.problems[0].params == {"first_line": 2}
    with pytest.raises(engine.InputProblems) as error:
        engine.parse_inputs("id;nom;age\n1;Ada;jeune\n", QUOTAS)
    assert codes(error) == [("feature_column_missing", 1, "genre")]
    with pytest.raises(engine.InputProblems) as error:
        engine.parse_inputs("nom;genre;age\nAda;femme;jeune\n", QUOTAS)
    assert codes(error) == [("column_missing", 1, "id")]


def test_quota_lines_are_checked_min_below_max_numbers_and_no_repeats():
    quotas = "critere;valeur;min;max\ngenre;femme;3;2\ngenre;homme;un;2\ngenre;femme;1;2\ngenre;Homme;0;1\n"
    with pytest.raises(engine.InputProblems) as error:
        engine.parse_quotas(quotas)
    assert codes(error) == [
        ("quota_min_above_max", 2, ""),
        ("quota_not_number", 3, "min"),
    ]
    with pytest.raises(engine.InputProblems) as error:
        engine.parse_quotas("critere;valeur;min;max\ngenre;femme;0;2\ngenre;Femme;1;2\n")
    assert codes(error) == [("quota_repeated", 3, "")]


def test_the_panel_size_is_checked_against_the_pool_the_minima_the_maxima_and_each_value():
    inputs = engine.parse_inputs(CANDIDATES, QUOTAS)
    assert engine.check_numbers(inputs, 3) == []
    assert [(p.code, p.value) for p in engine.check_numbers(inputs, 5)] == [
        ("panel_above_pool", ""),
        ("maxima_below_panel", "genre"),
        ("maxima_below_panel", "age"),
    ]
    strict = QUOTAS.replace("genre;femme;1;2", "genre;femme;3;3")
    problems = engine.check_numbers(engine.parse_inputs(CANDIDATES, strict), 3)
    assert [(p.code, p.value) for p in problems] == [
        ("minima_above_panel", "genre"),
        ("not_enough_people", "genre / femme"),
    ]


def test_the_example_files_are_a_feasible_draw():
    candidates, quotas = samples.example_files()
    inputs = engine.parse_inputs(candidates, quotas)
    assert len(inputs.candidates) == 40
    assert engine.check_numbers(inputs, 12) == []


def test_the_draw_runs_in_a_fresh_interpreter_with_the_hash_seed_fixed_and_without_the_sites_secrets(
    monkeypatch,
):
    seen = {}

    class Completed:
        returncode = 0
        stdout = b'HiGHS says hello\n@@PARVIS-RESULT@@\n{"ok": true, "selected": ["1"]}'
        stderr = b""

    def fake_run(command, **kwargs):
        seen.update(kwargs, command=command)
        return Completed()

    monkeypatch.setenv("SECRET_KEY", "not-for-the-child")
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/parvis")
    monkeypatch.setattr(engine.subprocess, "run", fake_run)
    result = engine.run_in_subprocess(
        timeout=5, candidates_csv="", quotas_csv="", panel_size=1, seed=2**32 + 7, algorithm="legacy"
    )
    assert result == {"ok": True, "selected": ["1"]}
    assert seen["command"][1:] == ["-m", "sortition.engine"]
    assert seen["env"]["PYTHONHASHSEED"] == "7"
    assert "SECRET_KEY" not in seen["env"] and "DATABASE_URL" not in seen["env"]
