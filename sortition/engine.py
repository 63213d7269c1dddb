"""The draw itself, without Django: reading the two CSV files and running `sortition-algorithms`.

Everything here is a pure function of the kept inputs (the files' text, the panel size, the seed, the
algorithm), so that a draw can be run again and give the same panel. Two things make that true:

- the package draws its random numbers from Python's `random`, seeded with the draw's seed;
- the maximin, nash and leximin algorithms iterate over sets of panels, whose order depends on Python's
  string hashing, which is randomised per process. `run_in_subprocess` therefore runs the draw in a fresh
  interpreter with `PYTHONHASHSEED` derived from the seed (`python -m sortition.engine`), which also keeps
  the package's global random state and the solver's console output away from the web or worker process.

Errors are returned as data (`code` + parameters + line and column), never as sentences: the caller
(`sortition.services`) turns them into French messages.
"""

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field

ALGORITHMS = ("maximin", "nash", "legacy")
MAX_ERRORS = 25

# Accepted column names (compared without case, accents or surrounding spaces); the first is the canonical.
CANDIDATE_COLUMNS = {
    "id": ("id", "identifiant", "numero", "no", "n°"),
    "name": ("nom", "name", "nom complet", "prenom nom", "nom prenom"),
    "email": ("email", "e-mail", "courriel", "mail", "adresse electronique"),
    "phone": ("telephone", "tel", "phone", "portable", "mobile"),
}
QUOTA_COLUMNS = {
    "feature": ("critere", "feature", "category", "categorie", "caracteristique"),
    "value": ("valeur", "value", "modalite", "name", "category value", "category_value"),
    "min": ("min", "minimum"),
    "max": ("max", "maximum"),
}


def normalise(text: str) -> str:
    """Lower case, accents removed, spaces squeezed: how headers and values are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


@dataclass
class Problem:
    """A problem found in an input: `code` tells which, the rest says where."""

    code: str
    file: str  # "candidates", "quotas" or "" (the draw's settings)
    line: int | None = None
    column: str = ""
    value: str = ""
    params: dict = field(default_factory=dict)

    def as_dict(self):
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "params": self.params,
        }


class InputProblems(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# -- Reading CSV text ----------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252 (French Excel's "CSV"); a
    spreadsheet or a binary file is refused."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputProblems([Problem("spreadsheet_not_csv", "")])
    if b"\x00" in data:
        raise InputProblems([Problem("binary_file", "")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """`;` (French Excel), `,` or a tab: the one the header line holds most of."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


@dataclass
class Table:
    headers: list  # as written
    keys: list  # normalised
    rows: list  # [(line number, [cells])]


