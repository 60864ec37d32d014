"""The background desk monitor (:class:`PostureMonitor`): a stream of poses in, a posture status
and calm nudges out (DOMAIN §3.4). It smooths and measures each frame, classifies it, holds the
shown state for a dwell time, times each issue before a nudge, notices a change of view or zoom,
keeps the daily record and scores a rolling RULA (DOMAIN §3.5/§3.7) from each window's means.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from coach.core.ergonomics import RulaInput, compute_rula
from coach.core.landmarks import PoseFrame
from coach.core.metrics import FrameView, Side
from coach.core.posture.baseline import PostureBaseline, PostureProfile
from coach.core.posture.classify import (
    _STATE_PRIORITY,
    ISSUE_STATE,
    Assessment,
    PostureState,
    PostureThresholds,
    baseline_problem,
    classify,
)
from coach.core.posture.measures import (
    NAN,
    PostureMeasures,
    View,
    _finite,
    _segments,
    detect_view,
    measure,
)
from coach.core.posture.status import (
    ALERT_MESSAGES,
    DailyRecord,
    MonitorConfig,
    PostureAlert,
    PostureStatus,
    RulaSummary,
)
from coach.core.presence import PresenceGate
from coach.core.smoothing import OneEuroFilter


class _Lock:
    """An exponentially smoothed score with a hysteresis band: the sign flips only when the
    smoothed score clearly crosses zero (side and facing choice, view choice)."""

    __slots__ = ("tau_s", "margin", "score", "positive")

    def __init__(self, tau_s: float, margin: float) -> None:
        self.tau_s = tau_s
        self.margin = margin
        self.score = NAN
        self.positive: bool | None = None

    def update(self, x: float, dt: float) -> bool | None:
        if x == x:
            if self.score != self.score:
                self.score = x
            else:
                self.score += min(1.0, dt / self.tau_s) * (x - self.score)
        if self.score != self.score:
            return self.positive
        if self.positive is None:
            self.positive = self.score >= 0.0
        elif self.positive and self.score < -self.margin:
            self.positive = False
        elif not self.positive and self.score > self.margin:
            self.positive = True
        return self.positive

    def reset(self) -> None:
        self.score = NAN
        self.positive = None


class _KeptPresence:
    """:class:`~coach.core.presence.PresenceGate` whose confirmation survives gaps up to
    ``keep_s`` (slow sampling of a person already confirmed), while confirming a new detection
    still needs detections no more than ``gap_s`` apart for ``confirm_s`` (ghosts stay out)."""

    __slots__ = ("gate", "keep_s")

    def __init__(self, confirm_s: float, gap_s: float, keep_s: float) -> None:
        self.gate = PresenceGate(confirm_s, gap_s)
        self.keep_s = max(keep_s, gap_s)

    def update(self, detected: bool, t: float) -> bool:
        g = self.gate
        if g.confirmed:
            # a confirmed person: widen the bridged gap to keep_s for this step only
            g.gap_s, saved = self.keep_s, g.gap_s
            try:
                return g.update(detected, t)
            finally:
                g.gap_s = saved
        return g.update(detected, t)


class _IssueClock:
    """Persistence and alert bookkeeping of one issue (fixed size)."""

    __slots__ = ("since", "last_seen", "last_alert")

    def __init__(self) -> None:
        self.since = NAN
        self.last_seen = NAN
        self.last_alert = -math.inf


#: Measures averaged over each RULA window (sums and counts only: bounded).
_RULA_KEYS = (
    "neck_flex",
    "trunk",
    "hip_flex",
    "upper_arm",
    "elbow",
    "lateral_lean",
    "head_tilt",
    "arm_abd",
)


class PostureMonitor:
    """The background desk monitor: a stream of poses in, posture status and nudges out.

    Feed it :class:`PoseFrame` objects (or ``None`` with a timestamp when nobody was found) in
    timestamp order, a few per second (``config.eval_hz``); it never assumes a frame rate.

    State machine (per frame)::

        no person > away_after_s ───────────────────────────────► AWAY
        detection not confirmed / head & shoulders unseen ──────► NOT_TRACKING
        seen ── smoothing ── measures ── classify ──► UPRIGHT | SLOUCHED | FORWARD_HEAD | LEANING
        the shown state changes only after the new one lasted state_dwell_s;
        issue thresholds have hysteresis (exit at 75 % of enter)

    Alerts (DOMAIN §3.4): an issue must persist ``alert_after_s`` (60 s; gaps up to
    ``issue_gap_s`` do not restart it), then at most one nudge per issue per ``realert_s``
    (10 min), none while snoozed. A rolling RULA grand score is computed every
    ``rula_every_s`` (5 s) from the window's mean measures plus the §3.7 defaults.

    Memory is bounded: aggregates, a fixed set of issue clocks and a ring of recent RULA
    results; nothing grows with the length of the run.
    """

    def __init__(
        self, profile: PostureProfile | None = None, config: MonitorConfig | None = None
    ) -> None:
        self.config = config or MonitorConfig()
        self._filter = OneEuroFilter(self.config.min_cutoff, self.config.beta, self.config.d_cutoff)
        self._presence = _KeptPresence(
            self.config.presence_confirm_s, self.config.presence_gap_s, self.config.presence_keep_s
        )
        self._side = _Lock(1.0, 0.1)
        self._facing = _Lock(0.5, 0.3)
        self._view = _Lock(1.0, 0.15)
        self._clocks: dict[str, _IssueClock] = {k: _IssueClock() for k in ISSUE_STATE}
        self.rula_history: deque[RulaSummary] = deque(maxlen=max(1, self.config.rula_history))
        self.record = DailyRecord()
        self.snoozed_until = -math.inf
        self.set_profile(profile or PostureProfile())
        self._t = NAN
        self._last_seen = NAN
        self._shown = PostureState.AWAY
        self._raw = PostureState.AWAY
        self._pending: PostureState | None = None
        self._pending_since = NAN
        self._active: frozenset[str] = frozenset()
        self._last = Assessment(PostureState.AWAY)
        self._alert_due = math.inf
        self._seg_ref: npt.NDArray[np.float64] | None = None
        self._settle_until = -math.inf
        self.view_changes = 0
        self._view_name: View | None = None
        # static posture: an anchor posture and when it was taken
        self._anchor: tuple[float, ...] | None = None
        self._anchor_t = NAN
        # sitting (presence without a break)
        self._present_since = NAN
        self._away_since = NAN
        # RULA window sums
        self._rula_t = NAN
        self._sums = dict.fromkeys(_RULA_KEYS, 0.0)
        self._counts = dict.fromkeys(_RULA_KEYS, 0)
        self._win_view: dict[str, int] = {"side": 0, "front": 0}
        self._win_static = False

    # -- profile, snooze -------------------------------------------------------------------

    def set_profile(self, profile: PostureProfile) -> None:
        """Switch to another workstation profile (baseline and sensitivity).

        A baseline that fails the absolute limits (:func:`baseline_problem`: it was taken while
        slumped) is not used: the defaults apply and ``baseline_rejected`` says why, so the app
        can ask for a new calibration.
        """
        problem = baseline_problem(profile.baseline) if profile.baseline is not None else None
        if problem is not None:
            profile = replace(profile, baseline=None)
        self.baseline_rejected = problem
        self.profile = profile
        self._thresholds = self.config.thresholds.scaled(profile.sensitivity)

    @property
    def baseline(self) -> PostureBaseline | None:
        return self.profile.baseline

    def snooze(self, until: float) -> None:
        """No nudges until the timestamp ``until`` (same clock as the frames)."""
        self.snoozed_until = until

    def reset_day(self, t: float | None = None) -> DailyRecord:
        """Start a new daily record; returns the finished one."""
        old = self.record
        self.record = DailyRecord(started_at=NAN if t is None else t)
        return old

    # -- the per-frame step ------------------------------------------------------------------

    def update(self, pose: PoseFrame | None, timestamp: float | None = None) -> PostureStatus:
        """Process one frame; ``pose`` None means nobody was found (then ``timestamp`` is needed).

        The per-frame order of the steps (clock, presence and verdict, static and sitting
        clocks, shown state, alerts, RULA) reads top to bottom here; each step is a method of
        its own.
        """
        t = float(
            pose.timestamp if pose is not None else timestamp if timestamp is not None else NAN
        )
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
        dt = self._advance_clock(t)
        rec = self.record
        a, m = self._assess(pose, t, dt)
        self._active = frozenset(a.issues)
        self._raw = a.state
        self._step_presence(a.state, t)
        if m is not None and m.view is not None:
            self._step_static(m, t)
            self._accumulate(m, t)
        static_s = (
            t - self._anchor_t if self._anchor_t == self._anchor_t and self._present() else 0.0
        )
        sitting_s = t - self._present_since if self._present_since == self._present_since else 0.0
        rec.longest_static_s = max(rec.longest_static_s, static_s)
        rec.longest_sitting_s = max(rec.longest_sitting_s, sitting_s)
        issues = list(a.issues)
        reasons = list(a.reasons)
        if sitting_s >= self.config.break_every_s:
            issues.append("sitting_time")
            reasons.append(f"sitting for {sitting_s / 60:.0f} min without a break")
        self._step_shown(a.state, t)
        alert = self._step_alerts(issues, t)
        rula_new = self._step_rula(t)
        return PostureStatus(
            timestamp=t,
            state=self._shown,
            raw_state=a.state,
            issues=tuple(issues),
            reasons=tuple(reasons),
            reference=a.reference,
            view=self._view_name,
            static_s=static_s,
            sitting_s=sitting_s,
            screen_distance_cm=a.screen_distance_cm,
            alert=alert,
            rula=self.rula_history[-1] if self.rula_history else None,
            rula_new=rula_new,
            alert_due_s=self._alert_due,
        )

    def _advance_clock(self, t: float) -> float:
        """Move the clock to ``t``: the time since the previous frame (capped at
        ``max_gap_s``) goes to the state shown until now. Returns that time."""
        dt = 0.0 if self._t != self._t else max(0.0, t - self._t)
        if self._t == self._t and t < self._t:
            raise ValueError(f"timestamps must not go backwards ({t} after {self._t})")
        rec = self.record
        if rec.started_at != rec.started_at:
            rec.started_at = t
        # Time since the previous frame belongs to the state shown until now.
        if self._t == self._t:
            rec.seconds[self._shown.value] += min(dt, self.config.max_gap_s)
        self._t = t
        return dt

    def _assess(
        self, pose: PoseFrame | None, t: float, dt: float
    ) -> tuple[Assessment, PostureMeasures | None]:
        """This frame's verdict and measures: away or the last verdict when nobody is seen,
        not tracking until the person is confirmed or while a view change settles, else the
        classified measures."""
        m: PostureMeasures | None = None
        confirmed = self._presence.update(pose is not None, t)
        if pose is None:
            seen_recently = (
                self._last_seen == self._last_seen
                and t - self._last_seen <= self.config.away_after_s
            )
            a = (
                self._last
                if seen_recently
                else Assessment(PostureState.AWAY, reference=self._reference())
            )
        elif not confirmed:
            a = Assessment(
                PostureState.NOT_TRACKING,
                ("not_tracking",),
                ("confirming the person",),
                self._reference(),
            )
        else:
            self._last_seen = t
            self._check_scale(pose, t, dt)
            m = self._measure(pose, dt)
            if t < self._settle_until:
                # A change of view or scale pauses the verdict: never an alarm from it.
                m = None
                a = Assessment(
                    PostureState.NOT_TRACKING,
                    ("view_change",),
                    ("the camera view changed: waiting for it to settle",),
                    self._reference(),
                )
            else:
                a = classify(m, self.baseline, self._thresholds, self._active)
            self._last = a
        return a, m

    # -- internals -------------------------------------------------------------------------

    def _reference(self) -> str:
        return "calibrated" if self.baseline is not None else "defaults"

    def _present(self) -> bool:
        return self._shown not in (PostureState.AWAY,)

    def _check_scale(self, pose: PoseFrame, t: float, dt: float) -> None:
        """Notice a zoom or a big move nearer/farther: every visible body part's apparent
        length changed by more than ``view_scale_change`` in the same direction."""
        cur = _segments(pose)
        ref = self._seg_ref
        if ref is None:
            self._seg_ref = cur
            return
        both = np.isfinite(cur) & np.isfinite(ref)
        if int(both.sum()) >= 2:
            r = cur[both] / ref[both]
            c = self.config.view_scale_change
            if float(r.min()) > 1.0 + c or float(r.max()) < 1.0 / (1.0 + c):
                self._seg_ref = cur
                self._restart_view(t)
                return
        k = min(1.0, dt / self.config.view_scale_tau_s)
        self._seg_ref = np.where(both, ref + k * (cur - ref), np.where(np.isfinite(cur), cur, ref))

    def _restart_view(self, t: float) -> None:
        """Start the verdict afresh after a change of view: smoothing, issue clocks, anchor."""
        self._settle_until = t + self.config.view_settle_s
        self._filter.reset()
        self._active = frozenset()
        self._pending = None  # a bad verdict waiting for its dwell is dropped with the old view
        self._anchor, self._anchor_t = None, NAN
        self.view_changes += 1

    def _measure(self, pose: PoseFrame, dt: float) -> PostureMeasures:
        vis = pose.image[:, 3]
        pts = self._filter(pose.pixels(), pose.timestamp)
        d = (
            float(vis[11] + vis[23] + vis[25] + vis[27] - vis[12] - vis[24] - vis[26] - vis[28])
            / 4.0
        )
        side: Side = "left" if self._side.update(d, dt) else "right"
        v = FrameView(pts.tolist(), vis.tolist(), pose.width, pose.height, side)
        v.facing = 1.0 if self._facing.update(v.raw_facing(), dt) else -1.0
        view, frontness = detect_view(v)
        if view is None:
            return PostureMeasures(view=None, frontness=NAN, side=side, width=pose.width)
        front = self._view.update(frontness - 1.0, dt)
        name: View = "front" if front else "side"
        if self._view_name is not None and name != self._view_name:
            self._restart_view(pose.timestamp)  # side <-> front: a new picture entirely
        self._view_name = name
        return measure(v, self._view_name, frontness)

    def _step_presence(self, raw: PostureState, t: float) -> None:
        rec = self.record
        if raw is PostureState.AWAY:
            if self._away_since != self._away_since:
                self._away_since = t
            if (
                t - self._away_since >= self.config.break_min_s
                and self._present_since == self._present_since
            ):
                self._present_since = NAN  # the break resets the sitting clock
                self._anchor = None
                self._anchor_t = NAN
            return
        if self._away_since == self._away_since:
            if (
                t - self._away_since >= self.config.break_min_s
                and rec.started_at < self._away_since
            ):
                rec.breaks += 1
            self._away_since = NAN
        if self._present_since != self._present_since:
            self._present_since = t

    def _step_static(self, m: PostureMeasures, t: float) -> None:
        if m.view == "side":
            angles = (m.cva, m.trunk, m.neck_flex)
        else:
            angles = (m.head_tilt, m.shoulder_tilt, m.lateral_lean)
        vec = (*angles, m.head_x, m.head_y)
        if self._anchor is None:
            self._anchor, self._anchor_t = vec, t
            return
        moved = False
        for i, (a, b) in enumerate(zip(vec, self._anchor, strict=True)):
            if a == a and b == b:
                limit = self.config.static_change_deg if i < 3 else self.config.static_change_ratio
                if abs(a - b) >= limit:
                    moved = True
                    break
        if moved:
            self.record.posture_changes += 1
            self._anchor, self._anchor_t = vec, t

    def _step_shown(self, raw: PostureState, t: float) -> None:
        if raw is self._shown:
            self._pending = None
            return
        first = self.record.started_at == t
        if raw is not self._pending:
            self._pending, self._pending_since = raw, t
        bad = raw in _STATE_PRIORITY
        dwell = self.config.bad_state_dwell_s if bad else self.config.state_dwell_s
        if first or t - self._pending_since >= dwell:
            self._shown = raw
            self._pending = None

    def _step_alerts(self, issues: Sequence[str], t: float) -> PostureAlert | None:
        cfg = self.config
        alert: PostureAlert | None = None
        present = set(issues)
        due = math.inf
        for issue, clock in self._clocks.items():
            if issue in present:
                if clock.since != clock.since or t - clock.last_seen > cfg.issue_gap_s:
                    clock.since = t
                clock.last_seen = t
                persisted = t - clock.since
                due = min(
                    due,
                    max(
                        clock.since + cfg.alert_after_s,
                        clock.last_alert + cfg.realert_s,
                        self.snoozed_until,
                    )
                    - t,
                )
                if (
                    alert is None
                    and persisted >= cfg.alert_after_s
                    and t - clock.last_alert >= cfg.realert_s
                    and t >= self.snoozed_until
                ):
                    clock.last_alert = t
                    alert = PostureAlert(issue, ALERT_MESSAGES[issue], t, persisted)
                    self.record.alerts[issue] = self.record.alerts.get(issue, 0) + 1
            elif clock.since == clock.since and t - clock.last_seen > cfg.issue_gap_s:
                clock.since = NAN
        self._alert_due = due
        return alert

    def _accumulate(self, m: PostureMeasures, t: float) -> None:
        if self._rula_t != self._rula_t:
            self._rula_t = t
        for k in _RULA_KEYS:
            x = float(getattr(m, k))
            if x == x:
                self._sums[k] += x
                self._counts[k] += 1
        if m.view is not None:
            self._win_view[m.view] += 1
        static_for = t - self._anchor_t if self._anchor_t == self._anchor_t else 0.0
        self._win_static = self._win_static or static_for > self.config.static_after_s

    def flush_rula(self, t: float) -> RulaSummary | None:
        """Score the current, possibly partial, RULA window now (end of a recording or a still
        image); None when nobody was seen in it."""
        if self._rula_t != self._rula_t:
            return None
        return self.rula_history[-1] if self._step_rula(t, force=True) else None

    def _step_rula(self, t: float, force: bool = False) -> bool:
        if self._rula_t != self._rula_t or (
            t - self._rula_t < self.config.rula_every_s and not force
        ):
            return False
        n_side, n_front = self._win_view["side"], self._win_view["front"]
        done = False
        if n_side + n_front > 0:
            means = {
                k: (self._sums[k] / self._counts[k]) if self._counts[k] else NAN for k in _RULA_KEYS
            }
            view: View = "side" if n_side >= n_front else "front"
            summary = self._rula(means, view, t)
            self.rula_history.append(summary)
            self.record.rula_scores[summary.score] += 1
            done = True
        self._rula_t = t
        self._sums = dict.fromkeys(_RULA_KEYS, 0.0)
        self._counts = dict.fromkeys(_RULA_KEYS, 0)
        self._win_view = {"side": 0, "front": 0}
        self._win_static = False
        return done

    def _rula(self, means: Mapping[str, float], view: View, t: float) -> RulaSummary:
        """RULA from the window means + DOMAIN §3.7 defaults for what the view cannot see."""
        th = self._thresholds
        base = self.baseline if self.baseline is not None and self.baseline.view == view else None
        observed: list[str] = []
        defaulted = [
            "wrist (typing default)",
            "wrist twist",
            "force/load (office work)",
            "legs (seated)",
        ]
        upper_arm, lower_arm, neck, trunk = 0.0, 80.0, 0.0, 0.0
        abducted = neck_side = trunk_side = supported = False
        if view == "side":
            upper_arm, neck, trunk, supported = _rula_side(means, base, th, observed, defaulted)
        else:
            supported = True
            abducted, neck_side, trunk_side = _rula_front(means, base, th, observed, defaulted)
        if _finite(means["elbow"]):
            lower_arm = max(0.0, min(180.0, means["elbow"]))
            observed.append("elbow")
        else:
            defaulted.append("elbow (typing default)")
        shoulder_raised = "shoulder_elevation" in self._active
        if view == "front" and base is not None:
            observed.append("shoulder raised")
        static = self._win_static
        observed.append("static posture")
        inp = RulaInput(
            upper_arm=upper_arm,
            lower_arm=lower_arm,
            neck=neck,
            trunk=trunk,
            shoulder_raised=shoulder_raised,
            arm_abducted=abducted,
            neck_side_bent=neck_side,
            trunk_side_bent=trunk_side,
            trunk_supported=supported,
            muscle_use_a=static,
            muscle_use_b=static,
        )
        res = compute_rula(inp)
        return RulaSummary(
            t=t,
            score=res.grand_score,
            action_level=res.action_level,
            action=res.action,
            drivers=res.drivers,
            observed=tuple(observed),
            defaulted=tuple(defaulted),
        )


def _clip(x: float) -> float:
    return max(-180.0, min(180.0, x))


def _rula_side(
    means: Mapping[str, float],
    base: PostureBaseline | None,
    th: PostureThresholds,
    observed: list[str],
    defaulted: list[str],
) -> tuple[float, float, float, bool]:
    """RULA inputs a side view shows: (upper arm, neck, trunk, trunk supported); appends what
    was measured to ``observed`` and what was defaulted to ``defaulted``."""
    upper_arm, neck, trunk, supported = 0.0, 0.0, 0.0, False
    if _finite(means["upper_arm"]):
        upper_arm = _clip(means["upper_arm"])
        observed.append("upper arm")
    else:
        defaulted.append("upper arm")
    if _finite(means["neck_flex"]):
        offset = (
            base.neck_flex
            if base is not None and base.neck_flex == base.neck_flex
            else th.default_neck_offset_deg
        )
        neck = _clip(means["neck_flex"] - offset)
        observed.append("neck flexion")
    else:
        defaulted.append("neck flexion")
    if _finite(means["trunk"]):
        trunk = _clip(means["trunk"])
        neutral = base.trunk if base is not None and base.trunk == base.trunk else 0.0
        hip_ok = not _finite(means["hip_flex"]) or means["hip_flex"] <= 90.0
        # Sitting upright as calibrated, hip–trunk angle >= 90°: "well supported".
        supported = hip_ok and trunk <= max(0.0, neutral) + 5.0
        observed.append("trunk flexion")
    else:
        defaulted.append("trunk flexion")
    defaulted += ["neck/trunk side-bend (front view)"]
    return upper_arm, neck, trunk, supported


def _rula_front(
    means: Mapping[str, float],
    base: PostureBaseline | None,
    th: PostureThresholds,
    observed: list[str],
    defaulted: list[str],
) -> tuple[bool, bool, bool]:
    """RULA inputs a front view shows: (arm abducted, neck side-bent, trunk side-bent); appends
    what was measured to ``observed`` and what was defaulted to ``defaulted``."""
    defaulted += [
        "upper-arm flexion (front view)",
        "neck flexion (front view)",
        "trunk flexion (front view)",
    ]
    abducted = neck_side = trunk_side = False
    if _finite(means["arm_abd"]):
        abducted = means["arm_abd"] > 20.0
        observed.append("arm abduction")
    hneutral = base.head_tilt if base is not None and base.head_tilt == base.head_tilt else 0.0
    if _finite(means["head_tilt"]):
        neck_side = abs(means["head_tilt"] - hneutral) > th.head_tilt_deg
        observed.append("neck side-bend")
    lneutral = (
        base.lateral_lean if base is not None and base.lateral_lean == base.lateral_lean else 0.0
    )
    if _finite(means["lateral_lean"]):
        trunk_side = abs(means["lateral_lean"] - lneutral) >= th.trunk_lateral_deg
        observed.append("trunk side-bend")
    return abducted, neck_side, trunk_side
