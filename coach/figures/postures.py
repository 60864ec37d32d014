"""The posture families of the exercise drawings: segment lengths, 2-D helpers and one builder
per movement (``build(u, near) -> Pose``).

World coordinates: metres-like units, y UP, the person faces +x (:mod:`coach.figures.kinematics`
flips them into image coordinates). Each builder takes the movement parameter ``u`` (its meaning
is the builder's; usually an angle in degrees) and which limb moves (``near``: the left, camera
side).
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


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def _lerp_pt(a: Point, b: Point, t: float) -> Point:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def clamp01(t: float) -> float:
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
    knee = _at(lead, u * 0.5, SHANK)
    hip = _at(knee, -u * 0.5, THIGH)
    _set_limb(p, "l", ankle=lead, knee=knee, hip=hip)
    p["l_heel"] = (lead[0] - 0.025, STEP_H + 0.01)
    p["l_toe"] = (lead[0] + FOOT, STEP_H + 0.01)
    # the back foot is up on the step when standing tall, on the floor behind when stepping down
    down = clamp01((u - 10.0) / 25.0)
    back = _lerp_pt((lead[0] - 0.05, STEP_H + ANKLE_H), (hip[0] - 0.14, ANKLE_H), down)
    rk = _ik((hip[0] - 0.012, hip[1]), back, THIGH, SHANK, -1)
    ra = _at(rk, _compass(rk, back), SHANK)
    _set_limb(p, "r", hip=(hip[0] - 0.012, hip[1]), knee=rk, ankle=ra)
    _foot_along(p, "r", rk, ra)
    _upper_body(p, hip, 4.0 + u * 0.3, "down")
    return p


def march(u: float, near: bool) -> Pose:
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


def hinge(u: float, near: bool) -> Pose:
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


def back_bend(u: float, near: bool) -> Pose:
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
    knee = _at(hip, 90 - u, THIGH)
    flex = lerp(_HOOK_KNEE_FLEX, 120.0, clamp01((u - 40.0) / 70.0))
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


def figure_four(u: float, near: bool) -> Pose:
    """Figure-4: one ankle rests on the other knee; that supporting thigh is drawn ``u`` degrees
    up toward the chest."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    support, cross = "l", "r"
    hip = _SUP_HIP
    knee = _at(hip, 90 - u, THIGH)
    flex = lerp(_HOOK_KNEE_FLEX, 95.0, clamp01((u - 40.0) / 50.0))
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


def dead_bug(u: float, near: bool) -> Pose:
    """Dead bug: hips and knees at 90/90, arms up; one leg lowers and straightens (its hip bend
    ``u`` degrees) while the opposite arm reaches overhead."""
    p: Pose = {}
    sh = _SUP_SH
    _supine_head(p, sh)
    mover, still = ("l", "r") if near else ("r", "l")
    dx = {"l": 0.0, "r": -0.01}
    frac = clamp01((90.0 - u) / 70.0)
    for side in _SIDES:
        hip = (_SUP_HIP[0] + dx[side], LIE)
        hf = u if side == mover else 90.0
        kf = lerp(90.0, 8.0, frac) if side == mover else 90.0
        knee = _at(hip, 90 - hf, THIGH)
        ankle = _at(knee, _compass(hip, knee) + kf, SHANK)
        _set_limb(p, side, hip=hip, knee=knee, ankle=ankle)
        _foot_along(p, side, knee, ankle, 90.0)
        s = (sh[0] + dx[side], sh[1])
        # the arm opposite the moving leg reaches back over the head
        arm = lerp(5.0, -75.0, frac) if side == still else 5.0
        e = _at(s, arm, UPPER_ARM)
        w = _at(e, arm, FOREARM)
        _set_limb(p, side, shoulder=s, elbow=e, wrist=w)
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


def knee_rolls(u: float, near: bool) -> Pose:
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
    e = _at(s, 180 - u, UPPER_ARM)
    w = _at(e, 180 - u, FOREARM)
    _set_limb(p, arm_side, shoulder=s, elbow=e, wrist=w)
    h = (hip[0] + dx[leg_side], hip[1])
    thigh = lerp(180.0, 268.0, frac)
    k = _at(h, thigh, THIGH)
    a = _at(k, thigh + lerp(90.0, 4.0, frac), SHANK)
    _set_limb(p, leg_side, hip=h, knee=k, ankle=a)
    _foot_along(p, leg_side, k, a, -80.0)
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
    k = _at(h, 180 + u, THIGH)
    a = _at(k, 270 + u, SHANK)
    _set_limb(p, side, hip=h, knee=k, ankle=a)
    _foot_along(p, side, k, a, -85.0)
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


def superman(u: float, near: bool) -> Pose:
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


def plank(u: float, near: bool, knees: bool) -> Pose:
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


def side_bridge(u: float, near: bool) -> Pose:
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


def midpoint(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
