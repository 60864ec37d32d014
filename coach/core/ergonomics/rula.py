"""RULA (Rapid Upper Limb Assessment): body-part scores, tables A–C, the action level and its drivers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from coach.core.ergonomics.common import (
    _arm_phrase,
    _Candidate,
    _clamp,
    _flag,
    _flexion_angle,
    _number,
    _rank_drivers,
    _rula_upper_arm_base,
    _score,
    _signed_angle,
)
from coach.core.ergonomics.tables import RULA_TABLE_A, RULA_TABLE_B, RULA_TABLE_C

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
