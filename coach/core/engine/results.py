"""What the scoring engine hands out: its states, the records of reps, holds and cues, the
per-frame :class:`EngineStatus` snapshot, and :class:`EngineConfig` (the tunables of a run).

All frozen or plain dataclasses with no behaviour beyond a derived property: safe to pass to
another thread, to store (``coach.store`` reads reps and holds by their fields) and to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
