"""Ergonomic calculators: RULA, REBA and the revised NIOSH lifting equation (DOMAIN §3.5–§4.3).

Pure functions over plain numbers; no Qt, OpenCV or MediaPipe. Each method has a frozen input
dataclass (angles in degrees, adjustments as booleans, a few small integer scores) and a frozen
result dataclass that carries every intermediate value of the published worksheet, so the UI,
the CLI and the tests can all show *why* a score is what it is.

Conventions shared by RULA and REBA
-----------------------------------
* Signed angles: positive = flexion (forward), negative = extension (backward). Lower-arm and
  knee angles are flexion only (0° = straight, DOMAIN §0 "deviation from straight").
* Band edges: a band written "x–y°" in the published text includes its upper edge y, and the
  next band "> y°" starts strictly above it (the texts say "> 20°" for the top neck band, so
  20° itself belongs to "10–20°"; we read every band the same way). Thus RULA neck 10° → 1,
  20° → 2, 20.1° → 3; upper arm 20° → 1, 45° → 2, 90° → 3.
* "Neutral" / "upright" means exactly 0°. Measurement noise should be handled upstream
  (calibrated offsets, smoothing), not by widening the published bands here.
* Inputs a webcam cannot see use the defaults of DOMAIN §3.7 as field defaults; a wrist angle
  of ``None`` means "not observed" and scores the §3.7 default.

Every public function validates its arguments and raises :class:`ValueError` with a message
naming the offending field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = [
    "NIOSH_CM_TABLE",
    "NIOSH_FM_ROWS",
    "NIOSH_FM_TABLE",
    "NIOSH_LOAD_CONSTANT_KG",
    "REBA_ACTIONS",
    "REBA_COUPLINGS",
    "REBA_DEFAULT_WRIST_SCORE",
    "REBA_TABLE_A",
    "REBA_TABLE_B",
    "REBA_TABLE_C",
    "RULA_ACTIONS",
    "RULA_DEFAULT_WRIST_SCORE",
    "RULA_TABLE_A",
    "RULA_TABLE_B",
    "RULA_TABLE_C",
    "NioshInput",
    "NioshResult",
    "RebaInput",
    "RebaResult",
    "RulaInput",
    "RulaResult",
    "compute_niosh",
    "compute_reba",
    "compute_rula",
    "from_dict",
    "niosh_am",
    "niosh_cm",
    "niosh_dm",
    "niosh_duration_category",
    "niosh_fm",
    "niosh_hm",
    "niosh_interpretation",
    "niosh_vm",
    "reba_action",
    "reba_activity_score",
    "reba_coupling_score",
    "reba_legs_score",
    "reba_load_score",
    "reba_lower_arm_score",
    "reba_neck_score",
    "reba_table_a",
    "reba_table_b",
    "reba_table_c",
    "reba_trunk_score",
    "reba_upper_arm_score",
    "reba_wrist_score",
    "rula_action",
    "rula_force_score",
    "rula_legs_score",
    "rula_lower_arm_score",
    "rula_neck_score",
    "rula_table_a",
    "rula_table_b",
    "rula_table_c",
    "rula_trunk_score",
    "rula_upper_arm_score",
    "rula_wrist_score",
    "rula_wrist_twist_score",
    "to_dict",
]

# ---------------------------------------------------------------------------------------------
# Published tables, encoded exactly as printed.
# ---------------------------------------------------------------------------------------------

# RULA Table A: [upper arm 1–6][lower arm 1–3][wrist 1–4][wrist twist 1–2] -> posture score A.
# [S: RULA93; RULA93-worksheet; cross-checked RULA-impl]
RULA_TABLE_A: tuple[tuple[tuple[tuple[int, int], ...], ...], ...] = (
    (  # upper arm 1
        ((1, 2), (2, 2), (2, 3), (3, 3)),  # lower arm 1: wrist 1..4 x (twist 1, twist 2)
        ((2, 2), (2, 2), (3, 3), (3, 3)),  # lower arm 2
        ((2, 3), (3, 3), (3, 3), (4, 4)),  # lower arm 3
    ),
    (  # upper arm 2
        ((2, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
    ),
    (  # upper arm 3
        ((3, 3), (4, 4), (4, 4), (5, 5)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
    ),
    (  # upper arm 4
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 5), (5, 5), (6, 6)),
    ),
    (  # upper arm 5
        ((5, 5), (5, 5), (5, 6), (6, 7)),
        ((5, 6), (6, 6), (6, 7), (7, 7)),
        ((6, 6), (6, 7), (7, 7), (7, 8)),
    ),
    (  # upper arm 6
        ((7, 7), (7, 7), (7, 8), (8, 9)),
        ((8, 8), (8, 8), (8, 9), (9, 9)),
        ((9, 9), (9, 9), (9, 9), (9, 9)),
    ),
)

# RULA Table B: [neck 1–6][trunk 1–6][legs 1–2] -> posture score B.  [S: RULA93; RULA-impl]
RULA_TABLE_B: tuple[tuple[tuple[int, int], ...], ...] = (
    ((1, 3), (2, 3), (3, 4), (5, 5), (6, 6), (7, 7)),  # neck 1: trunk 1..6 x (legs 1, legs 2)
    ((2, 3), (2, 3), (4, 5), (5, 5), (6, 7), (7, 7)),  # neck 2
    ((3, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 7)),  # neck 3
    ((5, 5), (5, 6), (6, 7), (7, 7), (7, 7), (8, 8)),  # neck 4
    ((7, 7), (7, 7), (7, 8), (8, 8), (8, 8), (8, 8)),  # neck 5
    ((8, 8), (8, 8), (8, 8), (8, 9), (9, 9), (9, 9)),  # neck 6
)

# RULA Table C: [wrist & arm score 1–8+][neck, trunk & leg score 1–7+] -> grand score.
# [S: RULA93; RULA-impl]
RULA_TABLE_C: tuple[tuple[int, ...], ...] = (
    (1, 2, 3, 3, 4, 5, 5),  # score C 1
    (2, 2, 3, 4, 4, 5, 5),  # score C 2
    (3, 3, 3, 4, 4, 5, 6),  # score C 3
    (3, 3, 3, 4, 5, 6, 6),  # score C 4
    (4, 4, 4, 5, 6, 7, 7),  # score C 5
    (4, 4, 5, 6, 6, 7, 7),  # score C 6
    (5, 5, 6, 6, 7, 7, 7),  # score C 7
    (5, 5, 6, 7, 7, 7, 7),  # score C 8+
)

# REBA Table A: [trunk 1–5][neck 1–3][legs 1–4] -> posture score A.
# [S: REBA2000; REBA-worksheet; cross-checked REBA-impl]
REBA_TABLE_A: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1, 2, 3, 4), (1, 2, 3, 4), (3, 3, 5, 6)),  # trunk 1: neck 1..3 x legs 1..4
    ((2, 3, 4, 5), (3, 4, 5, 6), (4, 5, 6, 7)),  # trunk 2
    ((2, 4, 5, 6), (4, 5, 6, 7), (5, 6, 7, 8)),  # trunk 3
    ((3, 5, 6, 7), (5, 6, 7, 8), (6, 7, 8, 9)),  # trunk 4
    ((4, 6, 7, 8), (6, 7, 8, 9), (7, 8, 9, 9)),  # trunk 5
)

# REBA Table B: [upper arm 1–6][lower arm 1–2][wrist 1–3] -> posture score B.
# [S: REBA2000; REBA-worksheet; REBA-impl]
REBA_TABLE_B: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1, 2, 2), (1, 2, 3)),  # upper arm 1: lower arm 1..2 x wrist 1..3
    ((1, 2, 3), (2, 3, 4)),  # upper arm 2
    ((3, 4, 5), (4, 5, 5)),  # upper arm 3
    ((4, 5, 5), (5, 6, 7)),  # upper arm 4
    ((6, 7, 8), (7, 8, 8)),  # upper arm 5
    ((7, 8, 8), (8, 9, 9)),  # upper arm 6
)

# REBA Table C: [score A 1–12][score B 1–12] -> score C.  [S: REBA2000; REBA-worksheet]
REBA_TABLE_C: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7),  # score A 1
    (1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8),  # score A 2
    (2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8),  # score A 3
    (3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9),  # score A 4
    (4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9),  # score A 5
    (6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10),  # score A 6
    (7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11),  # score A 7
    (8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11),  # score A 8
    (9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12),  # score A 9
    (10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12),  # score A 10
    (11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12),  # score A 11
    (12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12),  # score A 12
)

#: NIOSH load constant, metric.  [S: NIOSH94; Waters1993]
NIOSH_LOAD_CONSTANT_KG = 23.0

#: Frequencies (lifts/min) of the rows of :data:`NIOSH_FM_TABLE`; above 15 lifts/min FM = 0.
NIOSH_FM_ROWS: tuple[float, ...] = (0.2, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

# NIOSH frequency multiplier: one row per entry of NIOSH_FM_ROWS; columns are
# (short V<75, short V>=75, moderate V<75, moderate V>=75, long V<75, long V>=75).
# [S: NIOSH94 Table 5; NIOSH-worksheet; HF-handbook; NIOSH-impl]
NIOSH_FM_TABLE: tuple[tuple[float, float, float, float, float, float], ...] = (
    (1.00, 1.00, 0.95, 0.95, 0.85, 0.85),  # <= 0.2
    (0.97, 0.97, 0.92, 0.92, 0.81, 0.81),  # 0.5
    (0.94, 0.94, 0.88, 0.88, 0.75, 0.75),  # 1
    (0.91, 0.91, 0.84, 0.84, 0.65, 0.65),  # 2
    (0.88, 0.88, 0.79, 0.79, 0.55, 0.55),  # 3
    (0.84, 0.84, 0.72, 0.72, 0.45, 0.45),  # 4
    (0.80, 0.80, 0.60, 0.60, 0.35, 0.35),  # 5
    (0.75, 0.75, 0.50, 0.50, 0.27, 0.27),  # 6
    (0.70, 0.70, 0.42, 0.42, 0.22, 0.22),  # 7
    (0.60, 0.60, 0.35, 0.35, 0.18, 0.18),  # 8
    (0.52, 0.52, 0.30, 0.30, 0.00, 0.15),  # 9
    (0.45, 0.45, 0.26, 0.26, 0.00, 0.13),  # 10
    (0.41, 0.41, 0.00, 0.23, 0.00, 0.00),  # 11
    (0.37, 0.37, 0.00, 0.21, 0.00, 0.00),  # 12
    (0.00, 0.34, 0.00, 0.00, 0.00, 0.00),  # 13
    (0.00, 0.31, 0.00, 0.00, 0.00, 0.00),  # 14
    (0.00, 0.28, 0.00, 0.00, 0.00, 0.00),  # 15
)

#: NIOSH coupling multiplier: coupling -> (V < 75 cm, V >= 75 cm).
#: [S: NIOSH94; amaador-calc; NIOSH-impl]
NIOSH_CM_TABLE: dict[str, tuple[float, float]] = {
    "good": (1.00, 1.00),
    "fair": (0.95, 1.00),
    "poor": (0.90, 0.90),
}

#: Vertical height (cm) separating the two FM/CM columns.  [S: NIOSH94]
_NIOSH_V_SPLIT_CM = 75.0

Duration = Literal["short", "moderate", "long"]
_DURATION_COLUMN: dict[str, int] = {"short": 0, "moderate": 1, "long": 2}

# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------


def _number(name: str, value: object, lo: float | None = None, hi: float | None = None) -> float:
    """Return ``value`` as a finite float within [lo, hi] or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if lo is not None and x < lo:
        raise ValueError(f"{name} must be >= {lo:g}, got {x:g}")
    if hi is not None and x > hi:
        raise ValueError(f"{name} must be <= {hi:g}, got {x:g}")
    return x


