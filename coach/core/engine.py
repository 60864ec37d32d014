"""The scoring engine: landmarks -> smoothing -> metrics -> state machine -> form faults -> cues.

One :class:`ExerciseEngine` scores one exercise. Feed it :class:`PoseFrame` objects (or ``None``
when no pose was found) in timestamp order; each call returns a frozen :class:`EngineStatus`
snapshot. :meth:`ExerciseEngine.summary` gives the report. Same frames in, same result out.

State machine (DOMAIN §1.7)::

                start checks true >= setup_s
      SETUP ─────────────────────────────────► REST ◄──────────────────────────┐
                                                │ progress >= partial_fraction  │ back in rest zone:
                                                ▼                               │ partial rep
                                              MOVING ───────────────────────────┤
                                                │ reached work (within h)       │
                                                ▼                               │ back in rest zone:
                                              WORK ─────────────────────────────┘ rep counted

      HOLD exercises:  SETUP -> REST <-> HOLDING (timer runs only while in position)

      Any state except SETUP ── signal invalid > 0.25 s ──► NOT_VISIBLE ── valid again ──► REST/HOLDING
      (counting and timers pause; the time is reported as not_visible_s)

Counting that holds on unseen people and cameras (issue 12):

* Set-up that passes mid-rep: when the start position is reached and the signal has been seen in
  the rest zone since, a movement already under way when set-up completes is that rep (MOVING or
  WORK, started at the last rest), so a person who starts at once loses nothing.
* A camera cut or zoom re-anchors instead of pausing: counting goes on while the joints that drive
  the signal are seen (the primary signal, else the definition's ``fallbacks`` that need fewer
  joints); it pauses only when none can be measured. A jump of the body without a change of
  scale is someone else: back to set-up.
* The person's own range (``rest_limit`` / ``work_limit``): a full swing rest side -> work side ->
  rest side that turns before the prescribed zones still counts, with the fault ``small_range``.
* Several people (``PoseFrame.others``): :class:`coach.core.person.PersonSelector` keeps the one
  who is doing the exercise; ``EngineStatus.person_unsure`` says when it cannot tell.

Hysteresis: a rep must go all the way from the rest zone (rest ± h) to the work zone
(work ∓ h) and back; jitter around one threshold can never complete a cycle. Each transition
also needs ``min_dwell_s`` of consecutive agreeing frames, so one-frame spikes are ignored.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

# the Protocols, re-exported: readers of the engine import them from here too
from coach.core.contracts import ConditionLike as ConditionLike
from coach.core.contracts import DoseLike as DoseLike
from coach.core.contracts import ExerciseLike as ExerciseLike
from coach.core.contracts import FaultLike as FaultLike
from coach.core.contracts import RepTimingLike as RepTimingLike
from coach.core.contracts import SignalLike as SignalLike
from coach.core.contracts import ViewName as ViewName
from coach.core.contracts import ViewSignalLike as ViewSignalLike
from coach.core.landmarks import PoseFrame
from coach.core.metrics import FRAME_MARGIN, FrameView, Side, body_scale, compile_metric
from coach.core.smoothing import OneEuroFilter

NOT_VISIBLE_AFTER_S = 0.25  # DOMAIN §1.5: hold the last valid value <= 0.25 s
HOLD_ENTER_S = 0.3
HOLD_EXIT_S = 0.5  # DOMAIN §1.7: out of position > 0.5 s (while seen) ends the hold
MIN_HOLD_S = 1.0  # shorter holds are not reported
CUE_GAP_S = 3.0  # DOMAIN §1.7: at most one spoken cue per 3 s
SAME_CUE_GAP_S = 10.0  # the same cue is not repeated sooner
FAULT_RELEASE_S = 0.3
#: The body's size in the picture may drift slowly (the person moves); a sudden change beyond
#: this factor means the camera view changed (a cut, a close-up, the camera was moved), and
#: nothing is counted until the view matches the one the set started with.
VIEW_SCALE_LIMIT = 1.6
SETTLE_TAU_S = 0.2
#: For this long after a jump to another body, a gap is never bridged (it may be someone else).
JUMP_MEMORY_S = 5.0
#: A stream whose first frames (this long) show the worked position began at the bottom of a rep.
FROM_WORK_WINDOW_S = 0.5
#: In a close-up (the body much larger than when the set started) the model puts joints that are
#: out of the picture on its edge: there a joint counts only this far inside (fraction of the size).
CLOSE_UP_EDGE = 0.03
#: A stream that ends while a rep is on its way back counts that rep once it is at least this far
#: back (progress from rest): "most of the way down" (a recording cut in the last quarter of the
#: return), not a movement that merely turned around.
END_RETURN_P = 0.25
#: A rep still held in the worked position when the stream ends counts once it was held this long
#: (or the prescribed hold, if longer).
END_HOLD_S = 2.0
#: The fault a rep gets when it counted within the person's own range, short of the prescribed one.
SMALL_RANGE = "small_range"
#: A gap between frames longer than this (the machine slept, the camera stalled) is time the
#: engine did not see: it never counts toward a hold and is reported as not visible.
MAX_FRAME_GAP_S = 1.0



# ---------------------------------------------------------------------------------------------
# Results


class State(str, Enum):
    SETUP = "setup"
    REST = "rest"
    MOVING = "moving"
    WORK = "work"
    HOLDING = "holding"
    NOT_VISIBLE = "not_visible"


@dataclass(frozen=True, slots=True)
class RepRecord:
    index: int
    start: float
    end: float
    peak: float
    range_deg: float
    hold_s: float
    faults: tuple[str, ...]
    flags: tuple[str, ...]  # "too_fast", "stalled"

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class HoldRecord:
    index: int
    start: float
    end: float
    seconds: float  # time in position and in view
    not_visible_s: float  # time inside the hold when the body could not be seen
    faults: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    text: str
    fault: str
    severity: str
    timestamp: float


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """A snapshot after one frame; cheap to build, safe to hand to another thread."""

    timestamp: float
    state: State
    reps: int
    partial_reps: int
    value: float  # the primary signal (NaN when not visible or none)
    progress: float  # 0 at rest .. 1 at work (NaN when unknown)
    hold_s: float  # the current hold's seconds (0 when not holding)
    holds: int
    active_faults: tuple[str, ...]
    cue: Cue | None  # a new cue to show/speak on this frame
    visible: bool
    event: str | None = None  # "ready", "rep", "partial", "hold_start", "hold_end"
    #: Several people are in the picture and the engine cannot tell yet who is exercising.
    person_unsure: bool = False
    #: People seen in this frame (0 when none).
    people: int = 1


#: A recording starts with the person already in position: its set-up needs only this long in
#: the start position (a live camera waits DOMAIN's full second). `coach analyze`, `coach session`
#: and the player on a recording all score with it.
RECORDING_SETUP_S = 0.2

@dataclass(slots=True)
class EngineConfig:
    """Tunables that are about the run, not the exercise."""

    setup_s: float = 1.0  # DOMAIN §1.7 start position >= 1.0 s; recordings use less
    min_cutoff: float = 1.0  # One Euro, DOMAIN §1.5
    beta: float = 0.01
    d_cutoff: float = 1.0
    visibility_gate: float = 0.5


# ---------------------------------------------------------------------------------------------
# Conditions


def _compile_condition(c: ConditionLike) -> tuple[Callable[[FrameView], float], Callable[[float], bool]]:
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


class _SideLock:
    """Chooses the near side from smoothed visibility, switching only on a clear, lasting change."""

    __slots__ = ("score", "side")

    def __init__(self) -> None:
        self.score = 0.0  # > 0: left more visible
        self.side: Side | None = None

    def update(self, vis: npt.NDArray[np.floating[Any]], dt: float) -> Side:
        # shoulder, hip, knee, ankle: left 11, 23, 25, 27; right 12, 24, 26, 28
        d = float(vis[11] + vis[23] + vis[25] + vis[27] - vis[12] - vis[24] - vis[26] - vis[28]) / 4.0
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


#: The trunk's direction in the picture turning by more than this within SHAPE_JUMP_S while a
#: hold is held is no movement of a person holding still (the model's own smoothing spreads a cut
#: over a few frames): the scene changed (a cut to another demonstrator,
#: another angle). A hold ends there; the next one starts once the person is still in position.
SHAPE_JUMP_DEG = 15.0
SHAPE_JUMP_S = 0.2

#: A body centre that moves more than this many trunk lengths between two frames less than
#: 0.2 s apart is not the same person moving: it is someone else, or a camera cut.
JUMP_LIMIT = 1.0


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

    __slots__ = ("enabled", "lo", "hi", "min_swing", "armed", "peak", "start_t", "valley", "last_valley")

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


class ExerciseEngine:
    """Scores one exercise from a stream of poses. Not thread-safe: one engine, one thread."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        self.exercise = exercise
        self.config = config or EngineConfig()
        cfg = self.config
        self._filter = OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff)
        self._side = _SideLock()
        self._facing = _FacingLock()
        self._view_gate = _ViewGate()
        self.view_changed = False
        self._close_up = False
        self._trunk_dir: deque[tuple[float, float]] = deque()
        self._set_scale = math.nan  # the body's size in the picture when the set started
        self._jumps = 0
        self._people_now = 0
        self.kind = exercise.kind
        self._start = [_Check(c) for c in exercise.start]
        self._in_pos = [_Check(c) for c in exercise.in_position]
        self._in_pos_fb = [_Check(c) for c in getattr(exercise, "in_position_fallbacks", ()) or ()]
        self._hold_fb = False  # the hold is judged on the fallback checks this frame
        self._faults = [_FaultTracker(f) for f in exercise.faults]
        self._baseline_checks = [c for c in (*self._start, *self._in_pos, *self._in_pos_fb) if c.baseline_ref] + [
            f.check for f in self._faults if f.check.baseline_ref
        ]
        sig = exercise.signal
        self._signal = sig
        self._view: str | None = None
        self._view_score = math.nan
        self._fallbacks: list[tuple[Callable[[FrameView], float], float, float]] = []
        self._signal_index = 0  # 0: the primary (view) signal, k: the k-th fallback
        self._swing = _SwingCounter()
        if sig is not None:
            self._primary = (compile_metric(sig.metric), float(sig.rest), float(sig.work))
            self._fallbacks = [(compile_metric(f.metric), float(f.rest), float(f.work))
                               for f in getattr(sig, "fallbacks", ()) or ()]
            self._set_signal(sig)
        from coach.core.person import PersonSelector

        self._people = PersonSelector(self._person_fitness)
        # state
        self.state = State.SETUP
        self._resume_state = State.REST
        self._t = math.nan
        self._t0 = math.nan
        self._setup_since = math.nan
        self._setup_rest_t = math.nan  # last time the signal was at rest while set-up ran
        self._strict_setup = False  # after a jump: the old, strict set-up (still at rest)
        self._last_jump_t = -math.inf
        self._first_valid_t = math.nan  # the first frame the signal was measured
        self._from_work = False  # the stream began in the worked position (a lift from the floor)
        self._from_work_peak = (math.nan, 0.0)  # (value, progress) at the deepest point seen
        self._last_valid_t = math.nan
        self._last_value = math.nan
        self._pending: State | None = None
        self._pending_since = math.nan
        self._not_visible_s = 0.0
        # reps
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
        # holds
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
        # cues
        self._last_cue_t = -math.inf
        self._last_cue_by_text: dict[str, float] = {}
        self.cues: list[Cue] = []

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
                r if self._view_score != self._view_score else self._view_score + a * (r - self._view_score)
            )
        view: ViewName = "front" if self._view_score == self._view_score and self._view_score > 0.45 else "side"
        if view != self._view:
            self._view = view
            override = self._signal.views.get(view)
            self._set_signal(override if override is not None else self._signal)

    # -- the per-frame step ----------------------------------------------------------------------

    def update(self, pose: PoseFrame | None, timestamp: float | None = None) -> EngineStatus:
        """Score one frame. ``pose`` None means no person was found in this frame."""
        t = float(pose.timestamp if pose is not None else timestamp if timestamp is not None else math.nan)
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
        dt = 0.0 if self._t != self._t else max(0.0, t - self._t)
        if dt > MAX_FRAME_GAP_S:
            self._not_visible_s += dt
            if self.state is State.HOLDING:
                self._hold_nv += dt
            dt = 0.0
        if self._t0 != self._t0:
            self._t0 = t
        if self._t == self._t and t < self._t:
            t = self._t  # never let time run backwards inside the engine
        self._t = t
        people = 0 if pose is None else 1 + len(pose.others)
        if pose is not None and (pose.others or self._people.engaged):
            pose = self._people.choose(pose, t)
            if self._people.switched:
                # The engine now follows another person: nothing of the last one's movement counts.
                self._jumps += 1
                self._filter = OneEuroFilter(self.config.min_cutoff, self.config.beta, self.config.d_cutoff)
                self._view_gate = _ViewGate()
                if self.state is not State.SETUP:
                    self._to_setup_after_jump()
        self._people_now = people
        if pose is None:
            return self._update_unseen(t, dt)

        vis = pose.image[:, 3]
        raw_v = FrameView(pose.pixels().tolist(), vis.tolist(), pose.width, pose.height, None, self.config.visibility_gate)
        cx, cy = _body_centre(raw_v)
        raw_scale = body_scale(raw_v)
        jumped = self._view_gate.jumped(cx, cy, raw_scale, t)
        rescaled = abs(math.log(self._view_gate.ratio(raw_scale))) > math.log(1.25)
        if jumped:
            # The body is somewhere else in the picture from one frame to the next. The smoothed
            # landmarks would drag between the two places: start the filter afresh.
            self._filter = OneEuroFilter(self.config.min_cutoff, self.config.beta, self.config.d_cutoff)
        pts = self._filter(pose.pixels(), t)
        side = self._side.update(vis, dt)
        margin = -CLOSE_UP_EDGE if self._close_up else FRAME_MARGIN
        v = FrameView(pts.tolist(), vis.tolist(), pose.width, pose.height, side, self.config.visibility_gate,
                      margin=margin)
        v.facing = self._facing.update(v.raw_facing(), dt)
        scale = body_scale(v) if not jumped else raw_scale
        if jumped and not rescaled and self.state is not State.SETUP:
            # Same size, another place: someone else (or the tracker swapped people). Do not
            # count it: back to set-up, which needs the start position again.
            self._jumps += 1
            self._to_setup_after_jump()
        elif jumped:
            self._jumps += 1  # a camera cut: same person, new framing; counting goes on
        if self._shape_jumped(raw_v, t) and self.state is State.HOLDING:
            self._end_hold(t)
            self.state = State.REST
            self._hold_in_since = math.nan
            self._hold_prev = math.nan
        self.view_changed = not self._view_gate.ok(scale, dt)
        if self.view_changed and self._set_scale == self._set_scale:
            self._close_up = self._view_gate.ref / self._set_scale > VIEW_SCALE_LIMIT

        if self._signal is not None and self._signal.views and (
            self.state in (State.SETUP,) or self._view is None
        ):
            self._choose_view(v, dt)

        if self.kind == "hold":
            # Each in-position metric is computed once per frame.
            checks = self._in_pos
            vals = [c.value(v) for c in checks]
            fb = False
            if not all(x == x for x in vals) and self._in_pos_fb:
                # The joints the position is judged on are out of the picture: judge it on the
                # fallback checks (fewer joints) instead.
                checks = self._in_pos_fb
                vals = [c.value(v) for c in checks]
                fb = True
            if fb != self._hold_fb:
                self._hold_prev = math.nan  # another metric: its speed starts afresh
                self._hold_fb = fb
            value = vals[0]
            valid = all(x == x for x in vals)
            in_pos = valid and all(c.test(x) for c, x in zip(checks, vals))
            self._track_hold_speed(value, dt)
        else:
            value = self._measure(v) if self._signal is not None else math.nan
            valid = value == value
            in_pos = False

        if not valid:
            return self._update_unseen(t, dt, v)
        if self.state is State.NOT_VISIBLE:
            self.state = State.HOLDING if self._resume_state is State.HOLDING else State.REST
            if self.kind != "hold":
                self._resume_from_unseen(value, t)
        self._last_valid_t = t
        self._last_value = value

        event: str | None = None
        if self.state is State.SETUP:
            event = self._step_setup(v, value, in_pos, t)
        elif self.kind == "hold":
            event = self._step_hold(in_pos, t, dt, value)
        else:
            event = self._step_reps(value, t, dt)

        cue = self._step_faults(v, t)
        progress = self._progress(value) if value == value and self._signal is not None else math.nan
        return EngineStatus(
            timestamp=t,
            state=self.state,
            reps=len(self.reps),
            partial_reps=self.partial_reps,
            value=value,
            progress=progress,
            hold_s=self._hold_time if self.state is State.HOLDING else 0.0,
            holds=len(self.holds),
            active_faults=tuple(f.spec.id for f in self._faults if f.active),
            cue=cue,
            visible=True,
            event=event,
            person_unsure=self._people.unsure,
            people=self._people_now,
        )

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

    def _shape_jumped(self, v: FrameView, t: float) -> bool:
        """The trunk's direction turned faster than any person can (a cut to another scene)."""
        li, ri = 11, 12
        lh, rh = 23, 24
        if not (v.ok[li] and v.ok[ri] and v.ok[lh] and v.ok[rh]):
            return False
        sx, sy = (v.x[li] + v.x[ri]) / 2, (v.y[li] + v.y[ri]) / 2
        hx, hy = (v.x[lh] + v.x[rh]) / 2, (v.y[lh] + v.y[rh]) / 2
        ang = math.degrees(math.atan2(sy - hy, sx - hx))
        hist = self._trunk_dir
        while hist and t - hist[0][0] > SHAPE_JUMP_S:
            hist.popleft()
        jumped = any(abs((ang - a + 180.0) % 360.0 - 180.0) > SHAPE_JUMP_DEG for _, a in hist)
        hist.append((t, ang))
        if jumped:
            hist.clear()
        return jumped

    @property
    def person_jumps(self) -> int:
        """How often the tracked body jumped (another person, or a camera cut)."""
        return self._jumps

    def _progress(self, value: float) -> float:
        return (value - self._rest) * self._dir / self._span

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
        )

    def _resume_from_unseen(self, value: float, t: float) -> None:
        """Back in view. A rep we did not see the end of is not counted (never count the unseen)."""
        self._pending = None
        p = self._progress(value)
        gap = t - self._last_valid_t if self._last_valid_t == self._last_valid_t else math.inf
        if self._resume_state is State.WORK and p > self._h / self._span and (
                gap <= self.exercise.rep_timing.max_s) and not t - self._last_jump_t < JUMP_MEMORY_S:
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

    # -- SETUP -----------------------------------------------------------------------------------

    def _start_ok(self, v: FrameView, value: float, in_pos: bool) -> bool:
        if self.kind == "hold" and in_pos and self.settled:
            # Already still in the held position (a stretch held from the first frame, or after
            # a cut to the next demonstrator): that is a start position for a hold too.
            return True
        return all(c(v) for c in self._start)

    def _step_setup(self, v: FrameView, value: float, in_pos: bool, t: float) -> str | None:
        if self.kind != "hold" and self._signal is not None:
            if self._first_valid_t != self._first_valid_t:
                self._first_valid_t = t
            p0 = self._progress(value)
            if (t - self._first_valid_t <= FROM_WORK_WINDOW_S and p0 >= 1.0 - self._h / self._span
                    and getattr(self._signal, "first_rep_from_work", False)):
                self._from_work = True
            if self._from_work and p0 > self._from_work_peak[1]:
                self._from_work_peak = (value, p0)
        if not self._start_ok(v, value, in_pos):
            self._setup_since = math.nan
            self._setup_rest_t = math.nan
            return None
        if self._setup_since != self._setup_since:
            self._setup_since = t
        if self.kind != "hold":
            p = self._progress(value)
            if self._swing.at_rest(p, self._h / self._span):
                self._setup_rest_t = t
            elif self._strict_setup:
                # After a jump to another body (someone else, or the tracker swapped people): the
                # new person must be still at rest for the whole set-up before anything counts.
                self._setup_since = math.nan
                self._setup_rest_t = math.nan
                return None
            elif self._setup_rest_t != self._setup_rest_t:
                # In the start position but mid-movement, and no rest seen yet: wait for rest
                # (a set that begins mid-squat is not counted from the middle).
                self._setup_since = t
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
        else:
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
                return "rep"
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
        self._setup_rest_t = math.nan  # the next set-up (after a jump or a gap) starts afresh
        self._from_work = False
        self._strict_setup = False
        return "ready"

    # -- REPS ------------------------------------------------------------------------------------

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
        self._peak_progress = max(self._peak_progress, peak_p) if self.state is not State.REST else peak_p
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

    # -- HOLDS -----------------------------------------------------------------------------------

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

    # -- FAULTS ----------------------------------------------------------------------------------

    def _step_faults(self, v: FrameView, t: float) -> Cue | None:
        if not self._faults or self.state is State.SETUP:
            return None
        st = self.state
        phase_now = {
            State.REST: "rest",
            State.MOVING: "work",
            State.WORK: "work",
            State.HOLDING: "hold",
        }.get(st, "")
        cue: Cue | None = None
        for f in self._faults:
            ph = f.spec.phase
            view_ok = f.spec.view == "any" or self._view is None or f.spec.view == self._view
            phase_ok = view_ok and (ph == "any" or ph == phase_now)
            if f.update(v, t, phase_ok):
                if st in (State.MOVING, State.WORK):
                    self._rep_faults.append(f.spec.id)
                elif st is State.HOLDING:
                    self._hold_faults.append(f.spec.id)
                c = self._maybe_cue(f.spec, t)
                if c is not None and cue is None:
                    cue = c
        return cue

    def _maybe_cue(self, spec: FaultLike, t: float) -> Cue | None:
        if t - self._last_cue_t < CUE_GAP_S:
            return None
        if t - self._last_cue_by_text.get(spec.cue, -math.inf) < SAME_CUE_GAP_S:
            return None
        self._last_cue_t = t
        self._last_cue_by_text[spec.cue] = t
        cue = Cue(spec.cue, spec.id, spec.severity, t)
        self.cues.append(cue)
        return cue

    # -- end of stream ---------------------------------------------------------------------------

    def resume_after_pause(self) -> None:
        """The person paused the session: the time it was paused is neither counted as seen nor
        as out of view (the next frame starts a fresh interval)."""
        self._t = math.nan

    def finish(self) -> None:
        """Close the stream: a hold in progress is recorded; a rep that reached the work zone and
        is most of the way back is counted (a recording that stops mid-return)."""
        if self.state is State.HOLDING or (
            self.state is State.NOT_VISIBLE and self._resume_state is State.HOLDING
        ):
            self._end_hold(self._t)
            self.state = State.REST
        elif (self.state is State.WORK and self._last_value == self._last_value
              and self._progress(self._last_value) <= END_RETURN_P):
            self._finish_rep(self._t)
            self.state = State.REST
        elif self.kind != "hold" and self._signal is not None and self.state is not State.SETUP and (
                self._last_value == self._last_value) and (
                swing := self._swing.end_of_stream(self._progress(self._last_value))) is not None:
            # A swing in the person's own range, more than half-way back: as for the prescribed one.
            start, peak_p, valley_p = swing
            self._rep_start = start if start == start else self._last_rest_t
            self._peak_progress = peak_p
            self._peak = self._rest + self._dir * self._span * peak_p
            hf = self._h / self._span
            if peak_p < 1.0 - hf or valley_p > hf:
                self._rep_faults = [*self._rep_faults, SMALL_RANGE]
            self._finish_rep(self._t)
            self.state = State.REST
        elif (self.state is State.WORK and float(self.exercise.dose.hold_s) > 0
              and self._work_time >= max(END_HOLD_S, float(self.exercise.dose.hold_s))):
            # A rep whose goal is a hold in the worked position (a stretch), held for the
            # prescribed time when the stream ended: the rep reached its goal, so it counts.
            self._finish_rep(self._t)
            self.state = State.REST

    @property
    def not_visible_s(self) -> float:
        return self._not_visible_s

    @property
    def view(self) -> str | None:
        return self._view

    def fault_counts(self) -> dict[str, int]:
        out = {f.spec.id: f.count for f in self._faults if f.count}
        small = sum(SMALL_RANGE in r.faults for r in self.reps)
        if small:
            out[SMALL_RANGE] = small
        return out

    # -- who is exercising -----------------------------------------------------------------------

    def _person_fitness(self, pose: PoseFrame) -> tuple[bool, float]:
        """(in the start position, the signal's value) of one candidate person, unsmoothed."""
        v = FrameView(pose.pixels().tolist(), pose.image[:, 3].tolist(), pose.width, pose.height,
                      None, self.config.visibility_gate)
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

    def summary(self) -> dict[str, object]:
        """The report of everything scored so far (JSON-ready)."""
        return {
            "exercise": self.exercise.id,
            "kind": self.kind,
            "view": self._view,
            "reps": len(self.reps),
            "partial_reps": self.partial_reps,
            "holds": [round(h.seconds, 2) for h in self.holds],
            "holds_detail": [
                {
                    "start": round(h.start, 3),
                    "end": round(h.end, 3),
                    "seconds": round(h.seconds, 2),
                    "not_visible_s": round(h.not_visible_s, 2),
                    "faults": list(h.faults),
                }
                for h in self.holds
            ],
            "faults": self.fault_counts(),
            "reps_detail": [
                {
                    "index": r.index,
                    "start": round(r.start, 3),
                    "end": round(r.end, 3),
                    "range": round(r.range_deg, 1),
                    "peak": round(r.peak, 1),
                    "hold_s": round(r.hold_s, 2),
                    "faults": list(r.faults),
                    "flags": list(r.flags),
                }
                for r in self.reps
            ],
            "not_visible_s": round(self._not_visible_s, 2),
            "cues": [{"t": round(c.timestamp, 2), "fault": c.fault, "text": c.text} for c in self.cues],
        }

