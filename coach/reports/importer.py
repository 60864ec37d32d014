""":func:`import_results`: view a results JSON or a FHIR Bundle again, after checking what a
hand-edited or foreign file may not contain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from coach.reports.fhir import EXERCISE_SYSTEM, LOINC, METRICS_SYSTEM, ROUTINE_VERSION_EXT
from coach.reports.results import (
    RESULTS_SCHEMA,
    FaultResult,
    ItemResult,
    PainRating,
    PainSummary,
    RoutineRef,
    SessionResults,
    SetResult,
    session_results,
)
from coach.store.history import History, SessionRow

# ---------------------------------------------------------------------------------------------
# Import


class ResultsFileError(Exception):
    """A results file cannot be read; the message says why in one line."""


@dataclass(frozen=True)
class ImportedResults:
    """Sessions read back from a results JSON or a FHIR Bundle, for viewing."""

    path: Path
    kind: Literal["json", "fhir"]
    sessions: tuple[SessionResults, ...]


def import_results(path: str | Path, *, max_bytes: int = 50_000_000) -> ImportedResults:
    """Read a results JSON (one session, or a list of them) or a FHIR Bundle JSON.

    FHIR Bundles written by :func:`export_fhir` come back as sessions with their items
    (reps, partial reps, holds, fault counts) and pain ratings; rep-level detail is not part
    of the FHIR mapping.

    Raises
    ------
    ResultsFileError
        Missing, too big, not JSON, or not a results file / Bundle.
    """
    p = Path(path)
    data = _read_json(p, max_bytes)
    try:
        _check_depth(data)
        kind, sessions = _parse_sessions(p, data)
        _check_sessions(p, sessions)
        return ImportedResults(p, kind, sessions)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ()))
        msg = " ".join(str(err.get("msg")).split())
        raise ResultsFileError(f"{p}: {where}: {msg} ({exc.error_count()} problems)") from None
    except ResultsFileError as exc:
        if str(exc).startswith(f"{p}:"):
            raise
        raise ResultsFileError(f"{p}: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{p}: nested more than {MAX_IMPORT_DEPTH} levels deep") from None
    except (ValueError, TypeError, ArithmeticError, AttributeError) as exc:
        # A Bundle that passed the FHIR model but holds values no session can have.
        raise ResultsFileError(f"{p}: not a readable coach Bundle ({_short(str(exc))})") from None


def _read_json(p: Path, max_bytes: int) -> Any:
    """The JSON in ``p`` (strict: no NaN or absurd numbers); one-line errors for anything else."""
    try:
        if p.is_dir():
            raise ResultsFileError(f"{p}: is a folder, not a results file")
        if p.stat().st_size > max_bytes:
            raise ResultsFileError(f"{p}: the file is larger than {max_bytes // 1_000_000} MB")
        return _strict_json(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsFileError(f"{p}: cannot read the file: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"{p}: not a JSON file ({exc})") from None
    except _BadValue as exc:
        raise ResultsFileError(f"{p}: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{p}: nested more than {MAX_IMPORT_DEPTH} levels deep") from None


def _parse_sessions(
    p: Path, data: Any
) -> tuple[Literal["json", "fhir"], tuple[SessionResults, ...]]:
    """The sessions of a FHIR Bundle or of a results JSON (one session or a list)."""
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        sessions = _from_fhir(data)
        if not sessions:
            raise ResultsFileError(
                f"{p}: the FHIR Bundle holds no coach sessions (no Encounter resources)"
            )
        return "fhir", sessions
    items = data if isinstance(data, list) else [data]
    if not items or not all(
        isinstance(x, dict) and x.get("schema") == RESULTS_SCHEMA for x in items
    ):
        raise ResultsFileError(
            f"{p}: not a coach results file (expected 'schema: {RESULTS_SCHEMA}' or a FHIR Bundle)"
        )
    return "json", tuple(SessionResults.model_validate(x) for x in items)


def _check_sessions(p: Path, sessions: tuple[SessionResults, ...]) -> None:
    """Refuse the file at the first session holding values no real session can have."""
    for i, s in enumerate(sessions):
        problems = check_imported(s)
        if problems:
            where = f"session {i + 1}: " if len(sessions) > 1 else ""
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ResultsFileError(f"{p}: {where}{problems[0]}{more}")


# -- import validation: what a hand-edited or foreign file may not contain -----------------------

#: Deeper than any results file or Bundle coach writes (about 10 levels); refuse before walking.
MAX_IMPORT_DEPTH = 64
#: Integers longer than this are not counts or times (Python refuses > 4,300 digits anyway).
MAX_INT_DIGITS = 18
#: A count above this (reps, holds, faults) in one session is not a person's exercise.
MAX_COUNT = 100_000
#: Times a session can have: local-day arithmetic fails outside these years.
YEARS = (1900, 2999)
_PAIN_FIELDS = frozenset({"pre", "post", "next_morning", "pain_after", "value", "stiffness"})
_COUNT_FIELDS = frozenset(
    {
        "reps_counted",
        "reps_partial",
        "holds",
        "sets_planned",
        "reps_planned",
        "count",
        "index",
        "position",
    }
)
_NONNEGATIVE = frozenset(
    {
        "seconds",
        "hold_s",
        "not_visible_s",
        "hold_s_total",
        "hold_s_planned",
        "hold_s_mean",
        "range_deg",
    }
)


class _BadValue(ValueError):
    """A JSON value no results file can hold (NaN, 1e400, a 5,000-digit integer)."""


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _no_constant(name: str) -> float:
    raise _BadValue(f"{name} is not a number")


def _finite(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise _BadValue(f"{_short(text, 24)} is too large a number")
    return v


def _short_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadValue(f"an integer with {len(text.lstrip('-'))} digits is not a count or a time")
    return int(text)


def _strict_json(text: str) -> Any:
    """``json.loads`` that refuses NaN/Infinity, overflowing floats and absurdly long integers."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_short_int)


