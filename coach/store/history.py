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


The package layout: :mod:`coach.store.schema` (tables, migrations), :mod:`coach.store.rows`
(errors and row types), :mod:`coach.store.database` (the file, connections, migrating),
:mod:`coach.store.reader` (every query), :mod:`coach.store.recorder` (writing a session) and this
module (:class:`History`: opening, closing, the writes outside a session; :func:`open_history`);
every public name is importable from here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import platform
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from coach.store.database import (
    _classify,
    _connect,
    default_history_path,
    migrate,
    move_aside,
)
from coach.store.reader import HistoryReader
from coach.store.recorder import (
    SessionRecorder,
    _insert_pain,
)
from coach.store.rows import (
    CorruptHistoryError,
    ExerciseResultRow,
    FaultRow,
    HistoryError,
    HoldLike,
    HoldRow,
    LockedHistoryError,
    NewerHistoryError,
    PainRow,
    PendingCheck,
    PostureDay,
    ProgressionEventRow,
    RepLike,
    RepRow,
    SessionRow,
    SetRow,
    UnavailableHistoryError,
    _iso,
    _pid_alive,
    utcnow,
)
from coach.store.schema import (
    HISTORY_FILENAME,
    MIGRATIONS,
    MORNING_FROM_HOUR,
    PAIN_CONTEXTS,
    SCHEMA_VERSION,
    SESSION_STATUSES,
    STALE_SESSION,
    PainContext,
)

log = logging.getLogger(__name__)


class History(HistoryReader):
    """The history database. Thread-safe: every method takes the connection's lock.

    The queries are inherited from :class:`~coach.store.reader.HistoryReader`; this class adds
    opening and closing, the write transaction and the writes made outside a session recorder.

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
        host = platform.node()
        rows = self._query(
            "SELECT id, owner_pid, owner_host, started_at FROM sessions WHERE status = 'in_progress'"
        )
        dead = [
            r["id"]
            for r in rows
            if (
                r["owner_pid"] is not None
                and r["owner_host"] == host
                and not _pid_alive(int(r["owner_pid"]))
            )
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

    def add_progression_event(  # noqa: PLR0913
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
        """Store one dose change (or a deliberate hold) with the reason shown to people.

        Nine arguments because each is one column of the stored event; all but the first three
        are keyword-only.
        """
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


# ---------------------------------------------------------------------------------------------
# The app's entry point


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


__all__ = [
    "CorruptHistoryError",
    "ExerciseResultRow",
    "FaultRow",
    "HISTORY_FILENAME",
    "History",
    "HistoryError",
    "HoldLike",
    "HoldRow",
    "LockedHistoryError",
    "MIGRATIONS",
    "MORNING_FROM_HOUR",
    "NewerHistoryError",
    "PAIN_CONTEXTS",
    "PainContext",
    "PainRow",
    "PendingCheck",
    "PostureDay",
    "ProgressionEventRow",
    "RepLike",
    "RepRow",
    "SCHEMA_VERSION",
    "SESSION_STATUSES",
    "STALE_SESSION",
    "SessionRecorder",
    "SessionRow",
    "SetRow",
    "UnavailableHistoryError",
    "default_history_path",
    "migrate",
    "move_aside",
    "open_history",
    "utcnow",
]
