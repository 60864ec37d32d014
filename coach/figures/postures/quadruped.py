"""Postures on all fours (side view): bird-dog, donkey kick, cat-cow and bottom to heels.

World coordinates and the builders' signature: see :mod:`coach.figures.postures`.
"""

from __future__ import annotations

import math

from coach.figures.postures.skeleton import (
    ANKLE_H,
    FOOT,
    FOREARM,
    HEAD,
    SHANK,
    THIGH,
    TRUNK,
    UPPER_ARM,
    Point,
    Pose,
    at,
    clamp01,
    compass,
    foot_along,
    ik,
    lerp,
    set_limb,
)

# On all fours: knees on the floor under the hips, hands under the shoulders, facing +x.
_Q_KNEE: Point = (0.0, 0.05)
_Q_HIP: Point = (0.0, 0.05 + THIGH)
_Q_WRIST_Y = 0.03


def _quad_shoulder(hip: Point) -> Point:
    """The shoulder that keeps the arms straight and vertical with the trunk from ``hip``."""
    top = _Q_WRIST_Y + UPPER_ARM + FOREARM
    dy = top - hip[1]
    return hip[0] + math.sqrt(max(0.0, TRUNK**2 - dy**2)), top


def _quad_base(p: Pose, hip: Point, sh: Point, skip: tuple[str, ...] = ()) -> None:
    """Arms straight under the shoulders and shins on the floor, except the limbs in ``skip``."""
    for side, dx in (("l", 0.0), ("r", -0.012)):
        if f"{side}_arm" not in skip:
            s = (sh[0] + dx, sh[1])
            w = (s[0], _Q_WRIST_Y)
            set_limb(p, side, shoulder=s, elbow=at(s, 180, UPPER_ARM), wrist=w)
        if f"{side}_leg" not in skip:
            h = (hip[0] + dx, hip[1])
            k = (h[0], _Q_KNEE[1])
            a = (k[0] - SHANK, ANKLE_H)
            set_limb(p, side, hip=h, knee=k, ankle=a)
            p[f"{side}_toe"] = (a[0] - FOOT * 0.9, 0.02)
            p[f"{side}_heel"] = (a[0] - 0.01, ANKLE_H + 0.02)


def _quad_head(p: Pose, hip: Point, sh: Point, nod: float = 0.0) -> None:
    line = compass(hip, sh)
    p["head"] = at(sh, line + nod, HEAD)
    p["nose"] = at(p["head"], line + nod + 60, 0.05)


def bird_dog(u: float, near: bool) -> Pose:
    """Bird-dog: one arm swings forward ``u`` degrees from hanging down; the opposite leg reaches back."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    arm_side, leg_side = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.012}
    _quad_base(p, hip, sh, skip=(f"{arm_side}_arm", f"{leg_side}_leg"))
    _quad_head(p, hip, sh)
    frac = clamp01(u / 85.0)
    s = (sh[0] + dx[arm_side], sh[1])
    e = at(s, 180 - u, UPPER_ARM)
    w = at(e, 180 - u, FOREARM)
    set_limb(p, arm_side, shoulder=s, elbow=e, wrist=w)
    h = (hip[0] + dx[leg_side], hip[1])
    thigh = lerp(180.0, 268.0, frac)
    k = at(h, thigh, THIGH)
    a = at(k, thigh + lerp(90.0, 4.0, frac), SHANK)
    set_limb(p, leg_side, hip=h, knee=k, ankle=a)
    foot_along(p, leg_side, k, a, -80.0)
    return p


def donkey_kick(u: float, near: bool) -> Pose:
    """Donkey kick: one bent leg lifts back and up; the thigh moves ``u`` degrees from vertical."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    side = "l" if near else "r"
    dx = 0.0 if near else -0.012
    _quad_base(p, hip, sh, skip=(f"{side}_leg",))
    _quad_head(p, hip, sh)
    h = (hip[0] + dx, hip[1])
    k = at(h, 180 + u, THIGH)
    a = at(k, 270 + u, SHANK)
    set_limb(p, side, hip=h, knee=k, ankle=a)
    foot_along(p, side, k, a, -85.0)
    return p


def cat_cow(u: float, near: bool) -> Pose:
    """Cat-cow: the head tips ``u`` degrees down (+, cat: the back rounds up) or up (-, cow)."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    _quad_base(p, hip, sh)
    _quad_head(p, hip, sh, nod=u * 1.0)
    mid = ((hip[0] + sh[0]) / 2, (hip[1] + sh[1]) / 2)
    p["spine"] = (mid[0], mid[1] + u * 0.0035)
    return p


def bottom_to_heels(u: float, near: bool) -> Pose:
    """From all fours the hips sit back toward the heels; ``u`` is how far the thigh tips back."""
    p: Pose = {}
    hip = at(_Q_KNEE, -u, THIGH)
    wrist_x = _quad_shoulder(_Q_HIP)[0]
    for side, dx in (("l", 0.0), ("r", -0.012)):
        w = (wrist_x + 0.02 + dx, _Q_WRIST_Y)
        h = (hip[0] + dx, hip[1])
        s = ik(h, w, TRUNK, UPPER_ARM + FOREARM, 1)
        e = at(s, compass(s, w), UPPER_ARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        k = (_Q_KNEE[0] + dx, _Q_KNEE[1])
        a = (k[0] - SHANK, ANKLE_H)
        set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_toe"] = (a[0] - FOOT * 0.9, 0.015)
        p[f"{side}_heel"] = (a[0] - 0.01, ANKLE_H + 0.025)
    sh = p["l_shoulder"]
    _quad_head(p, p["l_hip"], sh, nod=20.0)
    return p
