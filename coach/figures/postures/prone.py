"""Postures lying on the front or the side (side view): superman, the forearm plank (on the
knees or the toes) and the side bridge.

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
    THIGH,
    TRUNK,
    UPPER_ARM,
    Pose,
    at,
    compass,
    foot_along,
    lerp_pt,
    set_limb,
)

# Lying on the front, head toward +x.


def superman(u: float, near: bool) -> Pose:
    """Lying face down, arms forward: the chest and legs lift ``u`` degrees off the floor."""
    p: Pose = {}
    hip = (0.0, LIE)
    sh = at(hip, 90 - u, TRUNK)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = at(s, 90 - u * 0.8, UPPER_ARM)
        w = at(e, 90 - u * 0.8, FOREARM)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        h = (hip[0] + dx, hip[1])
        k = at(h, -90 + u * 0.9, THIGH)
        a = at(k, -90 + u * 0.9, SHANK)
        set_limb(p, side, hip=h, knee=k, ankle=a)
        foot_along(p, side, k, a, 180.0 - 10.0)
    p["head"] = at(sh, 90 - u * 1.2, HEAD)
    p["nose"] = at(p["head"], 160, 0.05)
    return p


def plank(u: float, near: bool, knees: bool) -> Pose:
    """Forearm plank: ``u`` is how far (degrees) the hips sag below the straight line; 0 = straight."""
    p: Pose = {}
    elbow = (0.0, 0.03)
    sh = (0.0, 0.03 + UPPER_ARM)
    leg = THIGH if knees else THIGH + SHANK
    floor = 0.05
    # compass of shoulder -> hip along the straight body: backward and a little down
    line = -90 - math.degrees(math.asin((sh[1] - floor) / (TRUNK + leg)))
    hip = at(sh, line - u, TRUNK)
    hip = (hip[0], max(hip[1], LIE + 0.005))
    dy = hip[1] - floor
    end = (hip[0] - math.sqrt(max(0.0, leg**2 - dy**2)), floor)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = (elbow[0] + dx, elbow[1])
        w = (e[0] + FOREARM, 0.025)
        set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        h = (hip[0] + dx, hip[1])
        if knees:
            k = (end[0] + dx, end[1])
            a = at(k, -40, SHANK)
            set_limb(p, side, hip=h, knee=k, ankle=a)
            foot_along(p, side, k, a, -90.0)
        else:
            a = (end[0] + dx, end[1])
            k = ((h[0] + a[0]) / 2, (h[1] + a[1]) / 2)
            set_limb(p, side, hip=h, knee=k, ankle=a)
            p[f"{side}_toe"] = (a[0] + 0.03, 0.0)
            p[f"{side}_heel"] = (a[0] - 0.02, a[1] + 0.03)
    p["head"] = at(sh, compass(hip, sh) - 5, HEAD)
    p["nose"] = at(p["head"], 150, 0.05)
    return p


def side_bridge(u: float, near: bool) -> Pose:
    """Side bridge on the forearm, knees bent: the hips sag ``u`` degrees below the line (0 = up)."""
    p: Pose = {}
    elbow = (0.0, 0.03)
    sh = (0.0, 0.03 + UPPER_ARM)
    floor = 0.05
    leg = THIGH
    line = -90 - math.degrees(math.asin((sh[1] - floor) / (TRUNK + leg)))
    hip = at(sh, line - u, TRUNK)
    hip = (hip[0], max(hip[1], LIE + 0.005))
    dy = hip[1] - floor
    knee = (hip[0] - math.sqrt(max(0.0, leg**2 - dy**2)), floor)
    # Seen from the front of the body: the bent shins point away from the camera (short).
    for side, dy_ in (("l", 0.0), ("r", 0.012)):
        h = (hip[0], hip[1] + dy_)
        k = (knee[0], knee[1] + dy_)
        a = (k[0] - 0.05, ANKLE_H + dy_)
        set_limb(p, side, hip=h, knee=k, ankle=a)
        foot_along(p, side, k, a, -90.0)
    set_limb(p, "l", shoulder=sh, elbow=elbow, wrist=(0.06, 0.025))
    top = (sh[0] - 0.004, sh[1] + 0.012)
    # the top arm rests along the side, hand toward the hip
    reach = min(UPPER_ARM + FOREARM, math.dist(top, hip)) * 0.9
    rw = at(top, compass(top, hip), reach)
    set_limb(p, "r", shoulder=top, elbow=lerp_pt(top, rw, 0.5), wrist=rw)
    p["head"] = at(sh, compass(hip, sh), HEAD)
    p["nose"] = at(p["head"], compass(hip, sh) + 90, 0.04)
    return p
