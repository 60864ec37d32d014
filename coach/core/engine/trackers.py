"""The engine's small per-frame trackers, each with its own memory and no knowledge of states.

* :class:`_Check`: a compiled start / in-position / fault condition (NaN, not seen, is never true),
  optionally relative to a baseline captured when set-up completes;
* :class:`_FaultTracker`: one fault's debounce (``min_duration_s`` to fire, ``FAULT_RELEASE_S``
  to clear) and its count;
* :class:`_SideLock` and :class:`_FacingLock`: the near side and the facing direction, smoothed
  and switched only on a clear, lasting change;
* :class:`_ViewGate`: notices a changed camera view (the body's size) or a jump to another body;
* :class:`_SwingCounter`: full swings within the person's own range (``rest_limit`` /
  ``work_limit``) that the prescribed zones would not count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.core.contracts import ConditionLike, FaultLike
from coach.core.engine.tunables import FAULT_RELEASE_S, JUMP_LIMIT, VIEW_SCALE_LIMIT
from coach.core.metrics import FrameView, Side, compile_metric


def _compile_condition(
    c: ConditionLike,
) -> tuple[Callable[[FrameView], float], Callable[[float], bool]]:
    fn = compile_metric(c.metric)
    op = c.op
    if op in ("between", "outside"):
        assert c.range is not None
        lo, hi = c.range
        if op == "between":
            return fn, lambda x: lo <= x <= hi
        return fn, lambda x: x < lo or x > hi
    assert c.value is not None
    v = c.value
    tests: dict[str, Callable[[float], bool]] = {
        "<": lambda x: x < v,
        "<=": lambda x: x <= v,
        ">": lambda x: x > v,
        ">=": lambda x: x >= v,
    }
    return fn, tests[op]


class _Check:
    """A compiled condition; NaN (not seen) is never true."""

    __slots__ = ("metric", "fn", "test", "baseline_ref", "baseline")

    def __init__(self, c: ConditionLike) -> None:
        self.metric = c.metric
        self.fn, self.test = _compile_condition(c)
        self.baseline_ref = c.reference == "baseline"
        self.baseline = math.nan

    def value(self, v: FrameView) -> float:
        x = self.fn(v)
        if self.baseline_ref:
            return x - self.baseline
        return x

    def __call__(self, v: FrameView) -> bool:
        x = self.value(v)
        return x == x and self.test(x)

    def capture_baseline(self, v: FrameView) -> None:
        if self.baseline_ref:
            self.baseline = self.fn(v)


class _FaultTracker:
    __slots__ = ("spec", "check", "since", "false_since", "active", "count")

    def __init__(self, spec: FaultLike) -> None:
        self.spec = spec
        self.check = _Check(spec.when)
        self.since = math.nan
        self.false_since = math.nan
        self.active = False
        self.count = 0

    def update(self, v: FrameView, t: float, phase_ok: bool) -> bool:
        """Returns True on the frame the fault fires (its onset after debounce)."""
        if phase_ok and self.check(v):
            self.false_since = math.nan
            if self.since != self.since:
                self.since = t
            if not self.active and t - self.since >= self.spec.min_duration_s:
                self.active = True
                self.count += 1
                return True
            return False
        self.since = math.nan
        if self.active:
            if self.false_since != self.false_since:
                self.false_since = t
            elif t - self.false_since >= FAULT_RELEASE_S:
                self.active = False
        return False


#: Shoulder, hip, knee and ankle of each side: what the side lock weighs, and what must stay
#: visible for a rep to be measured on the side it started on.
SIDE_JOINTS: dict[str, list[int]] = {"left": [11, 23, 25, 27], "right": [12, 24, 26, 28]}


class _SideLock:
    """Chooses the near side from smoothed visibility, switching only on a clear, lasting change."""

    __slots__ = ("score", "side")

    def __init__(self) -> None:
        self.score = 0.0  # > 0: left more visible
        self.side: Side | None = None

    def update(self, vis: npt.NDArray[np.floating[Any]], dt: float) -> Side:
        d = float(vis[SIDE_JOINTS["left"]].sum() - vis[SIDE_JOINTS["right"]].sum()) / 4.0
        a = 1.0 if self.side is None else min(1.0, dt / 1.0)
        self.score += a * (d - self.score)
        if self.side is None:
            self.side = "left" if self.score >= 0 else "right"
        elif self.side == "left" and self.score < -0.1:
            self.side = "right"
        elif self.side == "right" and self.score > 0.1:
            self.side = "left"
        return self.side


def _body_centre(v: FrameView) -> tuple[float, float]:
    """Mean of the visible shoulders and hips (pixels)."""
    xs, ys = [], []
    for i in (11, 12, 23, 24):
        if v.ok[i]:
            xs.append(v.x[i])
            ys.append(v.y[i])
    if not xs:
        return math.nan, math.nan
    return sum(xs) / len(xs), sum(ys) / len(ys)


class _FacingLock:
    """Smooths the per-frame facing direction (nose ahead of the ears), which flips when the head
    turns or drops (quadruped, prone); switches only when the other direction clearly persists."""

    __slots__ = ("score", "facing")

    def __init__(self) -> None:
        self.score = 0.0
        self.facing: float | None = None

    def update(self, raw: float, dt: float) -> float:
        a = 1.0 if self.facing is None else min(1.0, dt / 0.5)
        self.score += a * (raw - self.score)
        if self.facing is None:
            self.facing = 1.0 if self.score >= 0 else -1.0
        elif self.facing > 0 and self.score < -0.3:
            self.facing = -1.0
        elif self.facing < 0 and self.score > 0.3:
            self.facing = 1.0
        return self.facing


class _ViewGate:
    """Notices a changed camera view or a different person: a sudden change of the body's size
    in the picture, or a jump of the body's position no person could make between two frames."""

    __slots__ = ("ref", "locked", "cx", "cy", "ct")

    def __init__(self) -> None:
        self.ref = math.nan
        self.locked = False
        self.cx = self.cy = self.ct = math.nan

    def jumped(self, cx: float, cy: float, scale: float, t: float) -> bool:
        if cx != cx or scale != scale or scale <= 0:
            return False
        jump = False
        if self.ct == self.ct and t - self.ct < 0.2:
            jump = math.hypot(cx - self.cx, cy - self.cy) > JUMP_LIMIT * scale
        self.cx, self.cy, self.ct = cx, cy, t
        return jump

    def ratio(self, scale: float) -> float:
        """The body's size now over the reference size (1.0 when either is unknown)."""
        if scale != scale or scale <= 0 or self.ref != self.ref:
            return 1.0
        return scale / self.ref

    def ok(self, scale: float, dt: float) -> bool:
        """False on the frame the view changed (then the gate re-anchors to the new view)."""
        if scale != scale or scale <= 0:
            return True  # nothing to compare; the metric gates decide
        if self.ref != self.ref:
            self.ref = scale
            return True
        ratio = scale / self.ref
        if not self.locked:
            self.ref += min(1.0, dt / 0.5) * (scale - self.ref)
            return True
        if ratio > VIEW_SCALE_LIMIT or ratio < 1.0 / VIEW_SCALE_LIMIT:
            # A new framing (a cut, a zoom, a body turned toward the camera). The signal is an
            # angle, the same at any scale: re-anchor and let the joints' visibility decide.
            self.ref = scale
            return False
        if 0.8 < ratio < 1.25:
            self.ref += min(1.0, dt / 5.0) * (scale - self.ref)
        return True


