"""Seated postures on a chair (side view): sitting tall, chin tuck and shoulder-blade squeeze.

World coordinates and the builders' signature: see :mod:`coach.figures.postures`.
"""

from __future__ import annotations

from coach.figures.postures.skeleton import (
    ANKLE_H,
    FOREARM,
    THIGH,
    TRUNK,
    UPPER_ARM,
    Point,
    Pose,
    add,
    at,
    foot_flat,
    place_head,
    set_limb,
)

SEAT_Y = 0.28


def _seated_base(p: Pose, lean: float, neck: float, head_fwd: float = 0.0) -> Point:
    hip = (0.0, SEAT_Y + 0.02)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        h = (hip[0] + dx, hip[1])
        k = (h[0] + THIGH, h[1])
        a = (k[0] + 0.02, ANKLE_H)  # shins nearly vertical, feet flat
        set_limb(p, side, hip=h, knee=k, ankle=a)
        foot_flat(p, side, a)
    sh = at(hip, lean, TRUNK)
    place_head(p, sh, lean + neck, 90.0)
    if head_fwd:
        p["head"] = add(p["head"], head_fwd, 0.0)
        p["nose"] = add(p["nose"], head_fwd, 0.0)
    return sh


def _seated_arms(p: Pose, sh: Point, back: float = 0.0) -> None:
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx - back * 0.02, sh[1])
        e = at(s, 180 + back, UPPER_ARM)
        w = at(e, 105 + back * 0.3, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)


def sit_tall(u: float, near: bool) -> Pose:
    """Seated: the trunk leans ``u`` degrees forward (a slump) and the head pokes forward with it."""
    p: Pose = {}
    sh = _seated_base(p, u, u * 0.8)
    _seated_arms(p, sh)
    return p


def chin_tuck(u: float, near: bool) -> Pose:
    """Seated tall: the head glides forward (``u`` > 0) or back (``u`` < 0), chin level."""
    p: Pose = {}
    sh = _seated_base(p, 2.0, 0.0, head_fwd=u / 100.0)
    _seated_arms(p, sh)
    return p


def shoulder_squeeze(u: float, near: bool) -> Pose:
    """Seated: the elbows draw back ``u`` degrees as the shoulder blades squeeze together."""
    p: Pose = {}
    sh = _seated_base(p, 2.0, 0.0)
    _seated_arms(p, sh, back=u)
    return p
