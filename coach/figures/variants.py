"""Which drawing an exercise gets: the table of movement variants and the rules that pick one.

A :class:`Variant` names a posture builder (:mod:`coach.figures.postures`), the metric its
parameter moves and the parameter range to solve in; :data:`VARIANTS` holds one per drawn
movement. :func:`family_of` reads the base posture from the exercise's first instruction and
tags, :func:`driver` the metric that moves (the signal, or for holds an in-position check),
:func:`variant_name` the variant for that family and metric, and :func:`hold_work` the value a
hold is drawn at. :mod:`coach.figures.kinematics` puts these together into a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coach.core.metrics import parse_metric
from coach.figures.postures import (
    Builder,
    back_bend,
    bird_dog,
    bottom_to_heels,
    brace,
    bridge,
    cat_cow,
    chin_tuck,
    dead_bug,
    donkey_kick,
    figure_four,
    heel_slide,
    hinge,
    knee_rolls,
    knee_to_chest,
    leg_raise,
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
    props: tuple[str, ...] = ("floor",)
    view: str = "side"


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
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
        Variant(
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
        Variant(
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
        Variant("march", "standing", march, "thigh_from_vertical@max", 20, 45, (0, 100), "*_hip"),
        Variant(
            "hinge", "standing", hinge, "hip_flex", 10, 60, (0, 110), "*_hip", ("floor", "box")
        ),
        Variant("back_bend", "standing", back_bend, "trunk_incl", 0, -15, (-40, 15), "*_hip"),
        Variant(
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
        Variant(
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
        Variant(
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
        Variant(
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
        Variant("brace", "supine", brace, "", 0, 1, (0, 1), "tummy"),
        Variant("pelvic_tilt", "supine", pelvic_tilt, "", 0, 1, (0, 1), "*_hip"),
        Variant("heel_slide", "supine", heel_slide, "knee_flex@max", 15, 60, (0, 130), "*_knee"),
        Variant("bridge", "supine", bridge, "hip_flex", 35, 10, (-3, 60), "*_hip"),
        Variant(
            "knee_to_chest", "supine", knee_to_chest, "hip_flex@max", 45, 105, (20, 140), "*_hip"
        ),
        Variant("figure_four", "supine", figure_four, "hip_flex@left", 50, 85, (20, 130), "l_hip"),
        Variant("dead_bug", "supine", dead_bug, "hip_flex@min", 88, 30, (10, 100), "*_hip"),
        Variant(
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
        Variant(
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
        Variant(
            "bird_dog",
            "quadruped",
            bird_dog,
            "shoulder_angle@max",
            95,
            130,
            (-20, 100),
            "*_shoulder",
        ),
        Variant(
            "donkey_kick",
            "quadruped",
            donkey_kick,
            "thigh_from_vertical@max",
            20,
            70,
            (0, 110),
            "*_hip",
        ),
        Variant("cat_cow", "quadruped", cat_cow, "neck_flex_proxy", -12, 12, (-40, 40), "spine"),
        Variant(
            "bottom_to_heels", "quadruped", bottom_to_heels, "hip_flex", 90, 115, (0, 85), "*_hip"
        ),
        Variant("superman", "prone", superman, "hip_line_dev", -5, -16, (0, 30), "*_hip"),
        Variant(
            "plank_knees",
            "prone",
            lambda u, n: plank(u, n, True),
            "hip_line_dev",
            -28,
            0,
            (0, 60),
            "*_hip",
        ),
        Variant(
            "plank_toes",
            "prone",
            lambda u, n: plank(u, n, False),
            "hip_line_dev",
            -28,
            0,
            (0, 60),
            "*_hip",
        ),
        Variant("side_bridge", "side_lying", side_bridge, "hip_line_dev", -28, 0, (0, 60), "*_hip"),
    )
}


# ---------------------------------------------------------------------------------------------
# Choosing the variant for an exercise.

#: Words in the first instruction (where every exercise says how to start) that name the
#: starting position, checked in this order.
_START_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("all fours", "hands and knees"), "quadruped"),
    (("on your front", "face down"), "prone"),
    (("on your side",), "side_lying"),
    (("on your back",), "supine"),
)


def family_of(ex: Any) -> str:
    """The base posture, from the first instruction (where every exercise says how to start) and tags."""
    if ex.kind == "breathing":
        return "breathing"
    first = (ex.instructions[0] if ex.instructions else "").lower()
    tags = set(ex.tags)
    for words, family in _START_WORDS:
        if any(w in first for w in words):
            return family
    if "standing" in tags:
        return "standing"
    if "seated" in tags or first.startswith("sit"):
        return "seated"
    return "supine" if "floor" in tags else "standing"


def driver(ex: Any, preferred: tuple[str, ...]) -> tuple[str, Any]:
    """(metric spec, condition or None): the signal, else the first preferred in-position check."""
    if ex.signal is not None:
        return ex.signal.metric, None
    conds = [c for c in ex.in_position if c.reference == "absolute"]
    for name in preferred:
        for c in conds:
            if parse_metric(c.metric)[0].name == name:
                return c.metric, c
    return (conds[0].metric, conds[0]) if conds else ("", None)


#: The in-position checks a hold is drawn from, most telling first.
PREFERRED = (
    "knee_roll",
    "trunk_lean",
    "leg_elev",
    "hip_line_dev",
    "hip_flex",
    "neck_flex_proxy",
    "trunk_incl",
    "knee_flex",
)


def _standing(ex: Any, name: str, sel: str, text: str) -> str:
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


def _seated(ex: Any, name: str, sel: str, text: str) -> str:
    # holds often check the posture first (sit tall) and the movement second (a baseline change)
    named = {name} | {parse_metric(c.metric)[0].name for c in ex.in_position}
    if "neck_flex_proxy" in named or "cva_proxy" in named:
        return "chin_tuck"
    if named & {"shoulder_tilt", "ear_shoulder_dist", "upper_arm_flex"} or "shoulder blade" in text:
        return "shoulder_squeeze"
    return "sit_tall"


def _supine(ex: Any, name: str, sel: str, text: str) -> str:
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


def _quadruped(ex: Any, name: str, sel: str, text: str) -> str:
    return {
        "shoulder_angle": "bird_dog",
        "thigh_from_vertical": "donkey_kick",
        "neck_flex_proxy": "cat_cow",
        "head_line_offset": "cat_cow",
        "hip_flex": "bottom_to_heels",
    }.get(name, "cat_cow")


def _prone(ex: Any, name: str, sel: str, text: str) -> str:
    if ex.signal is not None:
        return "superman"
    knees = any(
        parse_metric(c.metric)[0].name == "knee_flex" and c.op in (">=", ">")
        for c in ex.in_position
    )
    return "plank_knees" if knees else "plank_toes"


def _side_lying(ex: Any, name: str, sel: str, text: str) -> str:
    return "side_bridge"


#: Per base posture: ``choose(ex, metric name, metric selector, name and instructions) -> variant``.
_BY_FAMILY: dict[str, Callable[[Any, str, str, str], str]] = {
    "standing": _standing,
    "seated": _seated,
    "supine": _supine,
    "quadruped": _quadruped,
    "prone": _prone,
}


def variant_name(ex: Any, family: str, metric: str, cond: Any) -> str:
    """The :data:`VARIANTS` key that draws ``ex`` in ``family`` moving ``metric`` (``"breathing"``
    for paced breathing; any other family is drawn as a side bridge)."""
    base, sel = parse_metric(metric) if metric else (None, "")
    name = base.name if base is not None else ""
    text = " ".join([ex.name, *ex.instructions]).lower()
    if family == "breathing":
        return "breathing"
    return _BY_FAMILY.get(family, _side_lying)(ex, name, sel, text)


def hold_work(v: Variant, cond: Any) -> float:
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


__all__ = ["PREFERRED", "VARIANTS", "Variant", "driver", "family_of", "hold_work", "variant_name"]
