"""The exercise history: a SQLite database written as the session happens.

Layout (schema version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``)::

    sessions            one row per session: routine, start/end, status, traffic light
    exercise_results    one row per exercise done in a session (planned dose, totals, summary)
    sets                sets within an exercise (optional: the app may not split sets)
    reps                every counted rep: engine times, range, peak, hold, faults, flags
    holds               every hold: times, seconds in position, seconds not visible, faults
    faults              per exercise result: fault id, how often, severity, the cue shown
    pain_ratings        0-10 NRS with its context (before, after_exercise, end, on_demand,
                        next_morning) and whether pain spread down the leg (DOMAIN §5.1)
    posture_days        desk mode: seconds per posture state, breaks, alerts per day
    progression_events  dose changes (progress / regress / hold) with the reason shown

Durability: WAL journal with ``synchronous=FULL`` and one transaction per call, so every rep is
on disk when :meth:`SessionRecorder.record_rep` returns; a crash (even power loss) loses at most
the rep being written. ``FULL`` costs one fsync per rep, about one every two seconds, which is
nothing; ``NORMAL`` would survive a killed process but could lose the last reps on power loss.

Start-up never fails because of the history file (STYLE §14): :func:`open_history` moves a
corrupt file aside (renamed, never deleted) and starts afresh, and falls back to an in-memory
database (with a copy of what could be read) when the file is locked, read-only or from a newer
coach. It returns a warning for the UI in each case.

Times: wall-clock times are stored as ISO 8601 strings in UTC; rep and hold times are the
engine's own timestamps (seconds on the session's monotonic clock), stored as given.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SCHEMA_VERSION = 3
HISTORY_FILENAME = "history.sqlite3"
PAIN_CONTEXTS = ("before", "after_exercise", "end", "on_demand", "next_morning")
PainContext = Literal["before", "after_exercise", "end", "on_demand", "next_morning"]
#: in_progress: being recorded now; completed: the plan was done and something was counted;
#: stopped_early: ended before the plan was done (``stop_reason`` says why: pain, the person,
#: no camera, the recording ended, nothing counted); interrupted: the process died (crash, kill).
SESSION_STATUSES = ("in_progress", "completed", "stopped_early", "interrupted")
#: A session still "in progress" this long after it started was cut short by a crash.
STALE_SESSION = timedelta(hours=6)
#: The next-morning question is asked from this local hour on the day after a session.
MORNING_FROM_HOUR = 4

_V1 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    routine_id TEXT,
    routine_version INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'completed', 'aborted', 'interrupted')),
    app_version TEXT,
    device_json TEXT
);
CREATE INDEX sessions_started ON sessions(started_at);
CREATE TABLE exercise_results (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER,
    exercise_id TEXT NOT NULL,
    side TEXT,
    sets_planned INTEGER,
    reps_planned INTEGER,
    hold_s_planned REAL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reps INTEGER,
    partial_reps INTEGER,
    holds INTEGER,
    hold_s_total REAL,
    not_visible_s REAL,
    summary_json TEXT
);
CREATE INDEX exercise_results_session ON exercise_results(session_id);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    rep_index INTEGER NOT NULL,
    start_s REAL,
    end_s REAL,
    range_deg REAL,
    peak REAL,
    hold_s REAL,
    faults TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    recorded_at TEXT NOT NULL
);
CREATE INDEX reps_result ON reps(exercise_result_id);
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    hold_index INTEGER NOT NULL,
    start_s REAL,
    end_s REAL,
    seconds REAL NOT NULL,
    not_visible_s REAL NOT NULL DEFAULT 0,
    faults TEXT NOT NULL DEFAULT '[]',
    recorded_at TEXT NOT NULL
);
CREATE INDEX holds_result ON holds(exercise_result_id);
CREATE TABLE pain_ratings (
    id INTEGER PRIMARY KEY,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    exercise_result_id INTEGER REFERENCES exercise_results(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL,
    context TEXT NOT NULL
        CHECK (context IN ('before', 'after_exercise', 'end', 'on_demand', 'next_morning')),
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
    spreading_down_leg INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pain_session ON pain_ratings(session_id);
CREATE INDEX pain_time ON pain_ratings(recorded_at)
"""

_V2 = """
ALTER TABLE sessions ADD COLUMN classification TEXT
    CHECK (classification IS NULL OR classification IN ('green', 'amber', 'red'));
ALTER TABLE sessions ADD COLUMN next_morning_check INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sessions ADD COLUMN planned_json TEXT;
ALTER TABLE sessions ADD COLUMN notes TEXT;
ALTER TABLE pain_ratings ADD COLUMN stiffness INTEGER CHECK (stiffness IS NULL OR stiffness BETWEEN 0 AND 10);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    set_index INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    reps INTEGER,
    partial_reps INTEGER
);
CREATE INDEX sets_result ON sets(exercise_result_id);
ALTER TABLE reps ADD COLUMN set_id INTEGER REFERENCES sets(id) ON DELETE SET NULL;
ALTER TABLE holds ADD COLUMN set_id INTEGER REFERENCES sets(id) ON DELETE SET NULL;
CREATE TABLE faults (
    id INTEGER PRIMARY KEY,
    exercise_result_id INTEGER NOT NULL REFERENCES exercise_results(id) ON DELETE CASCADE,
    fault_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    severity TEXT,
    cue TEXT,
    UNIQUE (exercise_result_id, fault_id)
);
CREATE TABLE posture_days (
    day TEXT PRIMARY KEY,
    seconds_json TEXT NOT NULL DEFAULT '{}',
    breaks INTEGER NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE progression_events (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    routine_id TEXT,
    exercise_id TEXT NOT NULL,
    position INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'regress', 'hold', 'reset')),
    before_json TEXT,
    after_json TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX progression_exercise ON progression_events(routine_id, exercise_id);
-- v1 kept per-exercise fault counts only inside summary_json: lift them into the new table.
INSERT INTO faults (exercise_result_id, fault_id, count)
    SELECT er.id, j.key, j.value FROM exercise_results er, json_each(er.summary_json, '$.faults') j
    WHERE er.summary_json IS NOT NULL AND json_valid(er.summary_json)
        AND json_type(er.summary_json, '$.faults') = 'object'
"""