def _signed_angle(name: str, value: object) -> float:
    # A joint angle between two segments cannot exceed 180° either way.
    return _number(name, value, -180.0, 180.0)


def _flexion_angle(name: str, value: object) -> float:
    # "Deviation from straight" angles are 0–180° by construction (DOMAIN §0).
    return _number(name, value, 0.0, 180.0)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


def _score(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer {lo}–{hi}, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer {lo}–{hi}, got {value}")
    return value


def _clamp(x: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, x))


def _fmt(x: float) -> str:
    return f"{x:g}"


# ---------------------------------------------------------------------------------------------
# RULA
# ---------------------------------------------------------------------------------------------

#: Action-level texts by level.  [S: RULA93]
RULA_ACTIONS: dict[int, str] = {
    1: "Acceptable if not maintained or repeated for long periods",
    2: "Further investigation needed; changes may be required",
    3: "Investigation and changes required soon",
    4: "Investigation and changes required immediately",
}

#: Score used for an unobserved wrist angle (typing, 0–15°).  [D: DOMAIN §3.7]
RULA_DEFAULT_WRIST_SCORE = 2


def _rula_upper_arm_base(angle: float) -> int:
    # [S: RULA93] 20° ext – 20° flex → 1; > 20° ext or 20–45° → 2; 45–90° → 3; > 90° → 4
    if angle < -20.0:
        return 2
    if angle <= 20.0:
        return 1
    if angle <= 45.0:
        return 2
    if angle <= 90.0:
        return 3
    return 4


def rula_upper_arm_score(
    angle: float,
    *,
    shoulder_raised: bool = False,
    abducted: bool = False,
    supported: bool = False,
) -> int:
    """RULA upper-arm score (1–6).

    Parameters
    ----------
    angle : float
        Upper-arm flexion in degrees (negative = extension), -180..180.
    shoulder_raised, abducted : bool
        +1 each.  [S: RULA93]
    supported : bool
        Arm supported or person leaning: −1 (never below 1).

    Returns
    -------
    int
        The adjusted upper-arm score, clamped to 1–6 (the rows of Table A).
    """
    a = _signed_angle("upper_arm", angle)
    score = (
        _rula_upper_arm_base(a)
        + _flag("shoulder_raised", shoulder_raised)
        + _flag("arm_abducted", abducted)
        - _flag("arm_supported", supported)
    )
    return _clamp(score, 1, 6)


def rula_lower_arm_score(angle: float, *, across_midline_or_out: bool = False) -> int:
    """RULA lower-arm score (1–3).

    Parameters
    ----------
    angle : float
        Elbow flexion in degrees (0 = straight), 0..180. 60–100° → 1, otherwise 2.
    across_midline_or_out : bool
        Working across the body midline or out to the side: +1.  [S: RULA93]
    """
    a = _flexion_angle("lower_arm", angle)
    base = 1 if 60.0 <= a <= 100.0 else 2
    return base + _flag("arm_across_midline_or_out", across_midline_or_out)


def rula_wrist_score(angle: float | None, *, deviated: bool = False) -> int:
    """RULA wrist score (1–4).

    Parameters
    ----------
    angle : float or None
        Wrist flexion (+) / extension (−) in degrees, -180..180. 0 → 1 (neutral);
        up to 15° either way → 2; beyond 15° → 3.  [S: RULA93]
        ``None`` = not observed → 2 (typing default, DOMAIN §3.7 [D]).
    deviated : bool
        Wrist bent from the midline (radial/ulnar deviation): +1.
    """
    if angle is None:
        base = RULA_DEFAULT_WRIST_SCORE
    else:
        a = abs(_signed_angle("wrist", angle))
        base = 1 if a == 0.0 else 2 if a <= 15.0 else 3
    return base + _flag("wrist_deviated", deviated)


def rula_wrist_twist_score(near_end_of_range: bool = False) -> int:
    """RULA wrist-twist score: 1 mainly mid-range, 2 at or near the end of range.  [S: RULA93]"""
    return 1 + _flag("wrist_twist_end_range", near_end_of_range)


