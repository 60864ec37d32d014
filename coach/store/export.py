"""Exports of the history: CSV for spreadsheets, a results JSON per session (DOMAIN §6.4), an
HL7 FHIR R4 Bundle (§6.2), and :func:`import_results` to view such files again.

Results JSON (one file per session, ``schema: coach.session/1``) is described by the pydantic
model :class:`SessionResults`; export and import go through it, so a file round-trips exactly.

FHIR Bundle (type ``collection``), built and validated with the maintained ``fhir.resources``
models (R4B, wire-compatible with R4 for the resources used):

* ``Patient`` (from the routine file's ``patient:``: name, year of birth as ``birthDate``,
  each external id as an ``identifier``; or the name given) and ``Device`` (this app);
* ``CarePlan`` per routine and version: ``identifier`` = the routine id (system
  :data:`ROUTINE_ID_SYSTEM`), the version in the extension :data:`ROUTINE_VERSION_EXT` and the
  title — ``Observation.basedOn``;
* ``Encounter`` per session (home health, period = session) — ``Observation.encounter``;
* ``Observation`` per exercise performed: category ``activity``, code LOINC 73985-4
  "Exercise activity" plus the exercise id in a local code system, ``effectivePeriod``, and
  components for reps, partial reps, sets, holds, hold seconds and each fault's count
  (local CodeSystem :data:`METRICS_SYSTEM`);
* ``Observation`` per pain rating: code LOINC 72514-3 (0-10 NRS), ``valueQuantity`` in
  ``{score}``, components for the context and "spreading down the leg".

Every export carries the DOMAIN §5.5 disclaimer (a ``disclaimer`` key in JSON, a comment
line in CSV, ``Bundle.meta`` tag + ``Device.note`` in FHIR).

Safe to open: every CSV cell that is text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading ``'`` (:func:`csv_cell`), so a spreadsheet never runs
a title, name or note as a formula; numbers stay numbers. JSON and FHIR are serialised by their
models, so free text is always a JSON string (data), never structure. Every writer reads its file
back (:func:`_verify_csv`, :func:`_verify_json`, :func:`_verify_fhir`) before it reports it.
"""

from __future__ import annotations

import csv
import errno
import json
import math
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.store.history import ExerciseResultRow, History, PainRow, SessionRow, utcnow

RESULTS_SCHEMA = "coach.session/1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
METRICS_SYSTEM = "https://rehabcoach.example/fhir/CodeSystem/exercise-metrics"
EXERCISE_SYSTEM = "https://rehabcoach.example/fhir/CodeSystem/exercise"
SESSION_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/session"
ROUTINE_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/routine"
ROUTINE_VERSION_EXT = "https://rehabcoach.example/fhir/StructureDefinition/routine-version"
PATIENT_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/patient-id"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_NS = uuid.UUID("0f6c8e0a-7d3b-4c1e-9a51-3b2f6c1d9e77")  # stable ids: same data, same Bundle

DISCLAIMER = (
    "This app does not diagnose or treat any condition and is not a substitute for professional "
    "medical advice. Camera feedback is approximate: lighting, clothing and camera position affect "
    "accuracy, and the app cannot see the spine directly."
)


def _app_version() -> str:
    try:
        from coach import __version__

        return str(__version__)
    except ImportError:
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Results JSON model (DOMAIN §6.4)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepResult(_M):
    index: int
    start_s: float | None = None
    end_s: float | None = None
    range_deg: float | None = None
    peak: float | None = None
    hold_s: float | None = None
    faults: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class HoldResult(_M):
    index: int
    start_s: float | None = None
    end_s: float | None = None
    seconds: float
    not_visible_s: float = 0.0
    faults: list[str] = Field(default_factory=list)


class SetResult(_M):
    index: int
    reps_counted: int
    reps_partial: int | None = None
    hold_s_mean: float | None = None
    faults: dict[str, int] = Field(default_factory=dict)
    rom: dict[str, float] = Field(default_factory=dict)
    reps: list[RepResult] = Field(default_factory=list)
    holds: list[HoldResult] = Field(default_factory=list)


class FaultResult(_M):
    count: int
    severity: str | None = None
    cue: str | None = None


