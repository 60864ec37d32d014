"""The set-up layer of the engine: when counting may run (DOMAIN §1.7), lost and found again.

SETUP -> REST once the start position has held for ``setup_s`` (baselines are captured and the
view is locked then). A rep already under way when set-up completes counts if its rest was seen
during set-up; a stream that began in the worked position (``first_rep_from_work``) counts that
first rep once the person comes up. After a jump to another body, set-up is strict: the new
person must be at rest the whole time. Any state but SETUP goes to NOT_VISIBLE when the signal
cannot be measured for ``NOT_VISIBLE_AFTER_S``; counting and timers pause, and on return the
engine resumes where it can (a rep whose return is seen) or waits for rest.
"""

from __future__ import annotations

import math

from coach.core.contracts import ExerciseLike
from coach.core.engine.holds import _HoldSteps
from coach.core.engine.reps import _RepSteps
from coach.core.engine.results import EngineConfig, EngineStatus, State
from coach.core.engine.tunables import FROM_WORK_WINDOW_S, JUMP_MEMORY_S, NOT_VISIBLE_AFTER_S
from coach.core.metrics import FrameView


class _SetupSteps(_RepSteps, _HoldSteps):
    """Set-up, losing sight and coming back; the engine calls :meth:`_step_setup` in SETUP."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        super().__init__(exercise, config)
        self._set_scale = math.nan  # the body's size in the picture when the set started
        self._setup_since = math.nan
        self._setup_rest_t = math.nan  # last time the signal was at rest while set-up ran
        self._strict_setup = False  # after a jump: the old, strict set-up (still at rest)
        self._last_jump_t = -math.inf
        self._first_valid_t = math.nan  # the first frame the signal was measured
        self._from_work = False  # the stream began in the worked position (a lift from the floor)
        self._from_work_peak = (math.nan, 0.0)  # (value, progress) at the deepest point seen

    def _to_setup_after_jump(self) -> None:
        self._strict_setup = True
        self._last_jump_t = self._t
        self._setup_rest_t = math.nan
        if self.state is State.HOLDING:
            self._end_hold(self._t)
        self.state = State.SETUP
        self._setup_since = math.nan
        self._pending = None
        self._hold_in_since = math.nan

    def _update_unseen(self, t: float, dt: float, v: FrameView | None = None) -> EngineStatus:
        if self.state is not State.SETUP and self.state is not State.NOT_VISIBLE:
            since = self._last_valid_t if self._last_valid_t == self._last_valid_t else t
            if t - since > NOT_VISIBLE_AFTER_S:
                self._resume_state = self.state
                self.state = State.NOT_VISIBLE
                # The grace period was counted as seen; from here the clock stops.
                self._pending = None
                for f in self._faults:
                    f.since = math.nan
        elif self.state is State.SETUP:
            self._setup_since = math.nan
        if self.state is State.NOT_VISIBLE:
            self._not_visible_s += dt
            if self._resume_state is State.HOLDING:
                self._hold_nv += dt
        return EngineStatus(
            timestamp=t,
            state=self.state,
            reps=len(self.reps),
            partial_reps=self.partial_reps,
            value=math.nan,
            progress=math.nan,
            hold_s=self._hold_time if self._resume_state is State.HOLDING else 0.0,
            holds=len(self.holds),
            active_faults=(),
            cue=None,
            visible=False,
            person_unsure=self._people.unsure,
            people=self._people_now,
            person=self._followed,
        )

    def _resume_from_unseen(self, value: float, t: float) -> None:
        """Back in view. A rep we did not see the end of is not counted (never count the unseen)."""
        self._pending = None
        p = self._progress(value)
        gap = t - self._last_valid_t if self._last_valid_t == self._last_valid_t else math.inf
        if (
            self._resume_state is State.WORK
            and p > self._h / self._span
            and (gap <= self.exercise.rep_timing.max_s)
            and not t - self._last_jump_t < JUMP_MEMORY_S
        ):
            # The rep's start and its worked position were seen and it is on its way back (a
            # short gap at the bottom, e.g. a camera cut): the return, which is seen, completes it.
            self.state = State.WORK
            return
        if p <= self._h / self._span:
            self.state = State.REST
            self._last_rest_t = t
            self._rest_value = value
        else:
            # Mid-movement: wait for the rest zone before counting again.
            self.state = State.SETUP
            self._setup_since = math.nan

    def _start_ok(self, v: FrameView, value: float, in_pos: bool) -> bool:
        if self.kind == "hold" and in_pos and self.settled:
            # Already still in the held position (a stretch held from the first frame, or after
            # a cut to the next demonstrator): that is a start position for a hold too.
            return True
        return all(c(v) for c in self._start)

    def _step_setup(self, v: FrameView, value: float, in_pos: bool, t: float) -> str | None:
        """Wait for the start position to hold for ``setup_s``; then start counting ("ready"),
        or count the rep that was already done ("rep")."""
        self._note_first_frames(value, t)
        if not self._start_ok(v, value, in_pos):
            self._setup_since = math.nan
            self._setup_rest_t = math.nan
            return None
        if self._setup_since != self._setup_since:
            self._setup_since = t
        if self.kind != "hold" and not self._rest_seen_in_setup(value, t):
            return None
        if t - self._setup_since < self.config.setup_s and t > self._t0:
            return None
        for c in self._baseline_checks:
            c.capture_baseline(v)
        self._view_gate.locked = True
        if self._set_scale != self._set_scale:
            self._set_scale = self._view_gate.ref
        if self.kind == "hold":
            self.state = State.REST
            self._hold_in_since = math.nan
            # A person already still in position starts holding now, credited from when setup began.
            if in_pos and self.settled:
                self._begin_hold(self._setup_since)
                self._hold_side = self._side_of(value)
        elif self._start_reps(value, t):
            return "rep"
        self._setup_rest_t = math.nan  # the next set-up (after a jump or a gap) starts afresh
        self._from_work = False
        self._strict_setup = False
        return "ready"

    def _note_first_frames(self, value: float, t: float) -> None:
        """Notice a stream that began in the worked position, and its deepest point."""
        if self.kind != "hold" and self._signal is not None:
            if self._first_valid_t != self._first_valid_t:
                self._first_valid_t = t
            p0 = self._progress(value)
            if (
                t - self._first_valid_t <= FROM_WORK_WINDOW_S
                and p0 >= 1.0 - self._h / self._span
                and getattr(self._signal, "first_rep_from_work", False)
            ):
                self._from_work = True
            if self._from_work and p0 > self._from_work_peak[1]:
                self._from_work_peak = (value, p0)

    def _rest_seen_in_setup(self, value: float, t: float) -> bool:
        """False while set-up must wait for the signal at rest (and restarts its clock)."""
        p = self._progress(value)
        if self._swing.at_rest(p, self._h / self._span):
            self._setup_rest_t = t
        elif self._strict_setup:
            # After a jump to another body (someone else, or the tracker swapped people): the
            # new person must be still at rest for the whole set-up before anything counts.
            self._setup_since = math.nan
            self._setup_rest_t = math.nan
            return False
        elif self._setup_rest_t != self._setup_rest_t:
            # In the start position but mid-movement, and no rest seen yet: wait for rest
            # (a set that begins mid-squat is not counted from the middle).
            self._setup_since = t
            return False
        return True

    def _start_reps(self, value: float, t: float) -> bool:
        """Set-up is complete for a rep exercise: REST, or a rep already under way. True when the
        stream began in the worked position and that first rep was counted now."""
        self.state = State.REST
        p = self._progress(value)
        if self._from_work and p <= 0.5:
            # The stream began in the worked position (set up at the bar, a recording that
            # starts at the bottom) and the person has come up to the start position: that
            # movement was a rep whose start is the first frame.
            self._rep_start = self._first_valid_t
            self._peak, self._peak_progress = self._from_work_peak
            self._work_time, self._rep_faults, self._rep_flags = 0.0, [], []
            self._rest_value = math.nan
            self._finish_rep(t)
            self._rest_value = value
            self._last_rest_t = t
            self._swing.reset(p)
            self._setup_rest_t = math.nan
            self._from_work = False
            return True
        if not self._swing.at_rest(p, self._h / self._span):
            # The person started at once: the rep whose start (rest) was seen during set-up
            # is already under way and counts when it completes.
            self._last_rest_t = self._setup_rest_t
            self._begin_rep(value, p)
            self.state = State.WORK if p >= 1.0 - self._h / self._span else State.MOVING
            if self.state is State.WORK:
                self._work_since = t
        else:
            self._last_rest_t = t
            self._rest_value = value
        self._swing.reset(p)
        return False
