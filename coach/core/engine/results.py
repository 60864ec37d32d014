"""What the scoring engine hands out: its states, the records of reps, holds and cues, the
per-frame :class:`EngineStatus` snapshot, and :class:`EngineConfig` (the tunables of a run).

All frozen or plain dataclasses with no behaviour beyond a derived property: safe to pass to
another thread, to store (``coach.store`` reads reps and holds by their fields) and to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coach.core.landmarks import PoseFrame


class State(str, Enum):
    SETUP = "setup"
    REST = "rest"
    MOVING = "moving"
    WORK = "work"
    HOLDING = "holding"
    NOT_VISIBLE = "not_visible"


@dataclass(frozen=True, slots=True)
class RepRecord:
    index: int
    start: float
    end: float
    peak: float
    range_deg: float
    hold_s: float
    faults: tuple[str, ...]
    flags: tuple[str, ...]  # "too_fast", "stalled"

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class HoldRecord:
    index: int
    start: float
    end: float
    seconds: float  # time in position and in view
    not_visible_s: float  # time inside the hold when the body could not be seen
    faults: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    text: str
    fault: str
    severity: str
    timestamp: float


@dataclass(frozen=True, slots=True)
class ExerciseReport:
    """Everything the engine scored for one exercise (``coach analyze``, ``coach evaluate``, the
    stored session). Times in seconds of the recording; :meth:`as_dict` is the JSON shape."""

    exercise: str
    kind: str
    view: str | None
    reps: int  # whole reps
    partial_reps: int
    reps_detail: tuple[RepRecord, ...]
    holds_detail: tuple[HoldRecord, ...]
    faults: tuple[tuple[str, int], ...]  # (fault id, count), in the definition's order
    not_visible_s: float
    cues: tuple[Cue, ...]

    @property
    def holds(self) -> list[float]:
        """Seconds of each hold, to the hundredth (as reported)."""
        return [round(h.seconds, 2) for h in self.holds_detail]

    @property
    def fault_counts(self) -> dict[str, int]:
        return dict(self.faults)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data (the keys ``coach analyze --json`` prints)."""
        return {
            "exercise": self.exercise,
            "kind": self.kind,
            "view": self.view,
            "reps": self.reps,
            "partial_reps": self.partial_reps,
            "holds": self.holds,
            "holds_detail": [
                {
                    "start": round(h.start, 3),
                    "end": round(h.end, 3),
                    "seconds": round(h.seconds, 2),
                    "not_visible_s": round(h.not_visible_s, 2),
                    "faults": list(h.faults),
                }
                for h in self.holds_detail
            ],
            "faults": self.fault_counts,
            "reps_detail": [
                {
                    "index": r.index,
                    "start": round(r.start, 3),
                    "end": round(r.end, 3),
                    "range": round(r.range_deg, 1),
                    "peak": round(r.peak, 1),
                    "hold_s": round(r.hold_s, 2),
                    "faults": list(r.faults),
                    "flags": list(r.flags),
                }
                for r in self.reps_detail
            ],
            "not_visible_s": round(self.not_visible_s, 2),
            "cues": [
                {"t": round(c.timestamp, 2), "fault": c.fault, "text": c.text} for c in self.cues
            ],
        }


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """A snapshot after one frame; cheap to build, safe to hand to another thread."""

    timestamp: float
    state: State
    reps: int
    partial_reps: int
    value: float  # the primary signal (NaN when not visible or none)
    progress: float  # 0 at rest .. 1 at work (NaN when unknown)
    hold_s: float  # the current hold's seconds (0 when not holding)
    holds: int
    active_faults: tuple[str, ...]
    cue: Cue | None  # a new cue to show/speak on this frame
    visible: bool
    event: str | None = None  # "ready", "rep", "partial", "hold_start", "hold_end"
    #: Several people are in the picture and the engine cannot tell yet who is exercising.
    person_unsure: bool = False
    #: People seen in this frame (0 when none).
    people: int = 1
    #: With several people in the frame: the pose of the one the engine follows (the screen
    #: draws that skeleton, not the model's first person). None with one person or none.
    person: PoseFrame | None = None


#: A recording starts with the person already in position: its set-up needs only this long in
#: the start position (a live camera waits DOMAIN's full second). `coach analyze`, `coach session`
#: and the player on a recording all score with it.
RECORDING_SETUP_S = 0.2


@dataclass(slots=True)
class EngineConfig:
    """Tunables that are about the run, not the exercise."""

    setup_s: float = 1.0  # DOMAIN §1.7 start position >= 1.0 s; recordings use less
    min_cutoff: float = 1.0  # One Euro, DOMAIN §1.5
    beta: float = 0.01
    d_cutoff: float = 1.0
    visibility_gate: float = 0.5
