"""The metric library: named body angles and ratios (DOMAIN §1.3), in pixel space.

Every metric is scale-free (an angle in degrees or a ratio of body segments) and is computed
from one frame's pixel coordinates and visibilities. A metric is *valid* only when every
landmark it uses is visible (visibility >= the gate) and inside the image; otherwise it is NaN.

Metric names may carry a side selector::

    knee_flex          the near side (the side facing the camera, DOMAIN §1.3)
    knee_flex@left     the person's left side
    knee_flex@right    the person's right side
    knee_flex@far      the side away from the camera
    knee_flex@max      the larger of the two valid sides (e.g. "either leg lifts")
    knee_flex@min      the smaller of the two valid sides

Sign conventions (side view): positive = forward, in the direction the person faces.
Front view signed metrics: positive = toward image right.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from coach.core.landmarks import Landmark

Side = Literal["left", "right"]
NAN = float("nan")
DEG = 180.0 / math.pi

#: Visibility at or above which a landmark counts as seen (DOMAIN §1.5).
VISIBILITY_GATE = 0.5
#: How far outside the image (as a fraction of its size) a landmark may lie and still count.
FRAME_MARGIN = 0.02

_PARTS = (
    "shoulder",
    "elbow",
    "wrist",
    "hip",
    "knee",
    "ankle",
    "heel",
    "foot",
    "ear",
    "eye",
    "index",
)
_SIDE_INDEX: dict[str, dict[str, int]] = {
    side: {
        part: int(Landmark[f"{side.upper()}_{'FOOT_INDEX' if part == 'foot' else part.upper()}"])
        for part in _PARTS
    }
    for side in ("left", "right")
}
NOSE = int(Landmark.NOSE)


class FrameView:
    """One frame's geometry, prepared once and shared by every metric of that frame.

    Parameters
    ----------
    pts : (33, 2) pixel coordinates (any sequence of pairs; a numpy array is converted once).
    vis : (33,) visibilities.
    width, height : image size in pixels (for the in-frame test).
    near : which side faces the camera; chosen by :func:`near_side` when None.
    margin : how far outside the image (fraction of its size) a landmark may lie and still count;
        negative in a close-up, where the model places joints it cannot see on the picture's edge.
    """

    __slots__ = ("x", "y", "ok", "near", "facing", "width", "height")

    def __init__(
        self,
        pts: Sequence[Sequence[float]],
        vis: Sequence[float],
        width: int,
        height: int,
        near: Side | None = None,
        visibility_gate: float = VISIBILITY_GATE,
        facing: float | None = None,
        margin: float = FRAME_MARGIN,
    ) -> None:
        xs = [float(p[0]) for p in pts]
        ys = [float(p[1]) for p in pts]
        # margin > 0 accepts points just outside the picture; < 0 demands them well inside
        mx, my = margin * width, margin * height
        self.x = xs
        self.y = ys
        self.ok = [
            v >= visibility_gate and -mx <= px <= width + mx and -my <= py <= height + my
            for v, px, py in zip(vis, xs, ys)
        ]
        self.width = width
        self.height = height
        self.near: Side = near if near is not None else near_side(vis)
        self.facing = facing if facing is not None else self.raw_facing()

    def raw_facing(self) -> float:
        """+1 when the person faces image-right, -1 when image-left (nose ahead of the ears)."""
        ears = [i for i in (_SIDE_INDEX["left"]["ear"], _SIDE_INDEX["right"]["ear"]) if self.ok[i]]
        if ears and self.ok[NOSE]:
            ear_x = sum(self.x[i] for i in ears) / len(ears)
            d = self.x[NOSE] - ear_x
            if abs(d) > 1e-6:
                return 1.0 if d > 0 else -1.0
        # Fallback: toes point the way the person faces.
        s = _SIDE_INDEX[self.near]
        if self.ok[s["foot"]] and self.ok[s["heel"]]:
            return 1.0 if self.x[s["foot"]] >= self.x[s["heel"]] else -1.0
        return 1.0

    def idx(self, side: Side, part: str) -> int:
        return _SIDE_INDEX[side][part]

    def seen(self, *indices: int) -> bool:
        ok = self.ok
        return all(ok[i] for i in indices)


def near_side(vis: Sequence[float]) -> Side:
    """The side with the higher mean visibility over shoulder, hip, knee and ankle (DOMAIN §1.3)."""
    parts = ("shoulder", "hip", "knee", "ankle")
    left = sum(float(vis[_SIDE_INDEX["left"][p]]) for p in parts)
    right = sum(float(vis[_SIDE_INDEX["right"][p]]) for p in parts)
    return "left" if left >= right else "right"


# ---------------------------------------------------------------------------------------------
# Scalar geometry (pure Python floats: for a handful of points it beats numpy by ~10x).


def included_angle(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    """ang(A, B, C): the angle at B between B->A and B->C, degrees in [0, 180]."""
    ux, uy, vx, vy = ax - bx, ay - by, cx - bx, cy - by
    nu = math.hypot(ux, uy)
    nv = math.hypot(vx, vy)
    if nu < 1e-9 or nv < 1e-9:
        return NAN
    c = (ux * vx + uy * vy) / (nu * nv)
    return math.acos(max(-1.0, min(1.0, c))) * DEG


def from_vertical_up(dx: float, dy: float) -> float:
    """Unsigned angle (deg) between vector (dx, dy) and image-up (y grows downward)."""
    n = math.hypot(dx, dy)
    if n < 1e-9:
        return NAN
    return math.acos(max(-1.0, min(1.0, -dy / n))) * DEG


def signed_from_vertical_up(dx: float, dy: float, forward: float) -> float:
    """Angle of (dx, dy) from image-up, positive when it leans toward ``forward`` (+1/-1 in x)."""
    a = from_vertical_up(dx, dy)
    return a if dx * forward >= 0 else -a


def from_horizontal(dx: float, dy: float) -> float:
    """Unsigned angle (deg, 0..90) between the line along (dx, dy) and image-horizontal."""
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return NAN
    return math.atan2(abs(dy), abs(dx)) * DEG


def elevation(dx: float, dy: float) -> float:
    """Angle (deg) of (dx, dy) above image-horizontal, negative below; -90..90."""
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return NAN
    return math.atan2(-dy, abs(dx)) * DEG


def line_tilt(lx: float, ly: float, rx: float, ry: float) -> float:
    """atan2(dy, dx) of a left-right line folded to -90..90 (0 = level)."""
    a = math.atan2(ry - ly, rx - lx) * DEG
    if a > 90.0:
        a -= 180.0
    elif a < -90.0:
        a += 180.0
    return a


def point_line_offset(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """Signed distance of P from line A->B divided by |AB|; positive = above the line in the image."""
    dx, dy = bx - ax, by - ay
    n = math.hypot(dx, dy)
    if n < 1e-9:
        return NAN
    # Cross product sign tells which side; orient so that "above" (smaller y) is positive
    # whichever way the line runs.
    cross = (dx * (py - ay) - dy * (px - ax)) / (n * n)
    return -cross if dx >= 0 else cross


# ---------------------------------------------------------------------------------------------
# Metric definitions. Each sided metric is f(view, side) -> float; bilateral ones f(view) -> float.

SidedFn = Callable[[FrameView, Side], float]
BilateralFn = Callable[[FrameView], float]


def _flex(v: FrameView, a: int, b: int, c: int) -> float:
    if not v.seen(a, b, c):
        return NAN
    x, y = v.x, v.y
    return 180.0 - included_angle(x[a], y[a], x[b], y[b], x[c], y[c])


def knee_flex(v: FrameView, s: Side) -> float:
    i = _SIDE_INDEX[s]
    return _flex(v, i["hip"], i["knee"], i["ankle"])


def hip_flex(v: FrameView, s: Side) -> float:
    i = _SIDE_INDEX[s]
    return _flex(v, i["shoulder"], i["hip"], i["knee"])


def elbow_flex(v: FrameView, s: Side) -> float:
    i = _SIDE_INDEX[s]
    return _flex(v, i["shoulder"], i["elbow"], i["wrist"])


def hip_line_dev(v: FrameView, s: Side) -> float:
    """Signed bend at the hip from the shoulder–knee line, degrees: + hips above (pike / bridge
    over-extension), − hips below (sag). 0 = straight line (plank, bridge top)."""
    i = _SIDE_INDEX[s]
    a, b, c = i["shoulder"], i["hip"], i["knee"]
    if not v.seen(a, b, c):
        return NAN
    x, y = v.x, v.y
    bend = 180.0 - included_angle(x[a], y[a], x[b], y[b], x[c], y[c])
    off = point_line_offset(x[b], y[b], x[a], y[a], x[c], y[c])
    return bend if off >= 0 else -bend


def shank_incl(v: FrameView, s: Side) -> float:
    i = _SIDE_INDEX[s]
    a, k = i["ankle"], i["knee"]
    if not v.seen(a, k):
        return NAN
    return signed_from_vertical_up(v.x[k] - v.x[a], v.y[k] - v.y[a], v.facing)


def thigh_from_vertical(v: FrameView, s: Side) -> float:
    """Angle (deg) of hip->knee from straight down: 0 standing or on all fours, 90 thigh level."""
    i = _SIDE_INDEX[s]
    h, k = i["hip"], i["knee"]
    if not v.seen(h, k):
        return NAN
    return 180.0 - from_vertical_up(v.x[k] - v.x[h], v.y[k] - v.y[h])


def thigh_elev(v: FrameView, s: Side) -> float:
    """Angle (deg) of hip->knee above image-horizontal (− below)."""
    i = _SIDE_INDEX[s]
    h, k = i["hip"], i["knee"]
    if not v.seen(h, k):
        return NAN
    return elevation(v.x[k] - v.x[h], v.y[k] - v.y[h])


def leg_elev(v: FrameView, s: Side) -> float:
    """Angle (deg) of hip->ankle above image-horizontal (− below)."""
    i = _SIDE_INDEX[s]
    h, a = i["hip"], i["ankle"]
    if not v.seen(h, a):
        return NAN
    return elevation(v.x[a] - v.x[h], v.y[a] - v.y[h])


def arm_elev(v: FrameView, s: Side) -> float:
    """Angle (deg) of shoulder->wrist above image-horizontal (− below)."""
    i = _SIDE_INDEX[s]
    sh, w = i["shoulder"], i["wrist"]
    if not v.seen(sh, w):
        return NAN
    return elevation(v.x[w] - v.x[sh], v.y[w] - v.y[sh])


def upper_arm_flex(v: FrameView, s: Side) -> float:
    """Signed angle between trunk-down (shoulder->hip) and shoulder->elbow; + = forward."""
    i = _SIDE_INDEX[s]
    sh, e, h = i["shoulder"], i["elbow"], i["hip"]
    if not v.seen(sh, e, h):
        return NAN
    x, y = v.x, v.y
    a = included_angle(x[h], y[h], x[sh], y[sh], x[e], y[e])
    # Which side of the trunk line is the elbow on, relative to the facing direction?
    tx, ty = x[h] - x[sh], y[h] - y[sh]
    ex, ey = x[e] - x[sh], y[e] - y[sh]
    cross = tx * ey - ty * ex  # > 0: elbow is counter-clockwise (in image coords) of trunk-down
    # Facing right (+1) with trunk pointing down, forward is +x, which is cross < 0.
    forward = (cross < 0) if v.facing > 0 else (cross > 0)
    return a if forward else -a


def arm_abd(v: FrameView, s: Side) -> float:
    """Unsigned angle between shoulder->elbow and trunk-down (front view)."""
    i = _SIDE_INDEX[s]
    sh, e, h = i["shoulder"], i["elbow"], i["hip"]
    if not v.seen(sh, e, h):
        return NAN
    x, y = v.x, v.y
    return included_angle(x[h], y[h], x[sh], y[sh], x[e], y[e])


def shoulder_angle(v: FrameView, s: Side) -> float:
    """Unsigned angle (deg) between trunk-down (shoulder->hip) and shoulder->elbow, any view:
    ~0 arm by the side, ~90 arm square to the trunk, ~180 arm reaching in line with the trunk
    (bird-dog reach, dead-bug overhead). Needs no facing direction."""
    return arm_abd(v, s)


def neck_flex_proxy(v: FrameView, s: Side) -> float:
    """Angle between trunk-up (hip->shoulder) and head (shoulder->ear); + = head ahead (flexion).

    Uncalibrated: the posture module subtracts the user's neutral offset (DOMAIN §1.3).
    """
    i = _SIDE_INDEX[s]
    h, sh, ear = i["hip"], i["shoulder"], i["ear"]
    if not v.seen(h, sh, ear):
        return NAN
    x, y = v.x, v.y
    tx, ty = x[sh] - x[h], y[sh] - y[h]
    ex, ey = x[ear] - x[sh], y[ear] - y[sh]
    nt, ne = math.hypot(tx, ty), math.hypot(ex, ey)
    if nt < 1e-9 or ne < 1e-9:
        return NAN
    a = math.atan2(tx * ey - ty * ex, tx * ex + ty * ey) * DEG  # signed, image coords
    # In image coords (y down) a clockwise turn has positive cross; facing right, forward
    # rotation of the head vector from trunk-up is clockwise.
    return a * v.facing


def cva_proxy(v: FrameView, s: Side) -> float:
    """Angle between horizontal and shoulder->ear (deg); upright ≈ 90, smaller = head forward."""
    i = _SIDE_INDEX[s]
    sh, ear = i["shoulder"], i["ear"]
    if not v.seen(sh, ear):
        return NAN
    dx = (v.x[ear] - v.x[sh]) * v.facing
    dy = v.y[sh] - v.y[ear]
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return NAN
    return math.atan2(dy, dx) * DEG


def ear_shoulder_dist(v: FrameView, s: Side) -> float:
    """Vertical ear->shoulder distance over shoulder width (front view; shrug proxy)."""
    i = _SIDE_INDEX[s]
    ls, rs = _SIDE_INDEX["left"]["shoulder"], _SIDE_INDEX["right"]["shoulder"]
    ear, sh = i["ear"], i["shoulder"]
    if not v.seen(ear, sh, ls, rs):
        return NAN
    width = math.hypot(v.x[ls] - v.x[rs], v.y[ls] - v.y[rs])
    if width < 1e-9:
        return NAN
    return (v.y[sh] - v.y[ear]) / width


def fppa(v: FrameView, s: Side) -> float:
    """Frontal-plane projection angle (deg), + when the knee deviates medially (valgus)."""
    i = _SIDE_INDEX[s]
    h, k, a = i["hip"], i["knee"], i["ankle"]
    if not v.seen(h, k, a):
        return NAN
    x, y = v.x, v.y
    bend = 180.0 - included_angle(x[h], y[h], x[k], y[k], x[a], y[a])
    # Medial = toward the body midline. The midline is at the hip centre.
    lh, rh = _SIDE_INDEX["left"]["hip"], _SIDE_INDEX["right"]["hip"]
    mid_x = (x[lh] + x[rh]) / 2.0
    # Knee's horizontal offset from the hip-ankle line at the knee's height.
    dy = y[a] - y[h]
    t = (y[k] - y[h]) / dy if abs(dy) > 1e-9 else 0.5
    line_x = x[h] + t * (x[a] - x[h])
    medial = (x[k] - line_x) * (mid_x - line_x) > 0
    return bend if medial else -bend


def _mid(v: FrameView, part: str) -> tuple[float, float] | None:
    li, ri = _SIDE_INDEX["left"][part], _SIDE_INDEX["right"][part]
    if v.ok[li] and v.ok[ri]:
        return (v.x[li] + v.x[ri]) / 2.0, (v.y[li] + v.y[ri]) / 2.0
    return None


def _mid_or_near(v: FrameView, part: str) -> tuple[float, float] | None:
    """Midpoint of both sides when both are seen, else the near side alone (side views)."""
    m = _mid(v, part)
    if m is not None:
        return m
    i = _SIDE_INDEX[v.near][part]
    return (v.x[i], v.y[i]) if v.ok[i] else None


def body_scale(v: FrameView) -> float:
    """Trunk length in pixels (shoulder_mid to hip_mid): the body's size in the picture."""
    sh, hp = _mid_or_near(v, "shoulder"), _mid_or_near(v, "hip")
    if sh is None or hp is None:
        return NAN
    return math.hypot(sh[0] - hp[0], sh[1] - hp[1])


