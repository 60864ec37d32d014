"""The history screen's numbers, Qt-free: sessions, exercise points and weekly adherence
(:func:`collect`), plain Python over the history's query API, so tests can check them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from coach.core.session import (
    STOP_APP_CLOSED,
    STOP_BY_PERSON,
    STOP_NO_CAMERA,
    STOP_NOTHING_COUNTED,
    STOP_RECORDING_ENDED,
    STOP_SIGNAL,
)

#: How far back the weekly and daily charts look (bounded, whatever the history's length).
WEEKS_SHOWN = 12
POSTURE_DAYS_SHOWN = 14
#: Posture states shown in the daily chart, in stacking order, with their labels.
POSTURE_STATES: tuple[tuple[str, str], ...] = (
    ("upright", "Sitting well"),
    ("slouched", "Leaning forward"),
    ("forward_head", "Head forward"),
    ("leaning", "Leaning sideways or back"),
)
_STATUS_WORDS = {
    "completed": "Completed",
    "stopped_early": "Stopped early",
    "interrupted": "Interrupted",
    "in_progress": "In progress",
}
_LIGHT_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


def result_words(status: str, stop_reason: str = "") -> str:
    """The Sessions table's "Result": how the session ended, in two or three words.

    From the status the store records and, for a session stopped early, its stored reason
    ("Stopped: pain", "Stopped by you", "Rest day"...). The traffic light is not a result: it is
    the colour of the pain ratings.
    """
    if status != "stopped_early":
        return _STATUS_WORDS.get(status, status.replace("_", " ").capitalize())
    reason = stop_reason.strip()
    low = reason.lower()
    if low.startswith("rest day"):
        return "Rest day"
    if "pain" in low:
        return "Stopped: pain"
    return {
        STOP_BY_PERSON: "Stopped by you",
        "Skipped by you.": "Stopped by you",
        "Skipped.": "Stopped by you",
        STOP_NO_CAMERA: "Stopped: no camera",
        STOP_NOTHING_COUNTED: "Nothing counted",
        STOP_RECORDING_ENDED: "Recording ended",
        STOP_APP_CLOSED: "Stopped: app closed",
        STOP_SIGNAL: "Stopped: app closed",
    }.get(reason, "Stopped early")


# ---------------------------------------------------------------------------------------------
# The numbers (Qt-free)


@dataclass(frozen=True)
class SessionSummary:
    """One session as the Sessions tab lists it."""

    id: str
    started_at: datetime
    routine: str
    duration_s: float | None
    status: str
    light: str | None
    pain_before: int | None
    pain_after: int | None
    next_morning: int | None
    stop_reason: str = ""  # why it stopped early (pain, the person, a crash...)


@dataclass(frozen=True)
class ExercisePoint:
    """How one exercise went in one session (several results in a session are added up)."""

    when: datetime
    session_id: str
    reps: int
    holds: int
    hold_s_total: float
    range_mean: float | None

    @property
    def hold_s_mean(self) -> float | None:
        return self.hold_s_total / self.holds if self.holds else None


@dataclass(frozen=True)
class WeekAdherence:
    start: date  # Monday
    done: int
    planned: int | None  # None: no routine with a schedule to compare with


@dataclass
class HistoryData:
    """Everything the page shows, computed once per refresh."""

    sessions: list[SessionSummary] = field(default_factory=list)
    weeks: list[WeekAdherence] = field(default_factory=list)
    exercises: dict[str, list[ExercisePoint]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    posture: list[Any] = field(default_factory=list)  # PostureDay, oldest first

    @property
    def pain_sessions(self) -> list[SessionSummary]:
        return [s for s in self.sessions if s.pain_before is not None or s.pain_after is not None]


def week_start(d: date) -> date:
    """The Monday of ``d``'s week."""
    return d - timedelta(days=d.weekday())


def _local(t: datetime) -> datetime:
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone()


def routine_label(
    routine_id: str | None, routine: Any = None, names: dict[str, str] | None = None
) -> str:
    """A readable routine name: the title when it is the current routine, the program's or the
    exercise's own name for a built-in session (``names``: "program:<id>" / exercise id ->
    name), else the id tidied."""
    if not routine_id:
        return "Built-in routine"
    if routine is not None and routine.id == routine_id:
        return str(routine.title)
    kind, _, rest = routine_id.partition(":")
    names = names or {}
    if kind == "program" and routine_id in names:
        return names[routine_id]
    if kind == "exercise" and rest in names:
        return names[rest]
    if kind in ("program", "exercise") and rest:  # what the app stores for built-in sessions
        return rest.replace("_", " ").replace("-", " ").capitalize()
    if " " in routine_id:
        return routine_id
    return routine_id.replace("_", " ").replace("-", " ").capitalize()


