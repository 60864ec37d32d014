"""The numbers of the clinician report, computed from the history (plain Python, no Qt).

:func:`report_data` reads one period of the history (sessions, pain ratings, exercise results,
reps, holds, faults, desk-mode posture time and dose changes) and returns a :class:`ReportData`
that :mod:`coach.reports.pdf` only formats; :func:`planned_sessions` counts what a routine's
schedule asks for, for adherence (the history page uses it too). Testable without Qt.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from coach.store.history import History
from coach.store.progression import describe_event
from coach.store.rows import ExerciseResultRow, PainRow, SessionRow

__all__ = [
    "ExerciseStats",
    "FaultStats",
    "PainPoint",
    "ReportData",
    "planned_sessions",
    "report_data",
]


@dataclass(frozen=True)
class ExerciseStats:
    """One exercise over the period: what was done against what was planned, and how well."""

    exercise_id: str
    name: str
    sessions: int
    reps: int
    partial_reps: int
    reps_planned: int
    holds: int
    hold_s_mean: float | None
    range_first: float | None  # mean range of motion in the first / last session with reps
    range_last: float | None
    fault_free_pct: float | None


@dataclass(frozen=True)
class FaultStats:
    """How often one form fault was seen on one exercise, and the first cue the app gave for it."""

    exercise_id: str
    fault_id: str
    count: int
    cue: str


@dataclass(frozen=True)
class PainPoint:
    """One session's pain ratings: before, after (the worst at the end) and the next morning."""

    when: datetime
    session_id: str
    before: int | None
    after: int | None
    next_morning: int | None
    spreading: bool


@dataclass
class ReportData:
    """Everything the clinician report shows (see :func:`report_data`)."""

    date_from: date
    date_to: date
    generated: datetime
    patient: str | None
    routine_title: str | None
    sessions_done: int
    sessions_planned: int | None
    sessions_interrupted: int
    lights: dict[str, int]
    pain: list[PainPoint]
    exercises: list[ExerciseStats]
    faults: list[FaultStats]
    posture_days: int
    posture_seconds: dict[str, float]
    posture_breaks: int
    posture_alerts: int
    progression: list[tuple[datetime, str, str, str, str]]  # when, exercise, kind, change, reason
    spreading_reports: int = 0
    green_max: int = 3  # the routine's pain rules colour the chart's bands
    amber_max: int = 5
    notes: list[str] = field(default_factory=list)
    birth_year: int | None = None
    patient_ids: tuple[tuple[str, str], ...] = ()  # (system, value), e.g. ("clinic", "23-4543")
    routine_id: str | None = None
    routine_version: int | None = None
    stopped: dict[str, int] = field(default_factory=dict)  # sessions not completed, by status

    @property
    def adherence_pct(self) -> float | None:
        if not self.sessions_planned:
            return None
        return 100.0 * self.sessions_done / self.sessions_planned


