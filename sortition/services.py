"""Sortition: creating a draw from two CSV files, running it in the background, running it again to check
it, inviting the panel into the council's "drawn by lot" college.

The candidate file holds personal data (names, contacts, features): it is kept with the draw so that the
draw can be checked, and shown only on the council's sortition screens in the admin, to the council's
editors and the communications team — never on the public site.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from councils.models import College, CouncilPage
from members.services import councils_managed_by, invitation_create, roles_manageable_by

from . import engine
from .models import DrawStatus, SortitionDraw

ACTION_DRAW = "parvis.sortition_draw"
ACTION_DRAW_INVITE = "parvis.sortition_invite"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SEED = 10**15
ALGORITHM_CHOICES = (
    ("maximin", "maximin"),
    ("nash", "nash"),
    ("legacy", "legacy"),
)
DEFAULT_TIMEOUT = 1500  # seconds; below the worker's stale-task limit (PARVIS_TASK_STALE_AFTER, 1800)


# -- Who may draw ----------------------------------------------------------------------------------------


def draws_manageable_by(*, user, council: CouncilPage) -> bool:
    """The council's editors and the communications team: those who may invite the council's members."""
    return bool(roles_manageable_by(user=user, council=council))


def councils_drawing_by(user):
    return councils_managed_by(user)


# -- Messages --------------------------------------------------------------------------------------------


def _problem_messages():
    return {
        "spreadsheet_not_csv": _(
            "This is a spreadsheet (Excel, LibreOffice), not a CSV file: save it as “CSV” and upload it again."
        ),
        "binary_file": _("This is not a text file: save it as “CSV UTF-8” and upload it again."),
        "too_large": _("The file is larger than 5 MB."),
        "csv_error": _("Line %(line)s: the file cannot be read as CSV (%(detail)s)."),
        "empty_file": _("The file is empty."),
        "column_missing": _("Line 1: the column “%(name)s” is missing."),
        "column_repeated": _("Line 1: the column “%(name)s” appears more than once."),
        "quota_feature_empty": _("Line %(line)s, column “%(column)s”: the feature is empty."),
        "quota_value_empty": _("Line %(line)s, column “%(column)s”: the value is empty."),
        "quota_not_number": _(
            "Line %(line)s, column “%(column)s”: “%(value)s” is not a whole number (0 or more)."
        ),
        "quota_min_above_max": _(
            "Line %(line)s (%(value)s): the minimum (%(min)s) is above the maximum (%(max)s)."
        ),
        "quota_repeated": _("Line %(line)s: %(value)s already has a quota on line %(first_line)s."),
        "quotas_empty": _("The quotas file holds no quota."),
        "feature_column_missing": _(
            "Line 1: there is no column “%(name)s”, yet the quotas file sets quotas for this feature."
        ),
        "id_empty": _("Line %(line)s, column “%(column)s”: the identifier is empty."),
        "id_repeated": _(
            "Line %(line)s, column “%(column)s”: the identifier “%(value)s” is already used on line "
            "%(first_line)s."
        ),
        "name_empty": _("Line %(line)s, column “%(column)s”: the name is empty."),
        "value_empty": _("Line %(line)s, column “%(column)s”: the value is empty (expected: %(expected)s)."),
        "value_unknown": _(
            "Line %(line)s, column “%(column)s”: “%(value)s” is not one of the quotas file’s values "
            "(expected: %(expected)s)."
        ),
        "email_invalid": _("Line %(line)s, column “%(column)s”: “%(value)s” is not a valid email address."),
        "candidates_empty": _("The candidates file holds nobody."),
        "panel_size_zero": _("The panel needs at least one person."),
        "panel_above_pool": _("The panel (%(size)s people) is larger than the pool (%(pool)s candidates)."),
        "minima_above_panel": _(
            "Feature “%(value)s”: its minimums add up to %(sum)s, more than the %(size)s people to draw."
        ),
        "maxima_below_panel": _(
            "Feature “%(value)s”: its maximums add up to %(sum)s, fewer than the %(size)s people to draw."
        ),
        "not_enough_people": _(
            "Line %(line)s (%(value)s): the minimum is %(min)s but only %(count)s candidates have this value."
        ),
    }


def problem_message(problem: dict, *, panel_size=None) -> str:
    template = _problem_messages().get(problem["code"], problem["code"])
    values = {
        "line": problem.get("line"),
        "column": problem.get("column", ""),
        "value": problem.get("value", ""),
        "size": panel_size,
        **problem.get("params", {}),
    }
    return template % values


def error_message(error: dict, *, panel_size=None) -> str:
    """The French sentence for a failed draw (`error` as `engine.run` returns it)."""
    code = error.get("code")
    if code == "infeasible":
        changes = error.get("changes") or []
        if not changes:
            return _(
                "The quotas cannot all be met with these candidates, even by loosening them: check the quotas "
                "against the pool."
            )
        parts = []
        for change in changes:
            template = (
                _("“%(feature)s: %(value)s”, minimum from %(old)s to %(new)s")
                if change["bound"] == "min"
                else _("“%(feature)s: %(value)s”, maximum from %(old)s to %(new)s")
            )
            parts.append(template % change)
        return _(
            "The quotas cannot all be met with these candidates: no panel of this size satisfies them together. "
            "The smallest change that makes a panel possible: %(changes)s."
        ) % {"changes": "; ".join(parts)}
    if code == "timeout":
        return _(
            "The draw took longer than %(minutes)s minutes and was stopped. Try the “legacy” algorithm, or a "
            "smaller pool."
        ) % {"minutes": round(error.get("seconds", 0) / 60)}
    if code == "inputs":
        return " ".join(problem_message(p, panel_size=panel_size) for p in error.get("problems", []))
    if code == "algorithm":
        return _("Unknown algorithm “%(algorithm)s”.") % {"algorithm": error.get("algorithm", "")}
    if code == "interrupted":
        return _("The draw was interrupted (the background worker stopped). Start a new draw.")
    if code == "selection_failed":
        return _("The algorithm found no panel: %(detail)s") % {"detail": error.get("detail", "")}
    return _(
        "The draw stopped on an unexpected error; the technical log says more. Tell the platform administrator."
    )


# -- Creating a draw -------------------------------------------------------------------------------------


def _read_upload(upload, field, errors):
    if upload is None:
        errors.setdefault(field, []).append(_("Choose a file."))
        return None
    if isinstance(upload, str):
        return upload
    if isinstance(upload, bytes):
        data = upload
    else:
        if getattr(upload, "size", 0) > MAX_FILE_BYTES:
            errors.setdefault(field, []).append(problem_message({"code": "too_large"}))
            return None
        upload.seek(0)
        data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        errors.setdefault(field, []).append(problem_message({"code": "too_large"}))
        return None
    try:
        return engine.decode(data)
    except engine.InputProblems as error:
        errors.setdefault(field, []).extend(problem_message(p.as_dict()) for p in error.problems)
        return None


FIELD_OF_FILE = {"candidates": "candidates_file", "quotas": "quotas_file", "": "panel_size"}


def draw_check_inputs(*, candidates_text: str, quotas_text: str, panel_size: int):
    """The two files read and checked together: (engine.Inputs, {} ) or (None, {field: [French messages]})."""
    errors: dict = {}
    try:
        inputs = engine.parse_inputs(candidates_text, quotas_text)
    except engine.InputProblems as error:
        for problem in error.problems:
            field = FIELD_OF_FILE[problem.file]
            errors.setdefault(field, []).append(problem_message(problem.as_dict(), panel_size=panel_size))
        return None, errors
    email_column = next(
        (
            h
            for h in engine.read_table(candidates_text, "candidates").headers
            if engine.normalise(h) in engine.CANDIDATE_COLUMNS["email"]
        ),
        "email",
    )
    for person in inputs.candidates:
        if person["email"]:
            try:
                validate_email(person["email"])
            except ValidationError:
                problem = {
                    "code": "email_invalid",
                    "line": person["line"],
                    "column": email_column,
                    "value": person["email"],
                }
                errors.setdefault("candidates_file", []).append(problem_message(problem))
    for problem in engine.check_numbers(inputs, panel_size):
        field = FIELD_OF_FILE[problem.file]
        errors.setdefault(field, []).append(problem_message(problem.as_dict(), panel_size=panel_size))
    return (None if errors else inputs), errors


def new_seed() -> int:
    """A seed nobody chose: 9 digits from the system's secure generator (easy to read out in public)."""
    return secrets.randbelow(999_999_999) + 1


