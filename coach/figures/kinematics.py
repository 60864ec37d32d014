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
:class:`coach.ui.illustration.SkeletonAnimation` is the widget that draws them.

Coordinates: a unit box, x to the right, **y downward** (like an image); the person faces
image-right in side views. Joint names: ``head``, ``nose``, and ``l_``/``r_`` + ``shoulder``,
``elbow``, ``wrist``, ``hip``, ``knee``, ``ankle``, ``heel``, ``toe`` (the person's left and
right). In side views the left side is the near side. ``spine`` (a mid-back point) is present
when the back curves (cat-cow). The breathing figure is ``{"centre": (x, y), "radius": (r, r)}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from coach.core.landmarks import NUM_LANDMARKS, Landmark
from coach.core.metrics import FrameView, compile_metric, parse_metric
from coach.figures.postures import (
    HEAD_R,
    SEAT_Y,
    STEP_H,
    Builder,
    Point,
    Pose,
    back_bend,
    bird_dog,
    bottom_to_heels,
    brace,
    bridge,
    cat_cow,
    chin_tuck,
    clamp01,
    dead_bug,
    donkey_kick,
    figure_four,
    heel_slide,
    hinge,
    knee_rolls,
    knee_to_chest,
    leg_raise,
    lerp,
    march,
    pelvic_tilt,
    plank,
    shoulder_squeeze,
    side_bend,
    side_bridge,
    sit_tall,
    sit_to_stand,
    squat,
    step_up,
    superman,
)

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


def _v(
    name: str,
    family: str,
    build: Builder,
    metric: str,
    rest: float,
    work: float,
    u_range: tuple[float, float],
    focus: str,
    props: tuple[str, ...] = ("floor",),
    view: str = "side",
) -> Variant:
    return Variant(name, family, build, metric, rest, work, u_range, focus, props, view)


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        _v(
            "squat",
            "standing",
            squat,
            "knee_flex",
            15,
            45,
            (0, 110),
            "*_knee",
            ("floor", "chair_behind"),
        ),
        _v(
            "sit_to_stand",
            "standing",
            sit_to_stand,
            "knee_flex",
            85,
            10,
            (0, 100),
            "*_knee",
            ("floor", "chair"),
        ),
        _v(
            "step_up",
            "standing",
            step_up,
            "knee_flex@near",
            10,
            35,
            (0, 100),
            "l_knee",
            ("floor", "step"),
        ),
        _v("march", "standing", march, "thigh_from_vertical@max", 20, 45, (0, 100), "*_hip"),
        _v("hinge", "standing", hinge, "hip_flex", 10, 60, (0, 110), "*_hip", ("floor", "box")),
        _v("back_bend", "standing", back_bend, "trunk_incl", 0, -15, (-40, 15), "*_hip"),
        _v(
            "side_bend",
            "standing",
            side_bend,
            "trunk_lean",
            0,
            25,
            (-45, 45),
            "mid_hip",
            view="front",
        ),
        _v(
            "sit_tall",
            "seated",
            sit_tall,
            "trunk_incl",
            17,
            3,
            (-10, 40),
            "*_hip",
            ("floor", "chair"),
        ),
        _v(
            "chin_tuck",
            "seated",
            chin_tuck,
            "neck_flex_proxy",
            14,
            -4,
            (-6, 10),
            "head",
            ("floor", "chair"),
        ),
        _v(
            "shoulder_squeeze",
            "seated",
            shoulder_squeeze,
            "upper_arm_flex",
            0,
            -22,
            (-40, 10),
            "*_shoulder",
            ("floor", "chair"),
        ),
        _v("brace", "supine", brace, "", 0, 1, (0, 1), "tummy"),
        _v("pelvic_tilt", "supine", pelvic_tilt, "", 0, 1, (0, 1), "*_hip"),
        _v("heel_slide", "supine", heel_slide, "knee_flex@max", 15, 60, (0, 130), "*_knee"),
        _v("bridge", "supine", bridge, "hip_flex", 35, 10, (-3, 60), "*_hip"),
        _v("knee_to_chest", "supine", knee_to_chest, "hip_flex@max", 45, 105, (20, 140), "*_hip"),
        _v("figure_four", "supine", figure_four, "hip_flex@left", 50, 85, (20, 130), "l_hip"),
        _v("dead_bug", "supine", dead_bug, "hip_flex@min", 88, 30, (10, 100), "*_hip"),
        _v(
            "leg_raise",
            "supine",
            leg_raise,
            "leg_elev@max",
            8,
            55,
            (0, 95),
            "*_hip",
            ("floor", "strap"),
        ),
        _v(
            "knee_rolls",
            "supine",
            knee_rolls,
            "knee_roll",
            0,
            35,
            (-60, 60),
            "*_knee",
            ("floor",),
            "front",
        ),
        _v(
            "bird_dog",
            "quadruped",
            bird_dog,
            "shoulder_angle@max",
            95,
            130,
            (-20, 100),
            "*_shoulder",
        ),
        _v(
            "donkey_kick",
            "quadruped",
            donkey_kick,
            "thigh_from_vertical@max",
            20,
            70,
            (0, 110),
            "*_hip",
        ),
        _v("cat_cow", "quadruped", cat_cow, "neck_flex_proxy", -12, 12, (-40, 40), "spine"),
        _v("bottom_to_heels", "quadruped", bottom_to_heels, "hip_flex", 90, 115, (0, 85), "*_hip"),
        _v("superman", "prone", superman, "hip_line_dev", -5, -16, (0, 30), "*_hip"),
        _v(
            "plank_knees",
            "prone",
            lambda u, n: plank(u, n, True),
            "hip_line_dev",
            -28,
            0,
            (0, 60),
            "*_hip",
        ),
        _v(
            "plank_toes",
            "prone",
            lambda u, n: plank(u, n, False),
            "hip_line_dev",
            -28,
            0,
            (0, 60),
            "*_hip",
        ),
        _v("side_bridge", "side_lying", side_bridge, "hip_line_dev", -28, 0, (0, 60), "*_hip"),
    )
}


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