def trunk_incl(v: FrameView) -> float:
    """Angle of hip_mid->shoulder_mid from image-up; + forward (side) or toward image-right (front)."""
    sh, hp = _mid_or_near(v, "shoulder"), _mid_or_near(v, "hip")
    if sh is None or hp is None:
        return NAN
    return signed_from_vertical_up(sh[0] - hp[0], sh[1] - hp[1], v.facing)


def trunk_lean(v: FrameView) -> float:
    """Front view lateral lean: hip_mid->shoulder_mid from image-up, + toward image-right."""
    sh, hp = _mid(v, "shoulder"), _mid(v, "hip")
    if sh is None or hp is None:
        return NAN
    return signed_from_vertical_up(sh[0] - hp[0], sh[1] - hp[1], 1.0)


def trunk_horiz(v: FrameView) -> float:
    """Angle (deg, 0..90) of hip->shoulder from image-horizontal (lying, quadruped, plank)."""
    sh, hp = _mid_or_near(v, "shoulder"), _mid_or_near(v, "hip")
    if sh is None or hp is None:
        return NAN
    return from_horizontal(sh[0] - hp[0], sh[1] - hp[1])


def shoulder_tilt(v: FrameView) -> float:
    li, ri = _SIDE_INDEX["left"]["shoulder"], _SIDE_INDEX["right"]["shoulder"]
    if not v.seen(li, ri):
        return NAN
    return line_tilt(v.x[li], v.y[li], v.x[ri], v.y[ri])