class ItemResult(_M):
    exercise: str
    position: int | None = None
    side: str | None = None
    sets_planned: int | None = None
    reps_planned: int | None = None
    hold_s_planned: float | None = None
    start: datetime
    end: datetime | None = None
    reps_counted: int = 0
    reps_partial: int = 0
    holds: int = 0
    hold_s_total: float = 0.0
    not_visible_s: float | None = None
    faults: dict[str, FaultResult] = Field(default_factory=dict)
    sets: list[SetResult] = Field(default_factory=list)
    pain_after: int | None = None


class PainRating(_M):
    at: datetime
    context: Literal["before", "after_exercise", "end", "on_demand", "next_morning"]
    value: int = Field(ge=0, le=10)
    spreading_down_leg: bool = False
    stiffness: int | None = Field(default=None, ge=0, le=10)
    exercise: str | None = None


class PainSummary(_M):
    pre: int | None = None
    post: int | None = None
    next_morning: int | None = None
    spreading_reported: bool = False
    ratings: list[PainRating] = Field(default_factory=list)


class ProgressionResult(_M):
    at: datetime
    exercise: str
    kind: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str


class RoutineRef(_M):
    id: str | None = None
    version: int | None = None


class SessionResults(_M):
    """One session's results file (``coach.session/1``)."""

    schema_: Literal["coach.session/1"] = Field(default="coach.session/1", alias="schema")
    routine: RoutineRef
    session_id: str
    start: datetime
    end: datetime | None = None
    status: str
    classification: Literal["green", "amber", "red"] | None = None
    device: dict[str, Any] = Field(default_factory=dict)
    pain: PainSummary
    items: list[ItemResult] = Field(default_factory=list)
    progression: list[ProgressionResult] = Field(default_factory=list)
    posture_summary: dict[str, Any] | None = None
    lifting_summary: dict[str, Any] | None = None
    disclaimer: str = DISCLAIMER

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _rom(ranges: Sequence[float]) -> dict[str, float]:
    if not ranges:
        return {}
    return {
        "range_deg_mean": round(sum(ranges) / len(ranges), 1),
        "range_deg_min": round(min(ranges), 1),
        "range_deg_max": round(max(ranges), 1),
    }


def _item_results(history: History, er: ExerciseResultRow, pains: Sequence[PainRow]) -> ItemResult:
    reps = history.reps(er.id)
    holds = history.holds(er.id)
    sets = history.sets(er.id)
    groups: list[tuple[int, int | None, Any]] = [(s.set_index, s.id, s) for s in sets] or [
        (0, None, None)
    ]
    set_results: list[SetResult] = []
    for index, set_id, srow in groups:
        r_in = [r for r in reps if set_id is None or r.set_id == set_id]
        h_in = [h for h in holds if set_id is None or h.set_id == set_id]
        counts: dict[str, int] = {}
        for faults in [r.faults for r in r_in] + [h.faults for h in h_in]:
            for f in faults:
                counts[f] = counts.get(f, 0) + 1
        hold_vals = [h.seconds for h in h_in] or [r.hold_s for r in r_in if r.hold_s]
        set_results.append(
            SetResult(
                index=index,
                reps_counted=len(r_in) if (r_in or set_id is not None) else int(er.reps or 0),
                reps_partial=(srow.partial_reps if srow is not None else er.partial_reps),
                hold_s_mean=round(sum(hold_vals) / len(hold_vals), 2) if hold_vals else None,
                faults=counts,
                rom=_rom([r.range_deg for r in r_in if r.range_deg is not None]),
                reps=[
                    RepResult(
                        index=r.index,
                        start_s=r.start,
                        end_s=r.end,
                        range_deg=r.range_deg,
                        peak=r.peak,
                        hold_s=r.hold_s,
                        faults=list(r.faults),
                        flags=list(r.flags),
                    )
                    for r in r_in
                ],
                holds=[
                    HoldResult(
                        index=h.index,
                        start_s=h.start,
                        end_s=h.end,
                        seconds=h.seconds,
                        not_visible_s=h.not_visible_s,
                        faults=list(h.faults),
                    )
                    for h in h_in
                ],
            )
        )
    after = [
        p.value for p in pains if p.exercise_result_id == er.id and p.context == "after_exercise"
    ]
    return ItemResult(
        exercise=er.exercise_id,
        position=er.position,
        side=er.side,
        sets_planned=er.sets_planned,
        reps_planned=er.reps_planned,
        hold_s_planned=er.hold_s_planned,
        start=er.started_at,
        end=er.ended_at,
        reps_counted=int(er.reps if er.reps is not None else len(reps)),
        reps_partial=int(er.partial_reps or 0),
        holds=int(er.holds if er.holds is not None else len(holds)),
        hold_s_total=float(
            er.hold_s_total if er.hold_s_total is not None else sum(h.seconds for h in holds)
        ),
        not_visible_s=er.not_visible_s,
        faults={
            f.fault_id: FaultResult(count=f.count, severity=f.severity, cue=f.cue)
            for f in history.faults(er.id)
        },
        sets=set_results,
        pain_after=after[-1] if after else None,
    )