# v3: honest statuses. "aborted" becomes "stopped_early" with a reason; the process that records
# a session is noted so a crashed one is marked interrupted at the next start, not hours later.
# SQLite cannot change a CHECK constraint in place: the table is rebuilt (sqlite.org/lang_altertable
# "other kinds of table schema changes"), with foreign keys off for the swap (see migrate()).
_V3 = """
CREATE TABLE sessions_v3 (
    id TEXT PRIMARY KEY,
    routine_id TEXT,
    routine_version INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'completed', 'stopped_early', 'interrupted')),
    app_version TEXT,
    device_json TEXT,
    classification TEXT
        CHECK (classification IS NULL OR classification IN ('green', 'amber', 'red')),
    next_morning_check INTEGER NOT NULL DEFAULT 1,
    planned_json TEXT,
    notes TEXT,
    stop_reason TEXT,
    owner_pid INTEGER,
    owner_host TEXT
);
INSERT INTO sessions_v3 (id, routine_id, routine_version, started_at, ended_at, status, app_version,
        device_json, classification, next_morning_check, planned_json, notes)
    SELECT id, routine_id, routine_version, started_at, ended_at,
        CASE status WHEN 'aborted' THEN 'stopped_early' ELSE status END,
        app_version, device_json, classification, next_morning_check, planned_json, notes
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v3 RENAME TO sessions;
CREATE INDEX sessions_started ON sessions(started_at);
ALTER TABLE exercise_results ADD COLUMN status TEXT;
ALTER TABLE exercise_results ADD COLUMN stop_reason TEXT
"""

#: Each migration takes the database from ``version - 1`` to ``version``.
MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2), (3, _V3))
#: Migrations that rebuild a table: run with foreign keys off so the swap cascades nothing.
_REBUILDS = frozenset({3})


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


# ---------------------------------------------------------------------------------------------
# Opening


