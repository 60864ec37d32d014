"""The history's errors and the rows it returns (frozen dataclasses), and the Protocols of what
the recorder accepts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Protocol

# ---------------------------------------------------------------------------------------------
# Errors and rows


class HistoryError(Exception):
    """The history database cannot be used as it is."""


class CorruptHistoryError(HistoryError):
    """The file is not a (healthy) SQLite database."""


class LockedHistoryError(HistoryError):
    """Another process holds the database locked."""


class UnavailableHistoryError(HistoryError):
    """The file cannot be opened for writing (read-only, permissions, I/O error)."""


class NewerHistoryError(HistoryError):
    """The database was written by a newer coach (higher schema version)."""


def _pid_alive(pid: int) -> bool:
    """Is a process with this id running on this computer (ours or anyone's)?"""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    # A zombie (killed, not yet reaped by its parent) is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.astimezone()  # naive means local time
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _dt(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s)


def _dt_req(s: str) -> datetime:
    """A timestamp from a NOT NULL column."""
    return datetime.fromisoformat(s)


def _local_day_start_utc(d: date) -> str:
    start = datetime.combine(d, time(0, 0)).astimezone()
    return _iso(start) or ""


@dataclass(frozen=True)
class SessionRow:
    id: str
    routine_id: str | None
    routine_version: int | None
    started_at: datetime
    ended_at: datetime | None
    status: str
    classification: str | None
    app_version: str | None
    device: dict[str, Any]
    next_morning_check: bool
    planned: list[dict[str, Any]] | None
    notes: str | None
    stop_reason: str | None = None

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class ExerciseResultRow:
    id: int
    session_id: str
    position: int | None
    exercise_id: str
    side: str | None
    sets_planned: int | None
    reps_planned: int | None
    hold_s_planned: float | None
    started_at: datetime
    ended_at: datetime | None
    reps: int | None
    partial_reps: int | None
    holds: int | None
    hold_s_total: float | None
    not_visible_s: float | None
    summary: dict[str, Any] | None
    status: str | None = None  # completed / stopped_early; None while it runs (or crashed)
    stop_reason: str | None = None


@dataclass(frozen=True)
class SetRow:
    id: int
    exercise_result_id: int
    set_index: int
    started_at: datetime
    ended_at: datetime | None
    reps: int | None
    partial_reps: int | None


@dataclass(frozen=True)
class RepRow:
    id: int
    exercise_result_id: int
    set_id: int | None
    index: int
    start: float | None
    end: float | None
    range_deg: float | None
    peak: float | None
    hold_s: float | None
    faults: tuple[str, ...]
    flags: tuple[str, ...]
    recorded_at: datetime


@dataclass(frozen=True)
class HoldRow:
    id: int
    exercise_result_id: int
    set_id: int | None
    index: int
    start: float | None
    end: float | None
    seconds: float
    not_visible_s: float
    faults: tuple[str, ...]
    recorded_at: datetime


@dataclass(frozen=True)
class FaultRow:
    exercise_result_id: int
    fault_id: str
    count: int
    severity: str | None
    cue: str | None


@dataclass(frozen=True)
class PainRow:
    id: int
    session_id: str | None
    exercise_result_id: int | None
    recorded_at: datetime
    context: str
    value: int
    spreading_down_leg: bool
    stiffness: int | None


@dataclass(frozen=True)
class PostureDay:
    day: date
    seconds: dict[str, float]
    breaks: int
    alerts: int

    @property
    def monitored_s(self) -> float:
        return float(sum(self.seconds.values()))


@dataclass(frozen=True)
class ProgressionEventRow:
    id: int
    created_at: datetime
    session_id: str | None
    routine_id: str | None
    exercise_id: str
    position: int | None
    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


@dataclass(frozen=True)
class PendingCheck:
    """A session whose next-morning pain rating is due (DOMAIN §5.1)."""

    session_id: str
    routine_id: str | None
    ended_at: datetime
    pain_before: int | None
    pain_after: int | None


class RepLike(Protocol):
    """What :meth:`SessionRecorder.record_rep` reads (``coach.core.engine.RepRecord`` fits)."""

    @property
    def index(self) -> int: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def peak(self) -> float: ...
    @property
    def range_deg(self) -> float: ...
    @property
    def hold_s(self) -> float: ...
    @property
    def faults(self) -> Sequence[str]: ...
    @property
    def flags(self) -> Sequence[str]: ...


class HoldLike(Protocol):
    """What :meth:`SessionRecorder.record_hold` reads (``coach.core.engine.HoldRecord`` fits)."""

    @property
    def index(self) -> int: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def seconds(self) -> float: ...
    @property
    def not_visible_s(self) -> float: ...
    @property
    def faults(self) -> Sequence[str]: ...


def _get(obj: Any, name: str, default: Any = None, *alts: str) -> Any:
    """Read a field from a record object or a mapping (engine summary dicts use 'range')."""
    for n in (name, *alts):
        if isinstance(obj, Mapping):
            if n in obj:
                return obj[n]
        elif hasattr(obj, n):
            return getattr(obj, n)
    return default


def _float(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return v if v == v else None  # NaN is stored as NULL
