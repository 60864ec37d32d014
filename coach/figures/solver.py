"""The figure measured with the app's own metrics, and the solve that makes it read a value.

:func:`as_landmarks` turns a posture into the 33 BlazePose landmarks, :func:`measure` computes a
metric spec on them with :mod:`coach.core.metrics` (the same code that counts repetitions), and
:func:`solve` finds the builder parameter at which a metric reads a target value. That is why
the drawing and the counting never disagree about what a repetition is.
"""

from __future__ import annotations

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.metrics import FrameView, compile_metric
from coach.figures.postures import Builder, Pose


def as_landmarks(pose: Pose, size: float = 1000.0) -> tuple[list[tuple[float, float]], list[float]]:
    """The pose as 33 BlazePose pixel landmarks and visibilities (for :mod:`coach.core.metrics`).

    The left side is the near side in side views (visibility 0.99 vs 0.9); both are 0.99 when the
    figure is drawn from the front.
    """
    pts: list[tuple[float, float]] = [(size / 2, size / 2)] * NUM_LANDMARKS
    vis = [0.0] * NUM_LANDMARKS
    front = abs(pose["l_hip"][0] - pose["r_hip"][0]) > 0.05 if "l_hip" in pose else False
    names = {
        "shoulder": "SHOULDER",
        "elbow": "ELBOW",
        "wrist": "WRIST",
        "hip": "HIP",
        "knee": "KNEE",
        "ankle": "ANKLE",
        "heel": "HEEL",
        "toe": "FOOT_INDEX",
    }
    for side, word in (("l", "LEFT"), ("r", "RIGHT")):
        for part, lm in names.items():
            key = f"{side}_{part}"
            if key in pose:
                i = int(Landmark[f"{word}_{lm}"])
                pts[i] = (pose[key][0] * size, pose[key][1] * size)
                vis[i] = 0.99 if (side == "l" or front) else 0.9
        w = pose.get(f"{side}_wrist")
        if w is not None:
            for lm in ("INDEX", "PINKY", "THUMB"):
                i = int(Landmark[f"{word}_{lm}"])
                pts[i], vis[i] = (w[0] * size, w[1] * size), vis[int(Landmark[f"{word}_WRIST"])]
    if "head" in pose:
        hx, hy = pose["head"]
        nx, ny = pose.get("nose", (hx, hy))
        for lm in ("LEFT_EAR", "RIGHT_EAR"):
            pts[int(Landmark[lm])], vis[int(Landmark[lm])] = (hx * size, hy * size), 0.95
        for lm in (
            "LEFT_EYE",
            "RIGHT_EYE",
            "LEFT_EYE_INNER",
            "RIGHT_EYE_INNER",
            "LEFT_EYE_OUTER",
            "RIGHT_EYE_OUTER",
            "MOUTH_LEFT",
            "MOUTH_RIGHT",
        ):
            pts[int(Landmark[lm])] = ((hx + nx) / 2 * size, (hy + ny) / 2 * size)
            vis[int(Landmark[lm])] = 0.95
        pts[int(Landmark.NOSE)], vis[int(Landmark.NOSE)] = (nx * size, ny * size), 0.95
    return pts, vis


def measure(pose: Pose, metric: str) -> float:
    """The value of a metric spec (e.g. ``"knee_flex@max"``) on a pose, via :mod:`coach.core.metrics`."""
    pts, vis = as_landmarks(pose)
    return compile_metric(metric)(FrameView(pts, vis, 1000, 1000))


def world_to_image(p: Pose) -> Pose:
    """A fixed, uniform map of world coordinates into the unit box (for measuring while solving)."""
    return {k: (0.5 + 0.4 * x, 0.9 - 0.4 * y) for k, (x, y) in p.items()}


def solve(
    build: Builder, metric: str, target: float, lo: float, hi: float, near_u: float | None = None
) -> float:
    """The builder parameter whose pose reads ``target`` on ``metric``.

    Samples ``[lo, hi]`` and interpolates inside the bracketing pair nearest to ``near_u`` (the
    first one from ``lo`` when None), so the movement stays on one branch when a metric is not
    monotonic (a bridge past straight reads as a bend again). Falls back to the closest sample.
    """
    n = 160
    samples: list[tuple[float, float]] = []
    for i in range(n + 1):
        u = lo + (hi - lo) * i / n
        samples.append((u, measure(world_to_image(build(u, True)), metric)))
    anchor = lo if near_u is None else near_u
    best: tuple[float, float] | None = None  # (distance to anchor, u)
    for (u0, m0), (u1, m1) in zip(samples, samples[1:]):
        if m0 != m0 or m1 != m1 or m0 == m1 or (m0 - target) * (m1 - target) > 0:
            continue
        u = u0 + (target - m0) * (u1 - u0) / (m1 - m0)
        if best is None or abs(u - anchor) < best[0]:
            best = (abs(u - anchor), u)
    if best is not None:
        return best[1]
    valid = [(abs(m - target), u) for u, m in samples if m == m]
    return min(valid)[1] if valid else lo


__all__ = ["as_landmarks", "measure", "solve", "world_to_image"]