def session_results(history: History, session_id: str) -> SessionResults:
    """The §6.4 results of one session, built from the history."""
    s = history.session(session_id)
    pains = history.pain_ratings(session_id)
    results = history.exercise_results(session_id)
    by_result = {r.id: r.exercise_id for r in results}
    before = [p.value for p in pains if p.context == "before"]
    post = [p.value for p in pains if p.context == "end"] or [
        p.value for p in pains if p.context == "after_exercise"
    ]
    morning = [p.value for p in pains if p.context == "next_morning"]
    device = {"app_version": s.app_version, **s.device} if s.app_version else dict(s.device)
    return SessionResults(
        routine=RoutineRef(id=s.routine_id, version=s.routine_version),
        session_id=s.id,
        start=s.started_at,
        end=s.ended_at,
        status=s.status,
        classification=s.classification,  # type: ignore[arg-type]
        device=device,
        pain=PainSummary(
            pre=before[0] if before else None,
            post=post[-1] if post else None,
            next_morning=morning[-1] if morning else None,
            spreading_reported=any(p.spreading_down_leg for p in pains),
            ratings=[
                PainRating(
                    at=p.recorded_at,
                    context=p.context,  # type: ignore[arg-type]  # the DB's CHECK constraint guarantees it
                    value=p.value,
                    spreading_down_leg=p.spreading_down_leg,
                    stiffness=p.stiffness,
                    exercise=by_result.get(p.exercise_result_id or -1),
                )
                for p in pains
            ],
        ),
        items=[_item_results(history, er, pains) for er in results],
        progression=[
            ProgressionResult(
                at=e.created_at,
                exercise=e.exercise_id,
                kind=e.kind,
                before=e.before,
                after=e.after,
                reason=e.reason,
            )
            for e in history.progression_events(routine_id=s.routine_id)
            if e.session_id == s.id
        ],
    )


def results_json(results: SessionResults) -> str:
    return results.model_dump_json(by_alias=True, indent=2) + "\n"


def export_json(
    history: History,
    out_dir: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Path]:
    """One ``session-<start>-<id8>.json`` per session in the range; returns the files."""
    out = _output_dir(out_dir)
    files = []
    for s in history.sessions(date_from, date_to):
        path = out / f"session-{s.started_at.strftime('%Y%m%dT%H%M%S')}-{s.id[:8]}.json"
        results = session_results(history, s.id)
        tmp = _tmp(path)
        try:
            tmp.write_text(results_json(results), encoding="utf-8")
            _verify_json(tmp, results)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        files.append(_replace(tmp, path))
    return files


def _verify_json(path: Path, results: SessionResults) -> None:
    """The results file parses back to exactly the session that was written."""
    try:
        back = SessionResults.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise _unreadable(path, str(exc).splitlines()[0]) from None
    if back != results:
        raise _unreadable(path, "it holds different results")


