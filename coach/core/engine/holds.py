"""The hold layer of the engine: the hold timer (DOMAIN §1.7).

REST -> HOLDING once the person is in position and still (``settled``: the in-position metric
moves slower than the exercise's ``settle_speed``) for ``HOLD_ENTER_S``; the timer runs only while
in position; out of position for more than ``HOLD_EXIT_S`` (while seen) ends the hold, as does
a bend straight across to the other side of an 'outside' hold (that is the next hold). Holds
shorter than ``MIN_HOLD_S`` are not reported.
"""

from __future__ import annotations

import math

from coach.core.contracts import ExerciseLike
from coach.core.engine.base import _EngineBase
from coach.core.engine.results import EngineConfig, HoldRecord, State
from coach.core.engine.tunables import HOLD_ENTER_S, HOLD_EXIT_S, MIN_HOLD_S, SETTLE_TAU_S


class _HoldSteps(_EngineBase):
    """Times holds; the engine calls :meth:`_step_hold` on every seen frame of a hold exercise."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        super().__init__(exercise, config)
        self._hold_fb = False  # the hold is judged on the fallback checks this frame
        self.holds: list[HoldRecord] = []
        self._hold_start = math.nan
        self._hold_time = 0.0
        self._hold_nv = 0.0
        self._hold_out_since = math.nan
        self._hold_in_since = math.nan
        self._hold_faults: list[str] = []
        self._hold_prev = math.nan
        self._hold_speed = math.nan
        self._hold_side = 0
        first = exercise.in_position[0] if exercise.in_position else None
        self._side_range = first.range if first is not None and first.op == "outside" else None
        self._settle = float(getattr(exercise, "settle_speed", 20.0))

    def _begin_hold(self, since: float) -> None:
        self.state = State.HOLDING
        self._hold_start = since
        self._hold_time = self._t - since
        self._hold_nv = 0.0
        self._hold_out_since = math.nan
        self._hold_faults = []

    def _track_hold_speed(self, value: float, dt: float) -> None:
        if value != value:
            self._hold_prev = math.nan
            return
        if self._hold_prev == self._hold_prev and dt > 0:
            speed = abs(value - self._hold_prev) / dt
            if self._hold_speed != self._hold_speed:
                self._hold_speed = speed
            else:
                self._hold_speed += min(1.0, dt / SETTLE_TAU_S) * (speed - self._hold_speed)
        self._hold_prev = value

    @property
    def settled(self) -> bool:
        return self._hold_speed == self._hold_speed and self._hold_speed < self._settle

    def _side_of(self, value: float) -> int:
        """For an 'outside' hold (a bend to either side): -1 below the range, +1 above, else 0."""
        if self._side_range is None or value != value or self._hold_fb:
            return 0
        lo, hi = self._side_range
        return -1 if value < lo else 1 if value > hi else 0

    def _step_hold(self, in_pos: bool, t: float, dt: float, value: float = math.nan) -> str | None:
        side = self._side_of(value)
        if self.state is State.HOLDING and side and self._hold_side and side != self._hold_side:
            # Straight across to the other side: that is the next hold, not the same one.
            self._end_hold(t)
            self.state = State.REST
            self._hold_in_since = math.nan
            return "hold_end"
        if self.state is State.REST:
            if not in_pos or not self.settled:
                self._hold_in_since = math.nan
                return None
            if self._hold_in_since != self._hold_in_since:
                self._hold_in_since = t
            if t - self._hold_in_since >= HOLD_ENTER_S:
                self._begin_hold(self._hold_in_since)
                self._hold_side = side
                return "hold_start"
            return None
        # HOLDING: the timer runs only while in position.
        if in_pos:
            self._hold_time += dt
            self._hold_out_since = math.nan
            return None
        if self._hold_out_since != self._hold_out_since:
            self._hold_out_since = t
        if t - self._hold_out_since >= HOLD_EXIT_S:
            self._end_hold(self._hold_out_since)
            self.state = State.REST
            self._hold_in_since = math.nan
            return "hold_end"
        return None

    def _end_hold(self, end: float) -> None:
        if self._hold_time >= MIN_HOLD_S:
            self.holds.append(
                HoldRecord(
                    index=len(self.holds) + 1,
                    start=self._hold_start,
                    end=end,
                    seconds=self._hold_time,
                    not_visible_s=self._hold_nv,
                    faults=tuple(dict.fromkeys(self._hold_faults)),
                )
            )
        self._hold_time = 0.0
        self._hold_nv = 0.0