def rula_neck_score(angle: float, *, twisted: bool = False, side_bent: bool = False) -> int:
    """RULA neck score (1–6).

    Parameters
    ----------
    angle : float
        Neck flexion in degrees (negative = extension), -180..180. 0–10° → 1, 10–20° → 2,
        > 20° → 3, any extension → 4.  [S: RULA93]
    twisted, side_bent : bool
        +1 each.
    """
    a = _signed_angle("neck", angle)
    if a < 0.0:
        base = 4
    elif a <= 10.0:
        base = 1
    elif a <= 20.0:
        base = 2
    else:
        base = 3
    return base + _flag("neck_twisted", twisted) + _flag("neck_side_bent", side_bent)


def rula_trunk_score(
    angle: float,
    *,
    twisted: bool = False,
    side_bent: bool = False,
    well_supported: bool = False,
) -> int:
    """RULA trunk score (1–6).

    Parameters
    ----------
    angle : float
        Trunk flexion from vertical in degrees (negative = reclined/extended), -180..180.
        0° or less (standing erect, reclined) → 1; 0–20° → 2; 20–60° → 3; > 60° → 4.
        [S: RULA93]. RULA93 gives no trunk-extension band; a trunk that is not flexed
        scores as erect.
    twisted, side_bent : bool
        +1 each.
    well_supported : bool
        The rater declares "sitting well supported with hip–trunk angle ≥ 90°": the posture
        score is 1 whatever the angle, because RULA's seated criterion is the hip–trunk angle,
        which a trunk-to-vertical angle does not measure.  [S: RULA93]
    """
    a = _signed_angle("trunk", angle)
    if _flag("trunk_supported", well_supported) or a <= 0.0:
        base = 1
    elif a <= 20.0:
        base = 2
    elif a <= 60.0:
        base = 3
    else:
        base = 4
    return base + _flag("trunk_twisted", twisted) + _flag("trunk_side_bent", side_bent)


def rula_legs_score(supported: bool = True) -> int:
    """RULA legs score: 1 supported and balanced, 2 not supported / uneven.  [S: RULA93]"""
    return 1 if _flag("legs_supported", supported) else 2


def rula_force_score(
    load_kg: float, *, static_or_repeated: bool = False, shock: bool = False
) -> int:
    """RULA force/load score (0–3) from a load in kg.

    Parameters
    ----------
    load_kg : float
        Load or force in kg (>= 0).
    static_or_repeated : bool
        The load is held statically or repeated (otherwise intermittent).
    shock : bool
        Shocks or forces with rapid build-up → 3.

    Notes
    -----
    [S: RULA93] 0: < 2 kg intermittent; 1: 2–10 kg intermittent; 2: 2–10 kg static/repeated
    or > 10 kg intermittent; 3: > 10 kg static/repeated, or shocks. A static load under 2 kg is
    not listed and scores 0 (same band as "no resistance").
    """
    kg = _number("load_kg", load_kg, 0.0)
    static = _flag("static_or_repeated", static_or_repeated)
    if _flag("shock", shock):
        return 3
    if kg < 2.0:
        return 0
    if kg <= 10.0:
        return 2 if static else 1
    return 3 if static else 2


def rula_table_a(upper_arm: int, lower_arm: int, wrist: int, wrist_twist: int) -> int:
    """Look up RULA Table A (upper arm 1–6, lower arm 1–3, wrist 1–4, twist 1–2)."""
    ua = _score("upper_arm score", upper_arm, 1, 6)
    la = _score("lower_arm score", lower_arm, 1, 3)
    w = _score("wrist score", wrist, 1, 4)
    t = _score("wrist_twist score", wrist_twist, 1, 2)
    return RULA_TABLE_A[ua - 1][la - 1][w - 1][t - 1]


def rula_table_b(neck: int, trunk: int, legs: int) -> int:
    """Look up RULA Table B (neck 1–6, trunk 1–6, legs 1–2)."""
    n = _score("neck score", neck, 1, 6)
    t = _score("trunk score", trunk, 1, 6)
    g = _score("legs score", legs, 1, 2)
    return RULA_TABLE_B[n - 1][t - 1][g - 1]


def rula_table_c(score_c: int, score_d: int) -> int:
    """Look up RULA Table C; the wrist & arm score caps at 8, the neck/trunk/leg score at 7."""
    c = _score("score_c", score_c, 1, 99)
    d = _score("score_d", score_d, 1, 99)
    return RULA_TABLE_C[min(c, 8) - 1][min(d, 7) - 1]


def rula_action(grand_score: int) -> tuple[int, str]:
    """Action level (1–4) and its text for a RULA grand score 1–7.  [S: RULA93]"""
    g = _score("grand_score", grand_score, 1, 7)
    level = 1 if g <= 2 else 2 if g <= 4 else 3 if g <= 6 else 4
    return level, RULA_ACTIONS[level]


@dataclass(frozen=True)
class RulaInput:
    """One side's RULA worksheet inputs.

    Attributes
    ----------
    upper_arm : float
        Upper-arm flexion, degrees (negative = extension).
    lower_arm : float
        Elbow flexion, degrees (0 = straight).
    neck : float
        Neck flexion, degrees (negative = extension).
    trunk : float
        Trunk flexion from vertical, degrees (negative = reclined).
    wrist : float or None
        Wrist flexion/extension, degrees; None = not observed → score 2 [D: §3.7].
    shoulder_raised, arm_abducted : bool
        Upper-arm +1 adjustments.
    arm_supported : bool
        Arm supported / person leaning, −1 (default False [D: §3.7]).
    arm_across_midline_or_out : bool
        Lower-arm +1: working across the midline or out to the side.
    wrist_deviated : bool
        Wrist +1: radial/ulnar deviation (default False [D: §3.7]).
    wrist_twist_end_range : bool
        Wrist twist at or near end of range → 2 (default mid-range [D: §3.7]).
    muscle_use_a, muscle_use_b : bool
        Posture mainly static (> 1 min) or repeated ≥ 4×/min, for groups A and B.
    force_a, force_b : int
        Force/load score 0–3 for groups A and B (default 0, office work [D: §3.7]);
        see :func:`rula_force_score`.
    neck_twisted, neck_side_bent, trunk_twisted, trunk_side_bent : bool
        +1 adjustments.
    trunk_supported : bool
        Sitting well supported with hip–trunk angle ≥ 90° → trunk posture 1.
    legs_supported : bool
        Legs and feet supported, weight even (default True, seated [D: §3.7]).
    """

    upper_arm: float
    lower_arm: float
    neck: float
    trunk: float
    wrist: float | None = None
    shoulder_raised: bool = False
    arm_abducted: bool = False
    arm_supported: bool = False
    arm_across_midline_or_out: bool = False
    wrist_deviated: bool = False
    wrist_twist_end_range: bool = False
    muscle_use_a: bool = False
    force_a: int = 0
    neck_twisted: bool = False
    neck_side_bent: bool = False
    trunk_twisted: bool = False
    trunk_side_bent: bool = False
    trunk_supported: bool = False
    legs_supported: bool = True
    muscle_use_b: bool = False
    force_b: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "upper_arm", _signed_angle("upper_arm", self.upper_arm))
        object.__setattr__(self, "lower_arm", _flexion_angle("lower_arm", self.lower_arm))
        object.__setattr__(self, "neck", _signed_angle("neck", self.neck))
        object.__setattr__(self, "trunk", _signed_angle("trunk", self.trunk))
        if self.wrist is not None:
            object.__setattr__(self, "wrist", _signed_angle("wrist", self.wrist))
        for f in dataclasses.fields(self):
            if f.type in ("bool", bool):
                _flag(f.name, getattr(self, f.name))
        _score("force_a", self.force_a, 0, 3)
        _score("force_b", self.force_b, 0, 3)


