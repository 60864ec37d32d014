"""How each input of the RULA, REBA and NIOSH calculators is entered: label, kind, range, unit,
default and help text, one row per field of the input dataclasses (the app's calculator forms are
built from these tables). Defaults are those of DOMAIN §3.7 for what a webcam cannot see, with a
typical seated desk posture for the angles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    """How one input field is edited.

    kind: ``angle`` (signed degrees), ``flexion`` (0–180°), ``number`` (with ``unit``), ``flag``
    (a checkbox), ``optional_angle`` (a checkbox "measured" plus an angle; unchecked = None,
    the §3.7 default), ``choice`` (a combo over ``choices``), ``score`` (an integer 0–3).
    """

    name: str
    label: str
    kind: str
    default: Any
    group: str
    lo: float = -180.0
    hi: float = 180.0
    step: float = 1.0
    unit: str = "°"
    choices: tuple[tuple[str, Any], ...] = ()
    tip: str = ""


_RULA_FORCE = (
    ("0 – none, or under 2 kg now and then", 0),
    ("1 – 2–10 kg now and then", 1),
    ("2 – 2–10 kg held/repeated, or over 10 kg now and then", 2),
    ("3 – over 10 kg held/repeated, or shocks", 3),
)

RULA_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "upper_arm",
        "Upper arm flexion",
        "angle",
        10.0,
        "Arm and wrist (group A)",
        tip="Degrees forward of the trunk; negative = behind the body (extension).",
    ),
    FieldSpec("shoulder_raised", "Shoulder raised", "flag", False, "Arm and wrist (group A)"),
    FieldSpec(
        "arm_abducted", "Upper arm out to the side", "flag", False, "Arm and wrist (group A)"
    ),
    FieldSpec(
        "arm_supported",
        "Arm supported or leaning (−1)",
        "flag",
        False,
        "Arm and wrist (group A)",
        tip="Webcam default: not supported (DOMAIN §3.7).",
    ),
    FieldSpec(
        "lower_arm",
        "Elbow flexion",
        "flexion",
        90.0,
        "Arm and wrist (group A)",
        lo=0.0,
        tip="0° = arm straight; 60–100° scores best.",
    ),
    FieldSpec(
        "arm_across_midline_or_out",
        "Working across the body or out to the side",
        "flag",
        False,
        "Arm and wrist (group A)",
    ),
    FieldSpec(
        "wrist",
        "Wrist flexion/extension",
        "optional_angle",
        None,
        "Arm and wrist (group A)",
        tip="Unticked: not observed, scored 2 (typing, 0–15°) as DOMAIN §3.7.",
    ),
    FieldSpec("wrist_deviated", "Wrist bent sideways", "flag", False, "Arm and wrist (group A)"),
    FieldSpec(
        "wrist_twist_end_range",
        "Wrist twisted near the end of its range",
        "flag",
        False,
        "Arm and wrist (group A)",
        tip="Webcam default: mid-range (DOMAIN §3.7).",
    ),
    FieldSpec(
        "muscle_use_a",
        "Arm posture static > 1 min or repeated ≥ 4×/min",
        "flag",
        False,
        "Arm and wrist (group A)",
    ),
    FieldSpec(
        "force_a", "Force / load (arms)", "score", 0, "Arm and wrist (group A)", choices=_RULA_FORCE
    ),
    FieldSpec(
        "neck",
        "Neck flexion",
        "angle",
        10.0,
        "Neck, trunk and legs (group B)",
        tip="Negative = neck in extension (scores 4).",
    ),
    FieldSpec("neck_twisted", "Neck twisted", "flag", False, "Neck, trunk and legs (group B)"),
    FieldSpec(
        "neck_side_bent", "Neck bent sideways", "flag", False, "Neck, trunk and legs (group B)"
    ),
    FieldSpec("trunk", "Trunk flexion", "angle", 5.0, "Neck, trunk and legs (group B)"),
    FieldSpec(
        "trunk_supported",
        "Sitting well supported (hip–trunk ≥ 90°)",
        "flag",
        False,
        "Neck, trunk and legs (group B)",
    ),
    FieldSpec("trunk_twisted", "Trunk twisted", "flag", False, "Neck, trunk and legs (group B)"),
    FieldSpec(
        "trunk_side_bent", "Trunk bent sideways", "flag", False, "Neck, trunk and legs (group B)"
    ),
    FieldSpec(
        "legs_supported",
        "Legs and feet supported, weight even",
        "flag",
        True,
        "Neck, trunk and legs (group B)",
        tip="Webcam default: seated, supported (DOMAIN §3.7).",
    ),
    FieldSpec(
        "muscle_use_b",
        "Body posture static > 1 min or repeated ≥ 4×/min",
        "flag",
        False,
        "Neck, trunk and legs (group B)",
    ),
    FieldSpec(
        "force_b",
        "Force / load (body)",
        "score",
        0,
        "Neck, trunk and legs (group B)",
        choices=_RULA_FORCE,
    ),
)

REBA_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "trunk",
        "Trunk flexion",
        "angle",
        5.0,
        "Trunk, neck and legs (group A)",
        tip="Negative = extension (leaning back).",
    ),
    FieldSpec("trunk_twisted", "Trunk twisted", "flag", False, "Trunk, neck and legs (group A)"),
    FieldSpec(
        "trunk_side_bent", "Trunk bent sideways", "flag", False, "Trunk, neck and legs (group A)"
    ),
    FieldSpec("neck", "Neck flexion", "angle", 10.0, "Trunk, neck and legs (group A)"),
    FieldSpec("neck_twisted", "Neck twisted", "flag", False, "Trunk, neck and legs (group A)"),
    FieldSpec(
        "neck_side_bent", "Neck bent sideways", "flag", False, "Trunk, neck and legs (group A)"
    ),
    FieldSpec(
        "sitting",
        "Sitting",
        "flag",
        True,
        "Trunk, neck and legs (group A)",
        tip="Seated legs score 1 (DOMAIN §3.7); no +2 for knees over 60°.",
    ),
    FieldSpec(
        "legs_unilateral",
        "Weight on one leg, or unstable",
        "flag",
        False,
        "Trunk, neck and legs (group A)",
    ),
    FieldSpec(
        "knee_flex",
        "Knee flexion",
        "optional_angle",
        None,
        "Trunk, neck and legs (group A)",
        lo=0.0,
        tip="Unticked: not observed (no knee adjustment).",
    ),
    FieldSpec(
        "load_kg",
        "Load or force",
        "number",
        0.0,
        "Trunk, neck and legs (group A)",
        lo=0.0,
        hi=100.0,
        step=0.5,
        unit=" kg",
        tip="Webcam default: 0 kg (office work, DOMAIN §3.7).",
    ),
    FieldSpec(
        "shock", "Shock or rapid build-up of force", "flag", False, "Trunk, neck and legs (group A)"
    ),
    FieldSpec("upper_arm", "Upper arm flexion", "angle", 10.0, "Arms and wrists (group B)"),
    FieldSpec(
        "arm_abducted", "Upper arm out to the side", "flag", False, "Arms and wrists (group B)"
    ),
    FieldSpec("arm_rotated", "Upper arm rotated", "flag", False, "Arms and wrists (group B)"),
    FieldSpec("shoulder_raised", "Shoulder raised", "flag", False, "Arms and wrists (group B)"),
    FieldSpec(
        "arm_supported",
        "Arm supported, leaning or gravity-assisted (−1)",
        "flag",
        False,
        "Arms and wrists (group B)",
    ),
    FieldSpec("lower_arm", "Elbow flexion", "flexion", 90.0, "Arms and wrists (group B)", lo=0.0),
    FieldSpec(
        "wrist",
        "Wrist flexion/extension",
        "optional_angle",
        None,
        "Arms and wrists (group B)",
        tip="Unticked: not observed, scored 1 as DOMAIN §3.7.",
    ),
    FieldSpec("wrist_deviated", "Wrist bent sideways", "flag", False, "Arms and wrists (group B)"),
    FieldSpec("wrist_twisted", "Wrist twisted", "flag", False, "Arms and wrists (group B)"),
    FieldSpec(
        "coupling",
        "Hand hold (coupling)",
        "choice",
        "fair",
        "Arms and wrists (group B)",
        choices=(
            ("Good – well-fitting handle", "good"),
            ("Fair – acceptable, not ideal", "fair"),
            ("Poor – not acceptable but possible", "poor"),
            ("Unacceptable – awkward, unsafe, no handle", "unacceptable"),
        ),
        tip="Webcam default: fair (DOMAIN §3.7).",
    ),
    FieldSpec("static_posture", "A body part held still > 1 min", "flag", False, "Activity"),
    FieldSpec("repeated_actions", "Small actions repeated > 4×/min", "flag", False, "Activity"),
    FieldSpec(
        "rapid_changes", "Rapid large posture changes or unstable base", "flag", False, "Activity"
    ),
)

NIOSH_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "load_kg",
        "Weight of the load",
        "number",
        10.0,
        "The lift",
        lo=0.0,
        hi=100.0,
        step=0.5,
        unit=" kg",
    ),
    FieldSpec(
        "h_cm",
        "H: hands in front of the ankles",
        "number",
        30.0,
        "The lift",
        lo=0.0,
        hi=150.0,
        unit=" cm",
        tip="Horizontal distance from the mid-point between the inner ankles to the hands.",
    ),
    FieldSpec(
        "v_cm",
        "V: hand height at the start",
        "number",
        75.0,
        "The lift",
        lo=0.0,
        hi=250.0,
        unit=" cm",
    ),
    FieldSpec(
        "d_cm",
        "D: vertical travel",
        "number",
        50.0,
        "The lift",
        lo=0.0,
        hi=250.0,
        unit=" cm",
        tip="|V at the destination − V at the start|.",
    ),
    FieldSpec(
        "a_deg", "A: twist away from straight ahead", "number", 0.0, "The lift", lo=0.0, hi=180.0
    ),
    FieldSpec(
        "frequency_per_min",
        "Lifts per minute",
        "number",
        1.0,
        "How often",
        lo=0.0,
        hi=20.0,
        step=0.1,
        unit=" /min",
    ),
    FieldSpec(
        "duration",
        "Work duration",
        "choice",
        "short",
        "How often",
        choices=(
            ("Short – up to 1 hour", "short"),
            ("Moderate – 1 to 2 hours", "moderate"),
            ("Long – 2 to 8 hours", "long"),
        ),
    ),
    FieldSpec(
        "coupling",
        "Hand hold (coupling)",
        "choice",
        "fair",
        "How often",
        choices=(("Good", "good"), ("Fair", "fair"), ("Poor", "poor")),
        tip="Default: fair (DOMAIN §3.7, §4.3).",
    ),
)