@transaction.atomic
def draw_create(
    *,
    council: CouncilPage,
    title: str,
    panel_size: int,
    candidates_file,
    quotas_file,
    seed: int | None = None,
    algorithm: str = "maximin",
    by,
) -> SortitionDraw:
    """Check the inputs, keep them verbatim with the seed, the algorithm and the package's version, and
    start the draw in the background. Raises ValidationError({field: [messages]}) on bad input."""
    if not draws_manageable_by(user=by, council=council):
        raise PermissionDenied
    errors: dict = {}
    if algorithm not in dict(ALGORITHM_CHOICES):
        errors["algorithm"] = [_("Choose one of the algorithms offered.")]
    if seed is not None and not 1 <= seed <= MAX_SEED:
        errors["seed"] = [_("The seed is a whole number from 1 to 1,000,000,000,000,000.")]
    candidates_text = _read_upload(candidates_file, "candidates_file", errors)
    quotas_text = _read_upload(quotas_file, "quotas_file", errors)
    if candidates_text is not None and quotas_text is not None:
        _inputs, problems = draw_check_inputs(
            candidates_text=candidates_text, quotas_text=quotas_text, panel_size=panel_size
        )
        for field, messages in problems.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    draw = SortitionDraw.objects.create(
        council=council,
        title=title.strip() or _("Draw"),
        panel_size=panel_size,
        candidates_csv=candidates_text,
        quotas_csv=quotas_text,
        seed=seed or new_seed(),
        algorithm=algorithm,
        package_version=engine.package_version(),
        created_by=by,
    )
    log(
        instance=council,
        action=ACTION_DRAW,
        user=by,
        data={
            "draw_id": draw.pk,
            "title": draw.title,
            "panel_size": panel_size,
            "seed": draw.seed,
            "algorithm": algorithm,
        },
    )
    transaction.on_commit(lambda: _enqueue(draw.pk))
    return draw


