"""Glue from a running session to the history: every event is written as it happens.

The session runner emits events (phase changes, reps, holds, pain ratings, exercise and session
ends); :class:`SessionRecording` turns each into one :class:`~coach.store.history.SessionRecorder`
call, so a crash loses at most the rep in progress. Qt-free; the app calls :meth:`handle` from
its GUI thread (SQLite connections stay on one thread).
"""

from __future__ import annotations

import logging
from typing import Any

from coach import __version__
from coach.core.session import Phase, SessionEvent, SessionRunner

log = logging.getLogger(__name__)


def result_summary(result: Any) -> dict[str, Any]:
    """An ExerciseResult as the summary mapping ``SessionRecorder.end_exercise`` takes."""
    return {
        "reps": result.reps,
        "partial_reps": result.partial_reps,
        "holds": list(result.holds),
        "faults": dict(result.faults),
        "reps_detail": list(result.reps_detail),
        "not_visible_s": result.not_visible_s,
        "stopped_reason": result.stopped_reason,
        "skipped": result.skipped,
    }


class SessionRecording:
    def __init__(self, history: Any, routine_id: str, runner: SessionRunner) -> None:
        self.runner = runner
        self.rec = history.recorder()
        planned = [
            {"exercise": p.exercise.id, "sets": p.sets, "reps": p.reps, "hold_s": p.hold_s}
            for p in runner.plan
        ]
        self.session_id = self.rec.start_session(
            routine_id, planned=planned, app_version=__version__
        )
        self._exercise: str | None = None
        self._set_open = False
        self._done = False

    def handle(self, ev: SessionEvent) -> None:
        k, d = ev.kind, ev.data
        r = self.runner
        if k == "phase":
            phase = d.get("phase")
            if phase == Phase.INTRO.value:
                it = r.current
                if self._exercise is not None:
                    self._end_exercise()
                self._exercise = it.exercise.id
                self.rec.start_exercise(
                    it.exercise.id,
                    position=r.item,
                    sets_planned=it.sets,
                    reps_planned=it.reps,
                    hold_s_planned=it.hold_s or None,
                )
            elif phase == Phase.ACTIVE.value and self._exercise is not None and not self._set_open:
                self.rec.start_set(r.set_index)
                self._set_open = True
        elif k == "rep" and d.get("record") is not None:
            self.rec.record_rep(d["record"])
        elif k == "hold" and d.get("record") is not None:
            self.rec.record_hold(d["record"])
        elif k == "set_done":
            if self._set_open:
                self.rec.end_set()
                self._set_open = False
        elif k == "pain":
            self.rec.record_pain(
                int(d["value"]),
                d.get("context", "on_demand"),
                spreading_down_leg=bool(d.get("spreading")),
            )
        elif k == "exercise_done":
            if self._set_open:
                self.rec.end_set()
                self._set_open = False
            self._end_exercise(d.get("result"))
        elif k == "session_done":
            self.close(completed=True)

    def _end_exercise(self, result: Any = None) -> None:
        if self._exercise is None:
            return
        res = (
            result
            if result is not None
            else next((x for x in self.runner.results if x.exercise_id == self._exercise), None)
        )
        cues = {f.id: (f.severity, f.cue) for f in self.runner.current.exercise.faults}
        self.rec.end_exercise(result_summary(res) if res is not None else None, fault_info=cues)
        self._exercise = None

    def close(self, completed: bool = False) -> None:
        if self._done:
            return
        self._done = True
        if self._exercise is not None:
            self._end_exercise()
        self.rec.end_session("completed" if completed else "aborted")