def read_table(text: str, file: str) -> Table:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    headers, rows = None, []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            rows.append((reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise InputProblems(
            [Problem("csv_error", file, reader.line_num, params={"detail": str(error)})]
        ) from None
    if headers is None:
        raise InputProblems([Problem("empty_file", file)])
    keys = [normalise(h) for h in headers]
    return Table(headers=headers, keys=keys, rows=rows)


def _find_columns(table: Table, wanted: dict, file: str, required: tuple):
    """{canonical name: index} for the columns found; problems for missing or repeated ones."""
    found, problems = {}, []
    for name, aliases in wanted.items():
        indexes = [i for i, key in enumerate(table.keys) if key in aliases]
        if len(indexes) > 1:
            problems.append(
                Problem("column_repeated", file, 1, table.headers[indexes[0]], params={"name": aliases[0]})
            )
        elif indexes:
            found[name] = indexes[0]
        elif name in required:
            problems.append(Problem("column_missing", file, 1, aliases[0], params={"name": aliases[0]}))
    return found, problems


def _cell(cells, index):
    return cells[index] if index < len(cells) else ""


# -- Quotas --------------------------------------------------------------------------------------------


@dataclass
class Quota:
    feature: str  # as first written
    value: str
    min: int
    max: int
    line: int


@dataclass
class Inputs:
    candidates: list  # [{"id", "name", "email", "phone", "line", "features": {feature: value}}]
    features: dict  # {feature: {value: Quota}} in the quotas file's order
    feature_columns: dict  # {feature: header as written in the candidates file}
    extra_columns: list  # other headers of the candidates file (kept, unused)
    has_email: bool


def parse_quotas(text: str):
    table = read_table(text, "quotas")
    columns, problems = _find_columns(table, QUOTA_COLUMNS, "quotas", ("feature", "value", "min", "max"))
    if problems:
        raise InputProblems(problems)
    features: dict = {}
    names: dict = {}  # normalised feature → as first written
    for line, cells in table.rows:
        feature = _cell(cells, columns["feature"])
        value = _cell(cells, columns["value"])
        if not feature:
            problems.append(Problem("quota_feature_empty", "quotas", line, table.headers[columns["feature"]]))
            continue
        if not value:
            problems.append(Problem("quota_value_empty", "quotas", line, table.headers[columns["value"]]))
            continue
        numbers = {}
        for bound in ("min", "max"):
            raw = _cell(cells, columns[bound])
            try:
                numbers[bound] = int(raw)
                if numbers[bound] < 0:
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem("quota_not_number", "quotas", line, table.headers[columns[bound]], raw)
                )
        if len(numbers) < 2:
            continue
        if numbers["min"] > numbers["max"]:
            problems.append(
                Problem(
                    "quota_min_above_max",
                    "quotas",
                    line,
                    value=f"{feature} / {value}",
                    params={"min": numbers["min"], "max": numbers["max"]},
                )
            )
            continue
        key = normalise(feature)
        feature = names.setdefault(key, feature)
        values = features.setdefault(feature, {})
        if any(normalise(v) == normalise(value) for v in values):
            first = next(q for v, q in values.items() if normalise(v) == normalise(value))
            problems.append(
                Problem(
                    "quota_repeated",
                    "quotas",
                    line,
                    value=f"{feature} / {value}",
                    params={"first_line": first.line},
                )
            )
            continue
        values[value] = Quota(feature, value, numbers["min"], numbers["max"], line)
    if not features and not problems:
        problems.append(Problem("quotas_empty", "quotas"))
    if problems:
        raise InputProblems(problems)
    return features


# -- Candidates ----------------------------------------------------------------------------------------


def parse_inputs(candidates_text: str, quotas_text: str) -> Inputs:
    """Both files read and checked against each other; InputProblems lists everything wrong at once
    (up to MAX_ERRORS)."""
    features = parse_quotas(quotas_text)
    table = read_table(candidates_text, "candidates")
    columns, problems = _find_columns(table, CANDIDATE_COLUMNS, "candidates", ("id", "name"))
    feature_index = {}
    for feature in features:
        indexes = [i for i, key in enumerate(table.keys) if key == normalise(feature)]
        if not indexes:
            problems.append(
                Problem("feature_column_missing", "candidates", 1, feature, params={"name": feature})
            )
        elif len(indexes) > 1:
            problems.append(Problem("column_repeated", "candidates", 1, feature, params={"name": feature}))
        else:
            feature_index[feature] = indexes[0]
    if problems:
        raise InputProblems(problems)
    used = set(columns.values()) | set(feature_index.values())
    extra = [h for i, h in enumerate(table.headers) if i not in used and h]
    lookups = {f: {normalise(v): v for v in values} for f, values in features.items()}
    candidates, seen = [], {}
    for line, cells in table.rows:
        if len(problems) >= MAX_ERRORS:
            break
        person_id = _cell(cells, columns["id"])
        if not person_id:
            problems.append(Problem("id_empty", "candidates", line, table.headers[columns["id"]]))
            continue
        if person_id in seen:
            problems.append(
                Problem(
                    "id_repeated",
                    "candidates",
                    line,
                    table.headers[columns["id"]],
                    person_id,
                    {"first_line": seen[person_id]},
                )
            )
            continue
        seen[person_id] = line
        person = {
            "id": person_id,
            "name": _cell(cells, columns["name"]),
            "email": _cell(cells, columns["email"]) if "email" in columns else "",
            "phone": _cell(cells, columns["phone"]) if "phone" in columns else "",
            "line": line,
            "features": {},
        }
        if not person["name"]:
            problems.append(Problem("name_empty", "candidates", line, table.headers[columns["name"]]))
        for feature, index in feature_index.items():
            raw = _cell(cells, index)
            value = lookups[feature].get(normalise(raw))
            if value is None:
                problems.append(
                    Problem(
                        "value_empty" if not raw else "value_unknown",
                        "candidates",
                        line,
                        table.headers[index],
                        raw,
                        {"expected": ", ".join(features[feature])},
                    )
                )
                continue
            person["features"][feature] = value
        candidates.append(person)
    if not candidates and not problems:
        problems.append(Problem("candidates_empty", "candidates"))
    if problems:
        raise InputProblems(problems[:MAX_ERRORS])
    return Inputs(
        candidates=candidates,
        features=features,
        feature_columns={f: table.headers[i] for f, i in feature_index.items()},
        extra_columns=extra,
        has_email="email" in columns,
    )


def check_numbers(inputs: Inputs, panel_size: int) -> list:
    """What makes the quotas impossible before any draw: the panel size against the pool and against each
    feature's minima and maxima, and each value's minimum against the people who have it."""
    problems = []
    counts = pool_counts(inputs)
    if panel_size < 1:
        problems.append(Problem("panel_size_zero", ""))
    elif panel_size > len(inputs.candidates):
        problems.append(Problem("panel_above_pool", "", params={"pool": len(inputs.candidates)}))
    for feature, values in inputs.features.items():
        low = sum(q.min for q in values.values())
        high = sum(q.max for q in values.values())
        if low > panel_size:
            problems.append(Problem("minima_above_panel", "quotas", value=feature, params={"sum": low}))
        if high < panel_size:
            problems.append(Problem("maxima_below_panel", "quotas", value=feature, params={"sum": high}))
        for value, quota in values.items():
            if counts[feature][value] < quota.min:
                problems.append(
                    Problem(
                        "not_enough_people",
                        "quotas",
                        quota.line,
                        value=f"{feature} / {value}",
                        params={"count": counts[feature][value], "min": quota.min},
                    )
                )
    return problems


def pool_counts(inputs: Inputs, ids=None) -> dict:
    """{feature: {value: number of candidates (of `ids` if given) with it}}."""
    wanted = None if ids is None else set(ids)
    counts = {f: dict.fromkeys(values, 0) for f, values in inputs.features.items()}
    for person in inputs.candidates:
        if wanted is not None and person["id"] not in wanted:
            continue
        for feature, value in person["features"].items():
            counts[feature][value] += 1
    return counts


# -- The draw ------------------------------------------------------------------------------------------


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sortition-algorithms")
    except PackageNotFoundError:
        return ""


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for name in ("sortition-algorithms", "highspy", "numpy", "cvxpy"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def _relaxations(original: dict, relaxed) -> list:
    """What the package suggests changing, as data: [{feature, value, bound, old, new}]."""
    changes = []
    for feature, values in original.items():
        for value, quota in values.items():
            suggestion = relaxed[feature][value]
            if suggestion.min < quota.min:
                changes.append(
                    {
                        "feature": feature,
                        "value": value,
                        "bound": "min",
                        "old": quota.min,
                        "new": suggestion.min,
                    }
                )
            if suggestion.max > quota.max:
                changes.append(
                    {
                        "feature": feature,
                        "value": value,
                        "bound": "max",
                        "old": quota.max,
                        "new": suggestion.max,
                    }
                )
    return changes


def _short_report(report) -> str:
    """The package's report as text, without the tables of every candidate's probability (long, and
    only candidates' ids)."""
    from sortition_algorithms.utils import RunTable

    kept = [e for e in report._data if not (isinstance(e, RunTable) and len(e.data) > 60)]
    report._data = kept
    return report.as_text()[:20000]


def run(*, candidates_csv: str, quotas_csv: str, panel_size: int, seed: int, algorithm: str) -> dict:
    """Draw the panel. Returns {"ok", "selected" (ids in the file's order), "report", "info"} or, on
    failure, {"ok": False, "error": {"code", ...}}."""
    started = time.monotonic()
    info = {"versions": _versions(), "hash_seed": os.environ.get("PYTHONHASHSEED", "")}
    try:
        inputs = parse_inputs(candidates_csv, quotas_csv)
    except InputProblems as error:
        return {"ok": False, "error": {"code": "inputs", "problems": [p.as_dict() for p in error.problems]}}
    problems = check_numbers(inputs, panel_size)
    if problems:
        return {"ok": False, "error": {"code": "inputs", "problems": [p.as_dict() for p in problems]}}
    if algorithm not in ALGORITHMS:
        return {"ok": False, "error": {"code": "algorithm", "algorithm": algorithm}}

    from sortition_algorithms import Settings, errors, read_in_features, read_in_people, run_stratification
    from sortition_algorithms.core import find_random_sample

    # The package's own column names are internal: feature values are passed as read above.
    feature_rows = [
        {"feature": f, "value": v, "min": str(q.min), "max": str(q.max)}
        for f, values in inputs.features.items()
        for v, q in values.items()
    ]
    features, _fc, _vc = read_in_features(["feature", "value", "min", "max"], feature_rows)
    settings = Settings(
        id_column="parvis_id",
        columns_to_keep=[],
        check_same_address=False,
        selection_algorithm=algorithm,
        random_number_seed=seed,
        max_attempts=100,
    )
    head = ["parvis_id", *inputs.features]
    body = [{"parvis_id": p["id"], **p["features"]} for p in inputs.candidates]
    people, _report = read_in_people(head, body, features, settings)
    ok, panels, report = run_stratification(features, people, panel_size, settings)
    info["seconds"] = round(time.monotonic() - started, 3)
    if ok:
        chosen = set(panels[0])
        selected = [p["id"] for p in inputs.candidates if p["id"] in chosen]
        return {"ok": True, "selected": selected, "report": _short_report(report), "info": info}

    failure = report.last_error()
    if not isinstance(failure, errors.InfeasibleQuotasError | errors.InfeasibleQuotasCantRelaxError):
        # The legacy algorithm gives up without saying why: ask the solver whether any panel exists.
        try:
            find_random_sample(features, people, panel_size, [], test_selection=True)
        except (errors.InfeasibleQuotasError, errors.InfeasibleQuotasCantRelaxError) as error:
            failure = error
        except Exception:  # noqa: S110 - the first failure is the one to report
            pass
    if isinstance(failure, errors.InfeasibleQuotasError):
        error = {"code": "infeasible", "changes": _relaxations(inputs.features, failure.features)}
    elif isinstance(failure, errors.InfeasibleQuotasCantRelaxError):
        error = {"code": "infeasible", "changes": []}
    else:
        error = {"code": "selection_failed", "detail": str(failure or "")[:2000]}
    return {"ok": False, "error": error, "report": _short_report(report), "info": info}


ENV_PASSED = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "VIRTUAL_ENV",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
)


def hash_seed(seed: int) -> str:
    return str(seed % 4294967296)


def run_in_subprocess(*, timeout: float, **params) -> dict:
    """`run` in a fresh interpreter whose string hashing is fixed by the seed (see the module's note)."""
    # Only what an interpreter needs: the site's secrets and database settings stay out of the child.
    env = {key: os.environ[key] for key in ENV_PASSED if key in os.environ}
    env["PYTHONHASHSEED"] = hash_seed(params["seed"])
    try:
        completed = subprocess.run(  # our own module, with our own interpreter
            [sys.executable, "-m", "sortition.engine"],
            input=json.dumps(params).encode(),
            capture_output=True,
            timeout=timeout,
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": {"code": "timeout", "seconds": timeout}}
    marker = b"\n@@PARVIS-RESULT@@\n"
    if completed.returncode != 0 or marker not in completed.stdout:
        tail = completed.stderr.decode(errors="replace")[-2000:]
        return {"ok": False, "error": {"code": "crashed", "detail": tail}}
    return json.loads(completed.stdout.rsplit(marker, 1)[1])


def main():
    """`python -m sortition.engine`: parameters as JSON on stdin, the result as JSON on stdout after a
    marker (the solver writes its own lines to the same stream)."""
    params = json.loads(sys.stdin.read())
    result = run(**params)
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(b"\n@@PARVIS-RESULT@@\n" + json.dumps(result).encode())
    out.flush()


if __name__ == "__main__":
    main()
