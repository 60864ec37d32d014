"""Pain check-ins during a session: what to do, and why (DOMAIN §5.1, §5.3).

The traffic-light rules, encoded exactly: 0–3 green (continue), 4–5 amber (continue, no
progression, offer the easier version), 6–10 red (stop this exercise); a rise of 2 points or more
over the pre-session rating is amber even when low; symptoms spreading down the leg stop the
exercise. Before the session, 8 or more suggests rest or gentle walking only and below that the
session starts as planned (the table has no other rule before a session); a red-flag answer
blocks the session (that is decided by the screening, not here).

Thresholds come from the routine's ``pain_rules`` when a therapist set them (within the safety
envelope the routine model enforces); otherwise the defaults below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from coach.core.contracts import PainLike as PainLike
from coach.core.contracts import PainRulesLike as PainRulesLike


@dataclass(frozen=True, slots=True)
class DefaultPainRules:
    green_max: int = 3
    amber_max: int = 5
    relative_rise_amber: int = 2
    stop_if_spreading: bool = True
    rest_day_at: int = 8


class Level(str, Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Action(str, Enum):
    CONTINUE = "continue"
    OFFER_REGRESSION = "offer_regression"  # carry on, easier version offered, no progression
    STOP_EXERCISE = (
        "stop_exercise"  # stop this exercise; the next one (or its regression) may follow
    )
    END_SESSION = "end_session"
    REST_DAY = "rest_day"  # before the session: rest or gentle walking only


@dataclass(frozen=True, slots=True)
class PainDecision:
    level: Level
    action: Action
    reason: str  # calm, specific, shown to the user and logged
    stop: str = (
        ""  # when it stops something: why, in a few words ("pain 7/10 is above your limit of 5")
    )


def _check(value: int) -> None:
    if not 0 <= value <= 10:
        raise ValueError(f"pain is rated 0 to 10, got {value}")


def before_session(value: int, rules: PainRulesLike | None = None) -> PainDecision:
    """The rating before starting (DOMAIN §5.1, "Before session").

    The table has one pain rule before a session: at ``rest_day_at`` (8 by default) or more,
    suggest rest or gentle walking only and offer to tell the therapist. Below it the session
    starts as planned; the bands only colour the rating and set the tone of the words. During
    the session the usual rules apply (above ``amber_max`` stops an exercise, a rise of
    ``relative_rise_amber`` points is amber), so a high start is said plainly, not acted on here.
    """
    _check(value)
    r = rules or DefaultPainRules()
    if value >= r.rest_day_at:
        return PainDecision(
            Level.RED,
            Action.REST_DAY,
            f"Your pain is {value} out of 10. Today, rest or take a gentle walk instead. If it "
            "stays this high, tell your physiotherapist or doctor.",
        )
    if value > r.amber_max:
        return PainDecision(
            Level.RED,
            Action.CONTINUE,
            f"Your pain is {value} out of 10 before starting. You can start; go gently. If it is "
            f"above {r.amber_max} when coach asks again, that exercise stops, and if that happens "
            "twice the session ends for today.",
        )
    if value > r.green_max:
        return PainDecision(
            Level.AMBER, Action.CONTINUE, f"Pain {value} out of 10: acceptable. Go gently."
        )
    return PainDecision(Level.GREEN, Action.CONTINUE, f"Pain {value} out of 10: fine to start.")


def during_session(
    value: int,
    before: int | None,
    spreading_down_leg: bool = False,
    rules: PainRulesLike | None = None,
    reds_so_far: int = 0,
) -> PainDecision:
    """A rating after an exercise or on demand (the pain key). ``reds_so_far`` counts earlier red
    check-ins in this session: a second red ends the session."""
    _check(value)
    r = rules or DefaultPainRules()
    if spreading_down_leg and r.stop_if_spreading:
        return PainDecision(
            Level.RED,
            Action.STOP_EXERCISE if reds_so_far == 0 else Action.END_SESSION,
            "Pain spreading down your leg is a sign to stop this exercise. It has been noted for "
            "your physiotherapist. If numbness or weakness is new, contact your clinician.",
            "Pain spreading down your leg.",
        )
    if value > r.amber_max:
        if reds_so_far >= 1:
            return PainDecision(
                Level.RED,
                Action.END_SESSION,
                f"Pain is {value} out of 10 again. That is enough for today: we will end the "
                "session here. Rest, and tell your physiotherapist if it does not settle.",
                f"Pain {value}/10 is above your limit of {r.amber_max}, for the second time today.",
            )
        return PainDecision(
            Level.RED,
            Action.STOP_EXERCISE,
            f"Pain {value} out of 10 is above the safe limit of {r.amber_max}. We will stop this "
            "exercise. You can try the easier version or move on.",
            f"Pain {value}/10 is above your limit of {r.amber_max}.",
        )
    if before is not None and value - before >= r.relative_rise_amber:
        return PainDecision(
            Level.AMBER,
            Action.OFFER_REGRESSION,
            f"Pain has gone up {value - before} points since you started ({before} to {value}). "
            "Carry on gently with the easier version; the dose will not be increased.",
        )
    if value > r.green_max:
        return PainDecision(
            Level.AMBER,
            Action.OFFER_REGRESSION,
            f"Pain {value} out of 10 is acceptable. Carry on gently; an easier version is offered "
            "and the dose will not be increased.",
        )
    return PainDecision(Level.GREEN, Action.CONTINUE, f"Pain {value} out of 10: fine to carry on.")


# ---------------------------------------------------------------------------------------------
# A whole session: green, amber or red from its pain ratings

Light = Literal["green", "amber", "red"]
_DURING = ("after_exercise", "end", "on_demand")


@dataclass(frozen=True)
class Classification:
    light: Light
    reasons: tuple[str, ...]


def classify_session(
    pains: Sequence[PainLike], rules: PainRulesLike | None = None
) -> Classification:
    """Green, amber or red for one session from its pain ratings (see the module docstring).

    ``before`` ratings are the baseline only; ``next_morning`` ratings are judged separately
    by :func:`next_morning_ok`.
    """
    rules = rules or DefaultPainRules()
    stop_at = rules.amber_max + 1  # at or above this stops the exercise (red)
    before = [p.value for p in pains if p.context == "before"]
    baseline = before[0] if before else None
    during = [p for p in pains if p.context in _DURING]
    red: list[str] = []
    amber: list[str] = []
    if baseline is not None and baseline >= rules.rest_day_at:
        # no exercise was done: a rest day is a red session, never a green one in the record
        red.append(f"pain {baseline}/10 before the session: a rest day")
    for p in pains:
        if p.spreading_down_leg and p.context != "next_morning":
            red.append("pain spread down the leg")
            break
    for p in during:
        if p.value >= stop_at:
            red.append(f"pain {p.value}/10 ({_context(p.context)}) is at or above {stop_at}/10")
        elif p.value > rules.green_max:
            amber.append(f"pain {p.value}/10 ({_context(p.context)}) is above {rules.green_max}/10")
        elif baseline is not None and p.value - baseline >= rules.relative_rise_amber:
            amber.append(f"pain rose from {baseline} to {p.value}/10 ({_context(p.context)})")
    if red:
        return Classification("red", tuple(dict.fromkeys(red)))
    if amber:
        return Classification("amber", tuple(dict.fromkeys(amber)))
    return Classification("green", ())


def _context(c: str) -> str:
    return {
        "after_exercise": "after an exercise",
        "end": "at the end",
        "on_demand": "during the session",
        "before": "before",
    }.get(c, c)
