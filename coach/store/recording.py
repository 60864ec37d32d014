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
from coach.core.pain import Action
from coach.core.session import Phase, SessionRunner, SessionStatus
from coach.core.session_events import (
    ExerciseDone,
    HoldDone,
    PainRated,
    PhaseChanged,
    RepCounted,
    SessionDone,
    SessionEvent,
    SetDone,
)

log = logging.getLogger(__name__)

#: The answers after an exercise that stop it (the session may end too).
_STOPS = (Action.STOP_EXERCISE.value, Action.END_SESSION.value)


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
    """Writes one :class:`~coach.core.session.SessionRunner`'s events into the history."""

    def __init__(
        self,
        history: Any,
        routine_id: str,
        runner: SessionRunner,
        routine_version: int | None = None,
    ) -> None:
        self.runner = runner
        self.rec = history.recorder()
        planned = [
            {"exercise": p.exercise.id, "sets": p.sets, "reps": p.reps, "hold_s": p.hold_s}
            for p in runner.plan
        ]
        self.session_id = self.rec.start_session(
            routine_id, routine_version, planned=planned, app_version=__version__
        )
        self._exercise: str | None = None
        # The exercise last written (its row id and result): the pain answer asked after it may
        # still stop it, and its stored status follows that answer.
        self._ended: tuple[int, Any] | None = None
        self._set_open = False
        self._done = False

    def handle(self, ev: SessionEvent) -> None:
        p = ev.payload
        if isinstance(p, PhaseChanged):
            if p.phase == Phase.INTRO.value:
                it = self.runner.plan[min(p.item, len(self.runner.plan) - 1)]
                if self._exercise is not None:
                    self._end_exercise()
                self._exercise = it.exercise.id
                self._item = p.item
                self.rec.start_exercise(
                    it.exercise.id,
                    position=p.item,
                    sets_planned=it.sets,
                    reps_planned=it.reps,
                    hold_s_planned=it.hold_s or None,
                )
            elif (
                p.phase == Phase.ACTIVE.value and self._exercise is not None and not self._set_open
            ):
                self.rec.start_set(p.set)
                self._set_open = True
        elif isinstance(p, RepCounted) and self._exercise is not None:
            self.rec.record_rep(p.record)
        elif isinstance(p, HoldDone) and self._exercise is not None:
            self.rec.record_hold(p.record)
        elif isinstance(p, SetDone):
            if self._set_open:
                self.rec.end_set()
                self._set_open = False
        elif isinstance(p, PainRated):
            self.rec.record_pain(p.value, p.context, spreading_down_leg=p.spreading)
            if p.context == "after_exercise":
                self._follow_pain_answer(p)
        elif isinstance(p, ExerciseDone):
            if self._set_open:
                self.rec.end_set()
                self._set_open = False
            self._end_exercise(p.result)
        elif isinstance(p, SessionDone):
            self.close(p.status, p.reason)

    def _end_exercise(self, result: Any = None) -> None:
        if self._exercise is None:
            return
        item = getattr(self, "_item", self.runner.item)
        res = (
            result
            if result is not None
            else self.runner.results[min(item, len(self.runner.results) - 1)]
        )
        ex = self.runner.plan[min(item, len(self.runner.plan) - 1)].exercise
        cues = {f.id: (f.severity, f.cue) for f in ex.faults}
        # Reps and holds were written one by one as they were counted; the summary adds the rest.
        summary = result_summary(res)
        erid = self.rec.exercise_result_id
        self.rec.end_exercise(
            summary, fault_info=cues, status=res.status.value, stop_reason=res.stop_reason or None
        )
        self._ended = (erid, res) if erid is not None else None
        self._exercise = None

    def _follow_pain_answer(self, p: PainRated) -> None:
        """The pain asked after an exercise stopped it (or ended the session): the row written
        when the exercise finished becomes stopped early, with the answer's reason.

        The runner has applied the answer to the exercise's result by the time its events are
        handled (they are drained after each call), so the result's own status and reason are
        stored, the same ones the summary shows.
        """
        if self._ended is None or p.action not in _STOPS:
            return
        erid, res = self._ended
        if res.status is SessionStatus.COMPLETED:
            return  # defensive: the answer was not applied to the result
        self.rec.set_exercise_status(erid, res.status.value, res.stop_reason or None)

    def close(
        self, status: SessionStatus | str = SessionStatus.STOPPED_EARLY, reason: str = ""
    ) -> None:
        """End the record: the open exercise, then the session with its status and reason."""
        if self._done:
            return
        self._done = True
        if self._exercise is not None:
            self._end_exercise()
        st = SessionStatus(status)
        self.rec.end_session(
            st.value if st is not SessionStatus.IN_PROGRESS else "stopped_early",
            stop_reason=reason or None,
        )
