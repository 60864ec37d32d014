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
(errors and row types), :mod:`coach.store.recorder` (writing a session) and this module (reading,
opening); every public name is importable from here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

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
    _dt,
    _dt_req,
    _iso,
    _local_day_start_utc,
    _pid_alive,
    utcnow,
)
from coach.store.schema import (
    _REBUILDS,
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
        extra = (
            [(f"status IN ({', '.join('?' * len(statuses))})", list(statuses))] if statuses else []
        )
        rows = self._select(
            "sessions", "started_at", date_from, date_to, {"routine_id": routine_id}, extra
        )
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
                hold_s_total=(
                    round(float(r["hold_sum"]), 3)
                    if r["hold_sum"] is not None
                    else r["hold_s_total"]
                ),
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
            exercises.append(
                {
                    "exercise": er.exercise_id,
                    "reps": int(er.reps or 0),
                    "partial_reps": int(er.partial_reps or 0),
                    "holds_s": holds,
                    "status": er.status
                    or ("interrupted" if s.status == "interrupted" else "in_progress"),
                    "stopped_reason": er.stop_reason or "",
                }
            )
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
        rows = self._select(
            "pain_ratings",
            "recorded_at",
            date_from,
            date_to,
            {"session_id": session_id, "context": context},
        )
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
        rows = self._select(
            "progression_events",
            "created_at",
            date_from,
            date_to,
            {"routine_id": routine_id, "exercise_id": exercise_id},
        )
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
