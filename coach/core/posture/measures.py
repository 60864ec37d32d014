"""Per-frame desk posture measures: the camera view, the angles and ratios of one frame, the
approximate screen distance (DOMAIN §1.3, §1.4, §3.3) and the apparent body-segment lengths the
monitor watches to notice a zoom. Pure numpy/stdlib.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

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
