"""Recording a session into the history as it happens (:class:`SessionRecorder`).

Durability: WAL journal with ``synchronous=FULL`` and one transaction per call, so every rep is
on disk when :meth:`SessionRecorder.record_rep` returns; a crash (even power loss) loses at most
the rep being written. ``FULL`` costs one fsync per rep, about one every two seconds, which is
nothing; ``NORMAL`` would survive a killed process but could lose the last reps on power loss.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from coach.core.pain import classify_session
from coach.store.rows import HoldLike, RepLike, _float, _get, _iso, utcnow
from coach.store.schema import PAIN_CONTEXTS, PainContext

if TYPE_CHECKING:
    from coach.store.history import History

log = logging.getLogger(__name__)
_T = TypeVar("_T")

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
        rec.end_session("completed")       # classifies the session green / amber / red

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
                        platform.node(),
                    ),
                )

        self._write("the session start", run)
        self.session_id = sid
        return sid

    def end_session(
        self,
        status: Literal["completed", "stopped_early"],
        *,
        stop_reason: str | None = None,
        notes: str | None = None,
        classification: str | None = None,
        pain_rules: Any = None,
        when: datetime | None = None,
    ) -> str | None:
        """Finish the session and classify it (green/amber/red) from its pain ratings.

        ``status`` has no default: every caller says whether the session was completed or
        stopped early (a session is never stored as completed by omission).

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

    def set_exercise_status(
        self, exercise_result_id: int, status: str, stop_reason: str | None = None
    ) -> None:
        """Change a finished exercise's ``status`` (and ``stop_reason``) after the fact.

        For the pain asked after an exercise: its answer may stop the exercise whose row
        :meth:`end_exercise` has already written.
        """

        def run() -> None:
            with self.history._tx() as c:
                c.execute(
                    "UPDATE exercise_results SET status = ?, stop_reason = ? WHERE id = ?",
                    (status, stop_reason, exercise_result_id),
                )

        self._write("an exercise's status", run)

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
        self._record_missing_detail(s)
        counts: dict[str, int] = {str(k): int(v) for k, v in dict(s.get("faults") or {}).items()}
        cues = _first_cues(s)
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
                _upsert_faults(c, erid, counts, info, cues)

        self._write("the exercise result", run)
        self.exercise_result_id = None

    def _record_missing_detail(self, s: Mapping[str, Any]) -> None:
        """Reps and holds that were not recorded live, filled in from the summary's
        ``reps_detail`` / ``holds_detail``."""
        live_reps, live_holds = self._live_reps, self._live_holds
        reps_detail = list(s.get("reps_detail") or [])
        holds_detail = list(s.get("holds_detail") or [])
        if live_reps == 0:
            for i, r in enumerate(reps_detail, 1):
                self.record_rep({"index": i, **r})
        if live_holds == 0:
            for i, h in enumerate(holds_detail, 1):
                self.record_hold({"index": i, **h})


def _first_cues(s: Mapping[str, Any]) -> dict[str, str]:
    """The first cue text spoken for each fault, from the summary's ``cues``."""
    cues: dict[str, str] = {}
    for c in s.get("cues") or []:
        if isinstance(c, Mapping) and c.get("fault") and c.get("text"):
            cues.setdefault(str(c["fault"]), str(c["text"]))
    return cues


def _upsert_faults(
    c: sqlite3.Connection,
    erid: int,
    counts: Mapping[str, int],
    info: Mapping[str, tuple[str | None, str | None]],
    cues: Mapping[str, str],
) -> None:
    """One ``faults`` row per fault counted or described; a known severity or cue is kept
    when the new one is missing."""
    for fid in sorted(set(counts) | set(info)):
        sev, cue = info.get(fid, (None, None))
        c.execute(
            "INSERT INTO faults (exercise_result_id, fault_id, count, severity, cue) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(exercise_result_id, fault_id) DO UPDATE SET count = excluded.count,"
            " severity = COALESCE(excluded.severity, severity), cue = COALESCE(excluded.cue, cue)",
            (erid, fid, counts.get(fid, 0), sev, cue or cues.get(fid)),
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