def _errname(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def _classify(exc: sqlite3.Error) -> HistoryError:
    name = _errname(exc)
    msg = str(exc)
    low = msg.lower()
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "not a database" in low or "malformed" in low:
        return CorruptHistoryError(msg)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        return LockedHistoryError(msg)
    return UnavailableHistoryError(msg)


def _connect(target: str, *, uri: bool = False, timeout: float = 5.0) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per call.
    conn = sqlite3.connect(
        target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=uri
    )
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` one migration at a time, each in its own transaction.

    Returns the version found before migrating. Raises :class:`NewerHistoryError` when the
    database is newer than this coach knows.
    """
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise NewerHistoryError(f"schema version {found}; this coach knows up to {SCHEMA_VERSION}")
    for version, script in MIGRATIONS:
        if version <= found or version > target:
            continue
        fk = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if version in _REBUILDS:
            conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read the version again under the write lock: two coach processes opening a new
            # history at the same moment must not both run the same migration.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                conn.execute("COMMIT")
                continue
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if version in _REBUILDS:
                conn.execute(f"PRAGMA foreign_keys = {'ON' if fk else 'OFF'}")
        log.info("history schema migrated to version %d", version)
    return found


class History:
    """The history database. Thread-safe: every method takes the connection's lock.

    Create with :func:`open_history` (the app) or :meth:`History.open` (raises on problems).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, timeout: float = 5.0) -> History:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises
        ------
        CorruptHistoryError, LockedHistoryError, UnavailableHistoryError, NewerHistoryError
        """
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UnavailableHistoryError(
                f"cannot create {p.parent}: {exc.strerror or exc}"
            ) from None
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(str(p), timeout=timeout)
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            # Check before the first write (switching to WAL rewrites the header): a damaged
            # file is moved aside exactly as it was found.
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CorruptHistoryError(f"integrity check failed: {check}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise UnavailableHistoryError(f"cannot switch the history to WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous = FULL")
            # A history is small and written a row at a time: a 512 KiB page cache is plenty,
            # and keeps an all-day app's memory flat (SQLite's default is 2 MiB per connection).
            conn.execute("PRAGMA cache_size = -512")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
            # A write proves the file is writable now, not only at the next rep.
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except HistoryError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise _classify(exc) from None
        return cls(conn, p)

    @classmethod
    def in_memory(cls, copy_from: str | Path | None = None) -> History:
        """A history that lives in memory only, optionally starting from a copy of a file."""
        conn = _connect(":memory:")
        if copy_from is not None:
            try:
                src = _connect(
                    f"{Path(copy_from).resolve().as_uri()}?mode=ro&immutable=1",
                    uri=True,
                    timeout=1.0,
                )
                try:
                    src.backup(conn)
                finally:
                    src.close()
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) > SCHEMA_VERSION:
                    raise NewerHistoryError("newer schema")
            except (sqlite3.Error, HistoryError, OSError, ValueError):
                conn.close()
                conn = _connect(":memory:")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        return cls(conn, None)

    @property
    def persistent(self) -> bool:
        """False for an in-memory fallback: nothing recorded now will be kept."""
        return self.path is not None

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (and, with synchronous=FULL, synced) on exit."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` passes."""
        return bool(self._query("PRAGMA integrity_check")[0][0] == "ok")

    def recorder(self) -> SessionRecorder:
        """A :class:`SessionRecorder` writing into this history."""
        return SessionRecorder(self)

    # -- housekeeping ----------------------------------------------------------------------

    def mark_interrupted(
        self, now: datetime | None = None, older_than: timedelta = STALE_SESSION
    ) -> int:
        """Sessions left "in progress" by a dead process become "interrupted"; returns how many.

        A session whose recording process (pid on this computer) no longer runs is marked at
        once; one whose owner is unknown (another computer, an older coach) only after
        ``older_than``, so a second window recording right now is left alone.
        """
        cutoff = _iso((now or utcnow()) - older_than)
        host = socket.gethostname()
        rows = self._query("SELECT id, owner_pid, owner_host, started_at FROM sessions WHERE status = 'in_progress'")
        dead = [
            r["id"] for r in rows
            if (r["owner_pid"] is not None and r["owner_host"] == host and not _pid_alive(int(r["owner_pid"])))
            or (r["owner_pid"] is None and str(r["started_at"]) < str(cutoff))
            or (r["owner_host"] != host and str(r["started_at"]) < str(cutoff))
        ]
        if not dead:
            return 0
        with self._tx() as c:
            n = 0
            for sid in dead:
                n += c.execute(
                    "UPDATE sessions SET status = 'interrupted', stop_reason = COALESCE(stop_reason, ?),"
                    " ended_at = COALESCE((SELECT MAX(t) FROM ("
                    "   SELECT r.recorded_at AS t FROM reps r JOIN exercise_results e ON r.exercise_result_id = e.id"
                    "   WHERE e.session_id = sessions.id UNION ALL"
                    "   SELECT h.recorded_at FROM holds h JOIN exercise_results e ON h.exercise_result_id = e.id"
                    "   WHERE e.session_id = sessions.id UNION ALL"
                    "   SELECT p.recorded_at FROM pain_ratings p WHERE p.session_id = sessions.id)), started_at)"
                    " WHERE id = ? AND status = 'in_progress'",
                    ("coach stopped unexpectedly during the session.", sid),
                ).rowcount
            return n

    # -- writing (used by SessionRecorder and the progression engine) ---------------------

    def set_classification(self, session_id: str, light: str | None) -> None:
        with self._tx() as c:
            c.execute("UPDATE sessions SET classification = ? WHERE id = ?", (light, session_id))

    def add_progression_event(
        self,
        exercise_id: str,
        kind: Literal["progress", "regress", "hold", "reset"],
        reason: str,
        *,
        routine_id: str | None = None,
        session_id: str | None = None,
        position: int | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        when: datetime | None = None,
    ) -> int:
        """Store one dose change (or a deliberate hold) with the reason shown to people."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO progression_events (created_at, session_id, routine_id, exercise_id, position, kind,"
                " before_json, after_json, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _iso(when or utcnow()),
                    session_id,
                    routine_id,
                    exercise_id,
                    position,
                    kind,
                    None if before is None else json.dumps(dict(before)),
                    None if after is None else json.dumps(dict(after)),
                    reason,
                ),
            )
            return int(cur.lastrowid or 0)

    def add_posture_time(
        self,
        day: date,
        seconds_by_state: Mapping[str, float],
        *,
        breaks: int = 0,
        alerts: int = 0,
    ) -> PostureDay:
        """Add desk-mode time to ``day`` (call it every minute or so; each call is committed)."""
        with self._tx() as c:
            row = c.execute(
                "SELECT seconds_json, breaks, alerts FROM posture_days WHERE day = ?",
                (day.isoformat(),),
            ).fetchone()
            seconds: dict[str, float] = json.loads(row["seconds_json"]) if row else {}
            for state, s in seconds_by_state.items():
                seconds[state] = round(seconds.get(state, 0.0) + float(s), 3)
            total_breaks = (row["breaks"] if row else 0) + int(breaks)
            total_alerts = (row["alerts"] if row else 0) + int(alerts)
            c.execute(
                "INSERT INTO posture_days (day, seconds_json, breaks, alerts, updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(day) DO UPDATE SET seconds_json = excluded.seconds_json, breaks = excluded.breaks,"
                " alerts = excluded.alerts, updated_at = excluded.updated_at",
                (day.isoformat(), json.dumps(seconds), total_breaks, total_alerts, _iso(utcnow())),
            )
        return PostureDay(day, seconds, total_breaks, total_alerts)

    # -- reading ---------------------------------------------------------------------------

    def sessions(
        self,
        date_from: date | None = None,
        date_to: date | None = None,
        *,
        routine_id: str | None = None,
        statuses: Sequence[str] | None = None,
    ) -> list[SessionRow]:
        """Sessions started between two local dates (inclusive), oldest first."""
        extra = [(f"status IN ({', '.join('?' * len(statuses))})", list(statuses))] if statuses else []
        rows = self._select("sessions", "started_at", date_from, date_to, {"routine_id": routine_id}, extra)
        return [self._session(r) for r in rows]

    def session(self, session_id: str) -> SessionRow:
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise KeyError(f"no session '{session_id}'")
        return self._session(rows[0])

    def _select(
        self,
        table: str,
        time_column: str,
        date_from: date | None,
        date_to: date | None,
        equals: Mapping[str, Any],
        extra: Sequence[tuple[str, Sequence[Any]]] = (),
    ) -> list[Any]:
        """Rows of ``table`` between two local dates where each non-None ``equals`` column
        matches (plus any ``extra`` clauses), oldest first. Table and column names are ours."""
        where, params = self._range(time_column, date_from, date_to)
        for column, value in equals.items():
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        for clause, values in extra:
            where.append(clause)
            params.extend(values)
        sql = (
            f"SELECT * FROM {table}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY {time_column}, id"
        )
        return self._query(sql, params)

    @staticmethod
    def _range(
        column: str, date_from: date | None, date_to: date | None
    ) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if date_from is not None:
            where.append(f"{column} >= ?")
            params.append(_local_day_start_utc(date_from))
        if date_to is not None:
            where.append(f"{column} < ?")
            params.append(_local_day_start_utc(date_to + timedelta(days=1)))
        return where, params

    @staticmethod
    def _session(r: sqlite3.Row) -> SessionRow:
        return SessionRow(
            id=r["id"],
            routine_id=r["routine_id"],
            routine_version=r["routine_version"],
            started_at=_dt_req(r["started_at"]),
            ended_at=_dt(r["ended_at"]),
            status=r["status"],
            classification=r["classification"],
            app_version=r["app_version"],
            device=json.loads(r["device_json"]) if r["device_json"] else {},
            next_morning_check=bool(r["next_morning_check"]),
            planned=json.loads(r["planned_json"]) if r["planned_json"] else None,
            notes=r["notes"],
            stop_reason=r["stop_reason"],
        )

    def exercise_results(
        self, session_id: str | None = None, *, exercise_id: str | None = None
    ) -> list[ExerciseResultRow]:
        where, params = [], []
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        if exercise_id is not None:
            where.append("exercise_id = ?")
            params.append(exercise_id)
        # Counts come from the stored reps and holds, never from totals written at the end, so
        # they are right after a crash, a kill or a closed window too.
        sql = (
            "SELECT er.*,"
            " (SELECT COUNT(*) FROM reps r WHERE r.exercise_result_id = er.id) AS n_reps,"
            " (SELECT COUNT(*) FROM holds h WHERE h.exercise_result_id = er.id) AS n_holds,"
            " (SELECT SUM(h.seconds) FROM holds h WHERE h.exercise_result_id = er.id) AS hold_sum"
            " FROM exercise_results er"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY started_at, id"
        )
        return [
            ExerciseResultRow(
                id=r["id"],
                session_id=r["session_id"],
                position=r["position"],
                exercise_id=r["exercise_id"],
                side=r["side"],
                sets_planned=r["sets_planned"],
                reps_planned=r["reps_planned"],
                hold_s_planned=r["hold_s_planned"],
                started_at=_dt_req(r["started_at"]),
                ended_at=_dt(r["ended_at"]),
                # Rows win; a total larger than its rows comes from a file written before reps
                # were stored one by one (schema v1) or from an imported summary.
                reps=max(int(r["n_reps"]), int(r["reps"] or 0)),
                partial_reps=r["partial_reps"],
                holds=max(int(r["n_holds"]), int(r["holds"] or 0)),
                hold_s_total=(round(float(r["hold_sum"]), 3) if r["hold_sum"] is not None
                              else r["hold_s_total"]),
                not_visible_s=r["not_visible_s"],
                summary=json.loads(r["summary_json"]) if r["summary_json"] else None,
                status=r["status"],
                stop_reason=r["stop_reason"],
            )
            for r in self._query(sql, params)
        ]

    def session_record(self, session_id: str) -> dict[str, Any]:
        """One session as stored, JSON-ready: status, reason, times, and per exercise the reps,
        partial reps, hold seconds and why it stopped, all computed from the stored rows.

        The shape printed by ``coach session --json`` and ``coach history list --json``.
        """
        s = self.session(session_id)
        exercises = []
        for er in self.exercise_results(session_id):
            holds = [round(h.seconds, 2) for h in self.holds(er.id)]
            exercises.append({
                "exercise": er.exercise_id,
                "reps": int(er.reps or 0),
                "partial_reps": int(er.partial_reps or 0),
                "holds_s": holds,
                "status": er.status or ("interrupted" if s.status == "interrupted" else "in_progress"),
                "stopped_reason": er.stop_reason or "",
            })
        return {
            "session_id": s.id,
            "routine": s.routine_id,
            "status": s.status,
            "stopped_reason": s.stop_reason or "",
            "started_at": _iso(s.started_at),
            "ended_at": _iso(s.ended_at),
            "exercises": exercises,
        }

    def sets(self, exercise_result_id: int) -> list[SetRow]:
        return [
            SetRow(
                r["id"],
                r["exercise_result_id"],
                r["set_index"],
                _dt_req(r["started_at"]),
                _dt(r["ended_at"]),
                r["reps"],
                r["partial_reps"],
            )
            for r in self._query(
                "SELECT * FROM sets WHERE exercise_result_id = ? ORDER BY set_index, id",
                (exercise_result_id,),
            )
        ]

    def reps(
        self, exercise_result_id: int | None = None, *, session_id: str | None = None
    ) -> list[RepRow]:
        if session_id is not None:
            sql = (
                "SELECT r.* FROM reps r JOIN exercise_results e ON r.exercise_result_id = e.id"
                " WHERE e.session_id = ? ORDER BY e.started_at, e.id, r.id"
            )
            params: tuple[Any, ...] = (session_id,)
        elif exercise_result_id is not None:
            sql, params = (
                "SELECT * FROM reps WHERE exercise_result_id = ? ORDER BY id",
                (exercise_result_id,),
            )
        else:
            sql, params = "SELECT * FROM reps ORDER BY id", ()
        return [
            RepRow(
                id=r["id"],
                exercise_result_id=r["exercise_result_id"],
                set_id=r["set_id"],
                index=r["rep_index"],
                start=r["start_s"],
                end=r["end_s"],
                range_deg=r["range_deg"],
                peak=r["peak"],
                hold_s=r["hold_s"],
                faults=tuple(json.loads(r["faults"])),
                flags=tuple(json.loads(r["flags"])),
                recorded_at=_dt_req(r["recorded_at"]),
            )
            for r in self._query(sql, params)
        ]

    def holds(self, exercise_result_id: int) -> list[HoldRow]:
        return [
            HoldRow(
                id=r["id"],
                exercise_result_id=r["exercise_result_id"],
                set_id=r["set_id"],
                index=r["hold_index"],
                start=r["start_s"],
                end=r["end_s"],
                seconds=r["seconds"],
                not_visible_s=r["not_visible_s"],
                faults=tuple(json.loads(r["faults"])),
                recorded_at=_dt_req(r["recorded_at"]),
            )
            for r in self._query(
                "SELECT * FROM holds WHERE exercise_result_id = ? ORDER BY id",
                (exercise_result_id,),
            )
        ]

    def faults(self, exercise_result_id: int) -> list[FaultRow]:
        return [
            FaultRow(r["exercise_result_id"], r["fault_id"], r["count"], r["severity"], r["cue"])
            for r in self._query(
                "SELECT * FROM faults WHERE exercise_result_id = ? ORDER BY count DESC, fault_id",
                (exercise_result_id,),
            )
        ]

    def pain_ratings(
        self,
        session_id: str | None = None,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        context: str | None = None,
    ) -> list[PainRow]:
        rows = self._select("pain_ratings", "recorded_at", date_from, date_to,
                            {"session_id": session_id, "context": context})
        return [
            PainRow(
                id=r["id"],
                session_id=r["session_id"],
                exercise_result_id=r["exercise_result_id"],
                recorded_at=_dt_req(r["recorded_at"]),
                context=r["context"],
                value=r["value"],
                spreading_down_leg=bool(r["spreading_down_leg"]),
                stiffness=r["stiffness"],
            )
            for r in rows
        ]

    def posture_days(
        self, date_from: date | None = None, date_to: date | None = None
    ) -> list[PostureDay]:
        where, params = [], []
        if date_from is not None:
            where.append("day >= ?")
            params.append(date_from.isoformat())
        if date_to is not None:
            where.append("day <= ?")
            params.append(date_to.isoformat())
        sql = (
            "SELECT * FROM posture_days"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY day"
        )
        return [
            PostureDay(
                date.fromisoformat(r["day"]),
                json.loads(r["seconds_json"]),
                r["breaks"],
                r["alerts"],
            )
            for r in self._query(sql, params)
        ]

    def progression_events(
        self,
        *,
        routine_id: str | None = None,
        exercise_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[ProgressionEventRow]:
        rows = self._select("progression_events", "created_at", date_from, date_to,
                            {"routine_id": routine_id, "exercise_id": exercise_id})
        return [
            ProgressionEventRow(
                id=r["id"],
                created_at=_dt_req(r["created_at"]),
                session_id=r["session_id"],
                routine_id=r["routine_id"],
                exercise_id=r["exercise_id"],
                position=r["position"],
                kind=r["kind"],
                before=json.loads(r["before_json"]) if r["before_json"] else None,
                after=json.loads(r["after_json"]) if r["after_json"] else None,
                reason=r["reason"],
            )
            for r in rows
        ]

    def pending_next_morning_check(self, now: datetime | None = None) -> PendingCheck | None:
        """The last session that still needs its next-morning pain rating, if it is due now.

        Due means (DOMAIN §5.1): the session has ended, asked for the check, has no
        ``next_morning`` rating yet, ended on the calendar day before ``now`` (local time), and
        it is at least :data:`MORNING_FROM_HOUR` o'clock. Only the most recent finished session
        counts: after two sessions yesterday, one question covers both.
        """
        now = now or utcnow()
        local_now = (now if now.tzinfo else now.astimezone()).astimezone()
        if local_now.hour < MORNING_FROM_HOUR:
            return None
        rows = self._query(
            "SELECT * FROM sessions WHERE status != 'in_progress' AND ended_at IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT 1"
        )
        if not rows:
            return None
        s = self._session(rows[0])
        assert s.ended_at is not None
        if not s.next_morning_check:
            return None
        if s.ended_at.astimezone(local_now.tzinfo).date() != local_now.date() - timedelta(days=1):
            return None
        pains = self.pain_ratings(s.id)
        if any(p.context == "next_morning" for p in pains):
            return None
        before = [p.value for p in pains if p.context == "before"]
        after = [p.value for p in pains if p.context in ("end", "after_exercise")]
        return PendingCheck(
            s.id,
            s.routine_id,
            s.ended_at,
            before[0] if before else None,
            after[-1] if after else None,
        )

    def record_next_morning(
        self,
        session_id: str,
        value: int,
        *,
        stiffness: int | None = None,
        spreading_down_leg: bool = False,
        when: datetime | None = None,
    ) -> int:
        """Store the answer to :meth:`pending_next_morning_check`."""
        return _insert_pain(
            self, session_id, None, value, "next_morning", spreading_down_leg, stiffness, when
        )


def _insert_pain(
    history: History,
    session_id: str | None,
    exercise_result_id: int | None,
    value: int,
    context: str,
    spreading: bool,
    stiffness: int | None,
    when: datetime | None,
) -> int:
    if context not in PAIN_CONTEXTS:
        raise ValueError(f"pain context must be one of {', '.join(PAIN_CONTEXTS)}, not {context!r}")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"pain is an integer from 0 to 10, not {value!r}")
    if stiffness is not None and not 0 <= int(stiffness) <= 10:
        raise ValueError(f"stiffness is an integer from 0 to 10, not {stiffness!r}")
    with history._tx() as c:
        cur = c.execute(
            "INSERT INTO pain_ratings (session_id, exercise_result_id, recorded_at, context, value, spreading_down_leg, stiffness)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                exercise_result_id,
                _iso(when or utcnow()),
                context,
                value,
                int(bool(spreading)),
                stiffness,
            ),
        )
        return int(cur.lastrowid or 0)


