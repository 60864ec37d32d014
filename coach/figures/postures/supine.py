"""Postures lying on the back: brace, pelvic tilt, bridge, heel slide, knee to chest, figure-4,
dead bug, straight-leg raise (side view) and knee rolls (seen from the feet); hook-lying legs.

World coordinates and the builders' signature: see :mod:`coach.figures.postures`.
"""

from __future__ import annotations

import math

from coach.figures.postures.skeleton import (
    ANKLE_H,
    FOREARM,
    HEAD,
    LIE,
    SHANK,
    SIDES,
    THIGH,
    TRUNK,
    UPPER_ARM,
    Point,
    Pose,
    add,
    at,
    clamp01,
    compass,
    foot_along,
    foot_flat,
    ik,
    lerp,
    lerp_pt,
    midpoint,
    set_limb,
)

# Lying on the back: the head at -x, the feet at +x; the body line LIE above the floor.
_SUP_SH: Point = (-TRUNK, LIE + 0.01)
_SUP_HIP: Point = (0.0, LIE)
_HOOK_KNEE_FLEX = 95.0


def _hook_ankle(hip: Point) -> Point:
    """Where the foot rests in hook-lying: the knee bent about 95 degrees."""
    inner = 180.0 - _HOOK_KNEE_FLEX
    reach = math.sqrt(THIGH**2 + SHANK**2 - 2 * THIGH * SHANK * math.cos(math.radians(inner)))
    dy = hip[1] - ANKLE_H
    return hip[0] + math.sqrt(max(0.0, reach**2 - dy**2)), ANKLE_H


_HOOK_ANKLE = _hook_ankle(_SUP_HIP)


def _supine_head(p: Pose, sh: Point, lift: float = 0.0) -> None:
    p["head"] = (sh[0] - HEAD, sh[1] + 0.01 + lift)
    p["nose"] = add(p["head"], 0.012, 0.05)


def _hook_leg(p: Pose, side: str, hip: Point, ankle: Point = _HOOK_ANKLE) -> None:
    k = ik(hip, ankle, THIGH, SHANK, 1)
    set_limb(p, side, hip=hip, knee=k, ankle=ankle)
    foot_flat(p, side, ankle)


def _arms_on_floor(p: Pose, sh: Point) -> None:
    for side, dx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + dx, sh[1])
        e = (s[0] + UPPER_ARM * 0.97, 0.035)
        w = (e[0] + FOREARM * 0.98, 0.03)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)


def brace(u: float, near: bool) -> Pose:
    """Hook-lying, still: nothing visible moves (the widget pulses a ring at the tummy)."""
    p: Pose = {}
    _supine_head(p, _SUP_SH)
    _arms_on_floor(p, _SUP_SH)
    for side, dx in (("l", 0.0), ("r", -0.01)):
        _hook_leg(p, side, (_SUP_HIP[0] + dx, _SUP_HIP[1]), (_HOOK_ANKLE[0] + dx, ANKLE_H))
    return p


def pelvic_tilt(u: float, near: bool) -> Pose:
    """Hook-lying: the pelvis rocks (``u`` 0..1). At rest the low back arches off the floor (a
    visible gap under the spine); tilted, the back lies flat and the hips roll a little."""
    p: Pose = {}
    hip = (_SUP_HIP[0] - 0.012 * u, _SUP_HIP[1] + 0.01 * u)
    _supine_head(p, _SUP_SH)
    _arms_on_floor(p, _SUP_SH)
    for side, dx in (("l", 0.0), ("r", -0.01)):
        _hook_leg(p, side, (hip[0] + dx, hip[1]), (_HOOK_ANKLE[0] + dx, ANKLE_H))
    mid = midpoint(hip, _SUP_SH)
    p["spine"] = (mid[0], mid[1] + 0.022 * (1.0 - u))  # the arch of the low back, gone when tilted
    return p


def bridge(u: float, near: bool) -> Pose:
    """Glute bridge: the shoulders stay down and the hips lift; ``u`` is the trunk's rise in degrees."""
    p: Pose = {}
    sh = _SUP_SH
    hip = at(sh, 90 - u, TRUNK)
    _supine_head(p, sh)
    _arms_on_floor(p, sh)
    for side, dx in (("l", 0.0), ("r", -0.01)):
        _hook_leg(p, side, (hip[0] + dx, hip[1]), (_HOOK_ANKLE[0] + dx, ANKLE_H))
    return p


def _straight_or_bent_leg(p: Pose, side: str, hip: Point, flex: float) -> None:
    """A leg lying on the floor with the knee bent ``flex`` degrees, the heel on the floor."""
    inner = 180.0 - max(0.0, min(150.0, flex))
    reach = math.sqrt(THIGH**2 + SHANK**2 - 2 * THIGH * SHANK * math.cos(math.radians(inner)))
    dy = hip[1] - ANKLE_H
    ankle = (hip[0] + math.sqrt(max(0.0, reach**2 - dy**2)), ANKLE_H)
    knee = ik(hip, ankle, THIGH, SHANK, 1)
    set_limb(p, side, hip=hip, knee=knee, ankle=ankle)
    foot_along(p, side, knee, ankle, 90.0)


def heel_slide(u: float, near: bool) -> Pose:
    """Lying with both legs straight; one heel slides toward the bottom, the knee bending ``u``
    degrees."""
    p: Pose = {}
    _supine_head(p, _SUP_SH)
    _arms_on_floor(p, _SUP_SH)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    _straight_or_bent_leg(p, still, (_SUP_HIP[0] + dx[still], LIE), 0.0)
    _straight_or_bent_leg(p, mover, (_SUP_HIP[0] + dx[mover], LIE), u)
    return p


