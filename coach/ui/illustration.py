"""An animated stick figure drawn from the exercise definition itself.

No video, no image files: the figure is built from the exercise's data. A base posture family
(standing, seated, lying on the back, on all fours, lying on the front, lying on the side) comes
from the first instruction and the tags; the movement comes from the primary signal (``metric``,
``rest``, ``work``) or, for holds, from the ``in_position`` checks. The figure moves one body
part through a simple parameter (a knee bend, a hip lift, an arm reach...), and that parameter is
solved so that the exercise's *own* metric — computed by :mod:`coach.core.metrics` on the figure's
landmarks — reads ``rest`` at phase 0 and ``work`` at phase 1. So the drawing and the counting
can never disagree about what a repetition is.

:func:`pose_for` and :func:`figure_for` are Qt-free (pure Python) and unit-tested;
:class:`SkeletonAnimation` is the widget that draws them.

Coordinates: a unit box, x to the right, **y downward** (like an image); the person faces
image-right in side views. Joint names: ``head``, ``nose``, and ``l_``/``r_`` + ``shoulder``,
``elbow``, ``wrist``, ``hip``, ``knee``, ``ankle``, ``heel``, ``toe`` (the person's left and
right). In side views the left side is the near side. ``spine`` (a mid-back point) is present
when the back curves (cat-cow). The breathing figure is ``{"centre": (x, y), "radius": (r, r)}``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.metrics import FrameView, compile_metric, parse_metric
from coach.ui.theme import palette

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
_SIDES = ("l", "r")


# ---------------------------------------------------------------------------------------------
# Small 2-D helpers. World coordinates: metres-like units, y UP, the person faces +x.


def _dir(deg: float) -> Point:
    """Unit vector for a compass angle: 0 = up, 90 = forward (+x), 180 = down, -90 = backward."""
    r = math.radians(deg)
    return math.sin(r), math.cos(r)


def _at(p: Point, deg: float, length: float) -> Point:
    d = _dir(deg)
    return p[0] + d[0] * length, p[1] + d[1] * length


def _add(p: Point, dx: float, dy: float) -> Point:
    return p[0] + dx, p[1] + dy


def _compass(a: Point, b: Point) -> float:
    """Compass angle of a -> b."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1]))


def _ik(a: Point, c: Point, l1: float, l2: float, bend: float) -> Point:
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


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def _lerp_pt(a: Point, b: Point, t: float) -> Point:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def _clamp01(t: float) -> float:
    return max(0.0, min(1.0, t))


def _set_limb(p: Pose, side: str, **pts: Point) -> None:
    for k, v in pts.items():
        p[f"{side}_{k}"] = v


def _foot_flat(p: Pose, side: str, ankle: Point, forward: float = 1.0) -> None:
    """Heel and toe for a foot standing flat on the floor."""
    p[f"{side}_heel"] = (ankle[0] - 0.025 * forward, ankle[1] - ANKLE_H + 0.01)
    p[f"{side}_toe"] = (ankle[0] + FOOT * forward, ankle[1] - ANKLE_H + 0.01)


def _foot_along(p: Pose, side: str, knee: Point, ankle: Point, toe_turn: float = 90.0) -> None:
    """Heel and toe for a free foot: the foot points ``toe_turn`` degrees from the shank."""
    shank = _compass(knee, ankle)
    toe = _at(ankle, shank - toe_turn, FOOT)
    heel = _at(ankle, shank + 180 - toe_turn, 0.025)
    p[f"{side}_toe"], p[f"{side}_heel"] = toe, heel


def _head(p: Pose, shoulder: Point, deg: float, nose_deg: float, dist: float = HEAD) -> None:
    head = _at(shoulder, deg, dist)
    p["head"] = head
    p["nose"] = _at(head, nose_deg, 0.05)


# ---------------------------------------------------------------------------------------------
# Posture families. Each builder takes the movement parameter ``u`` (its meaning is the
# builder's; usually an angle in degrees) and which limb moves (``near``: the left, camera side).


Builder = Callable[[float, bool], Pose]


def _standing_legs(p: Pose, hip_x: float, knee_flex: float, shank_share: float, side: str) -> Point:
    """A flat-footed leg bent ``knee_flex`` degrees; returns the hip it reaches (ankle at hip_x)."""
    s = knee_flex * shank_share
    t = knee_flex - s
    ankle = (hip_x, ANKLE_H)
    knee = _at(ankle, s, SHANK)
    hip = _at(knee, -t, THIGH)
    _set_limb(p, side, ankle=ankle, knee=knee, hip=hip)
    _foot_flat(p, side, ankle)
    return hip


