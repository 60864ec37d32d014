"""The posture families of the exercise drawings: segment lengths, 2-D helpers and one builder
per movement (``build(u, near) -> Pose``).

World coordinates: metres-like units, y UP, the person faces +x (:mod:`coach.figures.kinematics`
flips them into image coordinates). Each builder takes the movement parameter ``u`` (its meaning
is the builder's; usually an angle in degrees) and which limb moves (``near``: the left, camera
side).

Where things are: :mod:`~coach.figures.postures.skeleton` (types, segment lengths, helpers), and
one module per base posture: :mod:`~coach.figures.postures.standing`,
:mod:`~coach.figures.postures.seated`, :mod:`~coach.figures.postures.supine` (on the back),
:mod:`~coach.figures.postures.quadruped` (on all fours) and :mod:`~coach.figures.postures.prone`
(on the front or the side). This package re-exports the builders and the names the drawing code
uses, so ``from coach.figures.postures import squat`` keeps working.
"""

from coach.figures.postures.prone import plank, side_bridge, superman
from coach.figures.postures.quadruped import bird_dog, bottom_to_heels, cat_cow, donkey_kick
from coach.figures.postures.seated import SEAT_Y, chin_tuck, shoulder_squeeze, sit_tall
from coach.figures.postures.skeleton import (
    ANKLE_H,
    FOOT,
    FOREARM,
    HEAD,
    HEAD_R,
    LIE,
    SHANK,
    THIGH,
    TRUNK,
    UPPER_ARM,
    Builder,
    Point,
    Pose,
    clamp01,
    lerp,
    midpoint,
)
from coach.figures.postures.standing import (
    STEP_H,
    back_bend,
    hinge,
    march,
    side_bend,
    sit_to_stand,
    squat,
    step_up,
)
from coach.figures.postures.supine import (
    brace,
    bridge,
    dead_bug,
    figure_four,
    heel_slide,
    knee_rolls,
    knee_to_chest,
    leg_raise,
    pelvic_tilt,
)

__all__ = [
    "ANKLE_H",
    "FOOT",
    "FOREARM",
    "HEAD",
    "HEAD_R",
    "LIE",
    "SEAT_Y",
    "SHANK",
    "STEP_H",
    "THIGH",
    "TRUNK",
    "UPPER_ARM",
    "Builder",
    "Point",
    "Pose",
    "back_bend",
    "bird_dog",
    "bottom_to_heels",
    "brace",
    "bridge",
    "cat_cow",
    "chin_tuck",
    "clamp01",
    "dead_bug",
    "donkey_kick",
    "figure_four",
    "heel_slide",
    "hinge",
    "knee_rolls",
    "knee_to_chest",
    "leg_raise",
    "lerp",
    "march",
    "midpoint",
    "pelvic_tilt",
    "plank",
    "shoulder_squeeze",
    "side_bend",
    "side_bridge",
    "sit_tall",
    "sit_to_stand",
    "squat",
    "step_up",
    "superman",
]