def _enqueue(draw_id):
    from .tasks import draw_run as draw_run_task

    result = draw_run_task.enqueue(draw_id)
    SortitionDraw.objects.filter(pk=draw_id).exclude(status__in=[DrawStatus.DONE, DrawStatus.FAILED]).update(
        task_id=str(result.id)
    )


# -- Running it ------------------------------------------------------------------------------------------


def _timeout():
    return getattr(settings, "PARVIS_SORTITION_TIMEOUT", DEFAULT_TIMEOUT)


def draw_compute(*, draw: SortitionDraw) -> dict:
    """Run the algorithm on the draw's kept inputs (in a fresh interpreter, see `sortition.engine`)."""
    return engine.run_in_subprocess(
        timeout=_timeout(),
        candidates_csv=draw.candidates_csv,
        quotas_csv=draw.quotas_csv,
        panel_size=draw.panel_size,
        seed=draw.seed,
        algorithm=draw.algorithm,
    )


def _in_site_language(function, *args, **kwargs):
    with translation.override(settings.LANGUAGE_CODE):
        return function(*args, **kwargs)


def draw_run(*, draw: SortitionDraw) -> SortitionDraw:
    """Draw the panel and record it: status done with the selected ids, or failed with a French message."""
    updated = SortitionDraw.objects.filter(pk=draw.pk, status=DrawStatus.PENDING).update(
        status=DrawStatus.RUNNING, started_at=timezone.now()
    )
    if not updated:
        draw.refresh_from_db()
        return draw  # already run (a task delivered twice)
    result = draw_compute(draw=draw)
    draw.refresh_from_db()
    draw.report = result.get("report", "")
    draw.run_info = {**draw.run_info, **result.get("info", {})}
    draw.finished_at = timezone.now()
    if result.get("ok"):
        draw.status = DrawStatus.DONE
        draw.selected_ids = result["selected"]
        draw.error = ""
    else:
        draw.status = DrawStatus.FAILED
        draw.selected_ids = []
        draw.run_info["error"] = result["error"]
        draw.error = _in_site_language(error_message, result["error"], panel_size=draw.panel_size)
    draw.save()
    return draw


