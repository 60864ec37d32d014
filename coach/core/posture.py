"""Workstation posture from a webcam: measures, calibration, classification and the monitor.

DOMAIN §3 (workstation posture), §1.3 (metric definitions), §3.4 (alerting), §3.5/§3.7 (RULA
with webcam defaults). Pure numpy/stdlib; no Qt, OpenCV or MediaPipe.

What is measured, per frame
---------------------------
The view is detected from the apparent shoulder width (DOMAIN §1.4, as
:func:`coach.core.metrics.shoulder_width_ratio`; with the hips hidden by a desk, the shoulder
width over the ear-to-shoulder height is used instead).

* **Side camera** (sagittal): ``cva_proxy`` (forward head), ``neck_flex_proxy`` (neck flexion,
  minus the neutral offset), ``trunk_incl`` (forward lean / reclining), hip–trunk angle, upper
  arm and elbow angles (RULA inputs).
* **Front webcam**: head tilt, shoulder tilt (asymmetry), lateral trunk lean (hips in view),
  ``ear_shoulder_dist`` (shrug), face size relative to the shoulders (forward-head proxy), and
  the screen distance from the eye-centre distance.

Screen distance is **approximate**: MediaPipe Pose has eye centres but no iris, so it uses the
mean adult inter-pupillary distance (63 mm, most adults 50–75 mm, DOMAIN §3.3 [S: Dodgson2004])
and, unless a calibration measured it, a focal length from an assumed 70° horizontal field of
view (DOMAIN §1.6). Expect errors of ±20 % or more; a turned head reads as farther away.

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
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from coach.core.ergonomics import RulaInput, compute_rula
from coach.core.landmarks import Landmark, PoseFrame
from coach.core.metrics import (
    FrameView,
    Side,
    arm_abd,
    cva_proxy,
    ear_shoulder_dist,
    elbow_flex,
    head_tilt,
    hip_flex,
    near_side,
    neck_flex_proxy,
    shoulder_tilt,
    shoulder_width_ratio,
    trunk_incl,
    trunk_lean,
    upper_arm_flex,
)
from coach.core.presence import PresenceGate
from coach.core.smoothing import OneEuroFilter

__all__ = [
    "DEFAULTS",
    "ISSUE_LABELS",
    "ISSUE_STATE",
    "Assessment",
    "CalibrationError",
    "DailyRecord",
    "MonitorConfig",
    "PostureAlert",
    "PostureBaseline",
    "PostureMeasures",
    "PostureMonitor",
    "PostureProfile",
    "PostureState",
    "PostureStatus",
    "PostureThresholds",
    "RulaSummary",
    "auto_baseline",
    "baseline_problem",
    "calibrate",
    "classify",
    "detect_view",
    "measure",
    "measure_pose",
    "not_assessed",
    "screen_distance_cm",
]

NAN = float("nan")
View = Literal["side", "front"]

#: Mean adult inter-pupillary distance, mm (most adults 50–75 mm).  [S: Dodgson2004]
IPD_MM = 63.0
#: Horizontal field of view assumed for an uncalibrated webcam.  [D: DOMAIN §1.6]
ASSUMED_HFOV_DEG = 70.0
#: Apparent shoulder width / trunk length above which the camera faces the person
#: (same split as the exercise engine).  [D]
FRONT_RATIO = 0.45
#: Without hips in view: shoulder width / ear-to-shoulder height above which the view is front.
#: Seated side views measure 0.2–0.8, front views 1.6–2.7 on the shared footage.  [D]
FRONT_RATIO_NO_HIPS = 1.2
#: Exit thresholds are this fraction of the enter thresholds (hysteresis, STYLE §4).  [D]
HYSTERESIS = 0.75


class CalibrationError(ValueError):
    """The calibration frames cannot give a baseline; the message is for the user."""


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


# ---------------------------------------------------------------------------------------------
# Per-frame measures


@dataclass(frozen=True)
class PostureMeasures:
    """One frame's posture measures (NaN = not seen or not measurable in this view).

    Attributes
    ----------
    view : "side", "front" or None when head and shoulders are not both seen.
    frontness : the view ratio over its front threshold (> 1 front, < 1 side).
    side : the near side used for the sided metrics.
    cva, neck_flex, trunk, hip_flex, upper_arm, elbow : side-view angles, degrees
        (``neck_flex`` is the raw proxy, before the neutral offset).
    lateral_lean, shoulder_tilt, head_tilt, arm_abd : front-view angles, degrees.
    ear_shoulder : ear-to-shoulder height over shoulder width (front; shrug proxy).
    face_scale : eye-centre distance over shoulder width (front; forward-head proxy).
    ipd_px : eye-centre distance in pixels (front; screen distance).
    head_x, head_y : the nose relative to the shoulder midpoint, over the body scale.
    width : image width in pixels.
    """

    view: View | None
    frontness: float
    side: Side
    cva: float = NAN
    neck_flex: float = NAN
    trunk: float = NAN
    hip_flex: float = NAN
    upper_arm: float = NAN
    elbow: float = NAN
    lateral_lean: float = NAN
    shoulder_tilt: float = NAN
    head_tilt: float = NAN
    arm_abd: float = NAN
    ear_shoulder: float = NAN
    face_scale: float = NAN
    ipd_px: float = NAN
    head_x: float = NAN
    head_y: float = NAN
    width: int = 0


def _finite(x: float) -> bool:
    return x == x and not math.isinf(x)


def _mean(*xs: float) -> float:
    vals = [x for x in xs if x == x]
    return sum(vals) / len(vals) if vals else NAN


def _dist(v: FrameView, a: int, b: int) -> float:
    if not v.seen(a, b):
        return NAN
    return math.hypot(v.x[a] - v.x[b], v.y[a] - v.y[b])


_LS, _RS = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LH, _RH = int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)
_LE, _RE = int(Landmark.LEFT_EAR), int(Landmark.RIGHT_EAR)
_LEYE, _REYE = int(Landmark.LEFT_EYE), int(Landmark.RIGHT_EYE)
_NOSE = int(Landmark.NOSE)


def _mid(v: FrameView, a: int, b: int) -> tuple[float, float] | None:
    if v.seen(a, b):
        return (v.x[a] + v.x[b]) / 2.0, (v.y[a] + v.y[b]) / 2.0
    if v.ok[a]:
        return v.x[a], v.y[a]
    if v.ok[b]:
        return v.x[b], v.y[b]
    return None


def detect_view(v: FrameView) -> tuple[View | None, float]:
    """Side or front, from the apparent shoulder width; returns (view, frontness).

    ``frontness`` is the ratio over its threshold: > 1 front, < 1 side. With the hips in view
    it is :func:`~coach.core.metrics.shoulder_width_ratio` / 0.45; with the hips hidden (a desk)
    the shoulder width over the ear-to-shoulder height / 1.2. When the shoulders are not both
    seen the person is side-on if an ear and a shoulder of one side are seen; else (None, NaN).
    """
    r = shoulder_width_ratio(v)
    if r == r:
        f = r / FRONT_RATIO
        return ("front" if f > 1.0 else "side"), f
    width = _dist(v, _LS, _RS)
    sh = _mid(v, _LS, _RS)
    ear = _mid(v, _LE, _RE)
    if width == width and sh is not None and ear is not None:
        height = abs(sh[1] - ear[1])
        if height > 1e-9:
            f = width / height / FRONT_RATIO_NO_HIPS
            return ("front" if f > 1.0 else "side"), f
    sides: tuple[Side, Side] = ("left", "right")
    for s in sides:
        if v.seen(v.idx(s, "ear"), v.idx(s, "shoulder")):
            return "side", 0.0
    return None, NAN


def measure(
    v: FrameView, view: View | None = None, frontness: float | None = None
) -> PostureMeasures:
    """All posture measures of one prepared frame.

    Parameters
    ----------
    v : FrameView
        Pixel coordinates (smoothed or raw), visibilities, near side and facing direction.
    view, frontness : optional
        A view already decided (the monitor locks it with hysteresis); detected when None.
    """
    if view is None:
        view, f = detect_view(v)
    else:
        f = frontness if frontness is not None else detect_view(v)[1]
    s: Side = v.near
    m: dict[str, Any] = {"view": view, "frontness": f, "side": s, "width": v.width}
    if view is None:
        return PostureMeasures(**m)
    sh = _mid(v, _LS, _RS)
    if view == "side":
        m["cva"] = cva_proxy(v, s)
        m["neck_flex"] = neck_flex_proxy(v, s)
        m["trunk"] = trunk_incl(v)
        m["hip_flex"] = hip_flex(v, s)
        m["upper_arm"] = upper_arm_flex(v, s)
        m["elbow"] = elbow_flex(v, s)
        ear_i, sh_i = v.idx(s, "ear"), v.idx(s, "shoulder")
        scale = _dist(v, ear_i, sh_i)
        if v.ok[sh_i]:
            sh = (v.x[sh_i], v.y[sh_i])
    else:
        m["lateral_lean"] = trunk_lean(v)
        m["shoulder_tilt"] = shoulder_tilt(v)
        m["head_tilt"] = head_tilt(v)
        m["arm_abd"] = _mean(arm_abd(v, "left"), arm_abd(v, "right"))
        m["elbow"] = _mean(elbow_flex(v, "left"), elbow_flex(v, "right"))
        m["ear_shoulder"] = _mean(ear_shoulder_dist(v, "left"), ear_shoulder_dist(v, "right"))
        scale = _dist(v, _LS, _RS)
        ipd = _dist(v, _LEYE, _REYE)
        m["ipd_px"] = ipd
        if ipd == ipd and scale == scale and scale > 1e-9:
            m["face_scale"] = ipd / scale
    if sh is not None and v.ok[_NOSE] and scale == scale and scale > 1e-9:
        m["head_x"] = (v.x[_NOSE] - sh[0]) / scale * v.facing
        m["head_y"] = (sh[1] - v.y[_NOSE]) / scale
    return PostureMeasures(**m)


def measure_pose(pose: PoseFrame) -> PostureMeasures:
    """Measures of one raw (unsmoothed) pose; the near side is chosen from its visibilities."""
    vis = pose.visibility.tolist()
    v = FrameView(pose.pixels().tolist(), vis, pose.width, pose.height, near_side(vis))
    return measure(v)


def screen_distance_cm(ipd_px: float, width_px: int, focal_px: float | None = None) -> float:
    """Approximate eye-to-camera distance (cm) from the eye-centre distance in pixels.

    ``d = f_px · 63 mm / ipd_px`` (DOMAIN §3.3 fallback), with ``f_px`` from a calibration or
    from an assumed 70° horizontal field of view, ``f_px = (W/2) / tan(35°)`` (DOMAIN §1.6).
    Approximate: IPD varies 50–75 mm between adults and a turned head shortens it.
    """
    if not (ipd_px == ipd_px and ipd_px > 1e-9) or width_px <= 0:
        return NAN
    f = focal_px if focal_px else (width_px / 2.0) / math.tan(math.radians(ASSUMED_HFOV_DEG / 2.0))
    return f * IPD_MM / ipd_px / 10.0


# ---------------------------------------------------------------------------------------------
# Calibration and profiles

_BASE_FIELDS = (
    "cva",
    "neck_flex",
    "trunk",
    "lateral_lean",
    "shoulder_tilt",
    "head_tilt",
    "ear_shoulder",
    "face_scale",
    "ipd_px",
)


@dataclass(frozen=True)
class PostureBaseline:
    """A user's neutral, upright sitting posture: per-metric medians over the calibration.

    JSON-serialisable through :meth:`to_dict` / :meth:`from_dict` (NaN is stored as null).

    Attributes
    ----------
    view : the camera view seen during calibration ("side" or "front").
    cva, neck_flex, trunk : side-view neutral values (degrees); ``neck_flex`` is the neutral
        offset subtracted from ``neck_flex_proxy`` (DOMAIN §1.3).
    lateral_lean, shoulder_tilt, head_tilt, ear_shoulder, face_scale, ipd_px : front-view
        neutral values.
    focal_px : camera focal length in pixels when the user sat at a measured distance.
    frames, seconds : how much went into the medians.
    source : "guided" (the calibration step) or "auto" (the opening of a recording).
    """

    view: str
    cva: float = NAN
    neck_flex: float = NAN
    trunk: float = NAN
    lateral_lean: float = NAN
    shoulder_tilt: float = NAN
    head_tilt: float = NAN
    ear_shoulder: float = NAN
    face_scale: float = NAN
    ipd_px: float = NAN
    focal_px: float | None = None
    frames: int = 0
    seconds: float = 0.0
    source: str = "guided"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes None)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            val = getattr(self, f.name)
            out[f.name] = None if isinstance(val, float) and not math.isfinite(val) else val
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PostureBaseline:
        """Inverse of :meth:`to_dict`; unknown keys are an error, missing ones default."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown baseline field(s): {', '.join(unknown)}")
        if data.get("view") not in ("side", "front"):
            raise ValueError(f"baseline view must be 'side' or 'front', got {data.get('view')!r}")
        kw: dict[str, Any] = {}
        for k, val in data.items():
            if k in _BASE_FIELDS:
                kw[k] = NAN if val is None else float(val)
            else:
                kw[k] = val
        return cls(**kw)


