"""The bottom layer of :class:`~coach.core.engine.ExerciseEngine`: what every step shares.

:class:`_EngineBase` holds the exercise, the run's config, the compiled checks and fault trackers,
the state machine's common memory (state, clock, pending transition, time out of view), the
smoothing filter and the side / facing / view trackers, and the person selector. It also owns the
*signal in use*: the primary metric, a per-view override (side or front, chosen from the apparent
shoulder width during set-up), or a fallback metric that needs fewer joints when the primary
cannot be measured; thresholds (rest, work, hysteresis) always refer to the signal in use.
The rep, hold, set-up and fault layers build on it (see the package docstring).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from coach.core.contracts import ExerciseLike, ViewName, ViewSignalLike
from coach.core.engine.results import EngineConfig, State
from coach.core.engine.trackers import (
    _Check,
    _FacingLock,
    _FaultTracker,
    _SideLock,
    _SwingCounter,
    _ViewGate,
)
from coach.core.landmarks import PoseFrame
from coach.core.metrics import FrameView, Side, compile_metric
from coach.core.smoothing import OneEuroFilter


class _EngineBase:
    """Shared state and the signal in use; the layers above add reps, holds, set-up and faults."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        self.exercise = exercise
        self.config = config or EngineConfig()
        cfg = self.config
        self._filter = OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff)
        self._side = _SideLock()
        #: The side a rep or hold in progress is measured on (None between them).
        self._rep_side: Side | None = None
        self._facing = _FacingLock()
        self._view_gate = _ViewGate()
        self._people_now = 0
        self._followed: PoseFrame | None = None  # the chosen pose when several are in view
        self.kind = exercise.kind
        self._start = [_Check(c) for c in exercise.start]
        self._in_pos = [_Check(c) for c in exercise.in_position]
        self._in_pos_fb = [_Check(c) for c in getattr(exercise, "in_position_fallbacks", ()) or ()]
        self._faults = [_FaultTracker(f) for f in exercise.faults]
        self._baseline_checks = [
            c for c in (*self._start, *self._in_pos, *self._in_pos_fb) if c.baseline_ref
        ] + [f.check for f in self._faults if f.check.baseline_ref]
        sig = exercise.signal
        self._signal = sig
        self._view: str | None = None
        self._view_score = math.nan
        self._fallbacks: list[tuple[Callable[[FrameView], float], float, float]] = []
        self._signal_index = 0  # 0: the primary (view) signal, k: the k-th fallback
        self._swing = _SwingCounter()
        if sig is not None:
            self._primary = (compile_metric(sig.metric), float(sig.rest), float(sig.work))
            self._fallbacks = [
                (compile_metric(f.metric), float(f.rest), float(f.work))
                for f in getattr(sig, "fallbacks", ()) or ()
            ]
            self._set_signal(sig)
        from coach.core.person import PersonSelector

        self._people = PersonSelector(self._person_fitness)
        # state
        self.state = State.SETUP
        self._resume_state = State.REST
        self._t = math.nan
        self._t0 = math.nan
        self._last_valid_t = math.nan
        self._last_value = math.nan
        self._pending: State | None = None
        self._pending_since = math.nan
        self._not_visible_s = 0.0

    # -- configuration -------------------------------------------------------------------------

    def _set_signal(self, s: ViewSignalLike) -> None:
        assert self._signal is not None
        self._primary = (compile_metric(s.metric), float(s.rest), float(s.work))
        self._use_signal(0)
        sig = self._signal
        lim_r, lim_w = getattr(sig, "rest_limit", None), getattr(sig, "work_limit", None)
        base = (float(sig.rest), float(sig.work))
        # Limits are written for the main signal; a view signal keeps them as fractions of its range.
        fr = 0.0 if lim_r is None else (float(lim_r) - base[0]) / (base[1] - base[0])
        fw = 1.0 if lim_w is None else (float(lim_w) - base[0]) / (base[1] - base[0])
        self._swing.configure(fr, fw, self._h / self._span)

    def _use_signal(self, k: int) -> None:
        """Make signal ``k`` (0 = primary, else fallback k) the one thresholds refer to."""
        assert self._signal is not None
        self._signal_index = k
        self._metric, rest, work = self._primary if k == 0 else self._fallbacks[k - 1]
        span0 = abs(self._primary[2] - self._primary[1])
        self._rest = rest
        self._work = work
        self._dir = 1.0 if self._work > self._rest else -1.0
        self._span = abs(self._work - self._rest)
        # The hysteresis is given in the main signal's units: keep it the same share of the range.
        self._h = float(self._signal.hysteresis) * (self._span / span0 if k and span0 else 1.0)

    def _measure(self, v: FrameView) -> float:
        """The signal from the primary metric, else from the first fallback whose joints are seen."""
        if self._signal_index:
            self._use_signal(0)
        x = self._metric(v)
        if x == x or not self._fallbacks:
            return x
        for k in range(1, len(self._fallbacks) + 1):
            fn = self._fallbacks[k - 1][0]
            y = fn(v)
            if y == y:
                self._use_signal(k)
                return y
        return math.nan

    def _choose_view(self, v: FrameView, dt: float) -> None:
        """Per-view signals: pick side or front from the apparent shoulder width, then lock."""
        assert self._signal is not None
        from coach.core.metrics import shoulder_width_ratio

        r = shoulder_width_ratio(v)
        if r == r:
            a = 1.0 if self._view_score != self._view_score else min(1.0, dt / 0.5)
            self._view_score = (
                r
                if self._view_score != self._view_score
                else self._view_score + a * (r - self._view_score)
            )
        view: ViewName = (
            "front" if self._view_score == self._view_score and self._view_score > 0.45 else "side"
        )
        if view != self._view:
            self._view = view
            override = self._signal.views.get(view)
            self._set_signal(override if override is not None else self._signal)

    def _progress(self, value: float) -> float:
        return (value - self._rest) * self._dir / self._span

    # -- who is exercising -----------------------------------------------------------------------

    def _person_fitness(self, pose: PoseFrame) -> tuple[bool, float]:
        """(in the start position, the signal's value) of one candidate person, unsmoothed."""
        v = FrameView(
            pose.pixels().tolist(),
            pose.image[:, 3].tolist(),
            pose.width,
            pose.height,
            None,
            self.config.visibility_gate,
        )
        start_ok = all(c(v) for c in self._start) if self._start else True
        if self.kind == "hold":
            vals = [c.value(v) for c in self._in_pos]
            value = vals[0] if vals else math.nan
            if all(x == x for x in vals) and all(c.test(x) for c, x in zip(self._in_pos, vals)):
                start_ok = True
            return start_ok, value
        if self._signal is None:
            return start_ok, math.nan
        value = self._primary[0](v)
        if value != value:
            return start_ok, math.nan
        # in units of the prescribed range, so that moving through it scores alike for any metric
        return start_ok, (value - self._primary[1]) / (self._primary[2] - self._primary[1])