@dataclass(frozen=True)
class RulaResult:
    """Every intermediate value of a RULA worksheet.

    ``score_c`` and ``score_d`` are the uncapped sums; Table C caps them at 8 and 7.
    ``drivers`` names the non-neutral items, the one whose removal lowers the grand score most
    first (ties: the larger body-part excess first). Unobserved inputs scored by a §3.7 default
    are not listed.
    """

    upper_arm: int
    lower_arm: int
    wrist: int
    wrist_twist: int
    posture_a: int
    muscle_a: int
    force_a: int
    score_c: int
    neck: int
    trunk: int
    legs: int
    posture_b: int
    muscle_b: int
    force_b: int
    score_d: int
    grand_score: int
    action_level: int
    action: str
    drivers: tuple[str, ...] = field(default_factory=tuple)


def _rula_scores(inp: RulaInput) -> RulaResult:
    ua = rula_upper_arm_score(
        inp.upper_arm,
        shoulder_raised=inp.shoulder_raised,
        abducted=inp.arm_abducted,
        supported=inp.arm_supported,
    )
    la = rula_lower_arm_score(inp.lower_arm, across_midline_or_out=inp.arm_across_midline_or_out)
    wr = rula_wrist_score(inp.wrist, deviated=inp.wrist_deviated)
    tw = rula_wrist_twist_score(inp.wrist_twist_end_range)
    posture_a = rula_table_a(ua, la, wr, tw)
    muscle_a = int(inp.muscle_use_a)
    score_c = posture_a + muscle_a + inp.force_a

    neck = rula_neck_score(inp.neck, twisted=inp.neck_twisted, side_bent=inp.neck_side_bent)
    trunk = rula_trunk_score(
        inp.trunk,
        twisted=inp.trunk_twisted,
        side_bent=inp.trunk_side_bent,
        well_supported=inp.trunk_supported,
    )
    legs = rula_legs_score(inp.legs_supported)
    posture_b = rula_table_b(neck, trunk, legs)
    muscle_b = int(inp.muscle_use_b)
    score_d = posture_b + muscle_b + inp.force_b

    grand = rula_table_c(score_c, score_d)
    level, text = rula_action(grand)
    return RulaResult(
        upper_arm=ua,
        lower_arm=la,
        wrist=wr,
        wrist_twist=tw,
        posture_a=posture_a,
        muscle_a=muscle_a,
        force_a=inp.force_a,
        score_c=score_c,
        neck=neck,
        trunk=trunk,
        legs=legs,
        posture_b=posture_b,
        muscle_b=muscle_b,
        force_b=inp.force_b,
        score_d=score_d,
        grand_score=grand,
        action_level=level,
        action=text,
    )


_FORCE_PHRASES = {
    1: "intermittent load 2–10 kg",
    2: "static/repeated load 2–10 kg or intermittent load over 10 kg",
    3: "static/repeated load over 10 kg or shock forces",
}


def _arm_phrase(angle: float) -> str:
    band = _rula_upper_arm_base(angle)
    if band == 2 and angle < 0:
        return "upper arm extended more than 20°"
    return {
        2: "upper arm raised 20–45°",
        3: "upper arm raised 45–90°",
        4: "upper arm raised above 90°",
    }[band]


# A driver candidate: (phrase, points it adds to its body-part score, neutralised input).
_Candidate = tuple[str, int, Any]


def _rank_drivers(
    candidates: list[_Candidate], final: int, final_of: Callable[[Any], int]
) -> tuple[str, ...]:
    """Order the non-neutral items by how much neutralising each lowers the final score."""
    ranked = []
    for order, (phrase, excess, neutral_input) in enumerate(candidates):
        if excess <= 0:
            continue
        impact = final - final_of(neutral_input)
        ranked.append((-impact, -excess, order, phrase))
    ranked.sort()
    return tuple(r[3] for r in ranked)


def _rula_drivers(inp: RulaInput, res: RulaResult) -> tuple[str, ...]:
    rep = dataclasses.replace
    c: list[_Candidate] = []
    ua_base = _rula_upper_arm_base(inp.upper_arm)
    if ua_base > 1:
        c.append((_arm_phrase(inp.upper_arm), ua_base - 1, rep(inp, upper_arm=0.0)))
    c.append(("shoulder raised", int(inp.shoulder_raised), rep(inp, shoulder_raised=False)))
    c.append(("upper arm abducted", int(inp.arm_abducted), rep(inp, arm_abducted=False)))
    if not 60.0 <= inp.lower_arm <= 100.0:
        phrase = "elbow bent less than 60°" if inp.lower_arm < 60.0 else "elbow bent more than 100°"
        c.append((phrase, 1, rep(inp, lower_arm=80.0)))
    c.append(
        (
            "arm working across the body or out to the side",
            int(inp.arm_across_midline_or_out),
            rep(inp, arm_across_midline_or_out=False),
        )
    )
    if inp.wrist is not None and inp.wrist != 0.0:
        phrase = "wrist bent up to 15°" if abs(inp.wrist) <= 15.0 else "wrist bent more than 15°"
        c.append((phrase, 1 if abs(inp.wrist) <= 15.0 else 2, rep(inp, wrist=0.0)))
    c.append(("wrist bent sideways", int(inp.wrist_deviated), rep(inp, wrist_deviated=False)))
    c.append(
        (
            "wrist twisted near the end of its range",
            int(inp.wrist_twist_end_range),
            rep(inp, wrist_twist_end_range=False),
        )
    )
    c.append(
        (
            "arm/wrist posture static or repeated",
            int(inp.muscle_use_a),
            rep(inp, muscle_use_a=False),
        )
    )
    if inp.force_a:
        c.append((f"arm: {_FORCE_PHRASES[inp.force_a]}", inp.force_a, rep(inp, force_a=0)))

    if inp.neck < 0.0:
        c.append(("neck extended", 3, rep(inp, neck=0.0)))
    elif inp.neck > 20.0:
        c.append(("neck flexed more than 20°", 2, rep(inp, neck=0.0)))
    elif inp.neck > 10.0:
        c.append(("neck flexed 10–20°", 1, rep(inp, neck=0.0)))
    c.append(("neck twisted", int(inp.neck_twisted), rep(inp, neck_twisted=False)))
    c.append(("neck bent sideways", int(inp.neck_side_bent), rep(inp, neck_side_bent=False)))
    if not inp.trunk_supported and inp.trunk > 0.0:
        t = inp.trunk
        phrase, excess = (
            ("trunk flexed up to 20°", 1)
            if t <= 20.0
            else ("trunk flexed 20–60°", 2)
            if t <= 60.0
            else ("trunk flexed more than 60°", 3)
        )
        c.append((phrase, excess, rep(inp, trunk=0.0)))
    c.append(("trunk twisted", int(inp.trunk_twisted), rep(inp, trunk_twisted=False)))
    c.append(("trunk bent sideways", int(inp.trunk_side_bent), rep(inp, trunk_side_bent=False)))
    c.append(
        (
            "legs or feet unsupported, or weight uneven",
            int(not inp.legs_supported),
            rep(inp, legs_supported=True),
        )
    )
    c.append(
        (
            "neck/trunk posture static or repeated",
            int(inp.muscle_use_b),
            rep(inp, muscle_use_b=False),
        )
    )
    if inp.force_b:
        c.append((f"body: {_FORCE_PHRASES[inp.force_b]}", inp.force_b, rep(inp, force_b=0)))
    return _rank_drivers(c, res.grand_score, lambda i: _rula_scores(i).grand_score)


def compute_rula(inp: RulaInput) -> RulaResult:
    """Score a RULA worksheet (McAtamney & Corlett 1993).  [S: RULA93; RULA93-worksheet]

    Parameters
    ----------
    inp : RulaInput
        One side's posture and adjustments (validated on construction).

    Returns
    -------
    RulaResult
        Body-part scores, Table A/B posture scores, muscle and force additions, scores C and
        D, the Table C grand score, the action level with its text, and the drivers.
    """
    if not isinstance(inp, RulaInput):
        raise ValueError(f"compute_rula needs a RulaInput, got {type(inp).__name__}")
    res = _rula_scores(inp)
    return dataclasses.replace(res, drivers=_rula_drivers(inp, res))