def knee_to_chest(u: float, near: bool) -> Pose:
    """One thigh comes up ``u`` degrees from the floor line (past 90 = toward the chest), hands on the shin."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    _hook_leg(p, still, (_SUP_HIP[0] + dx[still], LIE), (_HOOK_ANKLE[0] + dx[still], ANKLE_H))
    hip = (_SUP_HIP[0] + dx[mover], LIE)
    knee = at(hip, 90 - u, THIGH)
    flex = lerp(_HOOK_KNEE_FLEX, 120.0, clamp01((u - 40.0) / 70.0))
    ankle = at(knee, compass(hip, knee) + flex, SHANK)
    set_limb(p, mover, hip=hip, knee=knee, ankle=ankle)
    foot_along(p, mover, knee, ankle, 80.0)
    grip = at(knee, compass(knee, ankle), 0.05)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        w = (grip[0] + ddx, grip[1])
        e = ik(s, w, UPPER_ARM, FOREARM, -1)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def figure_four(u: float, near: bool) -> Pose:
    """Figure-4: one ankle rests on the other knee; that supporting thigh is drawn ``u`` degrees
    up toward the chest."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    support, cross = "l", "r"
    hip = _SUP_HIP
    knee = at(hip, 90 - u, THIGH)
    flex = lerp(_HOOK_KNEE_FLEX, 95.0, clamp01((u - 40.0) / 50.0))
    ankle = at(knee, compass(hip, knee) + flex, SHANK)
    set_limb(p, support, hip=hip, knee=knee, ankle=ankle)
    foot_along(p, support, knee, ankle, 80.0)
    chip = (hip[0] - 0.01, hip[1])
    # The crossed ankle rests just below the supporting knee; that leg's knee points out toward
    # the camera, so it is drawn foreshortened, between the hip and the ankle.
    c_ankle = at(knee, compass(knee, hip) + 10, 0.05)
    c_knee = at(lerp_pt(chip, c_ankle, 0.5), compass(chip, c_ankle) + 90, 0.04)
    set_limb(p, cross, hip=chip, knee=c_knee, ankle=c_ankle)
    foot_along(p, cross, c_knee, c_ankle, 90.0)
    grip = at(hip, compass(hip, knee), THIGH * 0.75)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        w = (grip[0] + ddx, grip[1] + 0.01)
        e = ik(s, w, UPPER_ARM, FOREARM, -1)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def dead_bug(u: float, near: bool) -> Pose:
    """Dead bug: hips and knees at 90/90, arms up; one leg lowers and straightens (its hip bend
    ``u`` degrees) while the opposite arm reaches overhead."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    frac = clamp01((90.0 - u) / 70.0)
    for side in SIDES:
        hip = (_SUP_HIP[0] + dx[side], LIE)
        hf = u if side == mover else 90.0
        kf = lerp(90.0, 8.0, frac) if side == mover else 90.0
        knee = at(hip, 90 - hf, THIGH)
        ankle = at(knee, compass(hip, knee) + kf, SHANK)
        set_limb(p, side, hip=hip, knee=knee, ankle=ankle)
        foot_along(p, side, knee, ankle, 90.0)
        s = (sh[0] + dx[side], sh[1])
        # the arm opposite the moving leg reaches back over the head
        arm = lerp(5.0, -75.0, frac) if side == still else 5.0
        e = at(s, arm, UPPER_ARM)
        w = at(e, arm, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def leg_raise(u: float, near: bool) -> Pose:
    """Lying with legs long: one straight leg lifts ``u`` degrees, held by a strap from the hands."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    h = (_SUP_HIP[0] + dx[still], LIE)
    k = (h[0] + THIGH, 0.055)
    a = (k[0] + SHANK, ANKLE_H + 0.005)
    set_limb(p, still, hip=h, knee=k, ankle=a)
    foot_along(p, still, k, a, 90.0)
    hip = (_SUP_HIP[0] + dx[mover], LIE)
    knee = at(hip, 90 - u, THIGH)
    ankle = at(knee, 90 - u + 6, SHANK)
    set_limb(p, mover, hip=hip, knee=knee, ankle=ankle)
    foot_along(p, mover, knee, ankle, 90.0)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        # hands above the chest, elbows resting toward the floor, holding the strap
        w = add(at(s, 55 - u * 0.25, 0.24), ddx, 0.0)
        e = ik(s, w, UPPER_ARM, FOREARM, -1)
        e = (e[0], max(e[1], 0.035))
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def knee_rolls(u: float, near: bool) -> Pose:
    """Seen from the feet end, looking up the body: the knees (nearest) roll ``u`` degrees to one
    side; the shoulders and head (furthest) stay still on the floor."""
    p: Pose = {}
    u = u if near else -u
    hip_mid = (0.0, 0.06)
    # Their left is image-right (the camera looks from the feet toward the head).
    for side, sx in (("l", 1.0), ("r", -1.0)):
        s = (0.11 * sx, 0.32)
        set_limb(p, side, shoulder=s, elbow=(0.19 * sx, 0.27), wrist=(0.26 * sx, 0.23))
        h = (0.08 * sx, hip_mid[1])
        # the knees stay together: each sits a little to its side of the rolled centre line
        centre = at(hip_mid, u, 0.22)
        k = at(centre, u + 90 * sx, 0.03)
        a = (0.05 * sx + 0.04 * math.sin(math.radians(u)), 0.025)
        set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_heel"] = (a[0], 0.005)
        p[f"{side}_toe"] = (a[0] + 0.01 * sx, -0.01)
    p["head"] = (0.0, 0.43)
    p["nose"] = (0.0, 0.42)
    return p
