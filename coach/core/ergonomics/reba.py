"""REBA (Rapid Entire Body Assessment): body-part scores, tables A–C, the action level and its drivers."""

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
from coach.core.ergonomics.tables import REBA_TABLE_A, REBA_TABLE_B, REBA_TABLE_C

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


def _reba_group_a_candidates(inp: RebaInput) -> list[_Candidate]:
    """Group A and load: trunk, neck, legs and knees, load and shock, each with the input
    that removes it."""
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
    return c


def _reba_group_b_candidates(inp: RebaInput) -> list[_Candidate]:
    """Group B and coupling: upper arm, shoulder, elbow, wrist and the hand hold."""
    rep = dataclasses.replace
    c: list[_Candidate] = []
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
    return c


def _reba_activity_candidates(inp: RebaInput) -> list[_Candidate]:
    """The activity score's three items: static posture, repeated actions, rapid changes."""
    rep = dataclasses.replace
    c: list[_Candidate] = []
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
    return c


def _reba_drivers(inp: RebaInput, res: RebaResult) -> tuple[str, ...]:
    """What raises the REBA score, ranked by how much the score drops without it."""
    c = [
        *_reba_group_a_candidates(inp),
        *_reba_group_b_candidates(inp),
        *_reba_activity_candidates(inp),
    ]
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