# ---------------------------------------------------------------------------------------------
# REBA
# ---------------------------------------------------------------------------------------------

#: Coupling names → score.  [S: REBA2000]
REBA_COUPLINGS: dict[str, int] = {"good": 0, "fair": 1, "poor": 2, "unacceptable": 3}

#: (risk, action) by action level 0–4.  [S: REBA2000; REBA-worksheet]
REBA_ACTIONS: dict[int, tuple[str, str]] = {
    0: ("negligible", "None necessary"),
    1: ("low", "May be necessary"),
    2: ("medium", "Necessary: investigate further, change soon"),
    3: ("high", "Necessary soon: investigate and implement change"),
    4: ("very high", "Necessary now: implement change"),
}

#: Score used for an unobserved wrist angle.  [D: DOMAIN §3.7]
REBA_DEFAULT_WRIST_SCORE = 1


def _reba_trunk_base(a: float) -> int:
    # [S: REBA2000] upright → 1; 0–20° flex/ext → 2; 20–60° flex or > 20° ext → 3; > 60° flex → 4
    if a == 0.0:
        return 1
    if -20.0 <= a <= 20.0:
        return 2
    if a < -20.0 or a <= 60.0:
        return 3
    return 4


def reba_trunk_score(angle: float, *, twisted: bool = False, side_bent: bool = False) -> int:
    """REBA trunk score (1–5).

    Parameters
    ----------
    angle : float
        Trunk flexion in degrees (negative = extension), -180..180.
    twisted, side_bent : bool
        A single +1 if either is true: REBA's rule is "twisted *or* side-flexed", and Table A
        has trunk rows only up to 5 = 4 + 1.  [S: REBA2000]
    """
    a = _signed_angle("trunk", angle)
    adj = _flag("trunk_twisted", twisted) | _flag("trunk_side_bent", side_bent)
    return _reba_trunk_base(a) + int(adj)


def reba_neck_score(angle: float, *, twisted: bool = False, side_bent: bool = False) -> int:
    """REBA neck score (1–3): 0–20° flexion → 1, > 20° or extension → 2; +1 if twisted or
    side-bent (one +1 for either).  [S: REBA2000]"""
    a = _signed_angle("neck", angle)
    base = 1 if 0.0 <= a <= 20.0 else 2
    return base + int(_flag("neck_twisted", twisted) | _flag("neck_side_bent", side_bent))


def reba_legs_score(
    *, unilateral: bool = False, knee_flex: float | None = None, sitting: bool = False
) -> int:
    """REBA legs score (1–4).

    Parameters
    ----------
    unilateral : bool
        Unilateral / feather weight-bearing or unstable posture → 2 (else bilateral,
        walking or sitting → 1).
    knee_flex : float or None
        Knee flexion in degrees (0 = straight); None = not observed (no adjustment).
        30–60° → +1; > 60° → +2 except when sitting.  [S: REBA2000]
    sitting : bool
        The person sits; the +2 for knees > 60° does not apply.
    """
    base = 2 if _flag("legs_unilateral", unilateral) else 1
    seated = _flag("sitting", sitting)
    adj = 0
    if knee_flex is not None:
        k = _flexion_angle("knee_flex", knee_flex)
        if 30.0 <= k <= 60.0:
            adj = 1
        elif k > 60.0 and not seated:
            adj = 2
    return base + adj


def reba_upper_arm_score(
    angle: float,
    *,
    abducted_or_rotated: bool = False,
    shoulder_raised: bool = False,
    supported: bool = False,
) -> int:
    """REBA upper-arm score (1–6): RULA bands; +1 abducted or rotated, +1 shoulder raised,
    −1 leaning, arm supported or gravity-assisted (never below 1).  [S: REBA2000]"""
    a = _signed_angle("upper_arm", angle)
    score = (
        _rula_upper_arm_base(a)
        + _flag("arm_abducted_or_rotated", abducted_or_rotated)
        + _flag("shoulder_raised", shoulder_raised)
        - _flag("arm_supported", supported)
    )
    return _clamp(score, 1, 6)


def reba_lower_arm_score(angle: float) -> int:
    """REBA lower-arm score: 60–100° elbow flexion → 1, otherwise 2.  [S: REBA2000]"""
    a = _flexion_angle("lower_arm", angle)
    return 1 if 60.0 <= a <= 100.0 else 2


def reba_wrist_score(angle: float | None, *, deviated_or_twisted: bool = False) -> int:
    """REBA wrist score (1–3): 0–15° flexion/extension → 1, > 15° → 2; +1 if deviated or
    twisted.  ``None`` = not observed → 1 [D: §3.7].  [S: REBA2000]"""
    if angle is None:
        base = REBA_DEFAULT_WRIST_SCORE
    else:
        base = 1 if abs(_signed_angle("wrist", angle)) <= 15.0 else 2
    return base + _flag("wrist_deviated_or_twisted", deviated_or_twisted)


def reba_load_score(load_kg: float, *, shock: bool = False) -> int:
    """REBA load/force score (0–3): < 5 kg → 0, 5–10 kg → 1, > 10 kg → 2; +1 for shock or
    rapid build-up of force.  [S: REBA2000]"""
    kg = _number("load_kg", load_kg, 0.0)
    base = 0 if kg < 5.0 else 1 if kg <= 10.0 else 2
    return base + _flag("shock", shock)


def reba_coupling_score(coupling: str) -> int:
    """REBA coupling score: good 0, fair 1, poor 2, unacceptable 3.  [S: REBA2000]"""
    if not isinstance(coupling, str) or coupling.lower() not in REBA_COUPLINGS:
        raise ValueError(f"coupling must be one of {', '.join(REBA_COUPLINGS)}, got {coupling!r}")
    return REBA_COUPLINGS[coupling.lower()]


def reba_activity_score(
    *, static_posture: bool = False, repeated_actions: bool = False, rapid_changes: bool = False
) -> int:
    """REBA activity score (0–3): +1 each for a body part held > 1 min, repeated small-range
    actions (> 4×/min), rapid large-range changes or an unstable base.  [S: REBA2000]"""
    return (
        _flag("static_posture", static_posture)
        + _flag("repeated_actions", repeated_actions)
        + _flag("rapid_changes", rapid_changes)
    )


def reba_table_a(trunk: int, neck: int, legs: int) -> int:
    """Look up REBA Table A (trunk 1–5, neck 1–3, legs 1–4)."""
    t = _score("trunk score", trunk, 1, 5)
    n = _score("neck score", neck, 1, 3)
    g = _score("legs score", legs, 1, 4)
    return REBA_TABLE_A[t - 1][n - 1][g - 1]


def reba_table_b(upper_arm: int, lower_arm: int, wrist: int) -> int:
    """Look up REBA Table B (upper arm 1–6, lower arm 1–2, wrist 1–3)."""
    ua = _score("upper_arm score", upper_arm, 1, 6)
    la = _score("lower_arm score", lower_arm, 1, 2)
    w = _score("wrist score", wrist, 1, 3)
    return REBA_TABLE_B[ua - 1][la - 1][w - 1]


def reba_table_c(score_a: int, score_b: int) -> int:
    """Look up REBA Table C (score A 1–12, score B 1–12)."""
    a = _score("score_a", score_a, 1, 12)
    b = _score("score_b", score_b, 1, 12)
    return REBA_TABLE_C[a - 1][b - 1]


def reba_action(reba_score: int) -> tuple[int, str, str]:
    """(action level 0–4, risk, action text) for a REBA score 1–15.  [S: REBA2000]"""
    s = _score("reba_score", reba_score, 1, 15)
    level = 0 if s == 1 else 1 if s <= 3 else 2 if s <= 7 else 3 if s <= 10 else 4
    risk, action = REBA_ACTIONS[level]
    return level, risk, action


