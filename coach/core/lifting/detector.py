"""Lift detection (DOMAIN §4.2): :class:`LiftDetector` follows a stream of poses, keeps the
body's "up" and leg length, finds each lift with a small state machine and hands the lift's
samples to :func:`~coach.core.lifting.scoring.score_lift`.

Lift events
-----------
::

    STANDING ── hands below 0.55 leg lengths (≈ knee height) and bent
    │           (trunk >= 20° or knees >= 45°) for >= 0.2 s ──► LOW
    LOW ── the hands rise 0.05 leg lengths above their lowest point ──► RISING
    RISING ── hands back below the lowest + 0.05 ──► LOW (a re-grip: the same lift)
    RISING ── hands above 0.75 leg lengths and trunk < 30° ──► STANDING: lift complete
    end of stream while LOW/RISING ──► the lift is reported with complete=False

``start`` is when the hands last left standing height on the way down, ``lift_off`` when
they start to rise from their lowest point (DOMAIN §4.2), ``end`` when the person is upright
again. A camera cannot see whether a load was picked up or put down; both are "lifts" here.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from coach.core.landmarks import PoseFrame
from coach.core.lifting.geometry import (
    _ANKLE,
    _HIP,
    _KNEE,
    _SH,
    NAN,
    FloatArray,
    LiftSample,
    _unit,
    lift_sample,
)
from coach.core.lifting.scoring import LiftConfig, LiftEvent, score_lift
from coach.core.smoothing import OneEuroFilter


class LiftPhase(str, Enum):
    STANDING = "standing"
    LOW = "low"
    RISING = "rising"
    NOT_VISIBLE = "not_visible"


@dataclass
class _Lift:
    start: float
    low_since: float
    samples: deque[LiftSample]
    min_h: float = math.inf
    last_t: float = NAN


class LiftDetector:
    """Finds lifts in a stream of poses and scores each one (DOMAIN §4.2).

    Feed :class:`PoseFrame` objects (or ``None`` with a timestamp) in time order; ``update``
    returns a :class:`LiftEvent` on the frame a lift completes, else None. ``finish`` reports
    a lift still in progress (``complete=False``). Uses world landmarks when the pose has
    them, else image landmarks. Memory is bounded (a ring of rise samples, a ring of recent
    lift times for the frequency).
    """

    def __init__(self, config: LiftConfig | None = None, visibility_gate: float = 0.5) -> None:
        self.config = cfg = config or LiftConfig()
        self.visibility_gate = visibility_gate
        self._filter = OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff)
        self._filter_kind = ""
        self._up_world = np.array([0.0, -1.0, 0.0])
        self._leg_ref = NAN  # image path: standing leg length in pixels (decaying max)
        self._t = NAN
        self._first_t = NAN  # the first frame a person was seen
        self._lift_from_first_frame = False
        self._last_high_t = NAN  # the last time the person stood tall
        self._hands_high_t = NAN  # ... and the last time the hands were at standing height
        self._low_since = NAN
        self._lift: _Lift | None = None
        self.phase = LiftPhase.STANDING
        self.count = 0
        self.last_sample: LiftSample | None = None
        self._recent: deque[float] = deque(maxlen=256)
        self._pre: deque[LiftSample] = deque(maxlen=cfg.max_samples)

    # -- public -------------------------------------------------------------------------------

    def update(self, pose: PoseFrame | None, timestamp: float | None = None) -> LiftEvent | None:
        t = float(
            pose.timestamp if pose is not None else timestamp if timestamp is not None else NAN
        )
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
        dt = 0.0 if self._t != self._t else max(0.0, t - self._t)
        self._t = t
        s = self._sample(pose, dt) if pose is not None else None
        self.last_sample = s
        if s is None or s.hand_height != s.hand_height:
            # Nothing seen: the lift in progress (if any) waits; timers do not advance.
            return None
        return self._step(s, dt)

    def finish(self) -> LiftEvent | None:
        """End of the stream: a lift still in progress is reported as incomplete."""
        lift = self._lift
        self._lift = None
        self.phase = LiftPhase.STANDING
        if lift is None or not lift.samples or self._lift_from_first_frame:
            # A lift assumed from the first frame is one only once the person stands up with it
            # (someone who never stands is on the floor, not lifting).
            return None
        return self._event(lift, lift.last_t, complete=False)

    def frequency_per_min(self, now: float | None = None) -> float:
        """Lifts per minute over the last 15 min (or since the first lift, if sooner)."""
        t = self._t if now is None else now
        if not self._recent or t != t:
            return 0.0
        window = self.config.frequency_window_s
        n = sum(1 for x in self._recent if t - x <= window)
        span = min(window, max(60.0, t - self._recent[0]))
        return n / (span / 60.0)

    # -- internals ----------------------------------------------------------------------------

    def _sample(self, pose: PoseFrame, dt: float) -> LiftSample | None:
        cfg = self.config
        world = pose.world
        if world is not None and np.isfinite(world).all():
            pts = world.astype(np.float64)
            legs = [
                float(
                    np.linalg.norm(pts[_HIP[s]] - pts[_KNEE[s]])
                    + np.linalg.norm(pts[_KNEE[s]] - pts[_ANKLE[s]])
                )
                for s in (0, 1)
            ]
            leg = float(np.mean(legs))
            if not leg > 1e-6:
                return None
            pts = self._smooth(pts / leg, pose.timestamp, "world")
            ok = np.ones(len(pts), dtype=bool)
            s = lift_sample(pts, ok, self._up_world, 1.0, pose.timestamp, "world", leg_m=leg)
            if s is not None:
                self._update_up(pts, s, dt)
            return s
        vis = pose.visibility
        px = pose.pixels()
        ok = (vis >= self.visibility_gate) & np.isfinite(px).all(axis=1)
        near = (
            0
            if float(vis[_SH[0]] + vis[_HIP[0]] + vis[_KNEE[0]] + vis[_ANKLE[0]])
            >= float(vis[_SH[1]] + vis[_HIP[1]] + vis[_KNEE[1]] + vis[_ANKLE[1]])
            else 1
        )
        h, k, a = _HIP[near], _KNEE[near], _ANKLE[near]
        if ok[h] and ok[k] and ok[a]:
            cur = float(np.linalg.norm(px[h] - px[k]) + np.linalg.norm(px[k] - px[a]))
            if self._leg_ref != self._leg_ref:
                self._leg_ref = cur
            else:
                # Foreshortening only ever shortens a leg: keep a slowly decaying maximum.
                decayed = self._leg_ref * math.exp(-dt / cfg.leg_decay_s)
                self._leg_ref = max(cur, decayed)
        if self._leg_ref != self._leg_ref:
            return None
        pts = self._smooth(px / self._leg_ref, pose.timestamp, "image")
        up = np.array([0.0, -1.0])
        return lift_sample(pts, ok, up, 1.0, pose.timestamp, "image", near=near)

    def _smooth(self, pts: FloatArray, t: float, kind: str) -> FloatArray:
        if kind != self._filter_kind:
            self._filter.reset()
            self._filter_kind = kind
        return self._filter(pts, t)

    def _update_up(self, pts: FloatArray, s: LiftSample, dt: float) -> None:
        """Standing tall: the ankle→shoulder direction is the body's vertical; follow it slowly."""
        if not (
            s.knee == s.knee
            and s.knee < 25.0
            and s.trunk < 35.0
            and s.hand_height > self.config.hands_low_exit
        ):
            return
        sh = (pts[_SH[0]] + pts[_SH[1]]) / 2.0
        an = (pts[_ANKLE[0]] + pts[_ANKLE[1]]) / 2.0
        axis = _unit(sh - an)
        if not np.isfinite(axis).all():
            return
        a = min(1.0, dt / self.config.up_tau_s)
        self._up_world = _unit(self._up_world + a * (axis - self._up_world))

    def _standing(self, s: LiftSample) -> bool:
        cfg = self.config
        return (
            s.hand_height >= cfg.hands_low_exit
            and s.trunk == s.trunk
            and s.trunk < cfg.upright_trunk_deg
            and s.hip_height >= cfg.standing_hip_height
        )

    def _bent(self, s: LiftSample) -> bool:
        cfg = self.config
        return (s.trunk == s.trunk and s.trunk >= cfg.bent_trunk_deg) or (
            s.knee == s.knee and s.knee >= cfg.bent_knee_deg
        )

    def _step(self, s: LiftSample, dt: float) -> LiftEvent | None:
        cfg = self.config
        h = s.hand_height
        if self._first_t != self._first_t:
            self._first_t = s.t
        if self._lift is None:
            if (
                self._last_high_t != self._last_high_t
                and s.t - self._first_t <= cfg.first_frame_window_s
                and self._bent(s)
                and h < cfg.hands_low_exit
                and not s.hip_height < cfg.min_bottom_hip_height
            ):
                # Already bent at the load when the stream starts (a deadlift set up at the bar):
                # the lift began before the first frame, so it starts there. The hands need not
                # read low: at the bar they are often hidden by the load.
                self._last_high_t = self._hands_high_t = self._low_since = self._first_t
                self._pre.clear()
                self._pre.append(s)
                self._lift = _Lift(
                    start=self._first_t,
                    low_since=self._first_t,
                    samples=deque(self._pre, maxlen=cfg.max_samples),
                )
                self._lift_from_first_frame = True
                self.phase = LiftPhase.LOW
            if self._standing(s):
                self._last_high_t = self._hands_high_t = s.t
            elif h >= cfg.hands_low_exit and self._last_high_t == self._last_high_t:
                self._hands_high_t = s.t
            # A lift starts from standing: floor exercises (lying, all fours) never qualify.
            if (
                self._last_high_t == self._last_high_t
                and h < cfg.hands_low_enter
                and self._bent(s)
                and not s.hip_height < cfg.min_bottom_hip_height
            ):
                if self._low_since != self._low_since:
                    self._low_since = s.t
                    self._pre.clear()
                self._pre.append(s)
                if s.t - self._low_since >= cfg.min_low_s:
                    self._lift = _Lift(
                        start=self._hands_high_t,
                        low_since=self._low_since,
                        samples=deque(self._pre, maxlen=cfg.max_samples),
                    )
                    self.phase = LiftPhase.LOW
            else:
                self._low_since = NAN
            if self._lift is None:
                return None
        else:
            self._lift.samples.append(s)
        lift = self._lift
        lift.last_t = s.t
        lift.min_h = min(lift.min_h, h)
        # The phase is for display; the event is measured afterwards from the samples.
        self.phase = LiftPhase.RISING if h >= lift.min_h + cfg.rise_margin else LiftPhase.LOW
        if self._standing(s):
            self._lift = None
            self._lift_from_first_frame = False
            self.phase = LiftPhase.STANDING
            self._last_high_t = s.t
            self._low_since = NAN
            return self._event(lift, s.t, complete=True)
        return None

    def _event(self, lift: _Lift, end: float, complete: bool) -> LiftEvent:
        self.count += 1
        event = score_lift(
            lift.samples,
            index=self.count,
            start=lift.start,
            end=end,
            complete=complete,
            config=self.config,
        )
        self._recent.append(event.lift_off)
        return event