def hip_tilt(v: FrameView) -> float:
    li, ri = _SIDE_INDEX["left"]["hip"], _SIDE_INDEX["right"]["hip"]
    if not v.seen(li, ri):
        return NAN
    return line_tilt(v.x[li], v.y[li], v.x[ri], v.y[ri])


def head_tilt(v: FrameView) -> float:
    for part in ("ear", "eye"):
        li, ri = _SIDE_INDEX["left"][part], _SIDE_INDEX["right"][part]
        if v.seen(li, ri):
            return line_tilt(v.x[li], v.y[li], v.x[ri], v.y[ri])
    return NAN


def knee_sep_ratio(v: FrameView) -> float:
    lk, rk = _SIDE_INDEX["left"]["knee"], _SIDE_INDEX["right"]["knee"]
    la, ra = _SIDE_INDEX["left"]["ankle"], _SIDE_INDEX["right"]["ankle"]
    if not v.seen(lk, rk, la, ra):
        return NAN
    d = abs(v.x[la] - v.x[ra])
    if d < 1e-6:
        return NAN
    return abs(v.x[lk] - v.x[rk]) / d


def shoulder_width_ratio(v: FrameView) -> float:
    """Apparent shoulder width over trunk length: ~0.6–0.9 facing the camera, < 0.35 side-on."""
    li, ri = _SIDE_INDEX["left"]["shoulder"], _SIDE_INDEX["right"]["shoulder"]
    sh, hp = _mid_or_near(v, "shoulder"), _mid_or_near(v, "hip")
    if not v.seen(li, ri) or sh is None or hp is None:
        return NAN
    trunk = math.hypot(sh[0] - hp[0], sh[1] - hp[1])
    if trunk < 1e-9:
        return NAN
    return math.hypot(v.x[li] - v.x[ri], v.y[li] - v.y[ri]) / trunk