@dataclass(frozen=True)
class RebaInput:
    """One side's REBA worksheet inputs.

    Attributes
    ----------
    trunk, neck, upper_arm : float
        Flexion in degrees (negative = extension).
    lower_arm : float
        Elbow flexion in degrees (0 = straight).
    wrist : float or None
        Wrist flexion/extension in degrees; None = not observed → score 1 [D: §3.7].
    trunk_twisted, trunk_side_bent, neck_twisted, neck_side_bent : bool
        "Twisted or side-flexed" (+1 per body part, once).
    legs_unilateral : bool
        Unilateral/feather weight-bearing or unstable posture.
    knee_flex : float or None
        Knee flexion in degrees; None = not observed (no knee adjustment, §3.7 legs = 1).
    sitting : bool
        Seated (no +2 for knees > 60°).
    load_kg : float
        Load or force handled (default 0 [D: §3.7]).
    shock : bool
        Shock or rapid build-up of force (+1).
    arm_abducted, arm_rotated : bool
        "Abducted or rotated" (+1, once).
    shoulder_raised : bool
        +1.
    arm_supported : bool
        Leaning, arm supported or gravity-assisted (−1; default False [D: §3.7]).
    wrist_deviated, wrist_twisted : bool
        "Deviated or twisted" (+1, once).
    coupling : str
        good | fair | poor | unacceptable (default fair [D: §3.7]).
    static_posture, repeated_actions, rapid_changes : bool
        Activity score items (+1 each).
    """

    trunk: float
    neck: float
    upper_arm: float
    lower_arm: float
    wrist: float | None = None
    trunk_twisted: bool = False
    trunk_side_bent: bool = False
    neck_twisted: bool = False
    neck_side_bent: bool = False
    legs_unilateral: bool = False
    knee_flex: float | None = None
    sitting: bool = False
    load_kg: float = 0.0
    shock: bool = False
    arm_abducted: bool = False
    arm_rotated: bool = False
    shoulder_raised: bool = False
    arm_supported: bool = False
    wrist_deviated: bool = False
    wrist_twisted: bool = False
    coupling: str = "fair"
    static_posture: bool = False
    repeated_actions: bool = False
    rapid_changes: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "trunk", _signed_angle("trunk", self.trunk))
        object.__setattr__(self, "neck", _signed_angle("neck", self.neck))
        object.__setattr__(self, "upper_arm", _signed_angle("upper_arm", self.upper_arm))
        object.__setattr__(self, "lower_arm", _flexion_angle("lower_arm", self.lower_arm))
        if self.wrist is not None:
            object.__setattr__(self, "wrist", _signed_angle("wrist", self.wrist))
        if self.knee_flex is not None:
            object.__setattr__(self, "knee_flex", _flexion_angle("knee_flex", self.knee_flex))
        object.__setattr__(self, "load_kg", _number("load_kg", self.load_kg, 0.0))
        for f in dataclasses.fields(self):
            if f.type in ("bool", bool):
                _flag(f.name, getattr(self, f.name))
        reba_coupling_score(self.coupling)
        object.__setattr__(self, "coupling", self.coupling.lower())


@dataclass(frozen=True)
class RebaResult:
    """Every intermediate value of a REBA worksheet.

    ``posture_a``/``posture_b`` are the Table A/B values; ``score_a`` = posture_a + load,
    ``score_b`` = posture_b + coupling, ``score_c`` from Table C, ``reba_score`` = score_c +
    activity. ``drivers`` as in :class:`RulaResult`.
    """

    trunk: int
    neck: int
    legs: int
    posture_a: int
    load: int
    score_a: int
    upper_arm: int
    lower_arm: int
    wrist: int
    posture_b: int
    coupling: int
    score_b: int
    score_c: int
    activity: int
    reba_score: int
    action_level: int
    risk: str
    action: str
    drivers: tuple[str, ...] = field(default_factory=tuple)


def _reba_scores(inp: RebaInput) -> RebaResult:
    trunk = reba_trunk_score(inp.trunk, twisted=inp.trunk_twisted, side_bent=inp.trunk_side_bent)
    neck = reba_neck_score(inp.neck, twisted=inp.neck_twisted, side_bent=inp.neck_side_bent)
    legs = reba_legs_score(
        unilateral=inp.legs_unilateral, knee_flex=inp.knee_flex, sitting=inp.sitting
    )
    posture_a = reba_table_a(trunk, neck, legs)
    load = reba_load_score(inp.load_kg, shock=inp.shock)
    score_a = posture_a + load

    ua = reba_upper_arm_score(
        inp.upper_arm,
        abducted_or_rotated=inp.arm_abducted or inp.arm_rotated,
        shoulder_raised=inp.shoulder_raised,
        supported=inp.arm_supported,
    )
    la = reba_lower_arm_score(inp.lower_arm)
    wr = reba_wrist_score(inp.wrist, deviated_or_twisted=inp.wrist_deviated or inp.wrist_twisted)
    posture_b = reba_table_b(ua, la, wr)
    coupling = reba_coupling_score(inp.coupling)
    score_b = posture_b + coupling

    score_c = reba_table_c(score_a, score_b)
    activity = reba_activity_score(
        static_posture=inp.static_posture,
        repeated_actions=inp.repeated_actions,
        rapid_changes=inp.rapid_changes,
    )
    final = score_c + activity
    level, risk, action = reba_action(final)
    return RebaResult(
        trunk=trunk,
        neck=neck,
        legs=legs,
        posture_a=posture_a,
        load=load,
        score_a=score_a,
        upper_arm=ua,
        lower_arm=la,
        wrist=wr,
        posture_b=posture_b,
        coupling=coupling,
        score_b=score_b,
        score_c=score_c,
        activity=activity,
        reba_score=final,
        action_level=level,
        risk=risk,
        action=action,
    )


