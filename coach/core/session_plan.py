"""The plan, the results and the statuses of a guided session (what the runner in
:mod:`coach.core.session` works through and hands back), and the phases it moves through."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from coach.core.pain import PainDecision


class Phase(str, Enum):
    PAIN_BEFORE = "pain_before"
    REST_DAY = "rest_day"
    INTRO = "intro"
    CAMERA_CHECK = "camera_check"
    ACTIVE = "active"
    REST = "rest"
    SWITCH_SIDE = "switch_side"
    PAIN_AFTER = "pain_after"
    PAIN_END = "pain_end"
    SUMMARY = "summary"


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One exercise of the session with its dose for today."""

    exercise: Any  # coach.routines.exercise.Exercise (read structurally)
    sets: int
    reps: int | None  # reps per set (holds per set for hold exercises)
    hold_s: float
    rest_s: float
    duration_s: float | None = None
    sides: tuple[str, ...] = ("",)  # ("left", "right") when done per side
    regression: str | None = None


def plan_from_exercise(
    ex: Any,
    sets: int | None = None,
    reps: int | None = None,
    hold_s: float | None = None,
    rest_s: float | None = None,
    duration_s: float | None = None,
) -> PlanItem:
    d = ex.dose
    sides: tuple[str, ...] = ("left", "right") if ex.sides == "both" else ("",)
    return PlanItem(
        exercise=ex,
        sets=sets or d.sets,
        reps=reps if reps is not None else d.reps,
        hold_s=hold_s if hold_s is not None else d.hold_s,
        rest_s=rest_s if rest_s is not None else d.rest_s,
        duration_s=duration_s if duration_s is not None else d.duration_s,
        sides=sides,
        regression=ex.regression,
    )


def plan_for_recording(ex: Any) -> PlanItem:
    """One open set that counts everything in a recording (``--source FILE --exercise ID``).

    A recording has as many reps as it has; a set target would end the set part-way and make
    the player disagree with ``coach analyze`` on the same file.
    """
    return PlanItem(
        exercise=ex,
        sets=1,
        reps=None,
        hold_s=ex.dose.hold_s,
        rest_s=0.0,
        duration_s=ex.dose.duration_s,
        sides=("",),
        regression=ex.regression,
    )


@dataclass(slots=True)
class ExerciseResult:
    exercise_id: str
    name: str
    sets_done: int = 0
    reps: int = 0
    partial_reps: int = 0
    holds: list[float] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    fault_cues: dict[str, str] = field(default_factory=dict)
    pain_after: int | None = None
    stopped_reason: str = ""
    skipped: bool = False
    not_visible_s: float = 0.0
    reps_detail: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False  # every planned set was done
    by_clock: bool = False  # done by the clock alone (breathing): a timed set is what counts

    @property
    def status(self) -> SessionStatus:
        """Completed only when the plan was done and something was counted.

        For an exercise the camera counts (marching's steps included), that means a repetition
        or a hold: a timed set that ran out with no step counted is not done. Only an exercise
        done by the clock alone counts its finished sets.
        """
        counted = self.reps or self.holds or (self.by_clock and self.sets_done)
        if self.finished and not self.stopped_reason and counted:
            return SessionStatus.COMPLETED
        return SessionStatus.STOPPED_EARLY

    @property
    def stop_reason(self) -> str:
        if self.status is SessionStatus.COMPLETED:
            return ""
        if self.stopped_reason:
            return self.stopped_reason
        if self.skipped:
            return "Skipped."
        return STOP_NOTHING_COUNTED if not (self.reps or self.holds) else STOP_BY_PERSON


@dataclass(frozen=True, slots=True)
class Snapshot:
    phase: Phase
    paused: bool
    item_index: int
    items: int
    exercise_id: str
    exercise_name: str
    set_index: int
    sets: int
    side: str
    count: int  # reps (or holds) done in this set
    target: int | None
    hold_s: float  # current hold seconds
    hold_target: float
    remaining_s: float  # rest / intro / timed countdown
    message: str  # the big instruction line
    engine_state: str
    visible: bool
    active_faults: tuple[str, ...]
    pain_before: int | None
    decision: PainDecision | None


class SessionStatus(str, Enum):
    """How a session (or one exercise of it) ended, as stored in the history."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED_EARLY = "stopped_early"
    INTERRUPTED = "interrupted"  # the process died; set at the next start


#: Why a session or an exercise stopped before its plan was done (stored with the status).
STOP_BY_PERSON = "Stopped by you."
STOP_RECORDING_ENDED = "The recording ended."
STOP_NO_CAMERA = "No camera picture."
STOP_NOTHING_COUNTED = "No repetition or hold was counted."
STOP_APP_CLOSED = "coach was closed during the session."
STOP_SIGNAL = "Ended from outside: the computer was shutting down, or coach was stopped."