def squat_depth_front(v: FrameView) -> float:
    """Front-view knee-bend estimate (deg) from thigh foreshortening.

    Facing the camera, a squat shortens the thighs' vertical projection while the shanks stay
    nearly vertical. ``acos(thigh_proj / shank_len)`` is 0 standing and grows with depth.
    Averaged over the two legs that are seen.
    """
    vals = []
    for s in ("left", "right"):
        i = _SIDE_INDEX[s]
        h, k, a = i["hip"], i["knee"], i["ankle"]
        if not v.seen(h, k, a):
            continue
        shank = math.hypot(v.x[a] - v.x[k], v.y[a] - v.y[k])
        if shank < 1e-9:
            continue
        thigh_v = max(0.0, v.y[k] - v.y[h])
        vals.append(math.acos(min(1.0, thigh_v / shank)) * DEG)
    if not vals:
        return NAN
    return sum(vals) / len(vals)


def knee_roll(v: FrameView) -> float:
    """Angle (deg) of the hip_mid–knee_mid line from image-vertical, −90..90, + toward image-right
    at the knee end (C7, camera at the feet). 0 = knees upright, whether the camera sees the knees
    above or below the hips."""
    hp, kn = _mid(v, "hip"), _mid(v, "knee")
    if hp is None or kn is None:
        return NAN
    dx, dy = kn[0] - hp[0], kn[1] - hp[1]
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return NAN
    return math.atan2(dx, abs(dy)) * DEG


