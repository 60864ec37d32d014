"""Results JSON, one file per session (DOMAIN §6.4, ``schema: coach.session/1``).

Described by the pydantic model :class:`SessionResults`; export and import go through it, so a
file round-trips exactly. Free text is always a JSON string (data), never structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.reports.files import DISCLAIMER, _output_dir, _replace, _tmp, _unreadable
from coach.store.history import ExerciseResultRow, History, PainRow

RESULTS_SCHEMA = "coach.session/1"

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