# ---------------------------------------------------------------------------------------------
# Recording a session


@dataclass
class SessionRecorder:
    """Writes one session into a :class:`History` as it happens; each call is one commit.

    Typical use by the app::

        rec = history.recorder()
        rec.start_session("clbp-starter", routine_version=3)
        rec.record_pain(2, "before")
        rec.start_exercise("glute_bridge", position=3, sets_planned=2, reps_planned=8)
        for rep in engine_reps:            # as each rep is counted
            rec.record_rep(rep)
        rec.end_exercise(engine.summary(), fault_info={"over_arching": ("amber", "Do not arch")})
        rec.record_pain(3, "after_exercise")
        rec.end_session()                  # classifies the session green / amber / red

    A write that fails (disk full, file vanished) is logged and remembered in ``error`` but
    never raises into the app; the call returns ``None``. Calls in the wrong order (a rep
    before ``start_exercise``) raise :class:`RuntimeError`: that is a programming error.
    """

    history: History
    session_id: str | None = None
    exercise_result_id: int | None = None
    set_id: int | None = None
    error: str | None = None
    lost: int = 0  # writes that failed in this session
    _live_reps: int = field(default=0, repr=False)
    _live_holds: int = field(default=0, repr=False)

    def _write(self, what: str, fn: Callable[[], _T]) -> _T | None:
        """Run one write; on failure remember why (``error``) and carry on. ``error`` is the
        latest write's problem: a write that works again clears it (``lost`` keeps the count)."""
        try:
            out = fn()
        except sqlite3.Error as exc:
            self.error = f"could not save {what}: {exc}"
            self.lost += 1
            log.warning("history: %s", self.error)
            return None
        self.error = None
        return out

    # -- session ---------------------------------------------------------------------------

    def start_session(
        self,
        routine_id: str | None = None,
        routine_version: int | None = None,
        *,
        next_morning_check: bool = True,
        planned: Sequence[Mapping[str, Any]] | None = None,
        device: Mapping[str, Any] | None = None,
        app_version: str | None = None,
        when: datetime | None = None,
        session_id: str | None = None,
    ) -> str:
        """Start a session; returns its id (a UUID)."""
        if self.session_id is not None:
            raise RuntimeError("a session is already running; call end_session() first")
        sid = session_id or str(uuid.uuid4())

        def run() -> None:
            with self.history._tx() as c:
                c.execute(
                    "INSERT INTO sessions (id, routine_id, routine_version, started_at, status, app_version, device_json,"
                    " next_morning_check, planned_json, owner_pid, owner_host)"
                    " VALUES (?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?)",
                    (
                        sid,
                        routine_id,
                        routine_version,
                        _iso(when or utcnow()),
                        app_version,
                        json.dumps(dict(device)) if device else None,
                        int(next_morning_check),
                        json.dumps([dict(p) for p in planned]) if planned is not None else None,
                        os.getpid(),
                        socket.gethostname(),
                    ),
                )

        self._write("the session start", run)
        self.session_id = sid
        return sid

    def end_session(
        self,
        status: Literal["completed", "stopped_early"] = "completed",
        *,
        stop_reason: str | None = None,
        notes: str | None = None,
        classification: str | None = None,
        pain_rules: Any = None,
        when: datetime | None = None,
    ) -> str | None:
        """Finish the session and classify it (green/amber/red) from its pain ratings.

        ``classification`` overrides the computed light; ``pain_rules`` (a routine's
        :class:`~coach.routines.routine.PainRules`) tunes the computation. Returns the light,
        or None when the session had no pain rating during or after it.
        """
        if self.session_id is None:
            raise RuntimeError("no session is running")
        if self.exercise_result_id is not None:
            self.end_exercise()
        sid = self.session_id
        light = classification
        if light is None:
            from coach.store.progression import classify_session

            pains = self.history.pain_ratings(sid)
            light = classify_session(pains, pain_rules).light if pains else None

        def run() -> None:
            with self.history._tx() as c:
                c.execute(
                    "UPDATE sessions SET ended_at = ?, status = ?, stop_reason = ?, notes = COALESCE(?, notes),"
                    " classification = ? WHERE id = ?",
                    (_iso(when or utcnow()), status, stop_reason or None, notes, light, sid),
                )

        self._write("the session end", run)
        self.session_id = None
        return light

    # -- exercises and sets ----------------------------------------------------------------

    def start_exercise(
        self,
        exercise_id: str,
        *,
        position: int | None = None,
        side: str | None = None,
        sets_planned: int | None = None,
        reps_planned: int | None = None,
        hold_s_planned: float | None = None,
        when: datetime | None = None,
    ) -> int | None:
        """Start an exercise within the running session; returns its result id."""
        if self.session_id is None:
            raise RuntimeError("start_session() first")
        if self.exercise_result_id is not None:
            self.end_exercise()
        sid = self.session_id

        def run() -> int:
            with self.history._tx() as c:
                cur = c.execute(
                    "INSERT INTO exercise_results (session_id, position, exercise_id, side, sets_planned, reps_planned,"
                    " hold_s_planned, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sid,
                        position,
                        exercise_id,
                        side,
                        sets_planned,
                        reps_planned,
                        hold_s_planned,
                        _iso(when or utcnow()),
                    ),
                )
                return int(cur.lastrowid or 0)

        self.exercise_result_id = self._write(f"the start of {exercise_id}", run)
        self._live_reps = self._live_holds = 0
        self.set_id = None
        return self.exercise_result_id

    def start_set(
        self, set_index: int | None = None, *, when: datetime | None = None
    ) -> int | None:
        """Optional: mark the start of a set; reps and holds recorded after it belong to it."""
        erid = self._need_exercise()
        if self.set_id is not None:
            self.end_set()

        def run() -> int:
            with self.history._tx() as c:
                idx = set_index
                if idx is None:
                    idx = int(
                        c.execute(
                            "SELECT COUNT(*) FROM sets WHERE exercise_result_id = ?", (erid,)
                        ).fetchone()[0]
                    )
                cur = c.execute(
                    "INSERT INTO sets (exercise_result_id, set_index, started_at) VALUES (?, ?, ?)",
                    (erid, idx, _iso(when or utcnow())),
                )
                return int(cur.lastrowid or 0)

        self.set_id = self._write("the set start", run)
        return self.set_id

    def end_set(self, *, partial_reps: int | None = None, when: datetime | None = None) -> None:
        if self.set_id is None:
            return
        set_id = self.set_id

        def run() -> None:
            with self.history._tx() as c:
                c.execute(
                    "UPDATE sets SET ended_at = ?, reps = (SELECT COUNT(*) FROM reps WHERE set_id = ?), partial_reps = ?"
                    " WHERE id = ?",
                    (_iso(when or utcnow()), set_id, partial_reps, set_id),
                )

        self._write("the set end", run)
        self.set_id = None

    def _need_exercise(self) -> int:
        if self.exercise_result_id is None:
            raise RuntimeError("start_exercise() first")
        return self.exercise_result_id

    # -- reps, holds, pain -----------------------------------------------------------------

    def record_rep(self, rep: RepLike | Mapping[str, Any]) -> int | None:
        """Store one counted rep (a ``RepRecord`` or an engine summary ``reps_detail`` entry).

        Returns the rep's row id once it is committed to disk.
        """
        erid = self._need_exercise()
        set_id = self.set_id

        def run() -> int:
            with self.history._tx() as c:
                cur = c.execute(
                    "INSERT INTO reps (exercise_result_id, set_id, rep_index, start_s, end_s, range_deg, peak, hold_s,"
                    " faults, flags, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        erid,
                        set_id,
                        int(_get(rep, "index", self._live_reps + 1)),
                        _float(_get(rep, "start")),
                        _float(_get(rep, "end")),
                        _float(_get(rep, "range_deg", None, "range")),
                        _float(_get(rep, "peak")),
                        _float(_get(rep, "hold_s", 0.0)),
                        json.dumps(list(_get(rep, "faults", ()) or ())),
                        json.dumps(list(_get(rep, "flags", ()) or ())),
                        _iso(utcnow()),
                    ),
                )
                return int(cur.lastrowid or 0)

        rid = self._write("a rep", run)
        if rid is not None:
            self._live_reps += 1
        return rid

    def record_hold(self, hold: HoldLike | Mapping[str, Any]) -> int | None:
        """Store one finished hold (a ``HoldRecord`` or a summary ``holds_detail`` entry)."""
        erid = self._need_exercise()
        set_id = self.set_id

        def run() -> int:
            with self.history._tx() as c:
                cur = c.execute(
                    "INSERT INTO holds (exercise_result_id, set_id, hold_index, start_s, end_s, seconds, not_visible_s,"
                    " faults, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        erid,
                        set_id,
                        int(_get(hold, "index", self._live_holds + 1)),
                        _float(_get(hold, "start")),
                        _float(_get(hold, "end")),
                        _float(_get(hold, "seconds", 0.0)) or 0.0,
                        _float(_get(hold, "not_visible_s", 0.0)) or 0.0,
                        json.dumps(list(_get(hold, "faults", ()) or ())),
                        _iso(utcnow()),
                    ),
                )
                return int(cur.lastrowid or 0)

        hid = self._write("a hold", run)
        if hid is not None:
            self._live_holds += 1
        return hid

    def record_pain(
        self,
        value: int,
        context: PainContext = "on_demand",
        *,
        spreading_down_leg: bool = False,
        stiffness: int | None = None,
        when: datetime | None = None,
    ) -> int | None:
        """Store a 0-10 pain rating; ``after_exercise`` ratings are tied to the current exercise.

        Raises
        ------
        ValueError
            ``value`` is not an integer 0-10 or ``context`` is unknown.
        """
        erid = self.exercise_result_id if context in ("after_exercise", "on_demand") else None
        sid = self.session_id
        if context == "after_exercise" and erid is None:
            # asked after end_exercise(): tie it to the exercise that just ended
            erid = self._last_exercise_id()
        try:
            return _insert_pain(
                self.history, sid, erid, value, context, spreading_down_leg, stiffness, when
            )
        except sqlite3.Error as exc:
            self.error = f"could not save a pain rating: {exc}"
            log.warning("history: %s", self.error)
            return None

    def _last_exercise_id(self) -> int | None:
        if self.session_id is None:
            return None
        rows: list[sqlite3.Row] = self.history._query(
            "SELECT id FROM exercise_results WHERE session_id = ? ORDER BY id DESC LIMIT 1",
            (self.session_id,),
        )
        return int(rows[0][0]) if rows else None

    def end_exercise(
        self,
        summary: Mapping[str, Any] | None = None,
        *,
        fault_info: Mapping[str, tuple[str | None, str | None]] | None = None,
        when: datetime | None = None,
        status: str | None = None,
        stop_reason: str | None = None,
    ) -> None:
        """Finish the current exercise with the engine's :meth:`summary`.

        ``status`` is ``completed`` or ``stopped_early`` (with ``stop_reason``).

        Totals (reps, partial reps, holds, faults) come from ``summary``. Reps and holds that
        were not recorded live are filled in from its ``reps_detail`` / ``holds_detail``, so an
        app that records only at the end still gets every rep. ``fault_info`` maps fault ids to
        ``(severity, cue)``; cues also come from the summary's ``cues``.
        """
        erid = self._need_exercise()
        if self.set_id is not None:
            self.end_set(when=when)
        s = dict(summary or {})
        live_reps, live_holds = self._live_reps, self._live_holds
        reps_detail = list(s.get("reps_detail") or [])
        holds_detail = list(s.get("holds_detail") or [])
        if live_reps == 0:
            for i, r in enumerate(reps_detail, 1):
                self.record_rep({"index": i, **r})
        if live_holds == 0:
            for i, h in enumerate(holds_detail, 1):
                self.record_hold({"index": i, **h})
        counts: dict[str, int] = {str(k): int(v) for k, v in dict(s.get("faults") or {}).items()}
        cues: dict[str, str] = {}
        for c in s.get("cues") or []:
            if isinstance(c, Mapping) and c.get("fault") and c.get("text"):
                cues.setdefault(str(c["fault"]), str(c["text"]))
        info = dict(fault_info or {})
        holds_list = s.get("holds")
        hold_seconds = [float(h) for h in holds_list] if isinstance(holds_list, list) else None

        def run() -> None:
            with self.history._tx() as c:
                if hold_seconds is None:
                    agg = c.execute(
                        "SELECT COUNT(*), COALESCE(SUM(seconds), 0) FROM holds WHERE exercise_result_id = ?",
                        (erid,),
                    ).fetchone()
                    n_holds, hold_total = int(agg[0]), float(agg[1])
                else:
                    n_holds, hold_total = len(hold_seconds), sum(hold_seconds)
                n_reps = s.get("reps")
                if n_reps is None:
                    n_reps = c.execute(
                        "SELECT COUNT(*) FROM reps WHERE exercise_result_id = ?", (erid,)
                    ).fetchone()[0]
                c.execute(
                    "UPDATE exercise_results SET ended_at = ?, reps = ?, partial_reps = ?, holds = ?, hold_s_total = ?,"
                    " not_visible_s = ?, summary_json = ?, status = ?, stop_reason = ? WHERE id = ?",
                    (
                        _iso(when or utcnow()),
                        int(n_reps),
                        int(s.get("partial_reps") or 0),
                        n_holds,
                        round(hold_total, 3),
                        _float(s.get("not_visible_s")),
                        json.dumps(s, default=str) if summary is not None else None,
                        status,
                        stop_reason or None,
                        erid,
                    ),
                )
                for fid in sorted(set(counts) | set(info)):
                    sev, cue = info.get(fid, (None, None))
                    c.execute(
                        "INSERT INTO faults (exercise_result_id, fault_id, count, severity, cue) VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT(exercise_result_id, fault_id) DO UPDATE SET count = excluded.count,"
                        " severity = COALESCE(excluded.severity, severity), cue = COALESCE(excluded.cue, cue)",
                        (erid, fid, counts.get(fid, 0), sev, cue or cues.get(fid)),
                    )

        self._write("the exercise result", run)
        self.exercise_result_id = None