@dataclass(frozen=True)
class PostureProfile:
    """A named workstation profile ("laptop", "desk monitor", ...).

    ``baseline`` None means the documented defaults are used. ``sensitivity`` multiplies every
    issue threshold's strictness (2.0 halves the thresholds; 0.5 doubles them).
    """

    name: str = "default"
    baseline: PostureBaseline | None = None
    sensitivity: float = 1.0

    def __post_init__(self) -> None:
        if not (isinstance(self.sensitivity, (int, float)) and 0.1 <= self.sensitivity <= 10.0):
            raise ValueError(f"sensitivity must be within 0.1–10, got {self.sensitivity!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sensitivity": self.sensitivity,
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PostureProfile:
        unknown = sorted(set(data) - {"name", "sensitivity", "baseline"})
        if unknown:
            raise ValueError(f"unknown profile field(s): {', '.join(unknown)}")
        base = data.get("baseline")
        return cls(
            name=str(data.get("name", "default")),
            baseline=None if base is None else PostureBaseline.from_dict(base),
            sensitivity=float(data.get("sensitivity", 1.0)),
        )


def _segments(pose: PoseFrame) -> npt.NDArray[np.float64]:
    """Apparent lengths (pixels) of body parts that a zoom scales together: the head (nose to
    ear), ear to shoulder, upper arm, shoulder width; NaN where unseen or foreshortened.

    A zoom, or the person moving much nearer or farther, scales all of them by one factor; a
    change of posture lengthens some and shortens others (bending the head forward changes
    the head's projection, not the upper arm).
    """
    px = pose.pixels()
    vis = pose.image[:, 3]

    def seg(pairs: tuple[tuple[int, int], ...]) -> float:
        d = [
            math.hypot(float(px[a, 0] - px[b, 0]), float(px[a, 1] - px[b, 1]))
            for a, b in pairs
            if vis[a] >= 0.5 and vis[b] >= 0.5
        ]
        return max(d) if d else NAN

    _LEL, _REL = int(Landmark.LEFT_ELBOW), int(Landmark.RIGHT_ELBOW)
    out = np.array(
        [
            seg(((_NOSE, _LE), (_NOSE, _RE))),
            seg(((_LE, _LS), (_RE, _RS))),
            seg(((_LS, _LEL), (_RS, _REL))),
            seg(((_LS, _RS),)),
        ]
    )
    top = np.nanmax(out) if np.isfinite(out).any() else NAN
    out[out < 0.25 * top] = NAN  # foreshortened (a side view's shoulder width): too noisy
    return out


def _nanmedian(xs: Sequence[float]) -> float:
    vals = [x for x in xs if x == x]
    return float(np.median(vals)) if vals else NAN


def _baseline_from(
    measures: Sequence[PostureMeasures],
    times: Sequence[float],
    focal_px: float | None,
    source: str,
) -> PostureBaseline:
    views = [m.view for m in measures if m.view is not None]
    if not views:
        raise CalibrationError("calibration failed: head and shoulders were not visible")
    view = "front" if views.count("front") > views.count("side") else "side"
    same = [m for m in measures if m.view == view]
    med = {k: _nanmedian([getattr(m, k) for m in same]) for k in _BASE_FIELDS}
    key = ("cva",) if view == "side" else ("shoulder_tilt", "head_tilt")
    if all(med[k] != med[k] for k in key):
        raise CalibrationError(
            f"calibration failed: the {view} view did not show the ears and shoulders clearly"
        )
    return PostureBaseline(
        view=view,
        focal_px=focal_px,
        frames=len(same),
        seconds=float(times[-1] - times[0]) if len(times) > 1 else 0.0,
        source=source,
        **med,
    )


def calibrate(
    poses: Iterable[PoseFrame | None],
    *,
    distance_cm: float | None = None,
    source: str = "guided",
) -> PostureBaseline:
    """Capture a neutral baseline from ~3 s of upright sitting (DOMAIN §1.6).

    Parameters
    ----------
    poses : the frames of the calibration (None = no person; skipped).
    distance_cm : optional measured eye-to-screen distance during calibration ("sit at a
        measured 60 cm"); with a front view this fixes the focal length for screen distance.
    source : "guided" or "auto".

    Raises
    ------
    CalibrationError
        No person, or the key landmarks of the view were never seen.
    """
    seen = [p for p in poses if p is not None]
    if not seen:
        raise CalibrationError("calibration failed: nobody was in view")
    measures = [measure_pose(p) for p in seen]
    focal = None
    if distance_cm is not None:
        if not (distance_cm > 0 and math.isfinite(distance_cm)):
            raise CalibrationError(f"distance_cm must be a positive number, got {distance_cm!r}")
        ipd = _nanmedian([m.ipd_px for m in measures if m.view == "front"])
        if ipd == ipd:
            focal = ipd * distance_cm * 10.0 / IPD_MM
    return _baseline_from(measures, [p.timestamp for p in seen], focal, source)


# ---------------------------------------------------------------------------------------------
# Classification


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
    th = thresholds
    if m.view is None:
        return Assessment(
            PostureState.NOT_TRACKING, ("not_tracking",), ("head and shoulders not visible",)
        )
    # A baseline taken in the other view says nothing about this one.
    base = baseline if baseline is not None and baseline.view == m.view else None
    ref = "calibrated" if base is not None else "defaults"
    found: list[tuple[str, str]] = []

    def check(issue: str, value: float, enter: float, reason: str) -> None:
        if _over(value, enter, issue in active):
            found.append((issue, reason))

    dist = NAN
    if m.view == "side":
        if base is not None and base.cva == base.cva:
            drop, enter = base.cva - m.cva, th.cva_drop_deg
        else:
            drop, enter = th.default_cva_deg - m.cva, th.default_cva_drop_deg
        check(
            "forward_head", drop, enter, f"head forward of the shoulders (CVA proxy −{drop:.0f}°)"
        )
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
    else:

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
            near = th.screen_near_cm * (1.1 if "screen_too_close" in active else 1.0)
            far = th.screen_far_cm * (0.9 if "screen_too_far" in active else 1.0)
            if dist < near:
                found.append(
                    (
                        "screen_too_close",
                        f"screen about {dist:.0f} cm away (approximate): "
                        f"closer than {th.screen_near_cm:.0f} cm",
                    )
                )
            elif dist > far:
                found.append(
                    (
                        "screen_too_far",
                        f"screen about {dist:.0f} cm away (approximate): "
                        f"farther than {th.screen_far_cm:.0f} cm",
                    )
                )
    issues = tuple(i for i, _ in found)
    state = PostureState.UPRIGHT
    for st in _STATE_PRIORITY:
        if any(ISSUE_STATE.get(i) is st for i in issues):
            state = st
            break
    return Assessment(state, issues, tuple(r for _, r in found), ref, dist)


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
    views = [m.view for m in measures]
    view = views[0]
    if view is None:
        return None, "defaults (head and shoulders not visible at the start)"
    # The neck proxy is left out of the steadiness test: it shares the ear landmark with the
    # CVA proxy and nods with every glance; its median is still the neutral offset.
    keys = ("cva", "trunk") if view == "side" else ("shoulder_tilt", "head_tilt")
    end = 0
    for k in range(1, len(measures) + 1):
        if views[k - 1] != view:
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
        return None, f"defaults (the opening did not look upright: {problem.removeprefix('the posture looked ')})"
    secs = seen[end - 1].timestamp - seen[0].timestamp
    return base, f"calibrated from the first {secs:.1f} s (auto: upright and steady, {view} view)"


# ---------------------------------------------------------------------------------------------
# The monitor


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
        """Process one frame; ``pose`` None means nobody was found (then ``timestamp`` is needed)."""
        t = float(
            pose.timestamp if pose is not None else timestamp if timestamp is not None else NAN
        )
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
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
                due = min(due, max(clock.since + cfg.alert_after_s, clock.last_alert + cfg.realert_s,
                                   self.snoozed_until) - t)
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

        def clip(x: float) -> float:
            return max(-180.0, min(180.0, x))

        upper_arm, lower_arm, neck, trunk = 0.0, 80.0, 0.0, 0.0
        abducted = neck_side = trunk_side = supported = False
        if view == "side":
            if _finite(means["upper_arm"]):
                upper_arm = clip(means["upper_arm"])
                observed.append("upper arm")
            else:
                defaulted.append("upper arm")
            if _finite(means["neck_flex"]):
                offset = (
                    base.neck_flex
                    if base is not None and base.neck_flex == base.neck_flex
                    else th.default_neck_offset_deg
                )
                neck = clip(means["neck_flex"] - offset)
                observed.append("neck flexion")
            else:
                defaulted.append("neck flexion")
            if _finite(means["trunk"]):
                trunk = clip(means["trunk"])
                neutral = base.trunk if base is not None and base.trunk == base.trunk else 0.0
                hip_ok = not _finite(means["hip_flex"]) or means["hip_flex"] <= 90.0
                # Sitting upright as calibrated, hip–trunk angle >= 90°: "well supported".
                supported = hip_ok and trunk <= max(0.0, neutral) + 5.0
                observed.append("trunk flexion")
            else:
                defaulted.append("trunk flexion")
            defaulted += ["neck/trunk side-bend (front view)"]
        else:
            defaulted += [
                "upper-arm flexion (front view)",
                "neck flexion (front view)",
                "trunk flexion (front view)",
            ]
            supported = True
            if _finite(means["arm_abd"]):
                abducted = means["arm_abd"] > 20.0
                observed.append("arm abduction")
            hneutral = (
                base.head_tilt if base is not None and base.head_tilt == base.head_tilt else 0.0
            )
            if _finite(means["head_tilt"]):
                neck_side = abs(means["head_tilt"] - hneutral) > th.head_tilt_deg
                observed.append("neck side-bend")
            lneutral = (
                base.lateral_lean
                if base is not None and base.lateral_lean == base.lateral_lean
                else 0.0
            )
            if _finite(means["lateral_lean"]):
                trunk_side = abs(means["lateral_lean"] - lneutral) >= th.trunk_lateral_deg
                observed.append("trunk side-bend")
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
