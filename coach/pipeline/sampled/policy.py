"""When the posture monitor looks: the sampling policy and the adaptive rate controller.

Pure logic, no threads and no clock of its own: :class:`SamplingPolicy` holds the intervals and
thresholds, :func:`monitor_config` widens the posture monitor's presence gaps to match them, and
:class:`AdaptiveSampler` picks the interval to the next sample from the last pose and verdict
(the rules are in :mod:`coach.pipeline.sampled`). :class:`~coach.pipeline.sampled.worker.SampledPipeline`
runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.core.landmarks import Landmark, PoseFrame
from coach.core.posture import MonitorConfig, PostureState, PostureStatus


@dataclass(frozen=True)
class SamplingPolicy:
    """When to look (see the module docstring). ``fixed_hz`` set: a constant rate, nothing else."""

    fixed_hz: float | None = None
    fast_s: float = 0.25
    slow_s: float = 1.5
    move_fraction: float = 0.3
    scale_fraction: float = 0.12
    nudge_lead_s: float = 3.0
    confirm_window_s: float = 3.0
    away_sample_s: float = 2.0
    away_release_s: float = 180.0
    present_reset_s: float = 10.0
    away_recheck_s: float = 60.0
    busy_check_s: float = 10.0
    reopen_warmup_s: float = 0.5

    def __post_init__(self) -> None:
        if self.fixed_hz is not None and not (0.05 <= self.fixed_hz <= 60.0):
            raise ValueError(f"fixed_hz must be within 0.05–60, got {self.fixed_hz!r}")
        if not (0.02 <= self.fast_s <= self.slow_s <= 10.0):
            raise ValueError("need 0.02 <= fast_s <= slow_s <= 10 seconds")

    @classmethod
    def fixed(cls, hz: float, **kw: Any) -> SamplingPolicy:
        """A constant ``hz`` frames per second (the pre-adaptive monitor; the benchmark's reference)."""
        return cls(fixed_hz=hz, **kw)

    @property
    def adaptive(self) -> bool:
        return self.fixed_hz is None

    @property
    def max_interval_s(self) -> float:
        if self.fixed_hz is not None:
            return 1.0 / self.fixed_hz
        return max(self.slow_s, self.away_sample_s)


def monitor_config(policy: SamplingPolicy, base: MonitorConfig | None = None) -> MonitorConfig:
    """``base`` with presence gaps wide enough for the policy's longest interval.

    The presence gate and the "away" test bridge gaps between detections; at a fixed 4 Hz the
    defaults (0.5 s, 1 s) already do, at a 2 s interval they must be wider or every sample would
    start the person over. Only a person already confirmed is kept across the wider gap: a new
    detection is still confirmed at the fast rate with the short gap, so a ghost in an empty
    room does not become a person. Nothing else changes: the nudge rules are the same.
    """
    base = base or MonitorConfig()
    longest = policy.max_interval_s
    return replace(
        base,
        eval_hz=(policy.fixed_hz if policy.fixed_hz is not None else 1.0 / policy.fast_s),
        presence_keep_s=max(base.presence_keep_s, 1.5 * longest),
        away_after_s=max(base.away_after_s, longest + 0.5),
    )


_KEY_POINTS = (
    int(Landmark.NOSE),
    int(Landmark.LEFT_EAR),
    int(Landmark.RIGHT_EAR),
    int(Landmark.LEFT_SHOULDER),
    int(Landmark.RIGHT_SHOULDER),
)
_LS, _RS = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LE, _RE = int(Landmark.LEFT_EAR), int(Landmark.RIGHT_EAR)


def head_shoulder_points(pose: PoseFrame) -> tuple[npt.NDArray[np.float64], float] | None:
    """Pixel positions of nose, ears and shoulders (NaN when unseen) and their scale.

    The scale is the larger of the shoulder width and the ear-to-shoulder height, so it holds
    in a side view (narrow shoulders) and a front view alike. None when too little is seen.
    """
    px = pose.pixels()[:, :2]
    vis = pose.image[:, 3]
    pts = np.where((vis[list(_KEY_POINTS)] >= 0.5)[:, None], px[list(_KEY_POINTS)], np.nan)
    width = float(np.hypot(*(px[_LS] - px[_RS]))) if min(vis[_LS], vis[_RS]) >= 0.5 else 0.0
    height = 0.0
    for ear, sh in ((_LE, _LS), (_RE, _RS)):
        if min(vis[ear], vis[sh]) >= 0.5:
            height = max(height, float(np.hypot(*(px[ear] - px[sh]))))
    scale = max(width, height)
    if scale <= 1e-6 or int(np.isfinite(pts[:, 0]).sum()) < 2:
        return None
    return pts, scale


class AdaptiveSampler:
    """Chooses the interval to the next sample from the last pose and status (see module doc).

    Pure and clock-free: the caller passes timestamps. ``reason`` says why the last interval
    was short ("" when calm), for statistics and tests.
    """

    def __init__(self, policy: SamplingPolicy | None = None) -> None:
        self.policy = policy or SamplingPolicy()
        self._prev: tuple[npt.NDArray[np.float64], float] | None = None
        self._prev_present: bool | None = None
        self._prev_raw: PostureState | None = None
        self._calm = 0
        self._fast_until = -math.inf
        self._untracked_since = math.nan
        #: A detection is being confirmed: the camera is not released in the middle of it.
        self.confirming = False
        self.reason = "start"
        self.interval_s = self.policy.fast_s if self.policy.adaptive else self.policy.max_interval_s

    def hold_fast(self, until: float) -> None:
        """Sample at the fast rate until the timestamp ``until``."""
        self._fast_until = max(self._fast_until, until)

    def moved(self, pose: PoseFrame | None) -> bool:
        """Did the head and shoulders move (or appear, vanish, or change size) since last time?"""
        cur = head_shoulder_points(pose) if pose is not None else None
        present = cur is not None
        prev, prev_present = self._prev, self._prev_present
        self._prev, self._prev_present = cur, present
        if prev_present is None:
            return True
        if present != prev_present:
            return True
        if cur is None or prev is None:
            return False
        (a, sa), (b, sb) = cur, prev
        if abs(sa / sb - 1.0) > self.policy.scale_fraction:
            return True
        d = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
        d = d[np.isfinite(d)]
        if d.size == 0:
            return True  # a different set of points is visible: something changed
        # The median over the points: one landmark's jitter is not movement, the head and
        # shoulders going somewhere together is.
        return bool(float(np.median(d)) / max(sa, sb) > self.policy.move_fraction)

    def next_interval(
        self, pose: PoseFrame | None, status: PostureStatus | None, t: float
    ) -> float:
        """Seconds until the next sample, after the sample at ``t`` gave ``pose`` and ``status``."""
        p = self.policy
        if p.fixed_hz is not None:
            self.interval_s = 1.0 / p.fixed_hz
            self.reason = "fixed"
            return self.interval_s
        reasons: list[str] = []
        if self.moved(pose):
            reasons.append("movement")
        if status is None:
            reasons.append("no verdict")
        else:
            raw = status.raw_state
            untracked = PostureState.NOT_TRACKING in (status.state, raw)
            if untracked and self._untracked_since != self._untracked_since:
                self._untracked_since = t
            elif not untracked:
                self._untracked_since = math.nan
            if untracked:
                # A detection being confirmed, or a view settling: look closely for a while;
                # a person whose head stays out of view is looked at like an empty desk.
                if pose is not None and t - self._untracked_since < p.confirm_window_s:
                    reasons.append("confirming")
            elif raw is not status.state:
                reasons.append("verdict changing")
            elif self._prev_raw is not None and raw is not self._prev_raw:
                reasons.append("verdict changed")
            self._prev_raw = raw
            if status.alert_due_s <= p.nudge_lead_s:
                reasons.append("nudge due")
        self.confirming = "confirming" in reasons
        if t < self._fast_until:
            reasons.append("asked")
        away = status is not None and (
            (status.state is PostureState.AWAY and status.raw_state is PostureState.AWAY)
            or (self._untracked_since == self._untracked_since and "confirming" not in reasons)
        )
        if reasons and not (away and reasons == ["verdict changed"]):
            self._calm = 0
            self.interval_s = p.fast_s
        elif away:
            self.interval_s = p.away_sample_s
        else:
            self._calm += 1
            self.interval_s = min(p.slow_s, p.fast_s * 2.0**self._calm)
        self.reason = ", ".join(reasons)
        return self.interval_s


__all__ = ["AdaptiveSampler", "SamplingPolicy", "head_shoulder_points", "monitor_config"]
