"""The rep layer of the engine: REST -> MOVING -> WORK -> REST with hysteresis and dwell.

A rep counts when the signal goes from the rest zone (rest ± h) through the work zone (work ∓ h)
and back, each transition held for ``min_dwell_s``; back in the rest zone without reaching work
is a partial rep. A full swing within the person's own range (``rest_limit`` / ``work_limit``,
:class:`~coach.core.engine.trackers._SwingCounter`) that the prescribed zones did not count
still counts, with the fault ``small_range``. Each rep is recorded with its range, peak, time
held at work, faults and flags (``too_fast``, ``stalled``).
"""

from __future__ import annotations

import math

from coach.core.contracts import ExerciseLike
from coach.core.engine.base import _EngineBase
from coach.core.engine.results import EngineConfig, RepRecord, State
from coach.core.engine.tunables import SMALL_RANGE


class _RepSteps(_EngineBase):
    """Counts reps; the engine calls :meth:`_step_reps` on every seen frame of a rep exercise."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        super().__init__(exercise, config)
        self.reps: list[RepRecord] = []
        self.partial_reps = 0
        self._rep_start = math.nan
        self._last_rest_t = math.nan
        self._rest_value = math.nan
        self._peak = math.nan
        self._peak_progress = 0.0
        self._work_since = math.nan
        self._work_time = 0.0
        self._rep_faults: list[str] = []
        self._rep_flags: list[str] = []

    def _dwell(self, target: State, cond: bool, t: float) -> bool:
        """True once ``cond`` has held for min_dwell_s in a row (the transition to ``target``)."""
        assert self._signal is not None
        if not cond:
            if self._pending is target:
                self._pending = None
            return False
        if self._pending is not target:
            self._pending = target
            self._pending_since = t
        if t - self._pending_since >= self._signal.min_dwell_s:
            self._pending = None
            return True
        return False

    def _step_reps(self, value: float, t: float, dt: float) -> str | None:
        assert self._signal is not None
        p = self._progress(value)
        h = self._h / self._span
        in_rest = p <= h
        in_work = p >= 1.0 - h
        st = self.state
        if st is State.REST:
            if in_rest:
                self._last_rest_t = t
                self._rest_value = value
                self._pending = None
            elif self._dwell(State.MOVING, p >= self._signal.partial_fraction, t):
                self.state = State.MOVING
                self._begin_rep(value, p)
            return self._swing_rep(p, t, value)
        self._track_peak(value, p)
        if st is State.MOVING:
            if self._dwell(State.WORK, in_work, t):
                self.state = State.WORK
                self._work_since = t
                return None
            if in_rest:
                self.state = State.REST
                self._last_rest_t = t
                if self._swing_rep(p, t, value) == "rep":
                    return "rep"  # a full swing within the person's own range
                self.partial_reps += 1
                return "partial"
            self._check_stalled(t)
            return self._swing_rep(p, t, value)
        # WORK
        if p >= 1.0 - h:
            self._work_time += dt
        if self._dwell(State.REST, in_rest, t):
            self._finish_rep(t)
            self.state = State.REST
            self._last_rest_t = t
            self._rest_value = value
            self._swing.counted(p)
            return "rep"
        self._check_stalled(t)
        return self._swing_rep(p, t, value)

    def _begin_rep(self, value: float, p: float) -> None:
        self._rep_start = self._last_rest_t
        self._peak = value
        self._peak_progress = p
        self._work_time = 0.0
        self._rep_faults = []
        self._rep_flags = []

    def _swing_rep(self, p: float, t: float, value: float) -> str | None:
        """A full swing in the person's own range that the prescribed zones did not count."""
        swing = self._swing.update(p, t)
        if swing is None:
            return None
        start, peak_p, valley_p = swing
        if self.state is State.REST or self.state is State.MOVING:
            self._rep_start = start if start == start else self._last_rest_t
        self._peak_progress = (
            max(self._peak_progress, peak_p) if self.state is not State.REST else peak_p
        )
        if self.state is State.REST:
            self._peak = self._rest + self._dir * self._span * peak_p
            self._work_time = 0.0
            self._rep_flags = []
        hf = self._h / self._span
        if peak_p < 1.0 - hf or valley_p > hf:
            self._rep_faults = [*self._rep_faults, SMALL_RANGE]  # "range smaller than prescribed"
        self._finish_rep(t)
        self.state = State.REST
        self._pending = None
        self._last_rest_t = t
        self._rest_value = value
        return "rep"

    def _track_peak(self, value: float, p: float) -> None:
        if p > self._peak_progress:
            self._peak_progress = p
            self._peak = value

    def _check_stalled(self, t: float) -> None:
        limit = self.exercise.rep_timing.max_s + self.exercise.dose.hold_s
        if t - self._rep_start > limit and "stalled" not in self._rep_flags:
            self._rep_flags.append("stalled")

    def _finish_rep(self, t: float) -> None:
        dur = t - self._rep_start
        flags = list(self._rep_flags)
        if dur < self.exercise.rep_timing.min_s:
            flags.append("too_fast")
        base = self._rest_value if self._rest_value == self._rest_value else self._rest
        self.reps.append(
            RepRecord(
                index=len(self.reps) + 1,
                start=self._rep_start,
                end=t,
                peak=self._peak,
                range_deg=abs(self._peak - base),
                hold_s=self._work_time,
                faults=tuple(dict.fromkeys(self._rep_faults)),
                flags=tuple(flags),
            )
        )
