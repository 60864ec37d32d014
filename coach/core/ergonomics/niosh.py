"""The revised NIOSH lifting equation: the multipliers, the recommended weight limit and the lifting index."""

from __future__ import annotations

import math
from dataclasses import dataclass

from coach.core.ergonomics.common import _fmt, _number
from coach.core.ergonomics.tables import (
    _DURATION_COLUMN,
    _NIOSH_V_SPLIT_CM,
    NIOSH_CM_TABLE,
    NIOSH_FM_ROWS,
    NIOSH_FM_TABLE,
    NIOSH_LOAD_CONSTANT_KG,
    Duration,
)

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


def _niosh_notes(inp: NioshInput, fm: float, category: str) -> tuple[str, ...]:
    """Why a multiplier was clamped, zeroed or interpolated, one line each, in input order."""
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
    return tuple(notes)


def _niosh_drivers(
    hm: float, vm: float, dm: float, am: float, fm: float, cm: float
) -> tuple[str, ...]:
    """The multipliers below 1.0, smallest (the biggest reduction) first, each with its cause."""
    names = (
        ("HM", hm, "load held away from the body"),
        ("VM", vm, "hands far from knuckle height (75 cm)"),
        ("DM", dm, "long vertical travel"),
        ("AM", am, "twisting away from the sagittal plane"),
        ("FM", fm, "lifting frequency for this duration"),
        ("CM", cm, "hand coupling not good"),
    )
    return tuple(
        f"{label} {value:.2f}: {why}"
        for label, value, why in sorted(names, key=lambda n: n[1])
        if value < 1.0
    )


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

    notes = _niosh_notes(inp, fm, category)
    drivers = _niosh_drivers(hm, vm, dm, am, fm, cm)
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
        notes=notes,
        drivers=drivers,
    )
