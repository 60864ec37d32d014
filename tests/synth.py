"""Synthetic poses with known joint angles, for known-answer tests of the scoring core."""

from __future__ import annotations

import math

import numpy as np

from coach.core.landmarks import Landmark as L
from coach.core.landmarks import PoseFrame

W = H = 1000


def _put(img: np.ndarray, lm: L, x: float, y: float, vis: float = 1.0) -> None:
    img[int(lm)] = (x / W, y / H, 0.0, vis)


def side_figure(
    knee_flex: float = 0.0,
    hip_flex: float | None = None,
    facing: int = 1,
    scale: float = 1.0,
    dx: float = 0.0,
    dy: float = 0.0,
    vis: float = 1.0,
    t: float = 0.0,
    frame_id: int = 0,
) -> PoseFrame:
    """A person standing side-on (facing +x when facing=1) with the given knee flexion (deg).

    The thigh tilts forward by ``hip_flex`` (default: half the knee flexion, like a squat) and the
    shank backward so that the included knee angle is 180 - knee_flex.
    """
    img = np.zeros((33, 4), dtype=np.float32)
    if hip_flex is None:
        hip_flex = knee_flex / 2.0
    s = scale
    hip = np.array([500.0 + dx, 450.0 + dy])
    thigh = 200 * s
    shank = 200 * s
    a = math.radians(hip_flex)  # thigh forward from vertical-down
    knee = hip + np.array([facing * math.sin(a) * thigh, math.cos(a) * thigh])
    b = math.radians(hip_flex - knee_flex)  # shank direction from vertical-down
    ankle = knee + np.array([facing * math.sin(b) * shank, math.cos(b) * shank])
    shoulder = hip + np.array([0.0, -250 * s])
    ear = shoulder + np.array([facing * 5 * s, -90 * s])
    nose = ear + np.array([facing * 40 * s, 10 * s])
    elbow = shoulder + np.array([0.0, 130 * s])
    wrist = elbow + np.array([facing * 40 * s, 110 * s])
    for side, off in (("LEFT", -4 * s), ("RIGHT", 4 * s)):
        _put(img, L[f"{side}_HIP"], hip[0] + off, hip[1], vis)
        _put(img, L[f"{side}_KNEE"], knee[0] + off, knee[1], vis)
        _put(img, L[f"{side}_ANKLE"], ankle[0] + off, ankle[1], vis)
        _put(img, L[f"{side}_HEEL"], ankle[0] - facing * 20 * s + off, ankle[1] + 10 * s, vis)
        _put(img, L[f"{side}_FOOT_INDEX"], ankle[0] + facing * 60 * s + off, ankle[1] + 15 * s, vis)
        _put(img, L[f"{side}_SHOULDER"], shoulder[0] + off, shoulder[1], vis)
        _put(img, L[f"{side}_ELBOW"], elbow[0] + off, elbow[1], vis)
        _put(img, L[f"{side}_WRIST"], wrist[0] + off, wrist[1], vis)
        _put(img, L[f"{side}_EAR"], ear[0] + off, ear[1], vis)
        _put(img, L[f"{side}_EYE"], nose[0] - facing * 10 * s + off, nose[1] - 15 * s, vis)
    _put(img, L.NOSE, nose[0], nose[1], vis)
    return PoseFrame(img, t, frame_id, W, H)


def squat_series(
    depths: list[float],
    fps: float = 30.0,
    rep_s: float = 2.0,
    pause_s: float = 1.0,
    noise_deg: float = 0.0,
    seed: int = 0,
) -> list[PoseFrame]:
    """Stand, then one cosine-shaped dip per entry of ``depths`` (peak knee flexion, deg)."""
    rng = np.random.default_rng(seed)
    angles: list[float] = [0.0] * int(pause_s * fps)
    for d in depths:
        n = int(rep_s * fps)
        angles += [d * (1 - math.cos(2 * math.pi * i / n)) / 2 for i in range(n)]
        angles += [0.0] * int(pause_s * fps)
    out = []
    for i, a in enumerate(angles):
        a = max(0.0, a + (rng.normal(0, noise_deg) if noise_deg else 0.0))
        out.append(side_figure(knee_flex=a, t=i / fps, frame_id=i))
    return out
