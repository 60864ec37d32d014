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
:class:`coach.ui.illustration.SkeletonAnimation` is the widget that draws them. This module
frames the movement and times it; the variant table and the rules that pick one are in
:mod:`coach.figures.variants`, measuring and solving in :mod:`coach.figures.solver`, the
postures in :mod:`coach.figures.postures` (the names importers use are re-exported here).

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

from coach.core.metrics import parse_metric
from coach.figures.postures import HEAD_R, SEAT_Y, STEP_H, Point, Pose, clamp01, lerp
from coach.figures.solver import as_landmarks, measure, solve, world_to_image
from coach.figures.variants import (
    PREFERRED,
    VARIANTS,
    Variant,
    driver,
    family_of,
    hold_work,
    variant_name,
)

# ---------------------------------------------------------------------------------------------
# The figure for an exercise.


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
        _holds(c, measure(world_to_image(pose), c.metric))
        for c in ex.start
        if c.reference == "absolute"
    )


def _in_position_ok(ex: Any, pose: Pose) -> bool:
    if ex.kind != "hold":
        return True
    return all(
        _holds(c, measure(world_to_image(pose), c.metric))
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
    """The figure of ``ex``: its variant, the rest and work values it moves between and the
    framing that fits the whole movement (``extend``: the printed start/end positions)."""
    family = family_of(ex)
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
    metric, cond = driver(ex, PREFERRED)
    vname = variant_name(ex, family, metric, cond)
    v = VARIANTS[vname]
    spec_metric, rest, work, u_rest, u_work = _movement(ex, v, cond, extend)
    scale, offset, props, bounds = _framing(v, u_rest, u_work, alternate)
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


def _movement(
    ex: Any, v: Variant, cond: Any, extend: bool
) -> tuple[str, float, float, float, float]:
    """(metric, rest value, work value, builder parameter at rest, at work): the exercise's own
    signal when the variant moves the same measure, else the variant's defaults."""
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
            hold_work(v, cond) if v.metric else v.work,
        )
    lo, hi = v.u_range
    if spec_metric:
        u_rest = solve(v.build, spec_metric, rest, lo, hi)
        u_work = solve(v.build, spec_metric, work, lo, hi, near_u=u_rest)
        if extend:
            u_rest, u_work = _extended(ex, v, spec_metric, rest, work, u_rest, u_work)
    else:
        u_rest, u_work = float(v.rest), float(v.work)
    return spec_metric, rest, work, u_rest, u_work


def _framing(
    v: Variant, u_rest: float, u_work: float, alternate: bool
) -> tuple[
    float,
    tuple[float, float],
    tuple[tuple[str, float, float, float, float], ...],
    tuple[float, float, float, float],
]:
    """(scale, offset, props, bounds) in the unit image box: one fixed scale for the whole
    movement (both sides), so the figure never jumps."""
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
    return scale, offset, props, bounds


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
        u = solve(v.build, metric, target, lo, hi, near_u=u_rest)
        # only move away from the worked position, never toward it
        if (
            (u - u_rest) * (u_work - u_rest) <= 0
            and _start_ok(ex, v.build(u, True))
            and _above_floor(v.build(u, True))
        ):
            start = u
            break
    for share in (PRINT_EXTEND[1], PRINT_EXTEND[1] / 2):
        u = solve(v.build, metric, work + share * span, lo, hi, near_u=u_work)
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


__all__ = [
    "PRINT_EXTEND",
    "VARIANTS",
    "FigureSpec",
    "Variant",
    "as_landmarks",
    "cycle_timing",
    "figure_for",
    "measure",
    "moving_side",
    "phase_at",
    "pose_for",
    "print_figure_for",
]
