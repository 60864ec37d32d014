"""What a :class:`~coach.core.session.SessionRunner` reports: one event kind, one frozen payload.

Every :class:`SessionEvent` carries a ``kind`` (an :class:`EventKind`) and the payload of that
kind, a frozen dataclass whose fields are the event's data (pymmcore-plus's MDA events are the
model). Consumers match on the kind, or on the payload's type, and read typed fields; nothing
matches on strings. ``SessionEvent.data`` is the same payload as a plain dict, for logs and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

from coach.core.engine import HoldRecord, RepRecord

if TYPE_CHECKING:
    from coach.core.session_plan import ExerciseResult, SessionStatus


class EventKind(str, Enum):
    """What a :class:`SessionEvent` reports (its payload class in brackets)."""

    PHASE = "phase"  # [PhaseChanged] the runner entered a phase
    REP = "rep"  # [RepCounted]
    PARTIAL = "partial"  # [PartialRep] a rep short of the range
    HOLD = "hold"  # [HoldDone]
    SET_DONE = "set_done"  # [SetDone]
    EXERCISE_DONE = "exercise_done"  # [ExerciseDone]
    PAIN = "pain"  # [PainRated]
    CUE = "cue"  # [CueShown] a form cue to show and speak
    SAY = "say"  # [Say] words to speak
    PAUSED = "paused"  # [Paused]
    RESUMED = "resumed"  # [Resumed]
    SESSION_DONE = "session_done"  # [SessionDone]


@dataclass(frozen=True, slots=True)
class PhaseChanged:
    phase: str  # a Phase value
    message: str
    item: int  # index of the plan item
    exercise: str
    set: int  # 0-based set index


@dataclass(frozen=True, slots=True)
class RepCounted:
    count: int  # reps so far in this set
    record: RepRecord


@dataclass(frozen=True, slots=True)
class PartialRep:
    pass


@dataclass(frozen=True, slots=True)
class HoldDone:
    record: HoldRecord


@dataclass(frozen=True, slots=True)
class SetDone:
    exercise: str
    set: int  # 1-based: the set just finished
    side: str  # "", "left" or "right"


@dataclass(frozen=True, slots=True)
class ExerciseDone:
    exercise: str
    result: ExerciseResult


@dataclass(frozen=True, slots=True)
class PainRated:
    context: str  # "before", "after" (an exercise), "during", "end"
    value: int  # 0-10
    spreading: bool
    level: str  # a PainLevel value: green, amber, red
    exercise: str | None = None  # during a session: the exercise it followed
    action: str | None = None  # during a session: what the pain rule decided


@dataclass(frozen=True, slots=True)
class CueShown:
    text: str
    fault: str
    severity: str


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Paused:
    pass


@dataclass(frozen=True, slots=True)
class Resumed:
    pass


@dataclass(frozen=True, slots=True)
class SessionDone:
    results: list[ExerciseResult]
    status: SessionStatus
    reason: str


Payload = (
    PhaseChanged
    | RepCounted
    | PartialRep
    | HoldDone
    | SetDone
    | ExerciseDone
    | PainRated
    | CueShown
    | Say
    | Paused
    | Resumed
    | SessionDone
)

#: The payload class of each kind.
PAYLOADS: dict[EventKind, type[Any]] = {
    EventKind.PHASE: PhaseChanged,
    EventKind.REP: RepCounted,
    EventKind.PARTIAL: PartialRep,
    EventKind.HOLD: HoldDone,
    EventKind.SET_DONE: SetDone,
    EventKind.EXERCISE_DONE: ExerciseDone,
    EventKind.PAIN: PainRated,
    EventKind.CUE: CueShown,
    EventKind.SAY: Say,
    EventKind.PAUSED: Paused,
    EventKind.RESUMED: Resumed,
    EventKind.SESSION_DONE: SessionDone,
}


@dataclass(frozen=True, slots=True)
class SessionEvent:
    kind: EventKind
    t: float
    payload: Payload

    @classmethod
    def make(cls, kind: EventKind | str, t: float, **data: Any) -> SessionEvent:
        """The event of ``kind`` with its payload built from ``data`` (unknown or missing fields
        raise TypeError: a kind's data cannot drift from its payload class)."""
        k = EventKind(kind)
        return cls(k, t, PAYLOADS[k](**data))

    @property
    def data(self) -> dict[str, Any]:
        """The payload's fields as a dict (logs, JSON)."""
        return {f.name: getattr(self.payload, f.name) for f in fields(self.payload)}
