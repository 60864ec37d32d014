"""What the posture monitor is configured with and what it hands out: :class:`MonitorConfig`
(DOMAIN §3.4 tunables), the immutable per-frame :class:`PostureStatus` with its
:class:`PostureAlert` nudge and rolling :class:`RulaSummary`, the nudge wording
(:data:`ALERT_MESSAGES`) and the bounded :class:`DailyRecord` of a day's aggregates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from coach.core.posture.classify import DEFAULTS, PostureState, PostureThresholds
from coach.core.posture.measures import NAN


@dataclass(frozen=True)
class MonitorConfig:
    """Tunables of :class:`PostureMonitor` (DOMAIN §3.4, Appendix A ``desk``)."""

    # Frames per second the monitor is fed when it looks closely. DOMAIN §3.4 suggests 5–10 Hz
    # [D]; 4 Hz loses nothing (a posture must persist 60 s before a nudge). The app samples
    # adaptively (coach.pipeline.sampled): 4 Hz when something changes, down to one frame every
    # 1.5 s while nothing does. Every rule here is timestamp-based, never frame-counted.
    eval_hz: float = 4.0
    alert_after_s: float = 60.0  # [S→D: RULA static > 1 min]
    realert_s: float = 600.0  # max one nudge per issue per 10 min [D]
    issue_gap_s: float = 3.0  # an issue absent longer than this starts its clock over [D]
    state_dwell_s: float = 0.3  # a new state must last this long to show [D: fault_persist_s]
    away_after_s: float = 1.0  # no person for longer than this = away [D]
    presence_confirm_s: float = 0.5  # presence gate (coach.core.presence); 0 for recordings
    # Gaps the presence gate bridges: more than two frame intervals at eval_hz (the gate's own
    # 0.1 s default assumes video frame rates and would never confirm at 5 Hz).
    presence_gap_s: float = 0.5
    # Once confirmed, the person stays confirmed across gaps between detections up to this long
    # (an adaptive sampler looks every 2 s); a new detection still needs presence_gap_s-close
    # detections for presence_confirm_s, so a ghost is not confirmed by slow sampling. [D]
    presence_keep_s: float = 0.5
    break_min_s: float = 60.0  # an away period this long is a break [D]
    break_every_s: float = 45.0 * 60.0  # sitting-time reminder [D: Appendix A break_every_min]
    rula_every_s: float = 5.0  # [D: DOMAIN §3.4]
    static_after_s: float = 60.0  # RULA muscle use: posture held > 1 min [S: RULA93]
    static_change_deg: float = 8.0  # an angle change this large is a posture change [D]
    static_change_ratio: float = 0.15  # head moved this fraction of the body scale [D]
    max_gap_s: float = 5.0  # longer gaps between frames are not counted in the daily record
    # A change of view or scale (the camera zoomed or moved, the person moved much nearer or
    # farther): the head's apparent size changed by more than this fraction from its recent
    # value, or the view flipped between side and front. The verdict then pauses until the
    # picture has been steady for view_settle_s, and starts afresh (filter, issue clocks). [D]
    view_scale_change: float = 0.15
    view_settle_s: float = 2.0
    view_scale_tau_s: float = 1.0
    # A bad-posture verdict must last this long to show (a good one state_dwell_s): long
    # enough for a zoom to be recognised as one before its distorted frames read as a
    # posture, far below the 60 s before a nudge. [D]
    bad_state_dwell_s: float = 1.0
    rula_history: int = 12  # recent RULA results kept (a ring)
    min_cutoff: float = 1.0  # One Euro [D: DOMAIN §1.5]
    beta: float = 0.01
    d_cutoff: float = 1.0
    thresholds: PostureThresholds = DEFAULTS


@dataclass(frozen=True)
class PostureAlert:
    """A nudge: an issue persisted ``persisted_s`` (>= the alert delay)."""

    issue: str
    message: str
    timestamp: float
    persisted_s: float


@dataclass(frozen=True)
class RulaSummary:
    """A rolling RULA result for the user: score, action level and drivers (no raw angles).

    ``observed`` names the inputs measured by the camera; ``defaulted`` those scored from the
    DOMAIN §3.7 defaults because this view cannot see them.
    """

    t: float
    score: int
    action_level: int
    action: str
    drivers: tuple[str, ...]
    observed: tuple[str, ...]
    defaulted: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": round(self.t, 3),
            "score": self.score,
            "action_level": self.action_level,
            "action": self.action,
            "drivers": list(self.drivers),
            "observed": list(self.observed),
            "defaulted": list(self.defaulted),
        }


@dataclass(frozen=True)
class PostureStatus:
    """A snapshot after one frame; cheap, immutable, safe to hand to another thread."""

    timestamp: float
    state: PostureState
    raw_state: PostureState
    issues: tuple[str, ...]
    reasons: tuple[str, ...]
    reference: str
    view: str | None
    static_s: float
    sitting_s: float
    screen_distance_cm: float
    alert: PostureAlert | None = None
    rula: RulaSummary | None = None
    rula_new: bool = False
    #: Seconds until the earliest nudge could fire if the present issues persist (inf: none
    #: pending). An adaptive sampler looks closer when a nudge is due.
    alert_due_s: float = math.inf


#: Calm nudges, one per issue (DOMAIN §3.4; wording follows OSHA/Cal-OSHA guidance of §3.1).
ALERT_MESSAGES: dict[str, str] = {
    "forward_head": "Your head has drifted forward for a while. Gently draw your chin back so "
    "your ears sit over your shoulders.",
    "neck_flexion": "You've been looking down for a while. Raise the screen a little, or lift "
    "your gaze and lengthen the back of your neck.",
    "slouch": "You've been leaning forward for a while. Sit back into the chair and let it "
    "support your back.",
    "recline": "You've been slumped back for a while. Slide your hips to the back of the seat "
    "and sit tall.",
    "lateral_lean": "You've been leaning to one side for a while. Spread your weight evenly on "
    "both hips.",
    "shoulder_asymmetry": "One shoulder has been higher than the other for a while. Check that "
    "your armrests and desk height are even.",
    "head_tilt": "Your head has been tilted to one side for a while. Let it come back to level.",
    "shoulder_elevation": "Your shoulders have crept up towards your ears. Let them drop and "
    "relax.",
    "screen_too_close": "You seem quite close to the screen (approximate). Try sitting back to "
    "about arm's length.",
    "screen_too_far": "You seem far from the screen (approximate). Bring the screen closer "
    "rather than leaning in.",
    "sitting_time": "You've been sitting for a while. A short break to stand up and move helps.",
}


@dataclass
class DailyRecord:
    """Aggregates for one day (or session): bounded, whatever the length of the run.

    Attributes
    ----------
    seconds : seconds per state.
    good_posture_s : seconds upright.
    breaks : away periods of at least ``break_min_s``.
    posture_changes : times the posture moved clearly away from the one held before.
    alerts : nudges given, per issue.
    longest_static_s, longest_sitting_s : the longest stretch without a posture change, and
        without a break.
    rula_scores : how many rolling RULA results had each grand score (1–7).
    """

    started_at: float = NAN
    last_t: float = NAN
    seconds: dict[str, float] = field(default_factory=lambda: {s.value: 0.0 for s in PostureState})
    breaks: int = 0
    posture_changes: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    longest_static_s: float = 0.0
    longest_sitting_s: float = 0.0
    rula_scores: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 8), 0))

    @property
    def good_posture_s(self) -> float:
        return self.seconds[PostureState.UPRIGHT.value]

    def as_dict(self) -> dict[str, Any]:
        present = sum(v for k, v in self.seconds.items() if k != PostureState.AWAY.value)
        n = sum(self.rula_scores.values())
        return {
            "started_at": None if self.started_at != self.started_at else self.started_at,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "present_s": round(present, 2),
            "good_posture_s": round(self.good_posture_s, 2),
            "good_posture_fraction": round(self.good_posture_s / present, 3)
            if present > 0
            else None,
            "breaks": self.breaks,
            "posture_changes": self.posture_changes,
            "alerts": dict(self.alerts),
            "longest_static_s": round(self.longest_static_s, 1),
            "longest_sitting_s": round(self.longest_sitting_s, 1),
            "rula_scores": {str(k): v for k, v in self.rula_scores.items()},
            "rula_mean": round(sum(k * v for k, v in self.rula_scores.items()) / n, 2)
            if n
            else None,
        }