def _reba_drivers(inp: RebaInput, res: RebaResult) -> tuple[str, ...]:
    rep = dataclasses.replace
    c: list[_Candidate] = []
    t = inp.trunk
    tb = _reba_trunk_base(t)
    if tb > 1:
        if t < -20.0:
            phrase = "trunk extended more than 20°"
        elif t < 0.0:
            phrase = "trunk extended up to 20°"
        else:
            phrase = {
                2: "trunk flexed up to 20°",
                3: "trunk flexed 20–60°",
                4: "trunk flexed more than 60°",
            }[tb]
        c.append((phrase, tb - 1, rep(inp, trunk=0.0)))
    c.append(
        (
            "trunk twisted or bent sideways",
            int(inp.trunk_twisted or inp.trunk_side_bent),
            rep(inp, trunk_twisted=False, trunk_side_bent=False),
        )
    )
    if not 0.0 <= inp.neck <= 20.0:
        phrase = "neck extended" if inp.neck < 0.0 else "neck flexed more than 20°"
        c.append((phrase, 1, rep(inp, neck=0.0)))
    c.append(
        (
            "neck twisted or bent sideways",
            int(inp.neck_twisted or inp.neck_side_bent),
            rep(inp, neck_twisted=False, neck_side_bent=False),
        )
    )
    c.append(
        (
            "weight on one leg or unstable posture",
            int(inp.legs_unilateral),
            rep(inp, legs_unilateral=False),
        )
    )
    if inp.knee_flex is not None:
        k = inp.knee_flex
        if 30.0 <= k <= 60.0:
            c.append(("knees bent 30–60°", 1, rep(inp, knee_flex=0.0)))
        elif k > 60.0 and not inp.sitting:
            c.append(("knees bent more than 60°", 2, rep(inp, knee_flex=0.0)))
    load_base = reba_load_score(inp.load_kg)
    if load_base:
        phrase = "load 5–10 kg" if load_base == 1 else "load over 10 kg"
        c.append((phrase, load_base, rep(inp, load_kg=0.0)))
    c.append(("shock or rapid build-up of force", int(inp.shock), rep(inp, shock=False)))
    ua_base = _rula_upper_arm_base(inp.upper_arm)
    if ua_base > 1:
        c.append((_arm_phrase(inp.upper_arm), ua_base - 1, rep(inp, upper_arm=0.0)))
    c.append(
        (
            "upper arm abducted or rotated",
            int(inp.arm_abducted or inp.arm_rotated),
            rep(inp, arm_abducted=False, arm_rotated=False),
        )
    )
    c.append(("shoulder raised", int(inp.shoulder_raised), rep(inp, shoulder_raised=False)))
    if not 60.0 <= inp.lower_arm <= 100.0:
        phrase = "elbow bent less than 60°" if inp.lower_arm < 60.0 else "elbow bent more than 100°"
        c.append((phrase, 1, rep(inp, lower_arm=80.0)))
    if inp.wrist is not None and abs(inp.wrist) > 15.0:
        c.append(("wrist bent more than 15°", 1, rep(inp, wrist=0.0)))
    c.append(
        (
            "wrist deviated or twisted",
            int(inp.wrist_deviated or inp.wrist_twisted),
            rep(inp, wrist_deviated=False, wrist_twisted=False),
        )
    )
    cs = reba_coupling_score(inp.coupling)
    if cs:
        c.append((f"{inp.coupling} hand hold (coupling)", cs, rep(inp, coupling="good")))
    c.append(
        ("posture held more than 1 min", int(inp.static_posture), rep(inp, static_posture=False))
    )
    c.append(
        (
            "small-range actions repeated more than 4×/min",
            int(inp.repeated_actions),
            rep(inp, repeated_actions=False),
        )
    )
    c.append(
        (
            "rapid large posture changes or unstable base",
            int(inp.rapid_changes),
            rep(inp, rapid_changes=False),
        )
    )
    return _rank_drivers(c, res.reba_score, lambda i: _reba_scores(i).reba_score)


def compute_reba(inp: RebaInput) -> RebaResult:
    """Score a REBA worksheet (Hignett & McAtamney 2000).  [S: REBA2000; REBA-worksheet]

    Parameters
    ----------
    inp : RebaInput
        One side's posture, load, coupling and activity (validated on construction).

    Returns
    -------
    RebaResult
        Body-part scores, Table A/B/C values, load, coupling and activity scores, the final
        REBA score (1–15), the action level (0–4), risk and action texts, and the drivers.
    """
    if not isinstance(inp, RebaInput):
        raise ValueError(f"compute_reba needs a RebaInput, got {type(inp).__name__}")
    res = _reba_scores(inp)
    return dataclasses.replace(res, drivers=_reba_drivers(inp, res))


# ---------------------------------------------------------------------------------------------
# Revised NIOSH lifting equation
# ---------------------------------------------------------------------------------------------


def niosh_hm(h_cm: float) -> float:
    """Horizontal multiplier HM = 25/H; H < 25 cm → 1.0, H > 63 cm → 0.  [S: NIOSH94]"""
    h = _number("h_cm", h_cm, 0.0)
    if h > 63.0:
        return 0.0
    return 25.0 / max(h, 25.0)


def niosh_vm(v_cm: float) -> float:
    """Vertical multiplier VM = 1 − 0.003·|V − 75|; V > 175 cm → 0.  [S: NIOSH94]"""
    v = _number("v_cm", v_cm, 0.0)
    if v > 175.0:
        return 0.0
    return 1.0 - 0.003 * abs(v - 75.0)


def niosh_dm(d_cm: float) -> float:
    """Distance multiplier DM = 0.82 + 4.5/D; D < 25 cm → 1.0, D > 175 cm → 0.  [S: NIOSH94]"""
    d = _number("d_cm", d_cm, 0.0)
    if d > 175.0:
        return 0.0
    if d < 25.0:
        return 1.0
    # 0.82 + 4.5/25 is exactly 1.0 on paper but 1.0000000000000002 in floating point.
    return min(1.0, 0.82 + 4.5 / d)


def niosh_am(a_deg: float) -> float:
    """Asymmetry multiplier AM = 1 − 0.0032·A; A > 135° → 0.  [S: NIOSH94]

    A is the twist away from the sagittal plane, 0–180°.
    """
    a = _number("a_deg", a_deg, 0.0, 180.0)
    if a > 135.0:
        return 0.0
    return 1.0 - 0.0032 * a


def niosh_duration_category(duration: str | float) -> Duration:
    """Map a duration name or a number of hours to short | moderate | long.

    Hours: ≤ 1 → short, (1, 2] → moderate, (2, 24] → long (the table's longest column is
    2–8 h; longer shifts are outside the equation and are flagged in
    :attr:`NioshResult.notes`).  [S: NIOSH94; HF-handbook]
    """
    if isinstance(duration, str):
        name = duration.strip().lower()
        if name not in _DURATION_COLUMN:
            raise ValueError(
                f"duration must be short, moderate, long or a number of hours, got {duration!r}"
            )
        return name  # type: ignore[return-value]
    hours = _number("duration (hours)", duration, 0.0, 24.0)
    if hours <= 0.0:
        raise ValueError(f"duration (hours) must be > 0, got {hours:g}")
    if hours <= 1.0:
        return "short"
    if hours <= 2.0:
        return "moderate"
    return "long"


def niosh_fm(frequency_per_min: float, duration: str | float, v_cm: float) -> float:
    """Frequency multiplier from the published FM table.  [S: NIOSH94 Table 5]

    Parameters
    ----------
    frequency_per_min : float
        Average lifts per minute (>= 0); below 0.2 is treated as 0.2, above 15 gives 0.
    duration : str or float
        short | moderate | long, or hours (see :func:`niosh_duration_category`).
    v_cm : float
        Vertical hand height at the origin; selects the V < 75 / V ≥ 75 cm column.

    Notes
    -----
    Between listed frequencies the value is interpolated linearly (the manual allows
    interpolating or rounding to the nearest row). A 0.00 cell means the frequency exceeds the
    maximum for that duration and height, so any frequency above the last non-zero row of a
    column gives 0 rather than a value interpolated towards 0.
    """
    f = _number("frequency_per_min", frequency_per_min, 0.0)
    v = _number("v_cm", v_cm, 0.0)
    col = 2 * _DURATION_COLUMN[niosh_duration_category(duration)] + (v >= _NIOSH_V_SPLIT_CM)
    rows = NIOSH_FM_ROWS
    f = max(f, rows[0])
    if f > rows[-1]:
        return 0.0
    for i in range(len(rows) - 1):
        f0, f1 = rows[i], rows[i + 1]
        if f0 <= f <= f1:
            lo, hi = NIOSH_FM_TABLE[i][col], NIOSH_FM_TABLE[i + 1][col]
            if f == f0:
                return lo
            if f == f1:
                return hi
            if hi == 0.0:
                return 0.0
            return lo + (hi - lo) * (f - f0) / (f1 - f0)
    return NIOSH_FM_TABLE[-1][col]  # f == 15 exactly is caught above; kept for type-checkers


def niosh_cm(coupling: str, v_cm: float) -> float:
    """Coupling multiplier: good 1.00; fair 0.95 (V < 75 cm) or 1.00; poor 0.90.  [S: NIOSH94]"""
    if not isinstance(coupling, str) or coupling.strip().lower() not in NIOSH_CM_TABLE:
        raise ValueError(f"coupling must be good, fair or poor, got {coupling!r}")
    v = _number("v_cm", v_cm, 0.0)
    return NIOSH_CM_TABLE[coupling.strip().lower()][int(v >= _NIOSH_V_SPLIT_CM)]


