"""Per-frame lifting geometry (DOMAIN §4): hand height and distance, trunk, knee and hip flexion
and twist of one frame (:func:`lift_sample`), in leg lengths and degrees, plus the leg length
from body height. Pure numpy/stdlib.

Geometry
--------
Every quantity is a ratio or an angle, so nothing depends on the camera distance:

* **Up** is image-up for image landmarks. With world landmarks (preferred: they survive the
  elevated 3/4 views of real workplaces, where the trunk points at the camera while stooping)
  "up" starts as the camera's up and is re-estimated while the person stands tall (knees
  straight, trunk near vertical) from the ankle→shoulder direction, which removes the camera's
  pitch.
* **Hand height** is the height of the hand grip (mid-point of index and pinky knuckles,
  DOMAIN §1.1; the wrist when they are unseen) above the floor (the lowest heel / toe / ankle)
  divided by the **leg length** (hip→knee + knee→ankle). Arms hanging while standing ≈ 0.9;
  knee height ≈ 0.5; the floor ≈ 0.1.
* **Trunk flexion** is the angle of hip_mid→shoulder_mid from up; **knee/hip flexion** are
  deviation-from-straight angles (DOMAIN §0), both legs averaged (world) or the near side
  (image).
* **Load distance** H is the horizontal distance of the hands from the ankle mid-point over the
  leg length (and in cm when a scale is known, for NIOSH); **twist** is the angle between the
  shoulder line and the hip line in the horizontal plane (world landmarks only; a side-view
  image cannot show it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from coach.core.landmarks import Landmark

NAN = float("nan")
DEG = 180.0 / math.pi
FloatArray = npt.NDArray[np.float64]

#: Hip-to-ankle length as a fraction of body height: thigh 0.245 H + shank 0.246 H
#: (Drillis & Contini segment proportions).  [S→D: anthropometric tables; scale for NIOSH]
LEG_FRACTION_OF_HEIGHT = 0.491
#: A typical adult leg (hip→ankle) when nothing else gives a scale, metres.  [D]
TYPICAL_LEG_M = 0.83

L = Landmark
_SIDES = ("LEFT", "RIGHT")


def _idx(side: str, part: str) -> int:
    return int(Landmark[f"{side}_{part}"])


_SH = [_idx(s, "SHOULDER") for s in _SIDES]
_HIP = [_idx(s, "HIP") for s in _SIDES]
_KNEE = [_idx(s, "KNEE") for s in _SIDES]
_ANKLE = [_idx(s, "ANKLE") for s in _SIDES]
_HEEL = [_idx(s, "HEEL") for s in _SIDES]
_TOE = [_idx(s, "FOOT_INDEX") for s in _SIDES]
_WRIST = [_idx(s, "WRIST") for s in _SIDES]
_INDEX = [_idx(s, "INDEX") for s in _SIDES]
_PINKY = [_idx(s, "PINKY") for s in _SIDES]


@dataclass(frozen=True)
class LiftSample:
    """One frame's lifting geometry (angles in degrees, lengths in leg lengths).

    ``leg_m`` is the leg length in metres when world landmarks give one (else NaN).
    """

    t: float
    hand_height: float
    hand_distance: float
    hip_height: float
    trunk: float
    knee: float
    hip: float
    twist: float
    leg_m: float
    source: str  # "world" | "image"


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v * NAN


def _angle(a: FloatArray, b: FloatArray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na < 1e-12 or nb < 1e-12:
        return NAN
    c = float(np.dot(a, b)) / (na * nb)
    return math.acos(max(-1.0, min(1.0, c))) * DEG


def _flex(p: FloatArray, a: int, b: int, c: int) -> float:
    """Deviation from straight at b (DOMAIN §0)."""
    return 180.0 - _angle(p[a] - p[b], p[c] - p[b])


def _grip(p: FloatArray, ok: npt.NDArray[np.bool_], side: int) -> FloatArray | None:
    i, k, w = _INDEX[side], _PINKY[side], _WRIST[side]
    if ok[i] and ok[k]:
        return np.asarray((p[i] + p[k]) / 2.0, dtype=np.float64)
    if ok[w]:
        return np.asarray(p[w], dtype=np.float64)
    return None


def lift_sample(
    points: FloatArray,
    ok: npt.NDArray[np.bool_],
    up: FloatArray,
    leg: float,
    t: float,
    source: str,
    near: int = 0,
    leg_m: float = NAN,
) -> LiftSample | None:
    """The lifting geometry of one frame.

    Parameters
    ----------
    points : (33, 2) pixels or (33, 3) world coordinates, any scale.
    ok : (33,) which landmarks may be used (visibility gate; all True for world points).
    up : unit "up" vector in the same space.
    leg : the leg length (same units as ``points``) that normalises every length.
    near : 0 left, 1 right: the side used when only one leg counts (image path).
    """
    if not (leg > 0) or not (ok[_SH[near]] or ok[_SH[1 - near]]):
        return None
    sides = [0, 1] if source == "world" else [near]

    def mid(idx: list[int]) -> FloatArray | None:
        sel = [points[i] for i in idx if ok[i]]
        return np.mean(sel, axis=0) if sel else None

    sh, hp, an = mid(_SH), mid(_HIP), mid(_ANKLE)
    if sh is None or hp is None or an is None:
        return None
    feet = [float(np.dot(points[i], up)) for i in (*_HEEL, *_TOE, *_ANKLE) if ok[i]]
    grips = [g for g in (_grip(points, ok, 0), _grip(points, ok, 1)) if g is not None]
    if not feet or not grips:
        return None
    floor = min(feet)
    hand = np.mean(grips, axis=0)
    hand_h = (float(np.dot(hand, up)) - floor) / leg
    rel = hand - an
    horiz = rel - np.dot(rel, up) * up
    hand_d = float(np.linalg.norm(horiz)) / leg
    trunk = _angle(sh - hp, up)
    knees = [
        _flex(points, _HIP[s], _KNEE[s], _ANKLE[s])
        for s in sides
        if ok[_HIP[s]] and ok[_KNEE[s]] and ok[_ANKLE[s]]
    ]
    hips = [
        _flex(points, _SH[s], _HIP[s], _KNEE[s])
        for s in sides
        if ok[_SH[s]] and ok[_HIP[s]] and ok[_KNEE[s]]
    ]
    twist = NAN
    if source == "world":
        s_line = points[_SH[1]] - points[_SH[0]]
        h_line = points[_HIP[1]] - points[_HIP[0]]
        s_h = s_line - np.dot(s_line, up) * up
        h_h = h_line - np.dot(h_line, up) * up
        twist = _angle(s_h, h_h)
    return LiftSample(
        t=t,
        hand_height=hand_h,
        hand_distance=hand_d,
        hip_height=(float(np.dot(hp, up)) - floor) / leg,
        trunk=trunk,
        knee=float(np.mean(knees)) if knees else NAN,
        hip=float(np.mean(hips)) if hips else NAN,
        twist=twist,
        leg_m=leg_m,
        source=source,
    )


def leg_length_cm_from_height(height_cm: float) -> float:
    """Hip-to-ankle length from body height (thigh + shank ≈ 0.491 H)."""
    if not (height_cm > 0 and math.isfinite(height_cm)):
        raise ValueError(f"height_cm must be a positive number, got {height_cm!r}")
    return height_cm * LEG_FRACTION_OF_HEIGHT
