"""The stick figure's skeleton: the ``Point``/``Pose``/``Builder`` types, segment lengths as
fractions of standing height, and the small 2-D helpers every posture builder uses (compass
angles, a two-link inverse kinematics for knees and elbows, feet and head placement).

World coordinates: metres-like units, y UP, the person faces +x.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Point = tuple[float, float]
Pose = dict[str, Point]

# Segment lengths as fractions of standing height (landmark to landmark; the hand is not counted).
TRUNK = 0.30  # hip -> shoulder
HEAD = 0.13  # shoulder -> head centre
HEAD_R = 0.055
UPPER_ARM = 0.16
FOREARM = 0.15
THIGH = 0.25
SHANK = 0.24
ANKLE_H = 0.04  # ankle above the floor when the foot is flat
FOOT = 0.08  # ankle -> toe
LIE = 0.06  # body centre line above the floor when lying
SIDES = ("l", "r")


# ---------------------------------------------------------------------------------------------
# Small 2-D helpers.


def direction(deg: float) -> Point:
    """Unit vector for a compass angle: 0 = up, 90 = forward (+x), 180 = down, -90 = backward."""
    r = math.radians(deg)
    return math.sin(r), math.cos(r)


def at(p: Point, deg: float, length: float) -> Point:
    d = direction(deg)
    return p[0] + d[0] * length, p[1] + d[1] * length


def add(p: Point, dx: float, dy: float) -> Point:
    return p[0] + dx, p[1] + dy


def compass(a: Point, b: Point) -> float:
    """Compass angle of a -> b."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1]))


def ik(a: Point, c: Point, l1: float, l2: float, bend: float) -> Point:
    """The middle joint of a two-link chain a -> b -> c (lengths l1, l2).

    ``bend`` +1 puts the joint to the left of a -> c (counter-clockwise), -1 to the right. When
    c is out of reach the chain is straight, pointing at c.
    """
    dx, dy = c[0] - a[0], c[1] - a[1]
    d = math.hypot(dx, dy)
    if d < 1e-9:
        return a[0] + l1, a[1]
    if d >= l1 + l2:
        return a[0] + dx / d * l1, a[1] + dy / d * l1
    d = max(d, abs(l1 - l2) + 1e-9)
    x = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = math.sqrt(max(0.0, l1 * l1 - x * x))
    ux, uy = dx / d, dy / d
    return a[0] + ux * x - uy * h * bend, a[1] + uy * x + ux * h * bend


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def lerp_pt(a: Point, b: Point, t: float) -> Point:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def clamp01(t: float) -> float:
    return max(0.0, min(1.0, t))


def set_limb(p: Pose, side: str, **pts: Point) -> None:
    for k, v in pts.items():
        p[f"{side}_{k}"] = v


def foot_flat(p: Pose, side: str, ankle: Point, forward: float = 1.0) -> None:
    """Heel and toe for a foot standing flat on the floor."""
    p[f"{side}_heel"] = (ankle[0] - 0.025 * forward, ankle[1] - ANKLE_H + 0.01)
    p[f"{side}_toe"] = (ankle[0] + FOOT * forward, ankle[1] - ANKLE_H + 0.01)


def foot_along(p: Pose, side: str, knee: Point, ankle: Point, toe_turn: float = 90.0) -> None:
    """Heel and toe for a free foot: the foot points ``toe_turn`` degrees from the shank."""
    shank = compass(knee, ankle)
    toe = at(ankle, shank - toe_turn, FOOT)
    heel = at(ankle, shank + 180 - toe_turn, 0.025)
    p[f"{side}_toe"], p[f"{side}_heel"] = toe, heel


def place_head(p: Pose, shoulder: Point, deg: float, nose_deg: float, dist: float = HEAD) -> None:
    head = at(shoulder, deg, dist)
    p["head"] = head
    p["nose"] = at(head, nose_deg, 0.05)


def midpoint(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


#: A posture builder: ``build(u, near) -> Pose`` (see :mod:`coach.figures.postures`).
Builder = Callable[[float, bool], Pose]