# ---------------------------------------------------------------------------------------------
# The app's entry point


def default_history_path() -> Path:
    """``$COACH_DATA_DIR/history.sqlite3``, else under ``platformdirs.user_data_dir("coach")``."""
    env = os.environ.get("COACH_DATA_DIR")
    if env:
        return Path(env) / HISTORY_FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("coach", appauthor=False)) / HISTORY_FILENAME


def _backup_name(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    candidate, n = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its ``-wal``/``-shm`` companions) to a timestamped
    backup beside it; never deletes anything. Returns the backup's path."""
    target = _backup_name(path, now or datetime.now())
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            with contextlib.suppress(OSError):
                companion.rename(Path(f"{target}{suffix}"))
    return target


def open_history(
    path: str | Path | None = None, *, now: datetime | None = None, timeout: float = 5.0
) -> tuple[History, str | None]:
    """Open the history for the app; never raises for a bad file.

    Parameters
    ----------
    path
        The database file; default :func:`default_history_path` (``COACH_DATA_DIR`` honoured).
    now
        For tests: the time used in a backup's name and for stale-session recovery.
    timeout
        Seconds to wait for a lock held by another program before giving up on the file.

    Returns
    -------
    (History, warning)
        ``warning`` is None when all is well, else one sentence for the UI. Cases:

        * corrupt file: renamed to ``history.corrupt-YYYYmmdd-HHMMSS.sqlite3`` and a fresh
          history started;
        * locked by another program, read-only, or unreachable: an in-memory history holding a
          copy of what could be read (``History.persistent`` is False);
        * written by a newer coach: the file is left untouched, in-memory history.
    """
    p = Path(path) if path is not None else default_history_path()
    try:
        h = History.open(p, timeout=timeout)
    except CorruptHistoryError as exc:
        log.warning("history %s is damaged: %s", p, exc)
        # Salvage before replacing: every row still readable is copied into the new file.
        from coach.store.salvage import salvage

        try:
            backup = move_aside(p, now)
            fresh = _connect(str(p), timeout=timeout)
            try:
                report = salvage(backup, fresh)
            finally:
                fresh.close()
            h = History.open(p, timeout=timeout)
        except (OSError, HistoryError, sqlite3.Error) as exc2:
            log.warning("cannot replace the damaged history: %s", exc2)
            return History.in_memory(), (
                f"Your exercise history ({p}) is damaged and could not be replaced; "
                "this session will not be saved."
            )
        if report.total:
            return h, (
                f"Your exercise history was damaged. {report.sentence()} could still be read "
                f"and were copied into a new history; the damaged file was kept as {backup.name}."
            )
        return h, (
            f"Your exercise history was damaged and could not be read. It was kept as {backup.name} "
            "and a new history was started."
        )
    except LockedHistoryError:
        return History.in_memory(p), (
            "Your exercise history is in use by another program (is coach open twice?); "
            "this session will not be saved."
        )
    except NewerHistoryError:
        return History.in_memory(), (
            "Your exercise history was written by a newer version of coach and was left untouched; "
            "this session will not be saved. Please update coach."
        )
    except UnavailableHistoryError as exc:
        return History.in_memory(p if p.exists() else None), (
            f"Your exercise history ({p}) cannot be written ({exc}); this session will not be saved."
        )
    with contextlib.suppress(sqlite3.Error):
        h.mark_interrupted(now)
    return h, None
