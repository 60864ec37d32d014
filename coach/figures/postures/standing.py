"""Standing postures: mini-squat, sit to stand, step-up, marching, hip hinge, back bend (side
view) and side bend (front view); the standing legs and upper body they share.

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
    SIDES,
    THIGH,
    TRUNK,
    UPPER_ARM,
    Point,
    Pose,
    at,
    clamp01,
    compass,
    foot_along,
    foot_flat,
    ik,
    lerp_pt,
    place_head,
    set_limb,
)


def _standing_legs(p: Pose, hip_x: float, knee_flex: float, shank_share: float, side: str) -> Point:
    """A flat-footed leg bent ``knee_flex`` degrees; returns the hip it reaches (ankle at hip_x)."""
    s = knee_flex * shank_share
    t = knee_flex - s
    ankle = (hip_x, ANKLE_H)
    knee = at(ankle, s, SHANK)
    hip = at(knee, -t, THIGH)
    set_limb(p, side, ankle=ankle, knee=knee, hip=hip)
    foot_flat(p, side, ankle)
    return hip


def _upper_body(p: Pose, hip: Point, lean: float, arms: str, neck: float = 0.0) -> Point:
    """Trunk leaning ``lean`` degrees forward from the hip; arms 'forward', 'down', 'crossed'."""
    sh = at(hip, lean, TRUNK)
    place_head(p, sh, lean + neck, 90.0 + (lean + neck) * 0.6)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        if arms == "forward":
            e = at(s, 85, UPPER_ARM)
            w = at(e, 85, FOREARM)
        elif arms == "crossed":
            e = at(s, lean + 160, UPPER_ARM * 0.8)
            w = at(e, lean + 20, FOREARM * 0.8)
        else:  # down, slightly forward
            e = at(s, 175, UPPER_ARM)
            w = at(e, 170, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return sh


def squat(u: float, near: bool) -> Pose:
    """Mini-squat: knees bend ``u`` degrees, the trunk stays parallel to the shins."""
    p: Pose = {}
    hip = _standing_legs(p, 0.0, u, 0.5, "l")
    _standing_legs(p, -0.012, u, 0.5, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    _upper_body(p, hip, u * 0.5, "forward")
    return p


def sit_to_stand(u: float, near: bool) -> Pose:
    """Sit to stand: knees bend ``u`` degrees (85 seated, 10 standing); the trunk leans forward
    most in the middle of the rise."""
    p: Pose = {}
    hip = _standing_legs(p, 0.0, u, 0.1, "l")
    _standing_legs(p, -0.012, u, 0.1, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    lean = 6.0 + 30.0 * math.sin(math.pi * clamp01((u - 5.0) / 85.0))
    _upper_body(p, hip, lean, "crossed")
    return p


STEP_H = 0.10


def step_up(u: float, near: bool) -> Pose:
    """Step-up: the near foot on a step, its knee bent ``u`` degrees; the back foot follows."""
    p: Pose = {}
    lead = (0.10, STEP_H + ANKLE_H)
    knee = at(lead, u * 0.5, SHANK)
    hip = at(knee, -u * 0.5, THIGH)
    set_limb(p, "l", ankle=lead, knee=knee, hip=hip)
    p["l_heel"] = (lead[0] - 0.025, STEP_H + 0.01)
    p["l_toe"] = (lead[0] + FOOT, STEP_H + 0.01)
    # the back foot is up on the step when standing tall, on the floor behind when stepping down
    down = clamp01((u - 10.0) / 25.0)
    back = lerp_pt((lead[0] - 0.05, STEP_H + ANKLE_H), (hip[0] - 0.14, ANKLE_H), down)
    rk = ik((hip[0] - 0.012, hip[1]), back, THIGH, SHANK, -1)
    ra = at(rk, compass(rk, back), SHANK)
    set_limb(p, "r", hip=(hip[0] - 0.012, hip[1]), knee=rk, ankle=ra)
    foot_along(p, "r", rk, ra)
    _upper_body(p, hip, 4.0 + u * 0.3, "down")
    return p


def march(u: float, near: bool) -> Pose:
    """Marching: one thigh lifts ``u`` degrees from vertical, the shin hangs, the other arm swings."""
    p: Pose = {}
    hip = (0.0, ANKLE_H + SHANK + THIGH)
    up, down = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.012}
    k = at((hip[0] + dx[up], hip[1]), 180 - u, THIGH)
    a = at(k, 180 - u * 0.15, SHANK)
    set_limb(p, up, hip=(hip[0] + dx[up], hip[1]), knee=k, ankle=a)
    foot_along(p, up, k, a, 80.0)
    _standing_legs(p, dx[down], 0.0, 0.5, down)
    sh = at(hip, 0.0, TRUNK)
    place_head(p, sh, 0.0, 90.0)
    swing = u * 0.5
    for side in SIDES:
        s = (sh[0] + dx[side], sh[1])
        a_deg = 180 - swing if side == down else 180 + swing * 0.6
        e = at(s, a_deg, UPPER_ARM)
        w = at(e, a_deg - 40, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def hinge(u: float, near: bool) -> Pose:
    """Hip hinge: the hips move back and the trunk tilts; ``u`` is the hip bend in degrees."""
    p: Pose = {}
    knee_flex = 8.0 + 0.3 * u
    hip = _standing_legs(p, 0.0, knee_flex, 0.5, "l")
    _standing_legs(p, -0.012, knee_flex, 0.5, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    thigh_back = knee_flex * 0.5
    lean = u - thigh_back
    sh = at(hip, lean, TRUNK)
    place_head(p, sh, lean * 0.75, 90 + lean * 0.5)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = at(s, 180, UPPER_ARM)
        w = at(e, 180, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def back_bend(u: float, near: bool) -> Pose:
    """Standing back bend: the trunk leans ``u`` degrees (negative = backward), hands on the low back."""
    p: Pose = {}
    # the straight legs tip a little forward (hips ease forward) as the trunk goes back
    legs = max(0.0, -u) * 0.2
    for side, dx in (("l", 0.0), ("r", -0.012)):
        ankle = (dx, ANKLE_H)
        knee = at(ankle, legs, SHANK)
        set_limb(p, side, ankle=ankle, knee=knee, hip=at(knee, legs, THIGH))
        foot_flat(p, side, ankle)
    hip = p["l_hip"]
    sh = at(hip, u, TRUNK)
    place_head(p, sh, u * 1.2, 90 + u)
    low_back = at(at(hip, u, 0.07), u - 90, 0.06)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        w = (low_back[0] + dx, low_back[1])
        e = ik(s, w, UPPER_ARM, FOREARM, -1)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def side_bend(u: float, near: bool) -> Pose:
    """Front view, standing: the trunk bends ``u`` degrees toward image-right (+) or left (-)."""
    p: Pose = {}
    u = u if near else -u
    hip_y = ANKLE_H + SHANK + THIGH
    hip_mid = (0.0, hip_y)
    # The person faces the camera: their left is image-right.
    for side, sx in (("l", 1.0), ("r", -1.0)):
        h = (0.085 * sx, hip_y)
        k = (0.088 * sx, ANKLE_H + SHANK)
        a = (0.09 * sx, ANKLE_H)
        set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_heel"] = (a[0], 0.012)
        p[f"{side}_toe"] = (a[0] + 0.03 * sx, 0.005)
    sh_mid = at(hip_mid, u, TRUNK)
    place_head(p, sh_mid, u * 1.1, u * 1.1 + 180, HEAD)
    p["nose"] = at(p["head"], u * 1.1 + 180, 0.012)
    for side, sx in (("l", 1.0), ("r", -1.0)):
        s = at(sh_mid, u + 90 * sx, 0.11)
        # the hand slides down the outside of the thigh
        e = at(s, 180 + u * 0.35 + 8 * sx, UPPER_ARM)
        w = at(e, 180 + u * 0.2 + 4 * sx, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p
