"""A guided session as a state machine: pain first, then per exercise an introduction, a camera
check, sets with rest between them, sides switched with a prompt, a pain check-in after each
exercise, and a summary. Qt-free and clock-free: callers pass monotonic timestamps.

Phases::

    PAIN_BEFORE -> [ INTRO -> CAMERA_CHECK -> ACTIVE (set) -> REST -> ACTIVE ... -> SWITCH_SIDE ...
                     -> PAIN_AFTER ] per exercise -> PAIN_END -> SUMMARY
    (any) -- pause --> PAUSED -- resume --> (same phase, timers re-anchored)
    (any) -- stop --> PAIN_END -> SUMMARY ;  red pain rules can jump to the next exercise or end.

A pain question is never asked again right after an answer that stands for it: an answer given
for this exercise less than :data:`PAIN_REUSE_S` ago (the pain key) is reused as the answer after
the exercise, and an answer that stops the exercise is that exercise's answer; when that stop
ends the session (the last exercise, or a second red), it is also the end-of-session answer. The
reuse is shown (:meth:`SessionRunner.take_pain_note`, e.g. "Pain 7 recorded. This exercise is
stopped."); the exercise's result keeps the value as its ``pain_after``, and an end-of-session
answer is recorded as one (a ``pain`` event with ``context="end"``). Otherwise the end-of-session
question comes once, at the end. The pain rules themselves are unchanged (:mod:`coach.core.pain`).

Thread safety: one lock guards every public method, so the pose worker (``on_frame``) and the
GUI timer (``tick``, user actions) can both call in. ``snapshot()`` returns an immutable view.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from coach.core.camera_check import STEADY_S, CameraCheck, accepted_views
from coach.core.engine import EngineConfig, EngineStatus, ExerciseEngine, State
from coach.core.landmarks import PoseFrame
from coach.core.pain import Action, PainDecision, PainRulesLike, before_session, during_session
from coach.core.session_events import EventKind as EventKind
from coach.core.session_events import SessionEvent as SessionEvent
from coach.core.session_messages import breath_text, frame_message, people_message
from coach.core.session_plan import STOP_APP_CLOSED as STOP_APP_CLOSED
from coach.core.session_plan import STOP_BY_PERSON as STOP_BY_PERSON
from coach.core.session_plan import STOP_NO_CAMERA as STOP_NO_CAMERA
from coach.core.session_plan import STOP_NOTHING_COUNTED as STOP_NOTHING_COUNTED
from coach.core.session_plan import STOP_RECORDING_ENDED as STOP_RECORDING_ENDED
from coach.core.session_plan import STOP_SIGNAL as STOP_SIGNAL
from coach.core.session_plan import ExerciseResult as ExerciseResult
from coach.core.session_plan import Phase as Phase
from coach.core.session_plan import PlanItem as PlanItem
from coach.core.session_plan import SessionStatus as SessionStatus
from coach.core.session_plan import Snapshot as Snapshot
from coach.core.session_plan import plan_for_recording as plan_for_recording
from coach.core.session_plan import plan_from_exercise as plan_from_exercise

INTRO_S = 8.0  # the introduction moves on by itself unless the user starts earlier
#: A pain answer for the current exercise this recent is not asked for again after it (seconds).
PAIN_REUSE_S = 60.0
EVENTS_MAX = 512


class SessionRunner:
    def __init__(
        self,
        plan: Sequence[PlanItem],
        rules: PainRulesLike | None = None,
        engine_config: EngineConfig | None = None,
        camera_available: bool = True,
        check_steady_s: float = STEADY_S,
        camera_check: bool = True,
    ) -> None:
        if not plan:
            raise ValueError("a session needs at least one exercise")
        self.plan = list(plan)
        self.rules = rules
        self.engine_config = engine_config or EngineConfig()
        self.camera_available = camera_available
        # A recording cannot be asked to move: it skips the placement check and is scored
        # from its first frame, exactly as `coach analyze` scores it.
        self.camera_check = camera_check
        self.stop_reason = ""  # why the session ended before its plan was done
        self.check_steady_s = check_steady_s
        self._lock = threading.RLock()
        self.phase = Phase.PAIN_BEFORE
        self.paused = False
        self._pause_t = 0.0
        self.item = 0
        self.set_index = 0
        self.side_index = 0
        self.engine: ExerciseEngine | None = None
        self.check: CameraCheck | None = None
        self._phase_t = 0.0
        self._deadline: float | None = None
        self._active_s = 0.0
        self._last_t: float | None = None
        self._message = "How much pain do you have right now?"
        self.pain_before: int | None = None
        self.decision: PainDecision | None = None
        self.reds = 0
        self.results: list[ExerciseResult] = [
            ExerciseResult(p.exercise.id, p.exercise.name, by_clock=not self._needs_camera(p))
            for p in self.plan
        ]
        self._events: collections.deque[SessionEvent] = collections.deque(maxlen=EVENTS_MAX)
        self._status: EngineStatus | None = None
        self._person_unsure = False
        self._hold_done_for: int = -1
        self._released = False
        self._sent_reps = self._sent_holds = 0  # engine records already emitted as events
        self.pain_end: int | None = None
        # the last answer during the session: (plan item, value, spreading, time)
        self._last_pain: tuple[int, int, bool, float] | None = None
        # what to show about a pain answer reused instead of asked again (see take_pain_note)
        self._pain_note = ""

    # -- helpers ---------------------------------------------------------------------------------

    def _emit(self, kind: EventKind | str, t: float, **data: Any) -> None:
        self._events.append(SessionEvent.make(kind, t, **data))

    def _say(self, t: float, text: str) -> None:
        self._emit("say", t, text=text)

    def _enter(
        self, phase: Phase, t: float, message: str = "", deadline: float | None = None
    ) -> None:
        self.phase = phase
        self._phase_t = t
        self._deadline = deadline
        if message:
            self._message = message
        self._emit(
            EventKind.PHASE,
            t,
            phase=phase.value,
            message=self._message,
            item=self.item,
            exercise=self.current.exercise.id,
            set=self.set_index,
        )

    @property
    def current(self) -> PlanItem:
        return self.plan[min(self.item, len(self.plan) - 1)]

    @property
    def result(self) -> ExerciseResult:
        return self.results[min(self.item, len(self.results) - 1)]

    def _needs_camera(self, it: PlanItem) -> bool:
        ex = it.exercise
        return bool(getattr(ex, "needs_camera", ex.kind != "breathing"))

    # -- user actions ------------------------------------------------------------------------------

    def rate_pain(self, value: int, t: float, spreading: bool = False) -> PainDecision:
        with self._lock:
            if self.phase in (Phase.SUMMARY, Phase.REST_DAY):
                # nothing is asked any more (e.g. a late key press after an answer ended the
                # session): the rating is not applied, and not recorded
                return during_session(value, self.pain_before, spreading, self.rules, self.reds)
            if self.phase is Phase.PAIN_BEFORE:
                self.pain_before = value
                d = before_session(value, self.rules)
                self.decision = d
                self._emit(
                    "pain",
                    t,
                    context="before",
                    value=value,
                    spreading=spreading,
                    level=d.level.value,
                )
                if d.action is Action.REST_DAY:
                    self.stop_reason = f"Rest day: pain {value}/10 before the session."
                    self._enter(Phase.REST_DAY, t, d.reason)
                    self._say(t, d.reason)
                else:
                    self._start_item(t)
                return d
            if self.phase is Phase.PAIN_END:
                self.pain_end = value
                d = during_session(value, self.pain_before, spreading, self.rules, self.reds)
                self._emit(
                    "pain", t, context="end", value=value, spreading=spreading, level=d.level.value
                )
                self.decision = d
                self._finish(t)
                return d
            context = "after_exercise" if self.phase is Phase.PAIN_AFTER else "on_demand"
            d = during_session(value, self.pain_before, spreading, self.rules, self.reds)
            self.decision = d
            self._last_pain = (self.item, value, spreading, t)
            self._emit(
                "pain",
                t,
                context=context,
                value=value,
                spreading=spreading,
                level=d.level.value,
                exercise=self.current.exercise.id,
                action=d.action.value,
            )
            self._say(t, d.reason)
            if context == "after_exercise":
                self.result.pain_after = value
            if d.level.value == "red":
                self.reds += 1
            if (
                d.action in (Action.END_SESSION, Action.STOP_EXERCISE)
                and self.phase is Phase.ACTIVE
            ):
                self._flush_set(t)  # keep every rep already done
            # Otherwise (green or amber) a set in progress simply goes on: same engine, same count.
            if d.action is Action.END_SESSION:
                self.result.stopped_reason = d.stop or d.reason
                self.stop_reason = d.stop or d.reason
                self.result.pain_after = value  # this answer is the exercise's pain
                if context != "after_exercise":
                    self._emit(
                        EventKind.EXERCISE_DONE,
                        t,
                        exercise=self.current.exercise.id,
                        result=self.result,
                    )
                self.engine = None
                self._note(t, f"Pain {value} recorded. The session ends here for today.")
                self._end_with_answer(value, spreading, d, t)
                return d
            if d.action is Action.STOP_EXERCISE:
                self.result.stopped_reason = d.stop or d.reason
                self.result.pain_after = value  # this answer is the exercise's pain
                self._note(t, f"Pain {value} recorded. This exercise is stopped.")
                if self.item + 1 < len(self.plan):
                    self._end_exercise(t, ask_pain=False)
                    return d
                # the last exercise: this answer is the end-of-session one as well
                self.engine = None
                self._emit(
                    EventKind.EXERCISE_DONE,
                    t,
                    exercise=self.current.exercise.id,
                    result=self.result,
                )
                self._end_with_answer(value, spreading, d, t)
                return d
            if context == "after_exercise":
                self._next_item(t)
            return d

    def _note(self, t: float, text: str, speak: bool = False) -> None:
        """Show (and with ``speak``, say) that a pain answer stands for a question that is
        therefore not asked; an answer's own reason is spoken already when it stops something."""
        self._pain_note = text
        if speak:
            self._say(t, text)

    def take_pain_note(self) -> str:
        """The newest note that a pain answer was reused instead of asked again (e.g. "Pain 7
        recorded. This exercise is stopped."), once; "" when there is none since the last call."""
        with self._lock:
            note, self._pain_note = self._pain_note, ""
            return note

    def _end_with_answer(self, value: int, spreading: bool, d: PainDecision, t: float) -> None:
        """End the session with the answer just given as its end-of-session answer (it was
        asked a moment ago: asking again would be the same question twice)."""
        self.pain_end = value
        self._emit("pain", t, context="end", value=value, spreading=spreading, level=d.level.value)
        self._finish(t)

    def _recent_pain(self, t: float) -> tuple[int, bool] | None:
        """(value, spreading) of an answer for the current exercise in the last
        :data:`PAIN_REUSE_S` seconds, else None."""
        last = self._last_pain
        if last is None or last[0] != self.item or t - last[3] > PAIN_REUSE_S:
            return None
        return last[1], last[2]

    def start_now(self, t: float) -> None:
        """Skip the rest of an introduction, rest, or side-switch countdown."""
        with self._lock:
            if self.phase in (Phase.INTRO, Phase.REST, Phase.SWITCH_SIDE):
                self._deadline = t

    def skip(self, t: float) -> None:
        with self._lock:
            if self.phase in (
                Phase.INTRO,
                Phase.CAMERA_CHECK,
                Phase.ACTIVE,
                Phase.REST,
                Phase.SWITCH_SIDE,
            ):
                self._flush_set(t)
                self.result.skipped = self.result.sets_done == 0
                self.result.stopped_reason = self.result.stopped_reason or "Skipped by you."
                self._end_exercise(t, ask_pain=self.result.sets_done > 0)

    def stop(self, t: float, reason: str = STOP_BY_PERSON) -> None:
        """End the session early (the person, a lost camera, the end of a recording)."""
        with self._lock:
            if self.phase in (Phase.SUMMARY, Phase.PAIN_END):
                return
            if self.phase is Phase.ACTIVE:
                self._flush_set(t)
            if self.phase not in (Phase.PAIN_BEFORE, Phase.REST_DAY, Phase.PAIN_AFTER):
                if not self.result.stopped_reason:
                    self.result.stopped_reason = reason
                self._emit(
                    EventKind.EXERCISE_DONE,
                    t,
                    exercise=self.current.exercise.id,
                    result=self.result,
                )
            self.stop_reason = self.stop_reason or reason
            self.engine = None
            if self.phase in (Phase.PAIN_BEFORE, Phase.REST_DAY):
                self._finish(t)
                return
            self._enter(Phase.PAIN_END, t, "Before you go: how much pain do you have now?")

    def end_of_source(self, t: float, reason: str) -> None:
        """The picture source is gone (a recording ended): end the session with what was counted.

        An open set (no rep target) that counted something is complete; anything else stopped
        early because of ``reason``.
        """
        with self._lock:
            if self.phase is Phase.ACTIVE and self.current.reps is None and self.engine is not None:
                self._flush_set(t)
                if self.result.reps or self.result.holds:
                    self.result.sets_done += 1
                    self.result.finished = self.set_index + 1 >= self.current.sets
                    self._emit(
                        EventKind.EXERCISE_DONE,
                        t,
                        exercise=self.current.exercise.id,
                        result=self.result,
                    )
                    if self.result.finished:
                        self.engine = None
                        if self.item + 1 < len(self.plan):  # the rest of the plan was not reached
                            self.stop_reason = reason
                            for later in self.results[self.item + 1 :]:
                                later.stopped_reason = later.stopped_reason or reason
                        self._enter(
                            Phase.PAIN_END, t, "Last question: how much pain do you have now?"
                        )
                        return
        self.stop(t, reason)

    def begin_counting(self, t: float) -> None:
        """Skip the placement check (a recording was chosen instead of the camera)."""
        with self._lock:
            if self.phase is Phase.CAMERA_CHECK:
                self._begin_set(t)

    def finish_without_answer(self, t: float) -> None:
        """Close the session at its last pain question when nobody can answer (window closed)."""
        with self._lock:
            if self.phase is Phase.PAIN_END:
                self._finish(t)

    def pause(self, t: float) -> None:
        with self._lock:
            if not self.paused and self.phase not in (Phase.SUMMARY,):
                self.paused = True
                self._pause_t = t
                self._emit("paused", t)

    def resume(self, t: float) -> None:
        with self._lock:
            if self.paused:
                self.paused = False
                gap = t - self._pause_t
                if self._deadline is not None:
                    self._deadline += gap
                self._last_t = t
                if self.engine is not None:
                    self.engine.resume_after_pause()
                self._emit("resumed", t)

    # -- the flow --------------------------------------------------------------------------------

    def _start_item(self, t: float) -> None:
        it = self.current
        self.set_index = 0
        self.side_index = 0
        ex = it.exercise
        steps = " ".join(ex.instructions[:2])
        self._enter(Phase.INTRO, t, f"{ex.name}. {steps}", deadline=t + INTRO_S)
        self._say(t, f"Next: {ex.name}.")

    def _begin_set(self, t: float) -> None:
        it = self.current
        self._active_s = 0.0
        self._hold_done_for = -1
        self._released = False
        self._status = None
        self._sent_reps = self._sent_holds = 0
        if it.exercise.kind == "breathing" or not self._needs_camera(it):
            self.engine = None
            dur = it.duration_s or 60.0
            self._enter(Phase.ACTIVE, t, breath_text(self.current.exercise, 0.0), deadline=t + dur)
            return
        self.engine = ExerciseEngine(it.exercise, self.engine_config)
        side = it.sides[self.side_index]
        side_txt = f" with your {side} side" if side else ""
        self._enter(
            Phase.ACTIVE,
            t,
            f"Set {self.set_index + 1} of {it.sets}{side_txt}. Get into the start position.",
        )
        self._say(t, f"Set {self.set_index + 1}. Get into the start position.")

    def _record_new(self, t: float) -> None:
        """Emit a REP / HOLD event for every rep and hold the engine has added since the last
        call, whatever its status said (a rep ending on an unseen frame, a hold ended by a cut):
        the record follows the engine's own lists, so nothing counted is left unstored."""
        e = self.engine
        if e is None:
            return
        while self._sent_reps < len(e.reps):
            self._sent_reps += 1
            self._emit(EventKind.REP, t, count=self._sent_reps, record=e.reps[self._sent_reps - 1])
        while self._sent_holds < len(e.holds):
            self._sent_holds += 1
            self._emit(EventKind.HOLD, t, record=e.holds[self._sent_holds - 1])

    def _flush_set(self, t: float) -> None:
        """Fold the current set's engine results into the exercise result."""
        e = self.engine
        if e is None:
            return
        e.finish()
        self._record_new(t)  # what finish() closed (a hold in progress, a rep nearly back)
        r = self.result
        if self.current.exercise.kind == "hold":
            new = [h.seconds for h in e.holds]
            r.holds.extend(new)
        r.reps += len(e.reps)
        r.partial_reps += e.partial_reps
        for k, v in e.fault_counts().items():
            r.faults[k] = r.faults.get(k, 0) + v
        for f in self.current.exercise.faults:
            if f.id in r.faults:
                r.fault_cues[f.id] = f.cue
        r.not_visible_s += e.not_visible_s
        r.reps_detail.extend(e.summary()["reps_detail"])  # type: ignore[arg-type]
        self.engine = None

    def _set_done(self, t: float) -> None:
        self._flush_set(t)
        it = self.current
        self.result.sets_done += 1
        self._emit(
            "set_done",
            t,
            exercise=it.exercise.id,
            set=self.set_index + 1,
            side=it.sides[self.side_index],
        )
        self.set_index += 1
        if self.set_index < it.sets:
            self._enter(Phase.REST, t, "Well done. Rest now.", deadline=t + it.rest_s)
            self._say(t, f"Well done. Rest for {int(it.rest_s)} seconds.")
            return
        if self.side_index + 1 < len(it.sides):
            self.side_index += 1
            self.set_index = 0
            other = it.sides[self.side_index]
            self._enter(
                Phase.SWITCH_SIDE,
                t,
                f"Now the {other} side. Get ready.",
                deadline=t + max(10.0, it.rest_s / 2),
            )
            self._say(t, f"Well done. Now switch to your {other} side.")
            return
        self.result.finished = True
        self._end_exercise(t, ask_pain=True)

    def _end_exercise(self, t: float, ask_pain: bool) -> None:
        self.engine = None
        self._emit("exercise_done", t, exercise=self.current.exercise.id, result=self.result)
        recent = self._recent_pain(t) if ask_pain else None
        if recent is not None:
            # answered for this exercise a moment ago (the pain key): not asked again
            value = recent[0]
            self.result.pain_after = value
            self._note(
                t, f"Pain {value} recorded a moment ago, so coach does not ask again.", speak=True
            )
            self._next_item(t)
        elif ask_pain:
            self._enter(Phase.PAIN_AFTER, t, "How much pain do you have now, from 0 to 10?")
            self._say(t, "How much pain do you have now?")
        else:
            self._next_item(t)

    def _next_item(self, t: float) -> None:
        self.item += 1
        if self.item >= len(self.plan):
            self.item = len(self.plan) - 1
            self._enter(Phase.PAIN_END, t, "Last question: how much pain do you have now?")
            return
        self._start_item(t)

    def outcome(self) -> tuple[SessionStatus, str]:
        """The session's status and, when it stopped early, why (for the record and summary)."""
        with self._lock:
            counted = any(r.reps or r.holds for r in self.results)
            timed_only = all(not self._needs_camera(p) for p in self.plan)
            if self.stop_reason:
                return SessionStatus.STOPPED_EARLY, self.stop_reason
            if not counted and not (timed_only and any(r.sets_done for r in self.results)):
                return SessionStatus.STOPPED_EARLY, STOP_NOTHING_COUNTED
            if not all(r.status is SessionStatus.COMPLETED for r in self.results):
                return SessionStatus.STOPPED_EARLY, next(
                    r.stop_reason for r in self.results if r.status is not SessionStatus.COMPLETED
                )
            return SessionStatus.COMPLETED, ""

    def _finish(self, t: float) -> None:
        status, reason = self.outcome()
        if status is SessionStatus.COMPLETED:
            self._enter(Phase.SUMMARY, t, "Session complete. Well done.")
        else:
            self._enter(Phase.SUMMARY, t, f"Session stopped. {reason}")
        self._emit(
            EventKind.SESSION_DONE, t, results=list(self.results), status=status, reason=reason
        )

    # -- time and frames -------------------------------------------------------------------------

    def tick(self, t: float) -> None:
        """Advance timers (call a few times a second from the GUI)."""
        with self._lock:
            if self.paused:
                return
            if self._deadline is not None and t >= self._deadline:
                self._deadline = None
                if self.phase is Phase.INTRO:
                    if (
                        self._needs_camera(self.current)
                        and self.camera_available
                        and self.camera_check
                    ):
                        ex = self.current.exercise
                        self.check = CameraCheck(
                            accepted_views(ex), ex.camera.whole_body, self.check_steady_s
                        )
                        self._enter(Phase.CAMERA_CHECK, t, ex.camera.placement)
                    else:
                        self._begin_set(t)
                elif self.phase in (Phase.REST, Phase.SWITCH_SIDE):
                    self._begin_set(t)
                elif self.phase is Phase.ACTIVE and self.engine is None:
                    self._set_done(t)  # a timed, camera-free exercise (breathing)
            if self.phase is Phase.ACTIVE and self.engine is None:
                self._message = breath_text(self.current.exercise, t - self._phase_t)

    def on_frame(self, pose: PoseFrame | None, brightness: float, t: float) -> EngineStatus | None:
        """One processed frame (from the pose worker)."""
        with self._lock:
            if self.paused:
                return None
            if self.phase is Phase.CAMERA_CHECK and self.check is not None:
                r = self.check.update(pose, brightness, t)
                self._message = r.message
                if self.check.ready:
                    self._say(t, "Ready. Begin when you like.")
                    self._begin_set(t)
                return None
            if self.phase is not Phase.ACTIVE or self.engine is None:
                return None
            dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
            self._last_t = t
            st = self.engine.update(pose, t)
            self._status = st
            self._record_new(t)
            it = self.current
            if st.visible and st.state is not State.SETUP:
                self._active_s += dt
            if st.cue is not None:
                self._emit("cue", t, text=st.cue.text, fault=st.cue.fault, severity=st.cue.severity)
            line = frame_message(
                st,
                hold=it.exercise.kind == "hold",
                view_changed=self.engine.view_changed,
                someone_there=pose is not None,
            )
            if line is not None:
                self._message = line
            counted = st.event != "ready" and st.state is not State.NOT_VISIBLE
            if counted and st.event == "rep":
                self._say(t, str(st.reps))
            elif counted and st.event == "partial":
                self._emit("partial", t)
            self._say_who_is_followed(st)
            self._check_set_complete(st, t)
            return st

    def _say_who_is_followed(self, st: EngineStatus) -> None:
        """Say when several people are in view and the engine cannot yet tell who exercises."""
        line = people_message(st, self._person_unsure)
        self._person_unsure = st.person_unsure
        if line is not None:
            self._message = line

    def _check_set_complete(self, st: EngineStatus, t: float) -> None:
        it = self.current
        ex = it.exercise
        e = self.engine
        assert e is not None
        if ex.kind == "reps":
            if it.reps is not None and len(e.reps) >= it.reps:
                self._set_done(t)
        elif ex.kind == "hold":
            target = it.hold_s or 10.0
            if st.state is State.HOLDING and st.hold_s >= target and not self._released:
                self._released = True
                self._message = "And relax."
                self._say(t, "And relax.")
            if st.event == "hold_end":
                self._released = False
            if it.reps is not None and len(e.holds) >= it.reps:
                self._set_done(t)
        elif ex.kind == "timed" and it.duration_s and self._active_s >= it.duration_s:
            self._set_done(t)

    # -- outputs ---------------------------------------------------------------------------------

    def events(self) -> list[SessionEvent]:
        with self._lock:
            out = list(self._events)
            self._events.clear()
            return out

    def snapshot(self, t: float | None = None) -> Snapshot:
        with self._lock:
            it = self.current
            st = self._status
            now = t if t is not None else self._phase_t
            remaining = 0.0
            if self._deadline is not None:
                remaining = max(0.0, self._deadline - (self._pause_t if self.paused else now))
            e = self.engine
            kind = it.exercise.kind
            if self.phase is Phase.ACTIVE and kind == "timed" and it.duration_s:
                remaining = max(0.0, it.duration_s - self._active_s)  # time in view still to go
            count = (len(e.holds) if kind == "hold" else len(e.reps)) if e is not None else 0
            return Snapshot(
                phase=self.phase,
                paused=self.paused,
                item_index=self.item,
                items=len(self.plan),
                exercise_id=it.exercise.id,
                exercise_name=it.exercise.name,
                set_index=min(self.set_index, it.sets - 1),
                sets=it.sets,
                side=it.sides[min(self.side_index, len(it.sides) - 1)],
                count=count,
                target=it.reps if kind in ("reps", "hold") else None,
                hold_s=st.hold_s if (st is not None and e is not None) else 0.0,
                hold_target=it.hold_s,
                remaining_s=remaining,
                message=self._message,
                engine_state=st.state.value if (st is not None and e is not None) else "",
                visible=st.visible if st is not None else True,
                active_faults=st.active_faults if (st is not None and e is not None) else (),
                pain_before=self.pain_before,
                decision=self.decision,
            )

    def with_regression(self, catalogue_get: Any, t: float) -> bool:
        """Swap the current exercise for its easier version (after an amber/red check-in)."""
        with self._lock:
            it = self.current
            if not it.regression:
                return False
            try:
                easier = catalogue_get(it.regression)
            except KeyError:
                return False
            self.plan[self.item] = replace(plan_from_exercise(easier), sets=it.sets)
            self.results[self.item] = ExerciseResult(
                easier.id, easier.name, by_clock=not self._needs_camera(self.plan[self.item])
            )
            self._start_item(t)
            return True