def collect(
    history: Any,
    today: date,
    *,
    routine: Any = None,
    names: dict[str, str] | None = None,
    schedule: Any = None,
) -> HistoryData:
    """Gather the page's numbers from ``history`` (see the module docstring).

    Parameters
    ----------
    history
        A :class:`coach.store.history.History`.
    today
        Local date the weekly and daily charts end on.
    routine
        The current :class:`~coach.routines.routine.Routine` (its schedule gives the planned
        sessions per week, its title names its sessions), or None.
    schedule
        A :class:`coach.routines.today.TodaysSchedule` (what home offers today); by default the
        routine's.
    names
        Exercise id → display name.
    """
    data = HistoryData(names=dict(names or {}))
    for s in history.sessions():
        data.sessions.append(_session_summary(history, s, routine, data.names))
        for ex_id, point in _exercise_points(history, s).items():
            data.exercises.setdefault(ex_id, []).append(point)
    data.weeks = _weeks(data.sessions, today, routine, schedule)
    data.posture = list(history.posture_days(today - timedelta(days=POSTURE_DAYS_SHOWN - 1), today))
    return data


def _session_summary(
    history: Any, s: Any, routine: Any, names: dict[str, str] | None = None
) -> SessionSummary:
    """One session row with its pain before, after (the end rating, else the worst after an
    exercise) and next morning."""
    pains = history.pain_ratings(s.id)
    before = [p.value for p in pains if p.context == "before"]
    after = [p.value for p in pains if p.context == "end"] or [
        p.value for p in pains if p.context == "after_exercise"
    ]
    morning = [p.value for p in pains if p.context == "next_morning"]
    return SessionSummary(
        id=s.id,
        started_at=_local(s.started_at),
        routine=routine_label(s.routine_id, routine, names),
        duration_s=s.duration_s,
        status=s.status,
        light=s.classification,
        pain_before=before[0] if before else None,
        pain_after=max(after) if after else None,
        next_morning=morning[-1] if morning else None,
        stop_reason=getattr(s, "stop_reason", None) or "",
    )


def _exercise_points(history: Any, s: Any) -> dict[str, ExercisePoint]:
    """Per exercise of session ``s``: repetitions, holds and hold seconds, mean range."""
    per: dict[str, list[Any]] = {}
    for er in history.exercise_results(s.id):
        per.setdefault(er.exercise_id, []).append(er)
    points: dict[str, ExercisePoint] = {}
    for ex_id, results in per.items():
        reps = holds = 0
        hold_total = 0.0
        ranges: list[float] = []
        for er in results:
            rep_rows = history.reps(er.id)
            hold_rows = history.holds(er.id)
            reps += int(er.reps) if er.reps is not None else len(rep_rows)
            if hold_rows:
                holds += len(hold_rows)
                hold_total += sum(h.seconds for h in hold_rows)
            else:
                holds += int(er.holds or 0)
                hold_total += float(er.hold_s_total or 0.0)
            ranges.extend(r.range_deg for r in rep_rows if r.range_deg is not None)
        points[ex_id] = ExercisePoint(
            _local(s.started_at),
            s.id,
            reps,
            holds,
            round(hold_total, 2),
            round(sum(ranges) / len(ranges), 1) if ranges else None,
        )
    return points


def _weeks(
    sessions: list[SessionSummary], today: date, routine: Any, schedule: Any
) -> list[WeekAdherence]:
    """Sessions done against planned, per week, for the last :data:`WEEKS_SHOWN` weeks."""
    this_week = week_start(today)
    first = this_week - timedelta(weeks=WEEKS_SHOWN - 1)
    if sessions:
        first = max(first, week_start(min(s.started_at.date() for s in sessions)))
    done: dict[date, int] = {}
    for s in sessions:
        if s.status == "completed":
            wk = week_start(s.started_at.date())
            done[wk] = done.get(wk, 0) + 1
    if schedule is None:
        from coach.routines.today import todays_schedule

        schedule = todays_schedule(routine, None) if routine is not None else None
    weeks: list[WeekAdherence] = []
    wk = first
    while wk <= this_week:
        planned = None
        if schedule is not None and schedule.schedule is not None:
            from coach.reports.pdf import planned_sessions

            planned = planned_sessions(
                schedule.schedule,
                wk,
                wk + timedelta(days=6),
                schedule.valid_from,
                schedule.valid_until,
            )
        weeks.append(WeekAdherence(wk, done.get(wk, 0), planned))
        wk += timedelta(weeks=1)
    return weeks


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m = round(seconds / 60)
    if m < 60:
        return f"{m} min"
    return f"{m // 60} h {m % 60:02d} min"


def _when(t: datetime) -> str:
    return t.strftime("%a %d %b %Y, %H:%M").replace(" 0", " ")


def _when_short(t: datetime, today: date) -> str:
    """The table's date: the year only when it is not this year ("Mon 30 Nov, 9:00")."""
    if t.year == today.year:
        return t.strftime("%a %d %b, %H:%M").replace(" 0", " ")
    return _when(t)


def _count(n: int, word: str) -> str:
    """ "1 repetition", "5 repetitions"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _n(v: int | None) -> str:
    return "–" if v is None else f"{v}/10"