_PREFERRED = (
    "knee_roll",
    "trunk_lean",
    "leg_elev",
    "hip_line_dev",
    "hip_flex",
    "neck_flex_proxy",
    "trunk_incl",
    "knee_flex",
)


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
        return {
            "thigh_from_vertical": "march",
            "hip_flex": "hinge",
            "trunk_incl": "back_bend",
            "trunk_lean": "side_bend",
        }.get(name, "squat")
    if family == "seated":
        # holds often check the posture first (sit tall) and the movement second (a baseline change)
        named = {name} | {parse_metric(c.metric)[0].name for c in ex.in_position}
        if "neck_flex_proxy" in named or "cva_proxy" in named:
            return "chin_tuck"
        if (
            named & {"shoulder_tilt", "ear_shoulder_dist", "upper_arm_flex"}
            or "shoulder blade" in text
        ):
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
        return {
            "shoulder_angle": "bird_dog",
            "thigh_from_vertical": "donkey_kick",
            "neck_flex_proxy": "cat_cow",
            "head_line_offset": "cat_cow",
            "hip_flex": "bottom_to_heels",
        }.get(name, "cat_cow")
    if family == "prone":
        if ex.signal is not None:
            return "superman"
        knees = any(
            parse_metric(c.metric)[0].name == "knee_flex" and c.op in (">=", ">")
            for c in ex.in_position
        )
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


def _world_to_image(p: Pose) -> Pose:
    """A fixed, uniform map of world coordinates into the unit box (for measuring while solving)."""
    return {k: (0.5 + 0.4 * x, 0.9 - 0.4 * y) for k, (x, y) in p.items()}


def _solve(
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
        ex.id,
        ex.name,
        ex.kind,
        tuple(ex.tags),
        tuple(ex.instructions),
        ex.sides,
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
    return all(
        _holds(c, measure(_world_to_image(pose), c.metric))
        for c in ex.start
        if c.reference == "absolute"
    )


def _in_position_ok(ex: Any, pose: Pose) -> bool:
    if ex.kind != "hold":
        return True
    return all(
        _holds(c, measure(_world_to_image(pose), c.metric))
        for c in ex.in_position
        if c.reference == "absolute"
    )


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
        return FigureSpec(
            "breathing",
            "breathing",
            "",
            0.0,
            1.0,
            False,
            "centre",
            "none",
            bounds=(0.05, 0.05, 0.95, 0.95),
        )
    metric, cond = _driver(ex, _PREFERRED)
    vname = _variant_name(ex, family, metric, cond)
    v = VARIANTS[vname]
    if (
        ex.signal is not None
        and v.metric
        and parse_metric(ex.signal.metric)[0].name == parse_metric(v.metric)[0].name
    ):
        spec_metric, rest, work = ex.signal.metric, float(ex.signal.rest), float(ex.signal.work)
    else:
        spec_metric, rest, work = (
            v.metric,
            float(v.rest),
            _hold_work(v, cond) if v.metric else v.work,
        )
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
            pose = v.build(lerp(u_rest, u_work, i / 8), near)
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
        (
            kind,
            x0 * scale + offset[0],
            -y0 * scale + offset[1],
            x1 * scale + offset[0],
            -y1 * scale + offset[1],
        )
        for kind, x0, y0, x1, y1 in raw_props
    )
    bounds = (
        x_lo * scale + offset[0],
        -y_hi * scale + offset[1],
        x_hi * scale + offset[0],
        -y_lo * scale + offset[1],
    )
    return FigureSpec(
        vname,
        v.family,
        spec_metric,
        rest,
        work,
        alternate,
        v.focus,
        v.view,
        u_rest,
        u_work,
        scale,
        offset,
        HEAD_R * scale,
        props,
        bounds,
    )


def _extended(
    ex: Any, v: Variant, metric: str, rest: float, work: float, u_rest: float, u_work: float
) -> tuple[float, float]:
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
        if (
            (u - u_rest) * (u_work - u_rest) <= 0
            and _start_ok(ex, v.build(u, True))
            and _above_floor(v.build(u, True))
        ):
            start = u
            break
    for share in (PRINT_EXTEND[1], PRINT_EXTEND[1] / 2):
        u = _solve(v.build, metric, work + share * span, lo, hi, near_u=u_work)
        if (
            (u - u_work) * (u_work - u_rest) >= 0
            and _in_position_ok(ex, v.build(u, True))
            and _above_floor(v.build(u, True))
        ):
            end = u
            break
    return start, end


def _world_props(
    kinds: tuple[str, ...], rest: Pose, work: Pose
) -> list[tuple[str, float, float, float, float]]:
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


def pose_for(
    ex: Any, phase: float, *, other_side: bool = False, spec: FigureSpec | None = None
) -> Pose:
    """Named joint positions in the unit box (y down) for ``phase`` 0 (rest) .. 1 (work).

    ``other_side`` moves the other limb (for exercises done on alternate sides). For breathing,
    the figure is a circle: ``{"centre": (x, y), "radius": (r, r)}`` with r growing with phase.
    """
    spec = spec if spec is not None else figure_for(ex)
    t = clamp01(phase)
    if spec.variant == "breathing":
        r = 0.26 + 0.18 * t
        return {"centre": (0.5, 0.5), "radius": (r, r)}
    v = VARIANTS[spec.variant]
    pose = v.build(lerp(spec.u_rest, spec.u_work, t), not other_side)
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