def planned_sessions(
    schedule: Any,
    date_from: date,
    date_to: date,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> int:
    """Sessions a routine's schedule asks for between two dates (inclusive), within its validity."""
    start = max(date_from, valid_from) if valid_from else date_from
    end = min(date_to, valid_until) if valid_until else date_to
    if end < start:
        return 0
    days = (end - start).days + 1
    if schedule.days:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        n = sum(
            1 for i in range(days) if names[(start + timedelta(days=i)).weekday()] in schedule.days
        )
    else:
        n = round(days * (schedule.days_per_week or 7) / 7)
    return int(n * schedule.times_per_day)


def _names() -> dict[str, str]:
    try:
        from coach.routines.catalogue import load_catalogue

        return {k: e.name for k, e in load_catalogue().exercises.items()}
    except Exception:  # noqa: BLE001 (the report must not fail because the catalogue has a broken file)
        return {}


def _item_names(r: Any) -> dict[str, str]:
    """Exercise names by id: the catalogue's, and the routine's custom items."""
    names = _names()
    if r is not None:
        for block in r.blocks:
            for item in block.items:
                if item.custom is not None:
                    names[item.custom.id] = item.custom.name
    return names


def _pain_point(s: SessionRow, pains: list[PainRow]) -> PainPoint | None:
    """The session's point on the pain chart, or None when it has no ratings."""
    if not pains:
        return None
    before = [p.value for p in pains if p.context == "before"]
    after = [p.value for p in pains if p.context == "end"] or [
        p.value for p in pains if p.context == "after_exercise"
    ]
    morning = [p.value for p in pains if p.context == "next_morning"]
    return PainPoint(
        s.started_at,
        s.id,
        before[0] if before else None,
        max(after) if after else None,
        morning[-1] if morning else None,
        any(p.spreading_down_leg for p in pains),
    )


@dataclass
class _Tally:
    """What one exercise added up to over the period, before it becomes :class:`ExerciseStats`."""

    sessions: set[str] = field(default_factory=set)
    reps: int = 0
    partial: int = 0
    planned: int = 0
    holds: list[float] = field(default_factory=list)
    ranges: list[float] = field(default_factory=list)  # mean range of each exercise result
    faulty: int = 0
    counted: int = 0

    def add(self, history: History, session_id: str, er: ExerciseResultRow) -> None:
        self.sessions.add(session_id)
        reps = history.reps(er.id)
        holds = history.holds(er.id)
        self.reps += int(er.reps if er.reps is not None else len(reps))
        self.partial += int(er.partial_reps or 0)
        if er.reps_planned:
            self.planned += int(er.reps_planned) * int(er.sets_planned or 1)
        self.holds.extend(h.seconds for h in holds)
        ranges = [x.range_deg for x in reps if x.range_deg is not None]
        if ranges:
            self.ranges.append(sum(ranges) / len(ranges))
        self.counted += len(reps) + len(holds)
        self.faulty += sum(1 for x in reps if x.faults) + sum(1 for y in holds if y.faults)

    def stats(self, exercise_id: str, name: str) -> ExerciseStats:
        return ExerciseStats(
            exercise_id=exercise_id,
            name=name,
            sessions=len(self.sessions),
            reps=self.reps,
            partial_reps=self.partial,
            reps_planned=self.planned,
            holds=len(self.holds),
            hold_s_mean=round(sum(self.holds) / len(self.holds), 1) if self.holds else None,
            range_first=round(self.ranges[0], 1) if self.ranges else None,
            range_last=round(self.ranges[-1], 1) if self.ranges else None,
            fault_free_pct=round(100.0 * (1 - self.faulty / self.counted), 0)
            if self.counted
            else None,
        )


def _exercises_and_faults(
    history: History, sessions: list[SessionRow], names: dict[str, str]
) -> tuple[list[ExerciseStats], list[FaultStats]]:
    """Per exercise: the totals; per (exercise, fault): the count and the first cue, most first."""
    per_ex: dict[str, _Tally] = defaultdict(_Tally)
    fault_counts: dict[tuple[str, str], int] = Counter()
    fault_cues: dict[tuple[str, str], str] = {}
    for s in sessions:
        for er in history.exercise_results(s.id):
            per_ex[er.exercise_id].add(history, s.id, er)
            for f in history.faults(er.id):
                key = (er.exercise_id, f.fault_id)
                fault_counts[key] += f.count
                if f.cue:
                    fault_cues.setdefault(key, f.cue)
    exercises = [
        tally.stats(ex, names.get(ex, ex.replace("_", " "))) for ex, tally in per_ex.items()
    ]
    faults = sorted(
        (
            FaultStats(ex, fid, n, fault_cues.get((ex, fid), ""))
            for (ex, fid), n in fault_counts.items()
            if n > 0
        ),
        key=lambda f: -f.count,
    )
    return exercises, faults


def _pain_points(history: History, sessions: list[SessionRow]) -> tuple[list[PainPoint], int]:
    """The pain chart's points (sessions with a rating) and how many ratings reported pain
    spreading down the leg."""
    pain: list[PainPoint] = []
    spreading = 0
    for s in sessions:
        pains: list[PainRow] = history.pain_ratings(s.id)
        spreading += sum(1 for p in pains if p.spreading_down_leg)
        point = _pain_point(s, pains)
        if point is not None:
            pain.append(point)
    return pain, spreading


def _progression(
    history: History,
    routine_id: str | None,
    names: dict[str, str],
    date_from: date,
    date_to: date,
) -> list[tuple[datetime, str, str, str, str]]:
    """The progression events in range as (when, exercise name, kind, change, reason)."""
    return [
        (
            e.created_at,
            names.get(e.exercise_id, e.exercise_id),
            e.kind,
            describe_event(e.before, e.after),
            e.reason,
        )
        for e in history.progression_events(
            routine_id=routine_id, date_from=date_from, date_to=date_to
        )
    ]


def report_data(
    history: History,
    date_from: date,
    date_to: date,
    *,
    routine: Any = None,
    patient: str | None = None,
    now: datetime | None = None,
) -> ReportData:
    """Everything the clinician report shows, computed from the history.

    Parameters
    ----------
    routine
        A :class:`~coach.routines.routine.Routine` or ``ResolvedRoutine``: gives the planned
        sessions (adherence), the title and the exercise names of custom items.
    """
    r = getattr(routine, "routine", routine)
    names = _item_names(r)
    sessions = history.sessions(date_from, date_to, routine_id=r.id if r is not None else None)
    done = [s for s in sessions if s.status == "completed"]
    # Every other finished status (stopped early, interrupted, aborted...) as the reader gives it.
    interrupted = [s for s in sessions if s.status not in ("completed", "in_progress")]
    lights = Counter(s.classification or "not rated" for s in sessions)
    planned = (
        planned_sessions(r.schedule, date_from, date_to, r.valid_from, r.valid_until)
        if r is not None
        else None
    )

    pain, spreading = _pain_points(history, sessions)
    exercises, faults = _exercises_and_faults(history, sessions, names)
    posture = history.posture_days(date_from, date_to)
    posture_seconds: dict[str, float] = defaultdict(float)
    for d in posture:
        for k, v in d.seconds.items():
            posture_seconds[k] += v
    events = _progression(history, r.id if r is not None else None, names, date_from, date_to)
    return ReportData(
        date_from=date_from,
        date_to=date_to,
        generated=now or datetime.now().astimezone(),
        patient=patient
        or (r.patient.display_name if r is not None and r.patient is not None else None),
        routine_title=r.title if r is not None else None,
        birth_year=r.patient.birth_year if r is not None and r.patient is not None else None,
        patient_ids=tuple(r.patient.external_ids.items())
        if r is not None and r.patient is not None
        else (),
        routine_id=r.id if r is not None else None,
        routine_version=r.version if r is not None else None,
        stopped=dict(Counter(s.status for s in interrupted)),
        sessions_done=len(done),
        sessions_planned=planned,
        sessions_interrupted=len(interrupted),
        lights=dict(lights),
        pain=pain,
        exercises=exercises,
        faults=faults,
        posture_days=len(posture),
        posture_seconds=dict(posture_seconds),
        posture_breaks=sum(d.breaks for d in posture),
        posture_alerts=sum(d.alerts for d in posture),
        progression=events,
        spreading_reports=spreading,
        green_max=r.safety.pain_rules.green_max if r is not None else 3,
        amber_max=r.safety.pain_rules.amber_max if r is not None else 5,
    )