class _SwingCounter:
    """Counts full swings rest side -> work side -> rest side in the person's own range.

    Works in progress units (0 = the prescribed rest, 1 = the prescribed work). ``rest_side`` is
    how far toward work a person's rest may lie, ``work_side`` how far short of work their turn
    may come (the definition's ``rest_limit`` / ``work_limit``). Off when neither is set, so a
    definition without limits counts exactly as the prescribed zones say.
    """

    __slots__ = (
        "enabled",
        "lo",
        "hi",
        "min_swing",
        "armed",
        "peak",
        "start_t",
        "valley",
        "last_valley",
    )

    def __init__(self) -> None:
        self.enabled = False
        self.lo = self.hi = self.min_swing = 0.0
        self.armed = False
        self.peak = -math.inf
        self.start_t = math.nan
        self.valley = self.last_valley = math.inf

    def configure(self, rest_side: float, work_side: float, h: float) -> None:
        self.enabled = rest_side > 1e-9 or work_side < 1.0 - 1e-9
        self.lo = max(h, rest_side + h)
        self.hi = min(1.0 - h, work_side - h)
        # A swing must be clearly larger than the jitter of a still person.
        self.min_swing = max(self.hi - self.lo, 2.0 * h, 0.2)

    def reset(self, p: float) -> None:
        self.armed = p <= self.lo
        self.peak = -math.inf
        self.start_t = math.nan
        self.valley = self.last_valley = p if self.armed else math.inf

    def at_rest(self, p: float, h: float) -> bool:
        """On the rest side: the prescribed rest zone, or the person's own rest within the limit."""
        return p <= (self.lo if self.enabled else h)

    def end_of_stream(self, p: float) -> tuple[float, float, float] | None:
        """A swing that turned and is more than half-way back when the stream ends."""
        if not self.enabled or not self.armed or p != p or self.peak < self.hi:
            return None
        if self.peak - p >= max(0.5 * (self.peak - self.lo), 0.5 * self.min_swing):
            return self.start_t, self.peak, self.last_valley
        return None

    def counted(self, p: float) -> None:
        self.reset(p)

    def update(self, p: float, t: float) -> tuple[float, float, float] | None:
        """Returns (start time, peak, valley) in progress units on the frame a full swing completes."""
        if not self.enabled or p != p:
            return None
        if p <= self.lo:
            if self.armed and self.peak >= self.hi:
                if self.peak - p < self.min_swing:
                    return None  # turned, but not yet clearly back: wait (the peak stays)
                out = (self.start_t, self.peak, self.last_valley)
                self.valley = math.inf  # a new rest period begins
                self.peak = -math.inf
                self.start_t = t
                self.valley = self.last_valley = p
                return out
            if self.peak > -math.inf:
                self.valley = math.inf  # an excursion that never reached the work side
            self.armed = True
            self.peak = -math.inf
            self.start_t = t
            self.valley = min(self.valley, p)
            self.last_valley = self.valley
            return None
        if self.armed:
            self.peak = max(self.peak, p)
        return None
