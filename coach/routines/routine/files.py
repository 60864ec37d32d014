"""Reading and checking routine files (``coach routine check``, the editor and the app)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from coach.routines.catalogue import Catalogue, unknown_message
from coach.routines.routine.models import _SCHEMA_RE, ROUTINE_SCHEMA_VERSION, Routine
from coach.routines.routine.resolve import Issue, ResolvedRoutine, check_routine, resolve
from coach.routines.yamlio import (
    FileProblems,
    Problem,
    locate,
    parse_yaml,
    read_text,
    validate_data,
)

# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`check_routine_file`."""

    path: str
    routine: Routine | None
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _future_schema(root: Any, data: Any, filename: str) -> Problem | None:
    """A file written for a newer coach gets one clear message, not a list of unknown keys."""
    if not isinstance(data, dict):
        return None
    value = data.get("schema")
    if not isinstance(value, str):
        return None
    m = _SCHEMA_RE.match(value.strip())
    if m and int(m.group(1)) > ROUTINE_SCHEMA_VERSION:
        line, col = locate(root, ("schema",))
        return Problem(
            filename,
            line,
            col,
            f"schema: this routine was written for a newer coach (format version {m.group(1)}); this coach reads version {ROUTINE_SCHEMA_VERSION}",
            "update coach, or ask your therapist for a version 1 file",
        )
    return None


def parse_routine(text: str, filename: str) -> tuple[Routine, Any]:
    """Validate routine YAML ``text``; returns the routine and the node tree (for positions).

    Raises
    ------
    FileProblems
        Malformed YAML, wrong types, unknown keys, values outside the envelope, a future format.
    """
    root, data = parse_yaml(text, filename)
    future = _future_schema(root, data, filename)
    if future is not None:
        raise FileProblems([future])
    return validate_data(root, data, Routine, filename), root


def _raw_unknown_exercises(
    root: Any, data: Any, catalogue: Catalogue, filename: str
) -> list[Problem]:
    """Unknown exercise ids in a file that failed validation: a typo in an id is the most
    common mistake, so it is reported together with the other problems, not one round later."""
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        return []
    items: list[tuple[tuple[Any, ...], Any]] = []
    for b, block in enumerate(data["blocks"]):
        if isinstance(block, dict) and isinstance(block.get("items"), list):
            items += [(("blocks", b, "items", i), item) for i, item in enumerate(block["items"])]
    customs = [
        item["custom"]["id"]
        for _, item in items
        if isinstance(item, dict)
        and isinstance(item.get("custom"), dict)
        and isinstance(item["custom"].get("id"), str)
    ]
    known = [*catalogue.exercises, *customs]
    problems = []
    for loc, item in items:
        ex = item.get("exercise") if isinstance(item, dict) else None
        if isinstance(ex, str) and re.fullmatch(r"[a-z][a-z0-9_]*", ex) and ex not in known:
            issue = Issue(
                (*loc, "exercise"),
                unknown_message("exercise", ex, known),
                "run 'coach exercises' to list the catalogue",
            )
            problems.append(issue.to_problem(filename, root))
    return problems


def check_routine_file(
    path: str | Path, catalogue: Catalogue, today: date | None = None
) -> CheckResult:
    """Load and fully check one routine file; never raises for a bad file.

    Problems come sorted by position. When the file does not validate, unknown exercise ids
    are still reported alongside the other problems. This is what ``coach routine check``
    prints; the routine editor shows the result of :func:`check_routine_text` on the text it
    would save, so both list the same problems in the same words and order.
    """
    name = str(path)
    try:
        text = read_text(path)
    except FileProblems as exc:
        return CheckResult(name, None, tuple(exc.problems), ())
    return check_routine_text(text, name, catalogue, today)


def check_routine_text(
    text: str, name: str, catalogue: Catalogue, today: date | None = None
) -> CheckResult:
    """Fully check routine YAML ``text`` (as if read from a file called ``name``).

    The one checking function behind ``coach routine check``, the routine editor and the app's
    "Open a routine file…": errors sorted by position, then warnings sorted by position.
    """

    def by_position(ps: list[Problem]) -> tuple[Problem, ...]:
        return tuple(sorted(ps, key=lambda p: (p.line, p.col)))

    try:
        root, data = parse_yaml(text, name)
    except FileProblems as exc:
        return CheckResult(name, None, tuple(exc.problems), ())
    future = _future_schema(root, data, name)
    if future is not None:
        return CheckResult(name, None, (future,), ())
    try:
        routine = validate_data(root, data, Routine, name)
    except FileProblems as exc:
        extra = _raw_unknown_exercises(root, data, catalogue, name)
        return CheckResult(name, None, by_position([*exc.problems, *extra]), ())
    issues = check_routine(routine, catalogue, today)
    errors = by_position([i.to_problem(name, root) for i in issues if i.severity == "error"])
    warnings = by_position([i.to_problem(name, root) for i in issues if i.severity == "warning"])
    return CheckResult(name, routine if not errors else None, errors, warnings)


def load_routine(
    path: str | Path, catalogue: Catalogue, today: date | None = None
) -> ResolvedRoutine:
    """Load, check and resolve a routine file: what the app calls.

    An expired routine is an error here too (the app should not run it silently); use
    :func:`parse_routine` + :func:`resolve` to look at an expired one.

    Raises
    ------
    FileProblems
        Every error with its ``FILE:LINE:COL`` position.
    """
    today = today or date.today()
    result = check_routine_file(path, catalogue, today)
    if result.errors or result.routine is None:
        raise FileProblems(list(result.errors))
    return resolve(result.routine, catalogue, today)