def _check_depth(data: Any) -> None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_IMPORT_DEPTH:
            raise ResultsFileError(f"nested more than {MAX_IMPORT_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def check_imported(s: SessionResults) -> list[str]:
    """Range problems in one imported session, each as ``"where: what is wrong"``.

    Pain is 0-10, counts are whole numbers from 0 up to :data:`MAX_COUNT`, every number is
    finite, seconds are not negative, every end is at or after its start, and times lie in the
    years :data:`YEARS`.
    """
    problems: list[str] = []
    stack: list[tuple[str, Any]] = [("", s.model_dump(by_alias=True))]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            _check_span(where, node, problems)
            for k, v in node.items():
                key = f"{where}.{k}" if where else str(k)
                stack.append((key, v))
                if v is None or isinstance(v, bool):
                    continue
                if k in _PAIN_FIELDS and isinstance(v, int) and not 0 <= v <= 10:
                    problems.append(f"{key}: pain {v} is outside 0-10")
                elif k in _COUNT_FIELDS and isinstance(v, int) and not 0 <= v <= MAX_COUNT:
                    problems.append(f"{key}: {v} is not a count (0 to {MAX_COUNT})")
                elif k in _NONNEGATIVE and isinstance(v, float) and v < 0:
                    problems.append(f"{key}: {v:g} seconds/degrees cannot be negative")
        elif isinstance(node, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            problems.append(f"{where}: {node} is not a finite number")
        elif isinstance(node, datetime) and not YEARS[0] <= node.year <= YEARS[1]:
            problems.append(f"{where}: {node.date()} is outside the years {YEARS[0]}-{YEARS[1]}")
    # Fault counts are a dict of counts keyed by fault id (the key is not "count").
    for i, it in enumerate(s.items):
        for j, st in enumerate(it.sets):
            for fault, n in st.faults.items():
                if not 0 <= n <= MAX_COUNT:
                    problems.append(f"items[{i}].sets[{j}].faults.{fault}: {n} is not a count")
    # Impossible values first: an end "before" a start in year 9999 is a symptom, not the cause.
    return sorted(
        set(problems), key=lambda m: ("outside the years" not in m and "finite" not in m, m)
    )


def _check_span(where: str, node: dict[str, Any], problems: list[str]) -> None:
    for a, b in (("start", "end"), ("start_s", "end_s")):
        start, end = node.get(a), node.get(b)
        if start is None or end is None or isinstance(start, bool) or isinstance(end, bool):
            continue
        try:
            backwards = end < start
        except TypeError:  # one time with a zone and one without: cannot be ordered
            problems.append(
                f"{where or 'session'}: {a} and {b} mix times with and without a time zone"
            )
            continue
        if backwards:
            problems.append(f"{where or 'session'}: {b} {end} is before {a} {start}")


def _codes(concept: Any) -> dict[str, str]:
    return (
        {c.system or "": c.code or "" for c in (concept.coding or [])}
        if concept is not None
        else {}
    )


def _from_fhir(data: dict[str, Any]) -> tuple[SessionResults, ...]:
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate(data)
    encounters, careplans, observations = _index_bundle(bundle)
    by_enc: dict[str, list[Any]] = {k: [] for k in encounters}
    for o in observations:
        ref = o.encounter.reference if o.encounter is not None else None
        by_enc.setdefault(ref or "", []).append(o)
    sessions = [
        _fhir_session(url, enc, by_enc.get(url, []), careplans) for url, enc in encounters.items()
    ]
    sessions.sort(key=lambda s: s.start)
    return tuple(sessions)


def _index_bundle(
    bundle: Any,
) -> tuple[dict[str, Any], dict[str, tuple[str | None, int | None]], list[Any]]:
    """The Bundle's Encounters and CarePlans (routine id, version) by full URL, and its
    Observations in order."""
    encounters: dict[str, Any] = {}
    careplans: dict[str, tuple[str | None, int | None]] = {}
    observations: list[Any] = []
    for e in bundle.entry or []:
        r = e.resource
        if r is None:
            continue
        kind = r.get_resource_type()
        if kind == "Encounter":
            encounters[e.fullUrl or ""] = r
        elif kind == "CarePlan":
            ident = (getattr(r, "identifier", None) or [None])[0]
            rid, _, ver = (ident.value if ident is not None and ident.value else "|").partition("|")
            for ext in (
                getattr(r, "extension", None) or []
            ):  # the version, since identifiers are ids
                if ext.url == ROUTINE_VERSION_EXT and ext.valueInteger is not None:
                    ver = str(ext.valueInteger)
            careplans[e.fullUrl or ""] = (rid or None, int(ver) if ver.isdigit() else None)
        elif kind == "Observation":
            observations.append(r)
    return encounters, careplans, observations


def _fhir_session(
    url: str,
    enc: Any,
    obs: list[Any],
    careplans: dict[str, tuple[str | None, int | None]],
) -> SessionResults:
    """One Encounter and its Observations as a session."""
    routine: tuple[str | None, int | None] = (None, None)
    items: list[ItemResult] = []
    ratings: list[PainRating] = []
    for o in obs:
        codes = _codes(o.code)
        if o.basedOn:
            routine = careplans.get(o.basedOn[0].reference or "", routine)
        comps = {(_codes(c.code).get(METRICS_SYSTEM) or ""): c for c in (o.component or [])}
        if codes.get(LOINC) == "72514-3":
            rating = _fhir_pain(o, comps)
            if rating is not None:
                ratings.append(rating)
        elif codes.get(LOINC) == "73985-4":
            item = _fhir_item(o, codes, comps, enc)
            if item is not None:
                items.append(item)
    ratings.sort(key=lambda r: r.at)
    for it_index, it in enumerate(items):
        after = [
            r.value for r in ratings if r.context == "after_exercise" and r.exercise == it.exercise
        ]
        if after:
            items[it_index] = it.model_copy(update={"pain_after": after[-1]})
    before = [r.value for r in ratings if r.context == "before"]
    post = [r.value for r in ratings if r.context == "end"] or [
        r.value for r in ratings if r.context == "after_exercise"
    ]
    morning = [r.value for r in ratings if r.context == "next_morning"]
    ident = (enc.identifier or [None])[0]
    return SessionResults(
        routine=RoutineRef(id=routine[0], version=routine[1]),
        session_id=(ident.value if ident is not None and ident.value else url),
        start=_session_start(enc, items, ratings),
        end=enc.period.end if enc.period is not None else None,
        status="completed" if enc.status == "finished" else "in_progress",
        pain=PainSummary(
            pre=before[0] if before else None,
            post=post[-1] if post else None,
            next_morning=morning[-1] if morning else None,
            spreading_reported=any(r.spreading_down_leg for r in ratings),
            ratings=ratings,
        ),
        items=sorted(items, key=lambda i: i.start),
    )


def _fhir_pain(o: Any, comps: dict[str, Any]) -> PainRating | None:
    """A pain-score Observation as a rating; None when it has no number or time (not ours)."""
    if o.valueQuantity is None or o.valueQuantity.value is None or o.effectiveDateTime is None:
        return None  # not one of ours: a pain score without a number or time says nothing
    ctx = comps.get("pain-context")
    spread = comps.get("spreading-down-leg")
    stiff = comps.get("stiffness")
    after = comps.get("after-exercise")
    return PainRating(
        at=o.effectiveDateTime,
        context=(
            ctx.valueString
            if ctx is not None and ctx.valueString in _PAIN_CONTEXTS
            else "on_demand"
        ),
        value=int(o.valueQuantity.value),
        spreading_down_leg=bool(spread.valueBoolean) if spread is not None else False,
        stiffness=int(stiff.valueQuantity.value) if stiff is not None else None,
        exercise=after.valueString if after is not None else None,
    )


def _fhir_item(o: Any, codes: dict[str, str], comps: dict[str, Any], enc: Any) -> ItemResult | None:
    """An exercise Observation as one item result; None when it has no start time at all."""
    period = o.effectivePeriod
    start = (
        period.start
        if period is not None and period.start is not None
        else (enc.period.start if enc.period else None)
    )
    if start is None:
        return None

    def num(code: str) -> float | None:
        c = comps.get(code)
        q = c.valueQuantity if c is not None else None
        return float(q.value) if q is not None and q.value is not None else None

    faults = {
        code.removeprefix("fault:"): FaultResult(
            count=int(num(code) or 0), cue=(c.code.coding[0].display or None)
        )
        for code, c in comps.items()
        if code.startswith("fault:")
    }
    rng = num("range-deg-mean")
    reps = int(num("reps-counted") or 0)
    return ItemResult(
        exercise=codes.get(EXERCISE_SYSTEM) or (o.code.text or "unknown"),
        sets_planned=_int(num("sets-planned")),
        reps_planned=_int(num("reps-planned")),
        start=start,
        end=period.end if period is not None else None,
        reps_counted=reps,
        reps_partial=int(num("reps-partial") or 0),
        holds=int(num("holds-count") or 0),
        hold_s_total=float(num("hold-seconds-total") or 0.0),
        faults=faults,
        sets=[
            SetResult(
                index=0,
                reps_counted=reps,
                rom={"range_deg_mean": rng} if rng is not None else {},
            )
        ],
    )


_PAIN_CONTEXTS = ("before", "after_exercise", "end", "on_demand", "next_morning")


def _session_start(enc: Any, items: list[ItemResult], ratings: list[PainRating]) -> datetime:
    if enc.period is not None and enc.period.start is not None:
        return enc.period.start  # type: ignore[no-any-return]
    times = [i.start for i in items] + [r.at for r in ratings]
    if not times:
        raise ResultsFileError("an Encounter has neither a period nor any observations with a time")
    return min(times)


def _int(x: float | None) -> int | None:
    return None if x is None else int(x)


def results_from_history(
    history: History, session_ids: Sequence[SessionRow | str]
) -> list[SessionResults]:
    """Convenience: :func:`session_results` for several sessions."""
    return [session_results(history, s if isinstance(s, str) else s.id) for s in session_ids]