# ---------------------------------------------------------------------------------------------
# CSV


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet shows as text, never runs as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` (OWASP's advice for CSV injection); numbers — and text that is just a number, such as
    ``-5`` — stay as they are. ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


class ExportError(OSError):
    """An export file was written but does not read back as it should."""


def _unreadable(path: Path, why: str) -> ExportError:
    return ExportError(errno.EIO, f"the file written does not read back: {why}", str(path))


def _replace(tmp: Path, path: Path) -> Path:
    tmp.replace(path)
    return path


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _verify_csv(path: Path, header: Sequence[str], rows: int) -> None:
    """The CSV file exists, is not empty and parses back to the header and every row."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, str(exc)) from None
    if not got or got[0] != list(header) or len(got) - 1 != rows:
        raise _unreadable(path, f"expected a header and {rows} rows, found {max(0, len(got) - 1)}")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    tmp = _tmp(path)
    n = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in rows:
                w.writerow([csv_cell(v) for v in r])
                n += 1
        _verify_csv(tmp, header, n)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return _replace(tmp, path)


def _output_dir(out: str | Path) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            errno.ENOTDIR, "it is a file; give a folder for the export files", str(path)
        )
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    return path


def _t(d: datetime | None) -> str | None:
    return None if d is None else d.isoformat()


def export_csv(
    history: History,
    out_dir: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Path]:
    """Flat CSV files for clinicians without FHIR: ``sessions.csv``, ``exercises.csv``,
    ``reps.csv``, ``holds.csv``, ``pain.csv``, ``progression.csv``, ``posture.csv`` and a
    ``README.txt`` with the disclaimer. Returns the files written."""
    out = _output_dir(out_dir)
    sessions = history.sessions(date_from, date_to)
    s_rows, e_rows, r_rows, h_rows, p_rows = [], [], [], [], []
    for s in sessions:
        pains = history.pain_ratings(s.id)
        results = history.exercise_results(s.id)
        names = {r.id: r.exercise_id for r in results}
        before = [p.value for p in pains if p.context == "before"]
        after = [p.value for p in pains if p.context in ("end", "after_exercise")]
        morning = [p.value for p in pains if p.context == "next_morning"]
        s_rows.append(
            [
                s.id,
                s.routine_id,
                s.routine_version,
                _t(s.started_at),
                _t(s.ended_at),
                None if s.duration_s is None else round(s.duration_s, 1),
                s.status,
                s.classification,
                before[0] if before else None,
                after[-1] if after else None,
                morning[-1] if morning else None,
                len(results),
                sum(int(r.reps or 0) for r in results),
            ]
        )
        for er in results:
            faults = ";".join(f"{f.fault_id}:{f.count}" for f in history.faults(er.id))
            e_rows.append(
                [
                    s.id,
                    er.position,
                    er.exercise_id,
                    er.side,
                    er.sets_planned,
                    er.reps_planned,
                    er.hold_s_planned,
                    _t(er.started_at),
                    _t(er.ended_at),
                    er.reps,
                    er.partial_reps,
                    er.holds,
                    er.hold_s_total,
                    er.not_visible_s,
                    faults,
                ]
            )
            set_index = {st.id: st.set_index for st in history.sets(er.id)}
            for r in history.reps(er.id):
                dur = None if r.start is None or r.end is None else round(r.end - r.start, 3)
                r_rows.append(
                    [
                        s.id,
                        er.exercise_id,
                        r.id,
                        set_index.get(r.set_id) if r.set_id else None,
                        r.index,
                        r.start,
                        r.end,
                        dur,
                        r.range_deg,
                        r.peak,
                        r.hold_s,
                        ";".join(r.faults),
                        ";".join(r.flags),
                        _t(r.recorded_at),
                    ]
                )
            for h in history.holds(er.id):
                h_rows.append(
                    [
                        s.id,
                        er.exercise_id,
                        h.id,
                        h.index,
                        h.start,
                        h.end,
                        h.seconds,
                        h.not_visible_s,
                        ";".join(h.faults),
                    ]
                )
        for p in pains:
            p_rows.append(
                [
                    _t(p.recorded_at),
                    s.id,
                    names.get(p.exercise_result_id or -1),
                    p.context,
                    p.value,
                    int(p.spreading_down_leg),
                    p.stiffness,
                ]
            )
    # ratings outside sessions (e.g. on-demand from the tray) still belong in pain.csv
    for p in history.pain_ratings(date_from=date_from, date_to=date_to):
        if p.session_id is None:
            p_rows.append(
                [
                    _t(p.recorded_at),
                    None,
                    None,
                    p.context,
                    p.value,
                    int(p.spreading_down_leg),
                    p.stiffness,
                ]
            )
    p_rows.sort(key=lambda r: r[0] or "")
    files = [
        _write_csv(
            out / "sessions.csv",
            [
                "session_id",
                "routine_id",
                "routine_version",
                "started_at",
                "ended_at",
                "duration_s",
                "status",
                "classification",
                "pain_before",
                "pain_after",
                "pain_next_morning",
                "exercises",
                "reps_total",
            ],
            s_rows,
        ),
        _write_csv(
            out / "exercises.csv",
            [
                "session_id",
                "position",
                "exercise_id",
                "side",
                "sets_planned",
                "reps_planned",
                "hold_s_planned",
                "started_at",
                "ended_at",
                "reps",
                "partial_reps",
                "holds",
                "hold_s_total",
                "not_visible_s",
                "faults",
            ],
            e_rows,
        ),
        _write_csv(
            out / "reps.csv",
            [
                "session_id",
                "exercise_id",
                "rep_id",
                "set_index",
                "rep_index",
                "start_s",
                "end_s",
                "duration_s",
                "range_deg",
                "peak",
                "hold_s",
                "faults",
                "flags",
                "recorded_at",
            ],
            r_rows,
        ),
        _write_csv(
            out / "holds.csv",
            [
                "session_id",
                "exercise_id",
                "hold_id",
                "hold_index",
                "start_s",
                "end_s",
                "seconds",
                "not_visible_s",
                "faults",
            ],
            h_rows,
        ),
        _write_csv(
            out / "pain.csv",
            [
                "recorded_at",
                "session_id",
                "exercise_id",
                "context",
                "value",
                "spreading_down_leg",
                "stiffness",
            ],
            p_rows,
        ),
        _write_csv(
            out / "progression.csv",
            ["created_at", "routine_id", "exercise_id", "kind", "before", "after", "reason"],
            (
                [
                    _t(e.created_at),
                    e.routine_id,
                    e.exercise_id,
                    e.kind,
                    json.dumps(e.before),
                    json.dumps(e.after),
                    e.reason,
                ]
                for e in history.progression_events(date_from=date_from, date_to=date_to)
            ),
        ),
        _write_csv(
            out / "posture.csv",
            ["day", "monitored_s", "seconds_by_state", "breaks", "alerts"],
            (
                [
                    d.day.isoformat(),
                    round(d.monitored_s, 1),
                    json.dumps(d.seconds),
                    d.breaks,
                    d.alerts,
                ]
                for d in history.posture_days(date_from, date_to)
            ),
        ),
    ]
    readme = out / "README.txt"
    readme.write_text(
        f"coach history export, {utcnow().isoformat(timespec='seconds')}\n"
        "Times are ISO 8601 (UTC); start_s/end_s are seconds on the session clock.\n\n"
        f"{DISCLAIMER}\n",
        encoding="utf-8",
    )
    return [*files, readme]


# ---------------------------------------------------------------------------------------------
# FHIR


def _uid(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, '/'.join(str(p) for p in parts))}"


def _qty(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _metric(
    code: str, display: str, value: float, unit: str = "count", ucum: str = "1"
) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": METRICS_SYSTEM, "code": code, "display": display}]},
        "valueQuantity": _qty(value, unit, ucum),
    }


def _id_system(key: str) -> str:
    """An identifier system URI for a routine's ``external_ids`` key (``clinic``, ``nhs``...);
    a key that already is a URI (``https://fhir.nhs.uk/Id/nhs-number``) is used as it is."""
    if re.match(r"^(https?://|urn:)\S+$", key):
        return key
    return f"{PATIENT_ID_SYSTEM}/{quote(key, safe='')}"


def _patient_resource(routine: Any, patient_name: str | None) -> dict[str, Any]:
    """The ``Patient``: the routine file's patient (name, year of birth, identifiers); a
    ``patient_name`` given for the export replaces the name."""
    patient: dict[str, Any] = {"resourceType": "Patient", "active": True}
    p = getattr(routine, "patient", None) if routine is not None else None
    if p is not None and p.external_ids:
        patient["identifier"] = [
            {"system": _id_system(k), "value": v, "type": {"text": k}}
            for k, v in p.external_ids.items()
        ]
    name = patient_name or (p.display_name if p is not None else None)
    if name:
        patient["name"] = [{"text": name}]
    if p is not None and p.birth_year is not None:
        patient["birthDate"] = f"{p.birth_year:04d}"  # a FHIR date may be a year alone
    return patient


def fhir_bundle(
    history: History,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    patient_name: str | None = None,
    routine: Any = None,
) -> Any:
    """A FHIR R4 ``Bundle`` (a validated ``fhir.resources`` model) of the sessions in range.

    ``routine`` (a ``Routine`` or ``ResolvedRoutine``) gives the ``Patient`` its name, year of
    birth and identifiers, and its CarePlan its title.

    Raises
    ------
    pydantic.ValidationError
        Never for data this module wrote; it would mean a mapping bug.
    """
    from fhir.resources.R4B.bundle import Bundle

    app_version = _app_version()
    r = getattr(routine, "routine", routine)
    patient = _patient_resource(r, patient_name)
    patient_url = _uid(
        "patient",
        json.dumps([patient.get("name"), patient.get("identifier")], sort_keys=True)
        if "identifier" in patient
        else (patient_name or (patient["name"][0]["text"] if "name" in patient else "anonymous")),
    )
    device_url = _uid("device", "coach", app_version)
    entries: list[dict[str, Any]] = []
    entries.append({"fullUrl": patient_url, "resource": patient})
    entries.append(
        {
            "fullUrl": device_url,
            "resource": {
                "resourceType": "Device",
                "deviceName": [{"name": "coach", "type": "manufacturer-name"}],
                "version": [{"value": app_version}],
                "note": [{"text": DISCLAIMER}],
            },
        }
    )
    subject = {"reference": patient_url}
    careplans: dict[tuple[str | None, int | None], str] = {}
    for s in history.sessions(date_from, date_to):
        key = (s.routine_id, s.routine_version)
        if key not in careplans and s.routine_id:
            url = _uid("careplan", *key)
            careplans[key] = url
            named = r.title if r is not None and r.id == s.routine_id else None
            plan: dict[str, Any] = {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "subject": subject,
                # the business identifier is the routine's own id; its version is an extension
                "identifier": [{"system": ROUTINE_ID_SYSTEM, "value": s.routine_id}],
                "title": (named or f"Home exercise routine {s.routine_id}")
                + (f" (version {s.routine_version})" if s.routine_version else ""),
            }
            if s.routine_version is not None:
                plan["extension"] = [
                    {"url": ROUTINE_VERSION_EXT, "valueInteger": int(s.routine_version)}
                ]
            entries.append({"fullUrl": url, "resource": plan})
        based_on = [{"reference": careplans[key]}] if key in careplans else None
        enc_url = _uid("encounter", s.id)
        period = {
            "start": s.started_at.isoformat(),
            **({"end": s.ended_at.isoformat()} if s.ended_at else {}),
        }
        entries.append(
            {
                "fullUrl": enc_url,
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished" if s.status != "in_progress" else "in-progress",
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "HH",
                        "display": "home health",
                    },
                    "identifier": [{"system": SESSION_ID_SYSTEM, "value": s.id}],
                    "subject": subject,
                    "period": period,
                },
            }
        )
        common: dict[str, Any] = {
            "subject": subject,
            "encounter": {"reference": enc_url},
            "device": {"reference": device_url},
        }
        if based_on:
            common["basedOn"] = based_on
        pains = history.pain_ratings(s.id)
        results = history.exercise_results(s.id)
        for er in results:
            comps = [
                _metric("reps-counted", "Repetitions counted", int(er.reps or 0)),
                _metric("reps-partial", "Partial repetitions", int(er.partial_reps or 0)),
                _metric("holds-count", "Holds completed", int(er.holds or 0)),
                _metric(
                    "hold-seconds-total",
                    "Seconds held in position",
                    round(float(er.hold_s_total or 0.0), 2),
                    "s",
                    "s",
                ),
            ]
            if er.sets_planned is not None:
                comps.append(_metric("sets-planned", "Sets planned", er.sets_planned))
            if er.reps_planned is not None:
                comps.append(
                    _metric("reps-planned", "Repetitions planned per set", er.reps_planned)
                )
            ranges = [r.range_deg for r in history.reps(er.id) if r.range_deg is not None]
            if ranges:
                comps.append(
                    _metric(
                        "range-deg-mean",
                        "Mean range of motion",
                        round(sum(ranges) / len(ranges), 1),
                        "deg",
                        "deg",
                    )
                )
            for f in history.faults(er.id):
                comps.append(_metric(f"fault:{f.fault_id}", f.cue or f.fault_id, f.count))
            eff: dict[str, Any] = {"start": er.started_at.isoformat()}
            if er.ended_at:
                eff["end"] = er.ended_at.isoformat()
            entries.append(
                {
                    "fullUrl": _uid("exercise", s.id, er.id),
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final" if er.ended_at else "preliminary",
                        "category": [
                            {
                                "coding": [
                                    {
                                        "system": OBS_CATEGORY,
                                        "code": "activity",
                                        "display": "Activity",
                                    }
                                ]
                            }
                        ],
                        "code": {
                            "coding": [
                                {
                                    "system": LOINC,
                                    "code": "73985-4",
                                    "display": "Exercise activity",
                                },
                                {"system": EXERCISE_SYSTEM, "code": er.exercise_id},
                            ],
                            "text": er.exercise_id.replace("_", " "),
                        },
                        "effectivePeriod": eff,
                        "component": comps,
                        **common,
                    },
                }
            )
        names = {r.id: r.exercise_id for r in results}
        for p in pains:
            comps = [
                {
                    "code": {"coding": [{"system": METRICS_SYSTEM, "code": "pain-context"}]},
                    "valueString": p.context,
                },
                {
                    "code": {"coding": [{"system": METRICS_SYSTEM, "code": "spreading-down-leg"}]},
                    "valueBoolean": p.spreading_down_leg,
                },
            ]
            if p.stiffness is not None:
                comps.append(
                    _metric("stiffness", "Stiffness 0-10", p.stiffness, "{score}", "{score}")
                )
            if p.exercise_result_id in names:
                comps.append(
                    {
                        "code": {"coding": [{"system": METRICS_SYSTEM, "code": "after-exercise"}]},
                        "valueString": names[p.exercise_result_id],
                    }
                )
            entries.append(
                {
                    "fullUrl": _uid("pain", p.id, p.recorded_at.isoformat()),
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "category": [
                            {
                                "coding": [
                                    {"system": OBS_CATEGORY, "code": "survey", "display": "Survey"}
                                ]
                            }
                        ],
                        "code": {
                            "coding": [
                                {
                                    "system": LOINC,
                                    "code": "72514-3",
                                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                                }
                            ]
                        },
                        "effectiveDateTime": p.recorded_at.isoformat(),
                        "valueQuantity": _qty(p.value, "{score}", "{score}"),
                        "component": comps,
                        **common,
                    },
                }
            )
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": utcnow().isoformat(),
            "meta": {
                "tag": [
                    {
                        "system": METRICS_SYSTEM,
                        "code": "not-for-diagnosis",
                        "display": "Not a diagnosis; see Device.note",
                    }
                ]
            },
            "entry": entries,
        }
    )


def export_fhir(
    history: History,
    path: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    patient_name: str | None = None,
    routine: Any = None,
) -> Path:
    """Write :func:`fhir_bundle` as JSON to ``path``; returns it once it reads back.

    Raises
    ------
    OSError
        ``path`` is a folder (:class:`IsADirectoryError`: it needs a file name), cannot be
        written, or does not read back as the same Bundle (:class:`ExportError`).
    """
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(
            errno.EISDIR,
            f"it is a folder; give the FHIR Bundle a file name, e.g. {p / 'coach-fhir.json'}",
            str(p),
        )
    bundle = fhir_bundle(history, date_from, date_to, patient_name=patient_name, routine=routine)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(p)
    try:
        tmp.write_text(bundle.model_dump_json(indent=2) + "\n", encoding="utf-8")
        _verify_fhir(tmp, bundle)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return _replace(tmp, p)


def _verify_fhir(path: Path, bundle: Any) -> None:
    """The file parses back, validates as a FHIR Bundle and holds every entry written."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        back = Bundle.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise _unreadable(path, str(exc).splitlines()[0]) from None
    if [e.fullUrl for e in back.entry or []] != [e.fullUrl for e in bundle.entry or []]:
        raise _unreadable(path, "it holds different entries")


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
    try:
        if p.is_dir():
            raise ResultsFileError(f"{p}: is a folder, not a results file")
        if p.stat().st_size > max_bytes:
            raise ResultsFileError(f"{p}: the file is larger than {max_bytes // 1_000_000} MB")
        data = _strict_json(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsFileError(f"{p}: cannot read the file: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"{p}: not a JSON file ({exc})") from None
    except _BadValue as exc:
        raise ResultsFileError(f"{p}: {exc}") from None
    except RecursionError:
        raise ResultsFileError(f"{p}: nested more than {MAX_IMPORT_DEPTH} levels deep") from None
    try:
        _check_depth(data)
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            sessions = _from_fhir(data)
            if not sessions:
                raise ResultsFileError(
                    f"{p}: the FHIR Bundle holds no coach sessions (no Encounter resources)"
                )
            kind: Literal["json", "fhir"] = "fhir"
        else:
            items = data if isinstance(data, list) else [data]
            if not items or not all(
                isinstance(x, dict) and x.get("schema") == RESULTS_SCHEMA for x in items
            ):
                raise ResultsFileError(
                    f"{p}: not a coach results file (expected 'schema: {RESULTS_SCHEMA}' or a FHIR Bundle)"
                )
            sessions = tuple(SessionResults.model_validate(x) for x in items)
            kind = "json"
        for i, s in enumerate(sessions):
            problems = check_imported(s)
            if problems:
                where = f"session {i + 1}: " if len(sessions) > 1 else ""
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                raise ResultsFileError(f"{p}: {where}{problems[0]}{more}")
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
    {"reps_counted", "reps_partial", "holds", "sets_planned", "reps_planned", "count", "index",
     "position"}
)
_NONNEGATIVE = frozenset(
    {"seconds", "hold_s", "not_visible_s", "hold_s_total", "hold_s_planned", "hold_s_mean",
     "range_deg"}
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
    return json.loads(
        text, parse_constant=_no_constant, parse_float=_finite, parse_int=_short_int
    )


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
    return sorted(set(problems), key=lambda m: ("outside the years" not in m and "finite" not in m, m))


def _check_span(where: str, node: dict[str, Any], problems: list[str]) -> None:
    for a, b in (("start", "end"), ("start_s", "end_s")):
        start, end = node.get(a), node.get(b)
        if start is None or end is None or isinstance(start, bool) or isinstance(end, bool):
            continue
        try:
            backwards = end < start
        except TypeError:  # one time with a zone and one without: cannot be ordered
            problems.append(f"{where or 'session'}: {a} and {b} mix times with and without a time zone")
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
            for ext in getattr(r, "extension", None) or []:  # the version, since identifiers are ids
                if ext.url == ROUTINE_VERSION_EXT and ext.valueInteger is not None:
                    ver = str(ext.valueInteger)
            careplans[e.fullUrl or ""] = (rid or None, int(ver) if ver.isdigit() else None)
        elif kind == "Observation":
            observations.append(r)
    by_enc: dict[str, list[Any]] = {k: [] for k in encounters}
    for o in observations:
        ref = o.encounter.reference if o.encounter is not None else None
        by_enc.setdefault(ref or "", []).append(o)
    sessions = []
    for url, enc in encounters.items():
        obs = by_enc.get(url, [])
        routine: tuple[str | None, int | None] = (None, None)
        items: list[ItemResult] = []
        ratings: list[PainRating] = []
        for o in obs:
            codes = _codes(o.code)
            if o.basedOn:
                routine = careplans.get(o.basedOn[0].reference or "", routine)
            comps = {(_codes(c.code).get(METRICS_SYSTEM) or ""): c for c in (o.component or [])}
            if codes.get(LOINC) == "72514-3":
                if (
                    o.valueQuantity is None
                    or o.valueQuantity.value is None
                    or o.effectiveDateTime is None
                ):
                    continue  # not one of ours: a pain score without a number or time says nothing
                ctx = comps.get("pain-context")
                spread = comps.get("spreading-down-leg")
                stiff = comps.get("stiffness")
                after = comps.get("after-exercise")
                ratings.append(
                    PainRating(
                        at=o.effectiveDateTime,
                        context=(
                            ctx.valueString
                            if ctx is not None and ctx.valueString in _PAIN_CONTEXTS
                            else "on_demand"
                        ),
                        value=int(o.valueQuantity.value),
                        spreading_down_leg=bool(spread.valueBoolean)
                        if spread is not None
                        else False,
                        stiffness=int(stiff.valueQuantity.value) if stiff is not None else None,
                        exercise=after.valueString if after is not None else None,
                    )
                )
            elif codes.get(LOINC) == "73985-4":
                period = o.effectivePeriod
                start = (
                    period.start
                    if period is not None and period.start is not None
                    else (enc.period.start if enc.period else None)
                )
                if start is None:
                    continue

                def num(code: str, comps: dict[str, Any] = comps) -> float | None:
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
                items.append(
                    ItemResult(
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
                )
        ratings.sort(key=lambda r: r.at)
        for it_index, it in enumerate(items):
            after = [
                r.value
                for r in ratings
                if r.context == "after_exercise" and r.exercise == it.exercise
            ]
            if after:
                items[it_index] = it.model_copy(update={"pain_after": after[-1]})
        before = [r.value for r in ratings if r.context == "before"]
        post = [r.value for r in ratings if r.context == "end"] or [
            r.value for r in ratings if r.context == "after_exercise"
        ]
        morning = [r.value for r in ratings if r.context == "next_morning"]
        ident = (enc.identifier or [None])[0]
        sessions.append(
            SessionResults(
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
        )
    sessions.sort(key=lambda s: s.start)
    return tuple(sessions)


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
