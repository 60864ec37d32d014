"""Classification of one frame's posture: the states, the issue thresholds, the per-frame verdict
(:func:`classify`), and the checks that a baseline is upright (:func:`baseline_problem`,
:func:`auto_baseline`). DOMAIN §3, Appendix A ``desk``.

Baseline-relative versus default thresholds
-------------------------------------------
With a :class:`PostureBaseline` (guided calibration, ~3 s of upright sitting, per-metric
medians) the thresholds of DOMAIN Appendix A are applied to the *change* from the baseline:
CVA proxy drop >= 7°, neck flexion > 20° beyond neutral, trunk forward >= 10°, recline >= 15°,
lateral lean >= 10°, shoulder tilt > 5°, head tilt > 10°, shrug -15 %, face +10 %.

Without a baseline the monitor uses these absolute **defaults** [D], chosen wider than the
relative thresholds because people differ (every result says which reference was used):

=====================  ==============================================================
forward head (side)    ``cva_proxy`` < 65°: a typical upright proxy is ~78° (the ear
                       landmark sits a little ahead of the shoulder landmark; 75–82° on
                       our upright footage), minus the 7° drop, minus 6° for spread
                       between people
neck flexion (side)    ``neck_flex_proxy`` − 15° neutral offset > 20° (RULA > 20° band)
slouched (side)        ``trunk_incl`` >= 15° forward
leaning back (side)    ``trunk_incl`` <= −20° (reclined / slumped back)
lateral lean (front)   \\|trunk_lean\\| >= 10°; shoulder tilt > 5°; head tilt > 10°
not assessed           shrug and the front-view forward-head proxy are relative by
                       nature: they need a calibration
=====================  ==============================================================

States
------
``upright``, ``slouched`` (trunk forward), ``forward_head`` (head forward or neck bent down),
``leaning`` (sideways, reclined, or head/shoulders tilted), ``away`` (no person),
``not_tracking`` (a detection that is not confirmed yet, or whose head and shoulders cannot be
seen). When several issues are present the state is the first of slouched, forward_head,
leaning; every issue is listed in ``reasons``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from coach.core.landmarks import PoseFrame
from coach.core.posture.baseline import CalibrationError, PostureBaseline, _baseline_from
from coach.core.posture.measures import NAN, PostureMeasures, measure_pose, screen_distance_cm

#: Exit thresholds are this fraction of the enter thresholds (hysteresis, STYLE §4).  [D]
HYSTERESIS = 0.75


class PostureState(str, Enum):
    """Per-frame posture classification."""

    UPRIGHT = "upright"
    SLOUCHED = "slouched"
    FORWARD_HEAD = "forward_head"
    LEANING = "leaning"
    AWAY = "away"
    NOT_TRACKING = "not_tracking"


#: When several issues are present, the state is the first of these that applies.
_STATE_PRIORITY = (PostureState.SLOUCHED, PostureState.FORWARD_HEAD, PostureState.LEANING)


# ---------------------------------------------------------------------------------------------
# Thresholds


@dataclass(frozen=True)
class PostureThresholds:
    """Issue thresholds (DOMAIN Appendix A ``desk``); all editable, all scale-free.

    Relative thresholds apply to the change from a calibrated baseline; ``default_*`` values
    are the absolute references used when there is no baseline (see the module docstring).
    """

    cva_drop_deg: float = 7.0  # [S→D: Lau2009 group difference ≈ 6.6°]
    neck_flex_deg: float = 20.0  # [S: RULA93 neck > 20° band]
    trunk_forward_deg: float = 10.0  # [S→D: DELMIA-EN1005 "clearly visible" >= 10°]
    recline_deg: float = 15.0  # [D]
    trunk_lateral_deg: float = 10.0  # [S→D: DELMIA-EN1005]
    shoulder_tilt_deg: float = 5.0  # [D]
    head_tilt_deg: float = 10.0  # [S→D: RULA neck side-bend]
    shrug_fraction: float = 0.15  # [D]
    face_scale_increase: float = 0.10  # [D] front-view forward-head proxy
    screen_near_cm: float = 50.0  # [S→D: OSHA 20–40 in]
    screen_far_cm: float = 100.0
    # Absolute references without a calibration [D] (module docstring).
    default_cva_deg: float = 78.0
    default_cva_drop_deg: float = 13.0
    default_neck_offset_deg: float = 15.0
    default_trunk_forward_deg: float = 15.0
    default_recline_deg: float = 20.0

    def scaled(self, sensitivity: float) -> PostureThresholds:
        """Thresholds for a sensitivity multiplier: 2.0 halves every angle/ratio threshold.

        Screen distance limits and the absolute references are left alone.
        """
        if not sensitivity > 0 or not math.isfinite(sensitivity):
            raise ValueError(f"sensitivity must be a positive number, got {sensitivity!r}")
        if sensitivity == 1.0:
            return self
        k = 1.0 / sensitivity
        return replace(
            self,
            cva_drop_deg=self.cva_drop_deg * k,
            neck_flex_deg=self.neck_flex_deg * k,
            trunk_forward_deg=self.trunk_forward_deg * k,
            recline_deg=self.recline_deg * k,
            trunk_lateral_deg=self.trunk_lateral_deg * k,
            shoulder_tilt_deg=self.shoulder_tilt_deg * k,
            head_tilt_deg=self.head_tilt_deg * k,
            shrug_fraction=self.shrug_fraction * k,
            face_scale_increase=self.face_scale_increase * k,
            default_cva_drop_deg=self.default_cva_drop_deg * k,
            default_trunk_forward_deg=self.default_trunk_forward_deg * k,
            default_recline_deg=self.default_recline_deg * k,
        )


DEFAULTS = PostureThresholds()


@dataclass(frozen=True)
class Assessment:
    """The classification of one frame.

    ``issues`` are stable ids (alert keys); ``reasons`` short human strings, one per issue;
    ``reference`` says whether a calibration or the defaults were used.
    """

    state: PostureState
    issues: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    reference: str = "defaults"
    screen_distance_cm: float = NAN


#: The state each issue implies (None: reported, but the posture state is unchanged).
ISSUE_STATE: dict[str, PostureState | None] = {
    "slouch": PostureState.SLOUCHED,
    "forward_head": PostureState.FORWARD_HEAD,
    "neck_flexion": PostureState.FORWARD_HEAD,
    "recline": PostureState.LEANING,
    "lateral_lean": PostureState.LEANING,
    "shoulder_asymmetry": PostureState.LEANING,
    "head_tilt": PostureState.LEANING,
    "shoulder_elevation": None,
    "screen_too_close": None,
    "screen_too_far": None,
    "sitting_time": None,
}


#: Short, stable labels of the issues (timelines, summaries); ``reasons`` carry the numbers.
ISSUE_LABELS: dict[str, str] = {
    "slouch": "trunk leaning forward",
    "forward_head": "head forward of the shoulders",
    "neck_flexion": "neck bent forward",
    "recline": "slumped or leaning back",
    "lateral_lean": "trunk leaning sideways",
    "shoulder_asymmetry": "one shoulder higher",
    "head_tilt": "head tilted to one side",
    "shoulder_elevation": "shoulders raised",
    "screen_too_close": "screen too close (approximate)",
    "screen_too_far": "screen too far (approximate)",
    "sitting_time": "sitting without a break",
    "not_tracking": "head and shoulders not visible",
    "view_change": "camera view changed (settling)",
}


def _over(value: float, enter: float, active: bool) -> bool:
    """``value >= enter`` to switch on; stays on until it falls below ``HYSTERESIS · enter``."""
    if value != value:
        return False
    return value >= (enter * HYSTERESIS if active else enter)


class _Found:
    """The issues found in one frame, in the order they were checked, with their reasons.

    ``active`` issues (on in the previous frame) use the lower exit thresholds.
    """

    __slots__ = ("active", "items")

    def __init__(self, active: frozenset[str] | set[str]) -> None:
        self.active = active
        self.items: list[tuple[str, str]] = []

    def check(self, issue: str, value: float, enter: float, reason: str) -> None:
        if _over(value, enter, issue in self.active):
            self.items.append((issue, reason))


def _side_issues(
    m: PostureMeasures, base: PostureBaseline | None, th: PostureThresholds, found: _Found
) -> None:
    """Forward head, neck flexion, slouch and recline from a side view."""
    check = found.check
    if base is not None and base.cva == base.cva:
        drop, enter = base.cva - m.cva, th.cva_drop_deg
    else:
        drop, enter = th.default_cva_deg - m.cva, th.default_cva_drop_deg
    check("forward_head", drop, enter, f"head forward of the shoulders (CVA proxy −{drop:.0f}°)")
    offset = (
        base.neck_flex
        if base is not None and base.neck_flex == base.neck_flex
        else th.default_neck_offset_deg
    )
    neck = m.neck_flex - offset
    check("neck_flexion", neck, th.neck_flex_deg, f"neck bent forward about {neck:.0f}°")
    if base is not None and base.trunk == base.trunk:
        fwd, fwd_enter = m.trunk - base.trunk, th.trunk_forward_deg
        back, back_enter = base.trunk - m.trunk, th.recline_deg
    else:
        fwd, fwd_enter = m.trunk, th.default_trunk_forward_deg
        back, back_enter = -m.trunk, th.default_recline_deg
    check("slouch", fwd, fwd_enter, f"trunk leaning forward {fwd:.0f}°")
    check("recline", back, back_enter, f"slumped or leaning back {back:.0f}°")


def _front_issues(
    m: PostureMeasures, base: PostureBaseline | None, th: PostureThresholds, found: _Found
) -> float:
    """Sideways lean, tilts, forward head, shrug and screen distance from a front view; returns
    the screen distance (cm, NaN when the eyes were not seen)."""
    check = found.check

    def rel(value: float, neutral: float) -> float:
        return abs(value - neutral) if base is not None and neutral == neutral else abs(value)

    lean = rel(m.lateral_lean, base.lateral_lean if base else NAN)
    check("lateral_lean", lean, th.trunk_lateral_deg, f"trunk leaning sideways {lean:.0f}°")
    tilt = rel(m.shoulder_tilt, base.shoulder_tilt if base else NAN)
    check(
        "shoulder_asymmetry",
        tilt,
        th.shoulder_tilt_deg,
        f"one shoulder higher ({tilt:.0f}° tilt)",
    )
    head = rel(m.head_tilt, base.head_tilt if base else NAN)
    check("head_tilt", head, th.head_tilt_deg, f"head tilted {head:.0f}° to one side")
    if base is not None and base.face_scale == base.face_scale and base.face_scale > 0:
        grow = m.face_scale / base.face_scale - 1.0
        check(
            "forward_head",
            grow,
            th.face_scale_increase,
            f"head closer to the screen than the shoulders (face {grow * 100:.0f} % larger)",
        )
    if base is not None and base.ear_shoulder == base.ear_shoulder and base.ear_shoulder > 0:
        shrug = 1.0 - m.ear_shoulder / base.ear_shoulder
        check(
            "shoulder_elevation",
            shrug,
            th.shrug_fraction,
            f"shoulders raised ({shrug * 100:.0f} % nearer the ears)",
        )
    dist = screen_distance_cm(m.ipd_px, m.width, base.focal_px if base is not None else None)
    if dist == dist:
        # 10 % hysteresis band on the distance limits.
        near = th.screen_near_cm * (1.1 if "screen_too_close" in found.active else 1.0)
        far = th.screen_far_cm * (0.9 if "screen_too_far" in found.active else 1.0)
        if dist < near:
            found.items.append(
                (
                    "screen_too_close",
                    f"screen about {dist:.0f} cm away (approximate): "
                    f"closer than {th.screen_near_cm:.0f} cm",
                )
            )
        elif dist > far:
            found.items.append(
                (
                    "screen_too_far",
                    f"screen about {dist:.0f} cm away (approximate): "
                    f"farther than {th.screen_far_cm:.0f} cm",
                )
            )
    return dist


def classify(
    m: PostureMeasures,
    baseline: PostureBaseline | None = None,
    thresholds: PostureThresholds = DEFAULTS,
    active: frozenset[str] | set[str] = frozenset(),
) -> Assessment:
    """Classify one frame's measures.

    Parameters
    ----------
    m : the frame's measures.
    baseline : the user's calibration, or None for the absolute defaults.
    thresholds : possibly :meth:`PostureThresholds.scaled` by a profile's sensitivity.
    active : issues that were on in the previous frame; they use the lower exit thresholds.
    """
    if m.view is None:
        return Assessment(
            PostureState.NOT_TRACKING, ("not_tracking",), ("head and shoulders not visible",)
        )
    # A baseline taken in the other view says nothing about this one.
    base = baseline if baseline is not None and baseline.view == m.view else None
    ref = "calibrated" if base is not None else "defaults"
    found = _Found(active)
    dist = NAN
    if m.view == "side":
        _side_issues(m, base, thresholds, found)
    else:
        dist = _front_issues(m, base, thresholds, found)
    issues = tuple(i for i, _ in found.items)
    state = PostureState.UPRIGHT
    for st in _STATE_PRIORITY:
        if any(ISSUE_STATE.get(i) is st for i in issues):
            state = st
            break
    return Assessment(state, issues, tuple(r for _, r in found.items), ref, dist)


def not_assessed(view: str | None, baseline: PostureBaseline | None) -> tuple[str, ...]:
    """What this view and reference cannot judge, for honest reports."""
    if view is None:
        return ("posture (nobody in view)",)
    calibrated = baseline is not None and baseline.view == view
    if view == "side":
        return ("head tilt, shoulder asymmetry and screen distance (need a front view)",)
    out = ["neck flexion, trunk flexion and the CVA proxy (need a side view)"]
    if not calibrated:
        out.append("shoulder elevation and the front-view forward-head proxy (need a calibration)")
    return tuple(out)


def baseline_problem(
    baseline: PostureBaseline, thresholds: PostureThresholds = DEFAULTS
) -> str | None:
    """Why ``baseline`` cannot be an upright posture, or None when it can.

    A calibration only says "this is how you sit"; if the person was already bent over a
    phone, every later slump would look normal. So the baseline itself must pass the absolute
    defaults (the limits used without a calibration, wider than the relative ones because
    people differ): a baseline that would be judged slouched, forward-headed or leaning is
    refused and the person is asked to sit tall and calibrate again.
    """
    median = PostureMeasures(
        view="side" if baseline.view == "side" else "front",
        frontness=NAN,
        side="right",
        cva=baseline.cva,
        neck_flex=baseline.neck_flex,
        trunk=baseline.trunk,
        lateral_lean=baseline.lateral_lean,
        shoulder_tilt=baseline.shoulder_tilt,
        head_tilt=baseline.head_tilt,
    )
    check = classify(median, None, thresholds)
    if check.issues:
        return "the posture looked " + ", ".join(check.reasons)
    return None


def _steady_end(measures: Sequence[PostureMeasures], view: str, steady_deg: float) -> int:
    """How many opening frames stay in ``view`` with the key angles of the view within an
    interquartile range of ``steady_deg``."""
    # The neck proxy is left out of the steadiness test: it shares the ear landmark with the
    # CVA proxy and nods with every glance; its median is still the neutral offset.
    keys = ("cva", "trunk") if view == "side" else ("shoulder_tilt", "head_tilt")
    end = 0
    for k in range(1, len(measures) + 1):
        if measures[k - 1].view != view:
            break
        ok = True
        for key in keys:
            vals = [getattr(m, key) for m in measures[:k] if getattr(m, key) == getattr(m, key)]
            if len(vals) >= 4:
                q1, q3 = np.percentile(vals, [25, 75])
                ok = ok and float(q3 - q1) <= steady_deg
        if not ok:
            break
        end = k
    return end


def auto_baseline(
    poses: Sequence[PoseFrame | None],
    *,
    max_s: float = 3.0,
    min_s: float = 1.0,
    steady_deg: float = 4.0,
) -> tuple[PostureBaseline | None, str]:
    """A baseline from the opening of a recording, only if it looks upright and steady.

    A recording has no guided calibration step, so the opening seconds stand in for one when
    (a) the person is seen from the first frames, (b) the key angles of the view stay within
    an interquartile range of ``steady_deg`` for at least ``min_s`` (up to ``max_s``), and
    (c) the median posture of that stretch passes the absolute defaults with no issue.
    Otherwise returns (None, why) and the caller uses the defaults.

    Returns
    -------
    (baseline or None, a one-line description for reports)
    """
    seen: list[PoseFrame] = []
    for p in poses:
        if p is None:
            if seen:
                break
            continue
        if seen and p.timestamp - seen[0].timestamp > max_s:
            break
        seen.append(p)
    if not seen:
        return None, "defaults (nobody in view at the start)"
    measures = [measure_pose(p) for p in seen]
    view = measures[0].view
    if view is None:
        return None, "defaults (head and shoulders not visible at the start)"
    end = _steady_end(measures, view, steady_deg)
    if seen[-1].timestamp - seen[0].timestamp < min_s:
        return None, f"defaults (shorter than {min_s:g} s: a still image cannot be calibrated from)"
    if end < 2 or seen[end - 1].timestamp - seen[0].timestamp < min_s:
        return None, f"defaults (the first {min_s:g} s were not steady enough to calibrate from)"
    try:
        base = _baseline_from(measures[:end], [p.timestamp for p in seen[:end]], None, "auto")
    except CalibrationError:
        return None, "defaults (the opening frames could not be calibrated)"
    problem = baseline_problem(base)
    if problem is not None:
        return (
            None,
            f"defaults (the opening did not look upright: {problem.removeprefix('the posture looked ')})",
        )
    secs = seen[end - 1].timestamp - seen[0].timestamp
    return base, f"calibrated from the first {secs:.1f} s (auto: upright and steady, {view} view)"