def _upper_body(p: Pose, hip: Point, lean: float, arms: str, neck: float = 0.0) -> Point:
    """Trunk leaning ``lean`` degrees forward from the hip; arms 'forward', 'down', 'crossed'."""
    sh = _at(hip, lean, TRUNK)
    _head(p, sh, lean + neck, 90.0 + (lean + neck) * 0.6)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        if arms == "forward":
            e = _at(s, 85, UPPER_ARM)
            w = _at(e, 85, FOREARM)
        elif arms == "crossed":
            e = _at(s, lean + 160, UPPER_ARM * 0.8)
            w = _at(e, lean + 20, FOREARM * 0.8)
        else:  # down, slightly forward
            e = _at(s, 175, UPPER_ARM)
            w = _at(e, 170, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return sh


def _squat(u: float, near: bool) -> Pose:
    """Mini-squat: knees bend ``u`` degrees, the trunk stays parallel to the shins."""
    p: Pose = {}
    hip = _standing_legs(p, 0.0, u, 0.5, "l")
    _standing_legs(p, -0.012, u, 0.5, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    _upper_body(p, hip, u * 0.5, "forward")
    return p


def _sit_to_stand(u: float, near: bool) -> Pose:
    """Sit to stand: knees bend ``u`` degrees (85 seated, 10 standing); the trunk leans forward
    most in the middle of the rise."""
    p: Pose = {}
    hip = _standing_legs(p, 0.0, u, 0.1, "l")
    _standing_legs(p, -0.012, u, 0.1, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    lean = 6.0 + 30.0 * math.sin(math.pi * _clamp01((u - 5.0) / 85.0))
    _upper_body(p, hip, lean, "crossed")
    return p


STEP_H = 0.10


def _step_up(u: float, near: bool) -> Pose:
    """Step-up: the near foot on a step, its knee bent ``u`` degrees; the back foot follows."""
    p: Pose = {}
    lead = (0.10, STEP_H + ANKLE_H)
    knee = _at(lead, u * 0.5, SHANK)
    hip = _at(knee, -u * 0.5, THIGH)
    _set_limb(p, "l", ankle=lead, knee=knee, hip=hip)
    p["l_heel"] = (lead[0] - 0.025, STEP_H + 0.01)
    p["l_toe"] = (lead[0] + FOOT, STEP_H + 0.01)
    # the back foot is up on the step when standing tall, on the floor behind when stepping down
    down = _clamp01((u - 10.0) / 25.0)
    back = _lerp_pt((lead[0] - 0.05, STEP_H + ANKLE_H), (hip[0] - 0.14, ANKLE_H), down)
    rk = _ik((hip[0] - 0.012, hip[1]), back, THIGH, SHANK, -1)
    ra = _at(rk, _compass(rk, back), SHANK)
    _set_limb(p, "r", hip=(hip[0] - 0.012, hip[1]), knee=rk, ankle=ra)
    _foot_along(p, "r", rk, ra)
    _upper_body(p, hip, 4.0 + u * 0.3, "down")
    return p


def _march(u: float, near: bool) -> Pose:
    """Marching: one thigh lifts ``u`` degrees from vertical, the shin hangs, the other arm swings."""
    p: Pose = {}
    hip = (0.0, ANKLE_H + SHANK + THIGH)
    up, down = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.012}
    k = _at((hip[0] + dx[up], hip[1]), 180 - u, THIGH)
    a = _at(k, 180 - u * 0.15, SHANK)
    _set_limb(p, up, hip=(hip[0] + dx[up], hip[1]), knee=k, ankle=a)
    _foot_along(p, up, k, a, 80.0)
    _standing_legs(p, dx[down], 0.0, 0.5, down)
    sh = _at(hip, 0.0, TRUNK)
    _head(p, sh, 0.0, 90.0)
    swing = u * 0.5
    for side in _SIDES:
        s = (sh[0] + dx[side], sh[1])
        a_deg = 180 - swing if side == down else 180 + swing * 0.6
        e = _at(s, a_deg, UPPER_ARM)
        w = _at(e, a_deg - 40, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _hinge(u: float, near: bool) -> Pose:
    """Hip hinge: the hips move back and the trunk tilts; ``u`` is the hip bend in degrees."""
    p: Pose = {}
    knee_flex = 8.0 + 0.3 * u
    hip = _standing_legs(p, 0.0, knee_flex, 0.5, "l")
    _standing_legs(p, -0.012, knee_flex, 0.5, "r")
    p["r_hip"] = (hip[0] - 0.012, hip[1])
    thigh_back = knee_flex * 0.5
    lean = u - thigh_back
    sh = _at(hip, lean, TRUNK)
    _head(p, sh, lean * 0.75, 90 + lean * 0.5)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = _at(s, 180, UPPER_ARM)
        w = _at(e, 180, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _back_bend(u: float, near: bool) -> Pose:
    """Standing back bend: the trunk leans ``u`` degrees (negative = backward), hands on the low back."""
    p: Pose = {}
    # the straight legs tip a little forward (hips ease forward) as the trunk goes back
    legs = max(0.0, -u) * 0.2
    for side, dx in (("l", 0.0), ("r", -0.012)):
        ankle = (dx, ANKLE_H)
        knee = _at(ankle, legs, SHANK)
        _set_limb(p, side, ankle=ankle, knee=knee, hip=_at(knee, legs, THIGH))
        _foot_flat(p, side, ankle)
    hip = p["l_hip"]
    sh = _at(hip, u, TRUNK)
    _head(p, sh, u * 1.2, 90 + u)
    low_back = _at(_at(hip, u, 0.07), u - 90, 0.06)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        w = (low_back[0] + dx, low_back[1])
        e = _ik(s, w, UPPER_ARM, FOREARM, -1)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _side_bend(u: float, near: bool) -> Pose:
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
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_heel"] = (a[0], 0.012)
        p[f"{side}_toe"] = (a[0] + 0.03 * sx, 0.005)
    sh_mid = _at(hip_mid, u, TRUNK)
    _head(p, sh_mid, u * 1.1, u * 1.1 + 180, HEAD)
    p["nose"] = _at(p["head"], u * 1.1 + 180, 0.012)
    for side, sx in (("l", 1.0), ("r", -1.0)):
        s = _at(sh_mid, u + 90 * sx, 0.11)
        # the hand slides down the outside of the thigh
        e = _at(s, 180 + u * 0.35 + 8 * sx, UPPER_ARM)
        w = _at(e, 180 + u * 0.2 + 4 * sx, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


SEAT_Y = 0.28


def _seated_base(p: Pose, lean: float, neck: float, head_fwd: float = 0.0) -> Point:
    hip = (0.0, SEAT_Y + 0.02)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        h = (hip[0] + dx, hip[1])
        k = (h[0] + THIGH, h[1])
        a = (k[0] + 0.02, ANKLE_H)  # shins nearly vertical, feet flat
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        _foot_flat(p, side, a)
    sh = _at(hip, lean, TRUNK)
    _head(p, sh, lean + neck, 90.0)
    if head_fwd:
        p["head"] = _add(p["head"], head_fwd, 0.0)
        p["nose"] = _add(p["nose"], head_fwd, 0.0)
    return sh


def _seated_arms(p: Pose, sh: Point, back: float = 0.0) -> None:
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx - back * 0.02, sh[1])
        e = _at(s, 180 + back, UPPER_ARM)
        w = _at(e, 105 + back * 0.3, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)


def _sit_tall(u: float, near: bool) -> Pose:
    """Seated: the trunk leans ``u`` degrees forward (a slump) and the head pokes forward with it."""
    p: Pose = {}
    sh = _seated_base(p, u, u * 0.8)
    _seated_arms(p, sh)
    return p


def _chin_tuck(u: float, near: bool) -> Pose:
    """Seated tall: the head glides forward (``u`` > 0) or back (``u`` < 0), chin level."""
    p: Pose = {}
    sh = _seated_base(p, 2.0, 0.0, head_fwd=u / 100.0)
    _seated_arms(p, sh)
    return p


def _shoulder_squeeze(u: float, near: bool) -> Pose:
    """Seated: the elbows draw back ``u`` degrees as the shoulder blades squeeze together."""
    p: Pose = {}
    sh = _seated_base(p, 2.0, 0.0)
    _seated_arms(p, sh, back=u)
    return p


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
    p["nose"] = _add(p["head"], 0.012, 0.05)


def _hook_leg(p: Pose, side: str, hip: Point, ankle: Point = _HOOK_ANKLE) -> None:
    k = _ik(hip, ankle, THIGH, SHANK, 1)
    _set_limb(p, side, hip=hip, knee=k, ankle=ankle)
    _foot_flat(p, side, ankle)


def _arms_on_floor(p: Pose, sh: Point) -> None:
    for side, dx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + dx, sh[1])
        e = (s[0] + UPPER_ARM * 0.97, 0.035)
        w = (e[0] + FOREARM * 0.98, 0.03)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)


def _brace(u: float, near: bool) -> Pose:
    """Hook-lying, still: nothing visible moves (the widget pulses a ring at the tummy)."""
    p: Pose = {}
    _supine_head(p, _SUP_SH)
    _arms_on_floor(p, _SUP_SH)
    for side, dx in (("l", 0.0), ("r", -0.01)):
        _hook_leg(p, side, (_SUP_HIP[0] + dx, _SUP_HIP[1]), (_HOOK_ANKLE[0] + dx, ANKLE_H))
    return p


def _pelvic_tilt(u: float, near: bool) -> Pose:
    """Hook-lying: the pelvis rocks (``u`` 0..1). At rest the low back arches off the floor (a
    visible gap under the spine); tilted, the back lies flat and the hips roll a little."""
    p: Pose = {}
    hip = (_SUP_HIP[0] - 0.012 * u, _SUP_HIP[1] + 0.01 * u)
    _supine_head(p, _SUP_SH)
    _arms_on_floor(p, _SUP_SH)
    for side, dx in (("l", 0.0), ("r", -0.01)):
        _hook_leg(p, side, (hip[0] + dx, hip[1]), (_HOOK_ANKLE[0] + dx, ANKLE_H))
    mid = _mid(hip, _SUP_SH)
    p["spine"] = (mid[0], mid[1] + 0.022 * (1.0 - u))  # the arch of the low back, gone when tilted
    return p


def _bridge(u: float, near: bool) -> Pose:
    """Glute bridge: the shoulders stay down and the hips lift; ``u`` is the trunk's rise in degrees."""
    p: Pose = {}
    sh = _SUP_SH
    hip = _at(sh, 90 - u, TRUNK)
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
    knee = _ik(hip, ankle, THIGH, SHANK, 1)
    _set_limb(p, side, hip=hip, knee=knee, ankle=ankle)
    _foot_along(p, side, knee, ankle, 90.0)


def _heel_slide(u: float, near: bool) -> Pose:
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


def _knee_to_chest(u: float, near: bool) -> Pose:
    """One thigh comes up ``u`` degrees from the floor line (past 90 = toward the chest), hands on the shin."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    _hook_leg(p, still, (_SUP_HIP[0] + dx[still], LIE), (_HOOK_ANKLE[0] + dx[still], ANKLE_H))
    hip = (_SUP_HIP[0] + dx[mover], LIE)
    knee = _at(hip, 90 - u, THIGH)
    flex = _lerp(_HOOK_KNEE_FLEX, 120.0, _clamp01((u - 40.0) / 70.0))
    ankle = _at(knee, _compass(hip, knee) + flex, SHANK)
    _set_limb(p, mover, hip=hip, knee=knee, ankle=ankle)
    _foot_along(p, mover, knee, ankle, 80.0)
    grip = _at(knee, _compass(knee, ankle), 0.05)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        w = (grip[0] + ddx, grip[1])
        e = _ik(s, w, UPPER_ARM, FOREARM, -1)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _figure_four(u: float, near: bool) -> Pose:
    """Figure-4: one ankle rests on the other knee; that supporting thigh is drawn ``u`` degrees
    up toward the chest."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    support, cross = "l", "r"
    hip = _SUP_HIP
    knee = _at(hip, 90 - u, THIGH)
    flex = _lerp(_HOOK_KNEE_FLEX, 95.0, _clamp01((u - 40.0) / 50.0))
    ankle = _at(knee, _compass(hip, knee) + flex, SHANK)
    _set_limb(p, support, hip=hip, knee=knee, ankle=ankle)
    _foot_along(p, support, knee, ankle, 80.0)
    chip = (hip[0] - 0.01, hip[1])
    # The crossed ankle rests just below the supporting knee; that leg's knee points out toward
    # the camera, so it is drawn foreshortened, between the hip and the ankle.
    c_ankle = _at(knee, _compass(knee, hip) + 10, 0.05)
    c_knee = _at(_lerp_pt(chip, c_ankle, 0.5), _compass(chip, c_ankle) + 90, 0.04)
    _set_limb(p, cross, hip=chip, knee=c_knee, ankle=c_ankle)
    _foot_along(p, cross, c_knee, c_ankle, 90.0)
    grip = _at(hip, _compass(hip, knee), THIGH * 0.75)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        w = (grip[0] + ddx, grip[1] + 0.01)
        e = _ik(s, w, UPPER_ARM, FOREARM, -1)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _dead_bug(u: float, near: bool) -> Pose:
    """Dead bug: hips and knees at 90/90, arms up; one leg lowers and straightens (its hip bend
    ``u`` degrees) while the opposite arm reaches overhead."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    frac = _clamp01((90.0 - u) / 70.0)
    for side in _SIDES:
        hip = (_SUP_HIP[0] + dx[side], LIE)
        hf = u if side == mover else 90.0
        kf = _lerp(90.0, 8.0, frac) if side == mover else 90.0
        knee = _at(hip, 90 - hf, THIGH)
        ankle = _at(knee, _compass(hip, knee) + kf, SHANK)
        _set_limb(p, side, hip=hip, knee=knee, ankle=ankle)
        _foot_along(p, side, knee, ankle, 90.0)
        s = (sh[0] + dx[side], sh[1])
        # the arm opposite the moving leg reaches back over the head
        arm = _lerp(5.0, -75.0, frac) if side == still else 5.0
        e = _at(s, arm, UPPER_ARM)
        w = _at(e, arm, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _leg_raise(u: float, near: bool) -> Pose:
    """Lying with legs long: one straight leg lifts ``u`` degrees, held by a strap from the hands."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    h = (_SUP_HIP[0] + dx[still], LIE)
    k = (h[0] + THIGH, 0.055)
    a = (k[0] + SHANK, ANKLE_H + 0.005)
    _set_limb(p, still, hip=h, knee=k, ankle=a)
    _foot_along(p, still, k, a, 90.0)
    hip = (_SUP_HIP[0] + dx[mover], LIE)
    knee = _at(hip, 90 - u, THIGH)
    ankle = _at(knee, 90 - u + 6, SHANK)
    _set_limb(p, mover, hip=hip, knee=knee, ankle=ankle)
    _foot_along(p, mover, knee, ankle, 90.0)
    for side, ddx in (("l", 0.0), ("r", -0.01)):
        s = (sh[0] + ddx, sh[1])
        # hands above the chest, elbows resting toward the floor, holding the strap
        w = _add(_at(s, 55 - u * 0.25, 0.24), ddx, 0.0)
        e = _ik(s, w, UPPER_ARM, FOREARM, -1)
        e = (e[0], max(e[1], 0.035))
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
    return p


def _knee_rolls(u: float, near: bool) -> Pose:
    """Seen from the feet end, looking up the body: the knees (nearest) roll ``u`` degrees to one
    side; the shoulders and head (furthest) stay still on the floor."""
    p: Pose = {}
    u = u if near else -u
    hip_mid = (0.0, 0.06)
    # Their left is image-right (the camera looks from the feet toward the head).
    for side, sx in (("l", 1.0), ("r", -1.0)):
        s = (0.11 * sx, 0.32)
        _set_limb(p, side, shoulder=s, elbow=(0.19 * sx, 0.27), wrist=(0.26 * sx, 0.23))
        h = (0.08 * sx, hip_mid[1])
        # the knees stay together: each sits a little to its side of the rolled centre line
        centre = _at(hip_mid, u, 0.22)
        k = _at(centre, u + 90 * sx, 0.03)
        a = (0.05 * sx + 0.04 * math.sin(math.radians(u)), 0.025)
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_heel"] = (a[0], 0.005)
        p[f"{side}_toe"] = (a[0] + 0.01 * sx, -0.01)
    p["head"] = (0.0, 0.43)
    p["nose"] = (0.0, 0.42)
    return p


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
            _set_limb(p, side, shoulder=s, elbow=_at(s, 180, UPPER_ARM), wrist=w)
        if f"{side}_leg" not in skip:
            h = (hip[0] + dx, hip[1])
            k = (h[0], _Q_KNEE[1])
            a = (k[0] - SHANK, ANKLE_H)
            _set_limb(p, side, hip=h, knee=k, ankle=a)
            p[f"{side}_toe"] = (a[0] - FOOT * 0.9, 0.02)
            p[f"{side}_heel"] = (a[0] - 0.01, ANKLE_H + 0.02)


def _quad_head(p: Pose, hip: Point, sh: Point, nod: float = 0.0) -> None:
    line = _compass(hip, sh)
    p["head"] = _at(sh, line + nod, HEAD)
    p["nose"] = _at(p["head"], line + nod + 60, 0.05)


def _bird_dog(u: float, near: bool) -> Pose:
    """Bird-dog: one arm swings forward ``u`` degrees from hanging down; the opposite leg reaches back."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    arm_side, leg_side = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.012}
    _quad_base(p, hip, sh, skip=(f"{arm_side}_arm", f"{leg_side}_leg"))
    _quad_head(p, hip, sh)
    frac = _clamp01(u / 85.0)
    s = (sh[0] + dx[arm_side], sh[1])
    e = _at(s, 180 - u, UPPER_ARM)
    w = _at(e, 180 - u, FOREARM)
    _set_limb(p, arm_side, shoulder=s, elbow=e, wrist=w)
    h = (hip[0] + dx[leg_side], hip[1])
    thigh = _lerp(180.0, 268.0, frac)
    k = _at(h, thigh, THIGH)
    a = _at(k, thigh + _lerp(90.0, 4.0, frac), SHANK)
    _set_limb(p, leg_side, hip=h, knee=k, ankle=a)
    _foot_along(p, leg_side, k, a, -80.0)
    return p


def _donkey_kick(u: float, near: bool) -> Pose:
    """Donkey kick: one bent leg lifts back and up; the thigh moves ``u`` degrees from vertical."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    side = "l" if near else "r"
    dx = 0.0 if near else -0.012
    _quad_base(p, hip, sh, skip=(f"{side}_leg",))
    _quad_head(p, hip, sh)
    h = (hip[0] + dx, hip[1])
    k = _at(h, 180 + u, THIGH)
    a = _at(k, 270 + u, SHANK)
    _set_limb(p, side, hip=h, knee=k, ankle=a)
    _foot_along(p, side, k, a, -85.0)
    return p


def _cat_cow(u: float, near: bool) -> Pose:
    """Cat-cow: the head tips ``u`` degrees down (+, cat: the back rounds up) or up (-, cow)."""
    p: Pose = {}
    hip = _Q_HIP
    sh = _quad_shoulder(hip)
    _quad_base(p, hip, sh)
    _quad_head(p, hip, sh, nod=u * 1.0)
    mid = ((hip[0] + sh[0]) / 2, (hip[1] + sh[1]) / 2)
    p["spine"] = (mid[0], mid[1] + u * 0.0035)
    return p


def _bottom_to_heels(u: float, near: bool) -> Pose:
    """From all fours the hips sit back toward the heels; ``u`` is how far the thigh tips back."""
    p: Pose = {}
    hip = _at(_Q_KNEE, -u, THIGH)
    wrist_x = _quad_shoulder(_Q_HIP)[0]
    for side, dx in (("l", 0.0), ("r", -0.012)):
        w = (wrist_x + 0.02 + dx, _Q_WRIST_Y)
        h = (hip[0] + dx, hip[1])
        s = _ik(h, w, TRUNK, UPPER_ARM + FOREARM, 1)
        e = _at(s, _compass(s, w), UPPER_ARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        k = (_Q_KNEE[0] + dx, _Q_KNEE[1])
        a = (k[0] - SHANK, ANKLE_H)
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        p[f"{side}_toe"] = (a[0] - FOOT * 0.9, 0.015)
        p[f"{side}_heel"] = (a[0] - 0.01, ANKLE_H + 0.025)
    sh = p["l_shoulder"]
    _quad_head(p, p["l_hip"], sh, nod=20.0)
    return p


# Lying on the front, head toward +x.


def _superman(u: float, near: bool) -> Pose:
    """Lying face down, arms forward: the chest and legs lift ``u`` degrees off the floor."""
    p: Pose = {}
    hip = (0.0, LIE)
    sh = _at(hip, 90 - u, TRUNK)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = _at(s, 90 - u * 0.8, UPPER_ARM)
        w = _at(e, 90 - u * 0.8, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        h = (hip[0] + dx, hip[1])
        k = _at(h, -90 + u * 0.9, THIGH)
        a = _at(k, -90 + u * 0.9, SHANK)
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        _foot_along(p, side, k, a, 180.0 - 10.0)
    p["head"] = _at(sh, 90 - u * 1.2, HEAD)
    p["nose"] = _at(p["head"], 160, 0.05)
    return p


def _plank(u: float, near: bool, knees: bool) -> Pose:
    """Forearm plank: ``u`` is how far (degrees) the hips sag below the straight line; 0 = straight."""
    p: Pose = {}
    elbow = (0.0, 0.03)
    sh = (0.0, 0.03 + UPPER_ARM)
    leg = THIGH if knees else THIGH + SHANK
    floor = 0.05
    # compass of shoulder -> hip along the straight body: backward and a little down
    line = -90 - math.degrees(math.asin((sh[1] - floor) / (TRUNK + leg)))
    hip = _at(sh, line - u, TRUNK)
    hip = (hip[0], max(hip[1], LIE + 0.005))
    dy = hip[1] - floor
    end = (hip[0] - math.sqrt(max(0.0, leg**2 - dy**2)), floor)
    for side, dx in (("l", 0.0), ("r", -0.012)):
        s = (sh[0] + dx, sh[1])
        e = (elbow[0] + dx, elbow[1])
        w = (e[0] + FOREARM, 0.025)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
        h = (hip[0] + dx, hip[1])
        if knees:
            k = (end[0] + dx, end[1])
            a = _at(k, -40, SHANK)
            _set_limb(p, side, hip=h, knee=k, ankle=a)
            _foot_along(p, side, k, a, -90.0)
        else:
            a = (end[0] + dx, end[1])
            k = ((h[0] + a[0]) / 2, (h[1] + a[1]) / 2)
            _set_limb(p, side, hip=h, knee=k, ankle=a)
            p[f"{side}_toe"] = (a[0] + 0.03, 0.0)
            p[f"{side}_heel"] = (a[0] - 0.02, a[1] + 0.03)
    p["head"] = _at(sh, _compass(hip, sh) - 5, HEAD)
    p["nose"] = _at(p["head"], 150, 0.05)
    return p


def _side_bridge(u: float, near: bool) -> Pose:
    """Side bridge on the forearm, knees bent: the hips sag ``u`` degrees below the line (0 = up)."""
    p: Pose = {}
    elbow = (0.0, 0.03)
    sh = (0.0, 0.03 + UPPER_ARM)
    floor = 0.05
    leg = THIGH
    line = -90 - math.degrees(math.asin((sh[1] - floor) / (TRUNK + leg)))
    hip = _at(sh, line - u, TRUNK)
    hip = (hip[0], max(hip[1], LIE + 0.005))
    dy = hip[1] - floor
    knee = (hip[0] - math.sqrt(max(0.0, leg**2 - dy**2)), floor)
    # Seen from the front of the body: the bent shins point away from the camera (short).
    for side, dy_ in (("l", 0.0), ("r", 0.012)):
        h = (hip[0], hip[1] + dy_)
        k = (knee[0], knee[1] + dy_)
        a = (k[0] - 0.05, ANKLE_H + dy_)
        _set_limb(p, side, hip=h, knee=k, ankle=a)
        _foot_along(p, side, k, a, -90.0)
    _set_limb(p, "l", shoulder=sh, elbow=elbow, wrist=(0.06, 0.025))
    top = (sh[0] - 0.004, sh[1] + 0.012)
    # the top arm rests along the side, hand toward the hip
    reach = min(UPPER_ARM + FOREARM, math.dist(top, hip)) * 0.9
    rw = _at(top, _compass(top, hip), reach)
    _set_limb(p, "r", shoulder=top, elbow=_lerp_pt(top, rw, 0.5), wrist=rw)
    p["head"] = _at(sh, _compass(hip, sh), HEAD)
    p["nose"] = _at(p["head"], _compass(hip, sh) + 90, 0.04)
    return p


# ---------------------------------------------------------------------------------------------
# Choosing the figure for an exercise.


@dataclass(frozen=True, slots=True)
class Variant:
    """A way of drawing one movement: the family, the builder and its parameter range.

    ``metric`` is the metric the movement changes (for holds, the defaults ``rest``/``work`` in
    that metric's units are used); ``u_range`` bounds the builder parameter for the solve;
    ``focus`` names the joint the widget highlights (``"<side>_knee"`` means the moving side).
    """

    name: str
    family: str
    build: Builder
    metric: str
    rest: float
    work: float
    u_range: tuple[float, float]
    focus: str
    props: tuple[str, ...] = ()
    view: str = "side"


def _v(name: str, family: str, build: Builder, metric: str, rest: float, work: float,
       u_range: tuple[float, float], focus: str, props: tuple[str, ...] = ("floor",),
       view: str = "side") -> Variant:
    return Variant(name, family, build, metric, rest, work, u_range, focus, props, view)


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    _v("squat", "standing", _squat, "knee_flex", 15, 45, (0, 110), "*_knee", ("floor", "chair_behind")),
    _v("sit_to_stand", "standing", _sit_to_stand, "knee_flex", 85, 10, (0, 100), "*_knee", ("floor", "chair")),
    _v("step_up", "standing", _step_up, "knee_flex@near", 10, 35, (0, 100), "l_knee", ("floor", "step")),
    _v("march", "standing", _march, "thigh_from_vertical@max", 20, 45, (0, 100), "*_hip"),
    _v("hinge", "standing", _hinge, "hip_flex", 10, 60, (0, 110), "*_hip", ("floor", "box")),
    _v("back_bend", "standing", _back_bend, "trunk_incl", 0, -15, (-40, 15), "*_hip"),
    _v("side_bend", "standing", _side_bend, "trunk_lean", 0, 25, (-45, 45), "mid_hip", view="front"),
    _v("sit_tall", "seated", _sit_tall, "trunk_incl", 17, 3, (-10, 40), "*_hip", ("floor", "chair")),
    _v("chin_tuck", "seated", _chin_tuck, "neck_flex_proxy", 14, -4, (-6, 10), "head", ("floor", "chair")),
    _v("shoulder_squeeze", "seated", _shoulder_squeeze, "upper_arm_flex", 0, -22, (-40, 10),
       "*_shoulder", ("floor", "chair")),
    _v("brace", "supine", _brace, "", 0, 1, (0, 1), "tummy"),
    _v("pelvic_tilt", "supine", _pelvic_tilt, "", 0, 1, (0, 1), "*_hip"),
    _v("heel_slide", "supine", _heel_slide, "knee_flex@max", 15, 60, (0, 130), "*_knee"),
    _v("bridge", "supine", _bridge, "hip_flex", 35, 10, (-3, 60), "*_hip"),
    _v("knee_to_chest", "supine", _knee_to_chest, "hip_flex@max", 45, 105, (20, 140), "*_hip"),
    _v("figure_four", "supine", _figure_four, "hip_flex@left", 50, 85, (20, 130), "l_hip"),
    _v("dead_bug", "supine", _dead_bug, "hip_flex@min", 88, 30, (10, 100), "*_hip"),
    _v("leg_raise", "supine", _leg_raise, "leg_elev@max", 8, 55, (0, 95), "*_hip", ("floor", "strap")),
    _v("knee_rolls", "supine", _knee_rolls, "knee_roll", 0, 35, (-60, 60), "*_knee", ("floor",), "front"),
    _v("bird_dog", "quadruped", _bird_dog, "shoulder_angle@max", 95, 130, (-20, 100), "*_shoulder"),
    _v("donkey_kick", "quadruped", _donkey_kick, "thigh_from_vertical@max", 20, 70, (0, 110), "*_hip"),
    _v("cat_cow", "quadruped", _cat_cow, "neck_flex_proxy", -12, 12, (-40, 40), "spine"),
    _v("bottom_to_heels", "quadruped", _bottom_to_heels, "hip_flex", 90, 115, (0, 85), "*_hip"),
    _v("superman", "prone", _superman, "hip_line_dev", -5, -16, (0, 30), "*_hip"),
    _v("plank_knees", "prone", lambda u, n: _plank(u, n, True), "hip_line_dev", -28, 0, (0, 60), "*_hip"),
    _v("plank_toes", "prone", lambda u, n: _plank(u, n, False), "hip_line_dev", -28, 0, (0, 60), "*_hip"),
    _v("side_bridge", "side_lying", _side_bridge, "hip_line_dev", -28, 0, (0, 60), "*_hip"),
)}


@dataclass(frozen=True)
class FigureSpec:
    """How to draw one exercise.

    Attributes
    ----------
    variant : the :class:`Variant` name (``"breathing"`` for paced breathing).
    family : the base posture (standing, seated, supine, quadruped, prone, side_lying, breathing).
    metric, rest, work : the metric spec the movement drives and its values at phase 0 and 1.
    alternate : the moving side swaps every cycle.
    focus : joint key to highlight (``tummy`` and ``mid_hip`` are derived points).
    props : things drawn around the figure, in unit-box coordinates: ``(kind, x0, y0, x1, y1)``
        with kind ``line`` or ``rect`` (see :func:`props_for`).
    head_r : the head's radius in unit-box units.
    """

    variant: str
    family: str
    metric: str
    rest: float
    work: float
    alternate: bool
    focus: str
    view: str = "side"
    u_rest: float = 0.0
    u_work: float = 1.0
    scale: float = 1.0
    offset: Point = (0.0, 0.0)
    head_r: float = 0.05
    props: tuple[tuple[str, float, float, float, float], ...] = field(default_factory=tuple)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    """The area the whole movement (and its props) uses, in unit-box coordinates (x0, y0, x1, y1)."""


def _family(ex: Any) -> str:
    """The base posture, from the first instruction (where every exercise says how to start) and tags."""
    if ex.kind == "breathing":
        return "breathing"
    first = (ex.instructions[0] if ex.instructions else "").lower()
    tags = set(ex.tags)
    if "all fours" in first or "hands and knees" in first:
        return "quadruped"
    if "on your front" in first or "face down" in first:
        return "prone"
    if "on your side" in first:
        return "side_lying"
    if "on your back" in first:
        return "supine"
    if "standing" in tags:
        return "standing"
    if "seated" in tags or first.startswith("sit"):
        return "seated"
    if "floor" in tags:
        return "supine"
    return "standing"


def _driver(ex: Any, preferred: tuple[str, ...]) -> tuple[str, Any]:
    """(metric spec, condition or None): the signal, else the first preferred in-position check."""
    if ex.signal is not None:
        return ex.signal.metric, None
    conds = [c for c in ex.in_position if c.reference == "absolute"]
    for name in preferred:
        for c in conds:
            if parse_metric(c.metric)[0].name == name:
                return c.metric, c
    return (conds[0].metric, conds[0]) if conds else ("", None)


_PREFERRED = ("knee_roll", "trunk_lean", "leg_elev", "hip_line_dev", "hip_flex", "neck_flex_proxy",
              "trunk_incl", "knee_flex")


def _variant_name(ex: Any, family: str, metric: str, cond: Any) -> str:
    base, sel = parse_metric(metric) if metric else (None, "")
    name = base.name if base is not None else ""
    text = " ".join([ex.name, *ex.instructions]).lower()
    if family == "breathing":
        return "breathing"
    if family == "standing":
        if name == "knee_flex":
            if "seated" in ex.tags:
                return "sit_to_stand"
            return "step_up" if "step" in ex.name.lower() else "squat"
        return {"thigh_from_vertical": "march", "hip_flex": "hinge", "trunk_incl": "back_bend",
                "trunk_lean": "side_bend"}.get(name, "squat")
    if family == "seated":
        # holds often check the posture first (sit tall) and the movement second (a baseline change)
        named = {name} | {parse_metric(c.metric)[0].name for c in ex.in_position}
        if "neck_flex_proxy" in named or "cva_proxy" in named:
            return "chin_tuck"
        if named & {"shoulder_tilt", "ear_shoulder_dist", "upper_arm_flex"} or "shoulder blade" in text:
            return "shoulder_squeeze"
        return "sit_tall"
    if family == "supine":
        if name == "knee_roll":
            return "knee_rolls"
        if name in ("leg_elev",) or "strap" in text:
            return "leg_raise"
        if name == "hip_flex":
            if sel == "min":
                return "dead_bug"
            if sel == "max":
                return "figure_four" if "ankle" in text and "thigh" in text else "knee_to_chest"
            return "bridge"
        if name == "knee_flex" and ex.signal is not None:  # the knee is what moves
            return "heel_slide"
        return "pelvic_tilt" if "tilt" in text else "brace"
    if family == "quadruped":
        return {"shoulder_angle": "bird_dog", "thigh_from_vertical": "donkey_kick",
                "neck_flex_proxy": "cat_cow", "head_line_offset": "cat_cow",
                "hip_flex": "bottom_to_heels"}.get(name, "cat_cow")
    if family == "prone":
        if ex.signal is not None:
            return "superman"
        knees = any(parse_metric(c.metric)[0].name == "knee_flex" and c.op in (">=", ">")
                    for c in ex.in_position)
        return "plank_knees" if knees else "plank_toes"
    return "side_bridge"


def _hold_work(v: Variant, cond: Any) -> float:
    """The value a hold reaches: the variant's default, or one clearly inside the check."""
    if cond is None or parse_metric(cond.metric)[0].name != parse_metric(v.metric)[0].name:
        return v.work
    if cond.op in (">=", ">"):
        return max(v.work, float(cond.value) + 8.0)
    if cond.op in ("<=", "<"):
        return min(v.work, float(cond.value) - 5.0)
    lo, hi = cond.range
    if cond.op == "between":
        return v.work if lo <= v.work <= hi else (lo + hi) / 2
    # outside: a clear bend past the range
    return v.work if v.work > hi or v.work < lo else hi + 10.0


def as_landmarks(pose: Pose, size: float = 1000.0) -> tuple[list[tuple[float, float]], list[float]]:
    """The pose as 33 BlazePose pixel landmarks and visibilities (for :mod:`coach.core.metrics`).

    The left side is the near side in side views (visibility 0.99 vs 0.9); both are 0.99 when the
    figure is drawn from the front.
    """
    pts: list[tuple[float, float]] = [(size / 2, size / 2)] * NUM_LANDMARKS
    vis = [0.0] * NUM_LANDMARKS
    front = abs(pose["l_hip"][0] - pose["r_hip"][0]) > 0.05 if "l_hip" in pose else False
    names = {"shoulder": "SHOULDER", "elbow": "ELBOW", "wrist": "WRIST", "hip": "HIP", "knee": "KNEE",
             "ankle": "ANKLE", "heel": "HEEL", "toe": "FOOT_INDEX"}
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
        for lm in ("LEFT_EYE", "RIGHT_EYE", "LEFT_EYE_INNER", "RIGHT_EYE_INNER", "LEFT_EYE_OUTER",
                   "RIGHT_EYE_OUTER", "MOUTH_LEFT", "MOUTH_RIGHT"):
            pts[int(Landmark[lm])] = ((hx + nx) / 2 * size, (hy + ny) / 2 * size)
            vis[int(Landmark[lm])] = 0.95
        pts[int(Landmark.NOSE)], vis[int(Landmark.NOSE)] = (nx * size, ny * size), 0.95
    return pts, vis


def measure(pose: Pose, metric: str) -> float:
    """The value of a metric spec (e.g. ``"knee_flex@max"``) on a pose, via :mod:`coach.core.metrics`."""
    pts, vis = as_landmarks(pose)
    return compile_metric(metric)(FrameView(pts, vis, 1000, 1000))


def _world_to_image(p: Pose) -> Pose:
    """A fixed, uniform map of world coordinates into the unit box (for measuring while solving)."""
    return {k: (0.5 + 0.4 * x, 0.9 - 0.4 * y) for k, (x, y) in p.items()}


def _solve(build: Builder, metric: str, target: float, lo: float, hi: float,
           near_u: float | None = None) -> float:
    """The builder parameter whose pose reads ``target`` on ``metric``.

    Samples ``[lo, hi]`` and interpolates inside the bracketing pair nearest to ``near_u`` (the
    first one from ``lo`` when None), so the movement stays on one branch when a metric is not
    monotonic (a bridge past straight reads as a bend again). Falls back to the closest sample.
    """
    n = 160
    samples: list[tuple[float, float]] = []
    for i in range(n + 1):
        u = lo + (hi - lo) * i / n
        samples.append((u, measure(_world_to_image(build(u, True)), metric)))
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


def _exercise_key(ex: Any) -> tuple[Any, ...]:
    sig = ex.signal
    return (
        ex.id, ex.name, ex.kind, tuple(ex.tags), tuple(ex.instructions), ex.sides,
        (sig.metric, sig.rest, sig.work) if sig is not None else None,
        tuple((c.metric, c.op, c.value, c.range, c.reference) for c in ex.in_position),
    )


def figure_for(ex: Any) -> FigureSpec:
    """The figure, movement and framing for an exercise (cached per definition)."""
    return _figure_cached(_exercise_key(ex), ex)


_CACHE: dict[tuple[Any, ...], FigureSpec] = {}


def _figure_cached(key: tuple[Any, ...], ex: Any) -> FigureSpec:
    spec = _CACHE.get(key)
    if spec is None:
        spec = _make_spec(ex)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = spec
    return spec


def _start_ok(ex: Any, pose: Pose) -> bool:
    return all(_holds(c, measure(_world_to_image(pose), c.metric)) for c in ex.start if c.reference == "absolute")


def _in_position_ok(ex: Any, pose: Pose) -> bool:
    if ex.kind != "hold":
        return True
    return all(_holds(c, measure(_world_to_image(pose), c.metric)) for c in ex.in_position if c.reference == "absolute")


def _above_floor(pose: Pose) -> bool:
    """No joint below the floor (world y is up, the floor is y = 0)."""
    return all(y >= -0.01 for x, y in pose.values())


def _holds(c: Any, x: float) -> bool:
    if x != x:
        return True  # a metric the figure cannot show does not veto a drawing
    if c.op == "between":
        return bool(c.range[0] <= x <= c.range[1])
    if c.op == "outside":
        return bool(x < c.range[0] or x > c.range[1])
    return bool({"<": x < c.value, "<=": x <= c.value, ">": x > c.value, ">=": x >= c.value}[c.op])


#: For printed stills: how far past the counting thresholds the start (before ``rest``) and the
#: worked position (past ``work``) are drawn, as shares of ``work - rest``. The thresholds are
#: where a repetition is *counted*; a person starts from a natural rest (a march from standing
#: straight, a bridge from the hips on the floor) and moves a little beyond the count.
PRINT_EXTEND = (0.8, 0.35)
#: Movements whose counting rest already is the natural start (hook-lying, both feet down):
#: going further back would straighten the leg onto the floor, which the instructions do not ask.
_KEEP_REST = frozenset({"knee_to_chest", "figure_four"})


def print_figure_for(ex: Any) -> FigureSpec:
    """Like :func:`figure_for`, for printed start/end drawings: the start is the natural resting
    position and the end the full worked position (still inside the exercise's start and
    in-position checks), so the two pictures differ clearly."""
    key = ("print", *_exercise_key(ex))
    spec = _CACHE.get(key)
    if spec is None:
        spec = _make_spec(ex, extend=True)
        _CACHE[key] = spec
    return spec


def _make_spec(ex: Any, extend: bool = False) -> FigureSpec:
    family = _family(ex)
    alternate = ex.sides == "alternate"
    if family == "breathing":
        return FigureSpec("breathing", "breathing", "", 0.0, 1.0, False, "centre", "none",
                          bounds=(0.05, 0.05, 0.95, 0.95))
    metric, cond = _driver(ex, _PREFERRED)
    vname = _variant_name(ex, family, metric, cond)
    v = VARIANTS[vname]
    if ex.signal is not None and v.metric and parse_metric(ex.signal.metric)[0].name == parse_metric(v.metric)[0].name:
        spec_metric, rest, work = ex.signal.metric, float(ex.signal.rest), float(ex.signal.work)
    else:
        spec_metric, rest, work = v.metric, float(v.rest), _hold_work(v, cond) if v.metric else v.work
    lo, hi = v.u_range
    if spec_metric:
        u_rest = _solve(v.build, spec_metric, rest, lo, hi)
        u_work = _solve(v.build, spec_metric, work, lo, hi, near_u=u_rest)
        if extend:
            u_rest, u_work = _extended(ex, v, spec_metric, rest, work, u_rest, u_work)
    else:
        u_rest, u_work = float(v.rest), float(v.work)
    # Framing: one fixed scale for the whole movement (both sides), so the figure never jumps.
    xs: list[float] = []
    ys: list[float] = [0.0]
    for near in (True, False) if alternate else (True,):
        for i in range(9):
            pose = v.build(_lerp(u_rest, u_work, i / 8), near)
            for x, y in pose.values():
                xs.append(x)
                ys.append(y)
            xs.append(pose["head"][0] - HEAD_R)
            xs.append(pose["head"][0] + HEAD_R)
            ys.append(pose["head"][1] + HEAD_R)
    raw_props = _world_props(v.props, v.build(u_rest, True), v.build(u_work, True))
    for _, x0, y0, x1, y1 in raw_props:
        xs += [x0, x1]
        ys += [y0, y1]
    x_lo, x_hi, y_lo, y_hi = min(xs), max(xs), min(ys), max(ys)
    span = max(x_hi - x_lo, y_hi - y_lo, 1e-6)
    scale = 0.86 / span
    cx, cy = (x_lo + x_hi) / 2, (y_lo + y_hi) / 2
    # image coordinates: y down; centre the movement in the unit box
    offset = (0.5 - cx * scale, 0.5 + cy * scale)
    props = tuple(
        (kind, x0 * scale + offset[0], -y0 * scale + offset[1], x1 * scale + offset[0], -y1 * scale + offset[1])
        for kind, x0, y0, x1, y1 in raw_props
    )
    bounds = (x_lo * scale + offset[0], -y_hi * scale + offset[1],
              x_hi * scale + offset[0], -y_lo * scale + offset[1])
    return FigureSpec(vname, v.family, spec_metric, rest, work, alternate, v.focus, v.view,
                      u_rest, u_work, scale, offset, HEAD_R * scale, props, bounds)


def _extended(ex: Any, v: Variant, metric: str, rest: float, work: float,
              u_rest: float, u_work: float) -> tuple[float, float]:
    """Builder parameters past the thresholds (see :data:`PRINT_EXTEND`), backing off where the
    exercise's own start or in-position checks would no longer hold."""
    lo, hi = v.u_range
    span = work - rest
    start, end = u_rest, u_work
    # A rest of 0 is the neutral posture already (standing tall, level shoulders): the start
    # never goes past it to the other side (a back bend does not start bent forward).
    keep = v.name in _KEEP_REST or rest == 0
    for share in () if keep else (PRINT_EXTEND[0], PRINT_EXTEND[0] / 2, PRINT_EXTEND[0] / 4):
        target = rest - share * span
        if target * rest < 0:
            target = 0.0
        u = _solve(v.build, metric, target, lo, hi, near_u=u_rest)
        # only move away from the worked position, never toward it
        if (u - u_rest) * (u_work - u_rest) <= 0 and _start_ok(ex, v.build(u, True)) and _above_floor(v.build(u, True)):
            start = u
            break
    for share in (PRINT_EXTEND[1], PRINT_EXTEND[1] / 2):
        u = _solve(v.build, metric, work + share * span, lo, hi, near_u=u_work)
        if (u - u_work) * (u_work - u_rest) >= 0 and _in_position_ok(ex, v.build(u, True)) and _above_floor(v.build(u, True)):
            end = u
            break
    return start, end


def _world_props(kinds: tuple[str, ...], rest: Pose, work: Pose) -> list[tuple[str, float, float, float, float]]:
    """Props in world coordinates around the figure at rest and at work."""
    xs = [x for p in (rest, work) for x, _ in p.values()]
    out: list[tuple[str, float, float, float, float]] = []
    for kind in kinds:
        if kind == "floor":
            out.append(("line", min(xs) - 0.08, 0.0, max(xs) + 0.08, 0.0))
        elif kind == "chair":
            seat_x = rest["l_hip"][0]
            out.append(("rect", seat_x - 0.16, SEAT_Y - 0.02, seat_x + 0.10, SEAT_Y + 0.005))
            out.append(("line", seat_x - 0.16, SEAT_Y, seat_x - 0.16, SEAT_Y + 0.36))
            out.append(("line", seat_x - 0.14, 0.0, seat_x - 0.14, SEAT_Y - 0.02))
            out.append(("line", seat_x + 0.08, 0.0, seat_x + 0.08, SEAT_Y - 0.02))
        elif kind == "chair_behind":
            x = min(rest["l_hip"][0], work["l_hip"][0]) - 0.16
            out.append(("rect", x - 0.20, SEAT_Y - 0.02, x, SEAT_Y + 0.005))
            out.append(("line", x - 0.20, SEAT_Y, x - 0.20, SEAT_Y + 0.36))
            out.append(("line", x - 0.18, 0.0, x - 0.18, SEAT_Y - 0.02))
            out.append(("line", x - 0.02, 0.0, x - 0.02, SEAT_Y - 0.02))
        elif kind == "step":
            out.append(("rect", 0.0, 0.0, 0.30, STEP_H))
        elif kind == "box":
            # drawn live in the hands; here only its lowest reach, so the framing includes it
            w = work["l_wrist"]
            out.append(("none", w[0] - 0.07, w[1] - 0.10, w[0] + 0.07, w[1]))
        # "strap" is drawn live between the hands and the moving foot
    return out


def pose_for(ex: Any, phase: float, *, other_side: bool = False, spec: FigureSpec | None = None) -> Pose:
    """Named joint positions in the unit box (y down) for ``phase`` 0 (rest) .. 1 (work).

    ``other_side`` moves the other limb (for exercises done on alternate sides). For breathing,
    the figure is a circle: ``{"centre": (x, y), "radius": (r, r)}`` with r growing with phase.
    """
    spec = spec if spec is not None else figure_for(ex)
    t = _clamp01(phase)
    if spec.variant == "breathing":
        r = 0.26 + 0.18 * t
        return {"centre": (0.5, 0.5), "radius": (r, r)}
    v = VARIANTS[spec.variant]
    pose = v.build(_lerp(spec.u_rest, spec.u_work, t), not other_side)
    s, (ox, oy) = spec.scale, spec.offset
    return {k: (x * s + ox, -y * s + oy) for k, (x, y) in pose.items()}


def moving_side(spec: FigureSpec, other_side: bool) -> str:
    """'l' or 'r': the limb that moves in this cycle (the near, left side unless swapped)."""
    return "r" if other_side else "l"


# ---------------------------------------------------------------------------------------------
# Timing: one cycle = move out, hold, move back, pause.


def cycle_timing(ex: Any) -> tuple[float, float, float, float]:
    """(out, hold, back, pause) seconds for one animated repetition — slow and calm."""
    if ex.kind == "breathing" and ex.breathing is not None:
        b = ex.breathing
        return b.inhale_s, b.hold_in_s, b.exhale_s, b.hold_out_s
    out, back, hold = 1.6, 1.6, 0.6
    tempo = getattr(ex.dose, "tempo", None)
    if tempo:
        a, pause_, c = (float(x) for x in tempo.split("-"))
        out, back, hold = max(1.0, a), max(1.0, c), max(0.4, pause_)
    if ex.kind == "hold" or ex.dose.hold_s:
        hold = 2.0
    return out, hold, back, 0.8


def phase_at(t: float, timing: tuple[float, float, float, float]) -> tuple[float, int]:
    """(phase 0..1 with gentle easing, cycle index) at time ``t`` seconds."""
    out, hold, back, pause = timing
    period = out + hold + back + pause
    n = int(t // period)
    x = t - n * period
    if x < out:
        raw = x / out
    elif x < out + hold:
        raw = 1.0
    elif x < out + hold + back:
        raw = 1.0 - (x - out - hold) / back
    else:
        raw = 0.0
    return 0.5 - 0.5 * math.cos(math.pi * raw), n


# ---------------------------------------------------------------------------------------------
# The widget.

_LIMB_EDGES = (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"),
               ("ankle", "heel"), ("heel", "toe"), ("ankle", "toe"))


class SkeletonAnimation(QWidget):
    """An animated stick figure for one exercise: ~30 frames a second while visible, still when hidden.

    Calm colours from the theme; the moving joint is ringed; the far-side limbs are lighter. The
    drawing scales with the widget. ``frames`` counts painted frames (tests use it).
    """

    FPS = 30

    def __init__(self, exercise: Any, high_contrast: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.exercise = exercise
        self.spec = figure_for(exercise)
        self.timing = cycle_timing(exercise)
        self.high_contrast = high_contrast
        self.frames = 0
        self.phase = 0.0
        self.show_focus = True  # the ring around the moving part (stills: the worked position only)
        self.cycle = 0
        self._t0 = time.monotonic()
        self._elapsed = 0.0  # animation time already shown, kept while hidden
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / self.FPS))
        self._timer.timeout.connect(self._tick)
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(f"Moving drawing of {exercise.name}")
        self.setAccessibleDescription(
            "A simple stick figure that shows the movement slowly, over and over. "
            "It is a guide, not an exact picture of the body."
        )

    # -- animation --------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._timer.isActive()

    def showEvent(self, e: QShowEvent) -> None:  # noqa: N802
        self._t0 = time.monotonic() - self._elapsed
        self._timer.start()
        super().showEvent(e)

    def hideEvent(self, e: QHideEvent) -> None:  # noqa: N802
        self._elapsed = time.monotonic() - self._t0
        self._timer.stop()
        super().hideEvent(e)

    def _tick(self) -> None:
        self.phase, self.cycle = phase_at(time.monotonic() - self._t0, self.timing)
        self.update()

    # -- drawing ---------------------------------------------------------------------------------

    def _box(self) -> tuple[float, float, float]:
        """(x, y, pixels per unit) that fit the movement's bounds into the widget, centred."""
        x0, y0, x1, y1 = self.spec.bounds
        margin = 0.06 * min(self.width(), self.height())
        w, h = max(1.0, self.width() - 2 * margin), max(1.0, self.height() - 2 * margin)
        k = min(w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6))
        ox = (self.width() - (x1 - x0) * k) / 2 - x0 * k
        oy = (self.height() - (y1 - y0) * k) / 2 - y0 * k
        return ox, oy, k

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        pal = palette(self.high_contrast)
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing)
        qp.fillRect(self.rect(), QColor(pal.panel))
        ox, oy, side = self._box()

        def pt(p: Point) -> QPointF:
            return QPointF(ox + p[0] * side, oy + p[1] * side)

        if self.spec.variant == "breathing":
            self._paint_breathing(qp, pal, pt, side)
        else:
            self._paint_figure(qp, pal, pt, side)
        qp.end()
        self.frames += 1

    def _paint_breathing(self, qp: QPainter, pal: Any, pt: Callable[[Point], QPointF], side: float) -> None:
        pose = pose_for(self.exercise, self.phase, spec=self.spec)
        c, r = pt(pose["centre"]), pose["radius"][0] * side
        fill = QColor(pal.accent)
        fill.setAlpha(60)
        qp.setBrush(fill)
        qp.setPen(QPen(QColor(pal.accent), max(3.0, side * 0.012)))
        qp.drawEllipse(c, r, r)
        out, hold, back, pause = self.timing
        period = out + hold + back + pause
        x = (time.monotonic() - self._t0) % period
        word = ("Breathe in" if x < out else "Hold" if x < out + hold
                else "Breathe out" if x < out + hold + back else "Rest")
        f = QFont(self.font())
        f.setPixelSize(max(14, int(side * 0.07)))
        f.setBold(True)
        qp.setFont(f)
        qp.setPen(QColor(pal.text))
        qp.drawText(QRectF(c.x() - side / 2, c.y() - side * 0.05, side, side * 0.1),
                    Qt.AlignmentFlag.AlignCenter, word)

    def _paint_figure(self, qp: QPainter, pal: Any, pt: Callable[[Point], QPointF], side: float) -> None:
        other = self.spec.alternate and self.cycle % 2 == 1
        pose = pose_for(self.exercise, self.phase, other_side=other, spec=self.spec)
        width = max(3.0, side * 0.016)
        # props: calm, thin, behind the figure
        prop_pen = QPen(QColor(pal.muted), max(2.0, width * 0.6))
        prop_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        prop_fill = QColor(pal.border)
        for kind, x0, y0, x1, y1 in self.spec.props:
            qp.setPen(prop_pen)
            if kind == "line":
                qp.drawLine(pt((x0, y0)), pt((x1, y1)))
            elif kind == "rect":
                qp.setBrush(prop_fill)
                qp.drawRect(QRectF(pt((min(x0, x1), min(y0, y1))), pt((max(x0, x1), max(y0, y1)))))
                qp.setBrush(Qt.BrushStyle.NoBrush)
        body = QColor(pal.accent)
        far = QColor(pal.muted) if self.spec.view == "side" else QColor(body)
        if not self.high_contrast and self.spec.view == "side":
            far.setAlpha(150)
        moving = moving_side(self.spec, other)
        live = VARIANTS[self.spec.variant].props
        if "strap" in live:
            qp.setPen(QPen(QColor(pal.warn), max(2.0, width * 0.5)))
            qp.drawLine(pt(pose[f"{moving}_wrist"]), pt(pose[f"{moving}_toe"]))
        if "box" in live:
            w = pose["l_wrist"]
            half, depth = 0.07 * self.spec.scale, 0.09 * self.spec.scale
            qp.setPen(prop_pen)
            qp.setBrush(prop_fill)
            qp.drawRect(QRectF(pt((w[0] - half, w[1])), pt((w[0] + half, w[1] + depth))))
            qp.setBrush(Qt.BrushStyle.NoBrush)
        # far limbs first, then the trunk and head, then the near limbs
        for s, colour in (("r", far), ("l", body)):
            pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            qp.setPen(pen)
            for a, b in _LIMB_EDGES:
                ka, kb = f"{s}_{a}", f"{s}_{b}"
                if ka in pose and kb in pose:
                    qp.drawLine(pt(pose[ka]), pt(pose[kb]))
            if s == "r":
                self._paint_trunk(qp, pose, pt, QPen(body, width * 1.25, Qt.PenStyle.SolidLine,
                                                     Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin), side)
        # the focus: a soft ring around the joint that moves
        focus = self._focus_point(pose, moving)
        if focus is not None and self.show_focus:
            ring = QColor(pal.good if self.high_contrast else pal.warn)  # distinct from the figure
            qp.setPen(QPen(ring, max(2.0, width * 0.5)))
            qp.setBrush(Qt.BrushStyle.NoBrush)
            r = side * (0.035 + (0.01 * self.phase if self.spec.variant in ("brace", "pelvic_tilt") else 0.0))
            if self.spec.focus == "head":
                r = self.spec.head_r * side * 1.45
            qp.drawEllipse(pt(focus), r, r)
            if self.spec.variant == "brace" and self.phase >= 0.5:
                # nothing moves in a brace: arrows show the tummy drawing in and tightening
                c = pt(focus)
                for ang in (0.0, 90.0, 180.0):
                    d = QPointF(math.cos(math.radians(ang)), -math.sin(math.radians(ang)))
                    tip, tail = c + d * (r * 1.35), c + d * (r * 2.6)
                    qp.drawLine(tail, tip)
                    for turn in (-30.0, 30.0):
                        a = math.radians(ang + turn)
                        qp.drawLine(tip, tip + QPointF(math.cos(a), -math.sin(a)) * (r * 0.5))

    def _paint_trunk(self, qp: QPainter, pose: Pose, pt: Callable[[Point], QPointF], pen: QPen,
                     side: float) -> None:
        qp.setPen(pen)
        if self.spec.view == "front":
            hip_mid = _mid(pose["l_hip"], pose["r_hip"])
            sh_mid = _mid(pose["l_shoulder"], pose["r_shoulder"])
            qp.drawLine(pt(pose["l_hip"]), pt(pose["r_hip"]))
            qp.drawLine(pt(pose["l_shoulder"]), pt(pose["r_shoulder"]))
            qp.drawLine(pt(hip_mid), pt(sh_mid))
            neck_from = sh_mid
        else:
            hip, sh = pose["l_hip"], pose["l_shoulder"]
            if "spine" in pose:
                path = QPainterPath(pt(hip))
                sp = pose["spine"]
                # a control point that makes the curve pass through the spine point
                ctrl = (2 * sp[0] - (hip[0] + sh[0]) / 2, 2 * sp[1] - (hip[1] + sh[1]) / 2)
                path.quadTo(pt(ctrl), pt(sh))
                qp.drawPath(path)
            else:
                qp.drawLine(pt(hip), pt(sh))
            neck_from = sh
        head = pose["head"]
        r = self.spec.head_r * side
        hx, hy = pt(head).x(), pt(head).y()
        # neck: from the shoulders to the edge of the head
        dx, dy = hx - pt(neck_from).x(), hy - pt(neck_from).y()
        d = math.hypot(dx, dy) or 1.0
        qp.drawLine(pt(neck_from), QPointF(hx - dx / d * r, hy - dy / d * r))
        pal = palette(self.high_contrast)
        qp.setBrush(QColor(pal.panel))
        qp.drawEllipse(QPointF(hx, hy), r, r)
        qp.setBrush(Qt.BrushStyle.NoBrush)

    def _focus_point(self, pose: Pose, moving: str) -> Point | None:
        f = self.spec.focus
        if f == "tummy":
            return _mid(pose["l_hip"], pose["l_shoulder"])
        if f == "mid_hip":
            return _mid(pose["l_hip"], pose["r_hip"])
        if f.startswith("*_"):
            f = f"{moving}_{f[2:]}"
        return pose.get(f)


def _mid(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def still_image(exercise: Any, phase: float, width: int = 520, height: int = 360) -> QImage:
    """One frame of the exercise drawing (phase 0 = start position, 1 = the worked position),
    for printed handouts. Painted off-screen with the same code as the animation, over the
    print range (:func:`print_figure_for`: natural start, full worked position); the ring that
    marks the moving part is drawn on the worked position only."""
    w = SkeletonAnimation(exercise)
    try:
        w.spec = print_figure_for(exercise)
        w.show_focus = phase >= 0.5
        w.resize(width, height)
        w.phase = phase
        return w.grab().toImage()
    finally:
        w.deleteLater()