def draw_check_interrupted(*, draw: SortitionDraw) -> SortitionDraw:
    """A draw whose background task failed (a worker killed, a stale task) is marked failed."""
    if not draw.is_running or not draw.task_id:
        return draw
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from .tasks import draw_run as draw_run_task

    try:
        result = draw_run_task.get_result(draw.task_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return draw
    if result.status == TaskResultStatus.FAILED:
        error = {"code": "interrupted"}
        SortitionDraw.objects.filter(pk=draw.pk, status__in=[DrawStatus.PENDING, DrawStatus.RUNNING]).update(
            status=DrawStatus.FAILED,
            error=_in_site_language(error_message, error),
            run_info={**draw.run_info, "error": error},
            finished_at=timezone.now(),
        )
        draw.refresh_from_db()
    return draw


@dataclass
class RerunResult:
    identical: bool
    selected: list
    previous: list
    error: str = ""


def draw_rerun(*, draw: SortitionDraw) -> RerunResult:
    """Run the draw again from its kept inputs and compare with the recorded panel (or failure)."""
    result = draw_compute(draw=draw)
    selected = result.get("selected", []) if result.get("ok") else []
    error = "" if result.get("ok") else error_message(result["error"], panel_size=draw.panel_size)
    if draw.status == DrawStatus.DONE:
        identical = bool(result.get("ok")) and selected == list(draw.selected_ids)
    else:
        identical = not result.get("ok") and result["error"].get("code") == draw.run_info.get(
            "error", {}
        ).get("code")
    return RerunResult(identical=identical, selected=selected, previous=list(draw.selected_ids), error=error)


def draw_verify_request(*, draw: SortitionDraw, by) -> SortitionDraw:
    """Ask for the draw to be run again in the background (button "Vérifier (rejouer)")."""
    if not draws_manageable_by(user=by, council=draw.council):
        raise PermissionDenied
    if draw.is_running:
        raise ValidationError(_("The draw is still running: check it once it is finished."))
    draw.verify_requested_at = timezone.now()
    draw.save(update_fields=["verify_requested_at"])

    def enqueue():
        from .tasks import draw_verify

        draw_verify.enqueue(draw.pk)

    transaction.on_commit(enqueue)
    return draw


def draw_verify(*, draw: SortitionDraw) -> SortitionDraw:
    outcome = draw_rerun(draw=draw)
    SortitionDraw.objects.filter(pk=draw.pk).update(
        verified_at=timezone.now(), verified_identical=outcome.identical
    )
    draw.refresh_from_db()
    return draw


# -- What the screens show -------------------------------------------------------------------------------


def draw_inputs(*, draw: SortitionDraw):
    return engine.parse_inputs(draw.candidates_csv, draw.quotas_csv)


def draw_panel(*, draw: SortitionDraw):
    """(people drawn in the file's order, the quota table [{feature, value, min, max, pool, achieved, ok}],
    the features' names)."""
    try:
        inputs = draw_inputs(draw=draw)
    except engine.InputProblems:
        # Kept inputs that no longer read (written by hand, an older format): show what can be shown.
        inputs = engine.Inputs(
            candidates=[], features={}, feature_columns={}, extra_columns=[], has_email=False
        )
    chosen = set(draw.selected_ids)
    people = [p for p in inputs.candidates if p["id"] in chosen]
    pool = engine.pool_counts(inputs)
    achieved = engine.pool_counts(inputs, draw.selected_ids)
    quotas = [
        {
            "feature": feature,
            "value": value,
            "min": quota.min,
            "max": quota.max,
            "pool": pool[feature][value],
            "achieved": achieved[feature][value] if chosen else None,
            "ok": quota.min <= achieved[feature][value] <= quota.max,
        }
        for feature, values in inputs.features.items()
        for value, quota in values.items()
    ]
    return people, quotas, list(inputs.features), inputs


# -- Inviting the panel ----------------------------------------------------------------------------------


def drawn_college(*, council: CouncilPage) -> College | None:
    return College.objects.filter(council=council, drawn_by_lot=True).order_by("sort_order", "name").first()


@transaction.atomic
def draw_invite(*, draw: SortitionDraw, by) -> dict:
    """Invite the drawn people who have an email address as members of the council's "drawn by lot"
    college. Returns {"invited": n, "without_email": [ids], "refused": [ids]}."""
    draw = SortitionDraw.objects.select_for_update(of=("self",)).select_related("council").get(pk=draw.pk)
    council = draw.council
    if not draws_manageable_by(user=by, council=council):
        raise PermissionDenied
    if draw.status != DrawStatus.DONE:
        raise ValidationError(_("Only a finished draw’s panel can be invited."))
    if draw.invited_at is not None:
        raise ValidationError(_("This panel was already invited."))
    college = drawn_college(council=council)
    if college is None:
        raise ValidationError(
            _(
                "This council has no college of people drawn by lot. Add one (Members → Manage the colleges, "
                "“drawn by lot” ticked), then invite the panel."
            )
        )
    people, _quotas, _features, _inputs = draw_panel(draw=draw)
    outcome = {"invited": 0, "without_email": [], "refused": [], "college": college.name}
    seen = set()
    for person in people:
        if not person["email"]:
            outcome["without_email"].append(person["id"])
            continue
        if person["email"].strip().lower() in seen:
            # Two drawn people sharing an address: one invitation, the other listed to be reached otherwise.
            outcome["refused"].append(person["id"])
            continue
        seen.add(person["email"].strip().lower())
        try:
            invitation_create(
                council=council, email=person["email"], role="member", invited_by=by, college=college
            )
        except ValidationError:
            outcome["refused"].append(person["id"])
            continue
        outcome["invited"] += 1
    draw.invited_at = timezone.now()
    draw.run_info = {**draw.run_info, "invite": outcome}
    draw.save(update_fields=["invited_at", "run_info"])
    log(
        instance=council,
        action=ACTION_DRAW_INVITE,
        user=by,
        data={
            "draw_id": draw.pk,
            "title": draw.title,
            "invited": outcome["invited"],
            "college": college.name,
        },
    )
    return outcome