def niosh_interpretation(lifting_index: float) -> str:
    """Interpretation of a lifting index.

    LI ≤ 1 nearly all healthy workers; LI > 1 increased risk for some; LI > 3 many or most at
    elevated risk.  [S: NIOSH94 §1.4 — band edges sourced, wording paraphrased]
    """
    li = lifting_index
    if isinstance(li, bool) or not isinstance(li, (int, float)) or math.isnan(li) or li < 0:
        raise ValueError(f"lifting_index must be a number >= 0, got {li!r}")
    if math.isinf(li):
        return (
            "RWL is 0 kg: the lift is outside the equation's limits for at least one factor; "
            "redesign the task"
        )
    if li <= 1.0:
        return "LI ≤ 1.0: nearly all healthy workers can perform this lift"
    if li <= 3.0:
        return "LI > 1.0: increased risk of lifting-related low-back pain for some workers"
    return "LI > 3.0: many or most workers are at elevated risk; redesign the task"


@dataclass(frozen=True)
class NioshInput:
    """Inputs of the revised NIOSH lifting equation, metric units.

    Attributes
    ----------
    load_kg : float
        Weight of the load (>= 0).
    h_cm : float
        Horizontal distance of the hands from the mid-point between the inner ankles.
    v_cm : float
        Vertical height of the hands above the floor at the origin.
    d_cm : float
        Vertical travel |V_destination − V_origin|.
    a_deg : float
        Asymmetry angle away from the sagittal plane, 0–180°.
    frequency_per_min : float
        Average lifts per minute over a 15-min sample.
    duration : str or float
        short | moderate | long, or hours.
    coupling : str
        good | fair | poor (default fair [D: §3.7]).
    """

    load_kg: float
    h_cm: float
    v_cm: float
    d_cm: float
    a_deg: float
    frequency_per_min: float
    duration: str | float
    coupling: str = "fair"

    def __post_init__(self) -> None:
        object.__setattr__(self, "load_kg", _number("load_kg", self.load_kg, 0.0))
        object.__setattr__(self, "h_cm", _number("h_cm", self.h_cm, 0.0))
        object.__setattr__(self, "v_cm", _number("v_cm", self.v_cm, 0.0))
        object.__setattr__(self, "d_cm", _number("d_cm", self.d_cm, 0.0))
        object.__setattr__(self, "a_deg", _number("a_deg", self.a_deg, 0.0, 180.0))
        object.__setattr__(
            self, "frequency_per_min", _number("frequency_per_min", self.frequency_per_min, 0.0)
        )
        if isinstance(self.duration, str):
            object.__setattr__(self, "duration", niosh_duration_category(self.duration))
        else:
            niosh_duration_category(self.duration)
            object.__setattr__(self, "duration", float(self.duration))
        niosh_cm(self.coupling, self.v_cm)
        object.__setattr__(self, "coupling", self.coupling.strip().lower())


@dataclass(frozen=True)
class NioshResult:
    """Every multiplier, the recommended weight limit and the lifting index.

    ``lifting_index`` is ``math.inf`` when the RWL is 0 and the load is positive (0 when the
    load is 0). ``notes`` lists the out-of-range rules that fired; ``drivers`` names the
    multipliers below 1, smallest first.
    """

    hm: float
    vm: float
    dm: float
    am: float
    fm: float
    cm: float
    rwl_kg: float
    lifting_index: float
    interpretation: str
    duration_category: str
    notes: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()


def compute_niosh(inp: NioshInput) -> NioshResult:
    """Evaluate the revised NIOSH lifting equation at one point (origin or destination).

    ``RWL = LC·HM·VM·DM·AM·FM·CM`` with LC = 23 kg, ``LI = load / RWL``.
    [S: NIOSH94; Waters1993]

    Parameters
    ----------
    inp : NioshInput

    Returns
    -------
    NioshResult
    """
    if not isinstance(inp, NioshInput):
        raise ValueError(f"compute_niosh needs a NioshInput, got {type(inp).__name__}")
    hm = niosh_hm(inp.h_cm)
    vm = niosh_vm(inp.v_cm)
    dm = niosh_dm(inp.d_cm)
    am = niosh_am(inp.a_deg)
    fm = niosh_fm(inp.frequency_per_min, inp.duration, inp.v_cm)
    cm = niosh_cm(inp.coupling, inp.v_cm)
    category = niosh_duration_category(inp.duration)
    rwl = NIOSH_LOAD_CONSTANT_KG * hm * vm * dm * am * fm * cm
    # An impossible lift (RWL = 0) has an infinite index unless nothing is lifted.
    li = inp.load_kg / rwl if rwl > 0.0 else (math.inf if inp.load_kg > 0.0 else 0.0)

    notes: list[str] = []
    if inp.h_cm < 25.0:
        notes.append(f"H {_fmt(inp.h_cm)} cm < 25 cm: HM set to 1.0")
    if inp.h_cm > 63.0:
        notes.append(f"H {_fmt(inp.h_cm)} cm > 63 cm: HM = 0 (load too far from the body)")
    if inp.v_cm > 175.0:
        notes.append(f"V {_fmt(inp.v_cm)} cm > 175 cm: VM = 0")
    if inp.d_cm < 25.0:
        notes.append(f"D {_fmt(inp.d_cm)} cm < 25 cm: DM set to 1.0")
    if inp.d_cm > 175.0:
        notes.append(f"D {_fmt(inp.d_cm)} cm > 175 cm: DM = 0")
    if inp.a_deg > 135.0:
        notes.append(f"A {_fmt(inp.a_deg)}° > 135°: AM = 0")
    if inp.frequency_per_min < 0.2:
        notes.append("F below 0.2 lifts/min treated as 0.2")
    if fm == 0.0:
        notes.append(
            f"F {_fmt(inp.frequency_per_min)} lifts/min exceeds the table maximum for "
            f"{category} duration at this height: FM = 0"
        )
    elif inp.frequency_per_min > 0.2 and inp.frequency_per_min not in NIOSH_FM_ROWS:
        notes.append("FM interpolated between the neighbouring table rows")
    if not isinstance(inp.duration, str) and inp.duration > 8.0:
        notes.append(
            f"duration {_fmt(inp.duration)} h exceeds 8 h: outside the equation's limits "
            "(long-duration FM used)"
        )

    names = (
        ("HM", hm, "load held away from the body"),
        ("VM", vm, "hands far from knuckle height (75 cm)"),
        ("DM", dm, "long vertical travel"),
        ("AM", am, "twisting away from the sagittal plane"),
        ("FM", fm, "lifting frequency for this duration"),
        ("CM", cm, "hand coupling not good"),
    )
    drivers = tuple(
        f"{label} {value:.2f}: {why}"
        for label, value, why in sorted(names, key=lambda n: n[1])
        if value < 1.0
    )
    return NioshResult(
        hm=hm,
        vm=vm,
        dm=dm,
        am=am,
        fm=fm,
        cm=cm,
        rwl_kg=rwl,
        lifting_index=li,
        interpretation=niosh_interpretation(li),
        duration_category=category,
        notes=tuple(notes),
        drivers=drivers,
    )


# ---------------------------------------------------------------------------------------------
# Plain-data conversion (JSON)
# ---------------------------------------------------------------------------------------------

_T = TypeVar("_T", RulaInput, RebaInput, NioshInput)


def from_dict(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Build an input dataclass from a mapping with the same field names (e.g. parsed JSON).

    Raises
    ------
    ValueError
        On unknown or missing fields, or any invalid value.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__} input must be a JSON object, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(
            f"unknown {cls.__name__} field(s): {', '.join(map(str, unknown))} "
            f"(known: {', '.join(fields)})"
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ValueError(f"missing required {cls.__name__} field(s): {', '.join(missing)}")
    return cls(**data)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_dict(obj: Any) -> dict[str, Any]:
    """A JSON-ready dict of any input or result dataclass of this module.

    Tuples become lists and non-finite floats (an infinite lifting index) become ``None``.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise ValueError(f"to_dict needs a dataclass instance, got {type(obj).__name__}")
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
