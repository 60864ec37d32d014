"""Argument validation shared by the three methods, and the wording of score drivers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

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


# A driver is one phrase for what adds the most points; RULA and REBA word them the same way.


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
