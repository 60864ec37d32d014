"""Reading the history: every query the app, the reports and the command line ask of it.

:class:`HistoryReader` holds the read side of :class:`~coach.store.history.History` (which
adds opening, closing and the writes): sessions by date range, routine and status, a session's
exercise results (their counts computed from the stored reps and holds, so they are right after
a crash too), sets, reps, holds, faults, pain ratings, desk-mode posture days, dose changes, the
JSON-ready record of one session, and which session still waits for its next-morning pain
rating. Every query takes the connection's lock; rows come back as the frozen types of
:mod:`coach.store.rows`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from coach.store.rows import (
    ExerciseResultRow,
    FaultRow,
    HoldRow,
    PainRow,
    PendingCheck,
    PostureDay,
    ProgressionEventRow,
    RepRow,
    SessionRow,
    SetRow,
    _dt,
    _dt_req,
    _iso,
    _local_day_start_utc,
    utcnow,
)
from coach.store.schema import MORNING_FROM_HOUR

__all__ = ["HistoryReader"]


class HistoryReader:
    """The queries of the history database; :class:`~coach.store.history.History` is one.

    Needs ``_conn`` (an open ``sqlite3.Connection`` with ``sqlite3.Row`` rows) and ``_lock``
    (the lock every call takes), both set by ``History.__init__``.
    """

    _conn: sqlite3.Connection
    _lock: threading.RLock

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` passes."""
        return bool(self._query("PRAGMA integrity_check")[0][0] == "ok")

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