def head_line_offset(v: FrameView) -> float:
    """Ear's distance above (+) or below (−) the shoulder–hip line, over trunk length (cat-cow)."""
    s = v.near
    i = _SIDE_INDEX[s]
    ear, sh, hp = i["ear"], i["shoulder"], i["hip"]
    if not v.seen(ear, sh, hp):
        return NAN
    x, y = v.x, v.y
    return point_line_offset(x[ear], y[ear], x[hp], y[hp], x[sh], y[sh])


def hip_height(v: FrameView) -> float:
    """Hip above the shoulder–ankle baseline, over leg length (bridge lift, lying)."""
    i = _SIDE_INDEX[v.near]
    sh, hp, an = i["shoulder"], i["hip"], i["ankle"]
    if not v.seen(sh, hp, an):
        return NAN
    x, y = v.x, v.y
    return point_line_offset(x[hp], y[hp], x[sh], y[sh], x[an], y[an])


@dataclass(frozen=True, slots=True)
class MetricDef:
    """A named metric: its function, whether it is per side, and the view it is meant for."""

    name: str
    fn: SidedFn | BilateralFn
    sided: bool
    view: Literal["side", "front", "any"]
    unit: Literal["deg", "ratio"]
    doc: str


def _m(
    name: str, fn: SidedFn | BilateralFn, sided: bool, view: str, unit: str = "deg"
) -> MetricDef:
    return MetricDef(name, fn, sided, view, unit, (fn.__doc__ or "").strip().split("\n")[0])  # type: ignore[arg-type]


METRICS: dict[str, MetricDef] = {
    m.name: m
    for m in (
        _m("knee_flex", knee_flex, True, "side"),
        _m("hip_flex", hip_flex, True, "side"),
        _m("elbow_flex", elbow_flex, True, "any"),
        _m("hip_line_dev", hip_line_dev, True, "side"),
        _m("shank_incl", shank_incl, True, "side"),
        _m("thigh_from_vertical", thigh_from_vertical, True, "any"),
        _m("thigh_elev", thigh_elev, True, "side"),
        _m("leg_elev", leg_elev, True, "side"),
        _m("arm_elev", arm_elev, True, "side"),
        _m("upper_arm_flex", upper_arm_flex, True, "side"),
        _m("arm_abd", arm_abd, True, "front"),
        _m("shoulder_angle", shoulder_angle, True, "any"),
        _m("neck_flex_proxy", neck_flex_proxy, True, "side"),
        _m("cva_proxy", cva_proxy, True, "side"),
        _m("ear_shoulder_dist", ear_shoulder_dist, True, "front", "ratio"),
        _m("fppa", fppa, True, "front"),
        _m("trunk_incl", trunk_incl, False, "any"),
        _m("trunk_lean", trunk_lean, False, "front"),
        _m("trunk_horiz", trunk_horiz, False, "side"),
        _m("shoulder_tilt", shoulder_tilt, False, "front"),
        _m("hip_tilt", hip_tilt, False, "front"),
        _m("head_tilt", head_tilt, False, "front"),
        _m("knee_sep_ratio", knee_sep_ratio, False, "front", "ratio"),
        _m("shoulder_width_ratio", shoulder_width_ratio, False, "any", "ratio"),
        _m("squat_depth_front", squat_depth_front, False, "front"),
        _m("knee_roll", knee_roll, False, "front"),
        _m("head_line_offset", head_line_offset, False, "side", "ratio"),
        _m("hip_height", hip_height, False, "side", "ratio"),
    )
}

SELECTORS = ("near", "far", "left", "right", "max", "min")


def parse_metric(spec: str) -> tuple[MetricDef, str]:
    """Split ``"knee_flex@max"`` into its definition and selector; raise KeyError if unknown."""
    name, _, sel = spec.partition("@")
    if name not in METRICS:
        raise KeyError(name)
    m = METRICS[name]
    if sel and not m.sided:
        raise KeyError(f"{name} has no sides; drop '@{sel}'")
    if sel and sel not in SELECTORS:
        raise KeyError(f"unknown side selector '@{sel}' (use one of {', '.join(SELECTORS)})")
    return m, (sel or "near") if m.sided else ""


def compile_metric(spec: str) -> Callable[[FrameView], float]:
    """Turn a metric spec into a function of one :class:`FrameView` returning a float or NaN."""
    m, sel = parse_metric(spec)
    if not m.sided:
        return m.fn  # type: ignore[return-value]
    fn: SidedFn = m.fn  # type: ignore[assignment]
    if sel == "left":
        return lambda v: fn(v, "left")
    if sel == "right":
        return lambda v: fn(v, "right")
    if sel == "near":
        return lambda v: fn(v, v.near)
    if sel == "far":
        return lambda v: fn(v, "right" if v.near == "left" else "left")

    pick = max if sel == "max" else min

    def both(v: FrameView) -> float:
        a, b = fn(v, "left"), fn(v, "right")
        if a != a:  # NaN
            return b
        if b != b:
            return a
        return pick(a, b)

    return both
