"""What a person without a therapist's routine may do today after back surgery (DOMAIN §5.4).

The onboarding asks "when was the operation?" and "which operation?" after a "yes" to back
surgery. Until a physiotherapist's routine file sets its own restrictions (and unlocks), the
built-in programs leave out the movements surgeons commonly restrict for a while: bending
forward, twisting, arching and lifting (the exercise tags ``loads_flexion``, ``loads_rotation``,
``loads_extension`` and ``lifting``).

Periods (conservative, from DOMAIN §5.4): after disc surgery or decompression many surgeons
advise no bending, twisting or lifting for the first 2–6 weeks; after fusion, lifting, bending
and twisting are avoided while the bone fuses, with physiotherapy from about 6 weeks for 2–3
months. So: everything locked in the first 6 weeks (or when the person is not sure when); after
a fusion or an unknown operation, locked up to 3 months, and lifting up to a year; after that,
nothing is left out. Qt-free, so the rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: (stored value, what the person reads)
SURGERY_WHEN = (
    ("under_6_weeks", "Less than 6 weeks ago"),
    ("6_weeks_to_3_months", "6 weeks to 3 months ago"),
    ("3_to_12_months", "3 to 12 months ago"),
    ("over_a_year", "More than a year ago"),
    ("not_sure", "I'm not sure"),
)
SURGERY_TYPE = (
    ("discectomy", "Removing part of a disc (discectomy or microdiscectomy)"),
    ("decompression", "Making room for a nerve (decompression or laminectomy)"),
    ("fusion", "Joining bones together (spinal fusion)"),
    ("disc_replacement", "Disc replacement"),
    ("other", "Another operation, or I'm not sure"),
)
ALL_LOCKS = frozenset({"loads_flexion", "loads_rotation", "loads_extension", "lifting"})
LOCK_WORDS = {
    "loads_flexion": "bending forward",
    "loads_rotation": "twisting",
    "loads_extension": "arching your back",
    "lifting": "lifting",
}


@dataclass(frozen=True)
class PostOpRule:
    locked_tags: frozenset[str]
    advice: str  # empty when there is nothing to say

    def allows(self, exercise: Any) -> bool:
        return not (set(getattr(exercise, "tags", ())) & self.locked_tags)

    def why_locked(self, exercise: Any) -> str:
        tags = sorted(set(getattr(exercise, "tags", ())) & self.locked_tags)
        if not tags:
            return ""
        what = " and ".join(LOCK_WORDS[t] for t in LOCK_WORDS if t in tags)
        return (
            f"Left out after your operation: this exercise involves {what}. Your physiotherapist can "
            "give you a routine file that includes it when you are ready."
        )


def post_op_rule(when: str, kind: str) -> PostOpRule:
    """The restriction that follows from the answers (``when``/``kind`` are the stored values;
    empty ``when`` means no operation was reported)."""
    if not when:
        return PostOpRule(frozenset(), "")
    fusion_like = kind in ("fusion", "other", "")
    if when in ("under_6_weeks", "not_sure") or (when == "6_weeks_to_3_months" and fusion_like):
        locked = ALL_LOCKS
    elif when == "3_to_12_months" and kind == "fusion":
        locked = frozenset({"lifting"})
    else:
        locked = frozenset()
    parts = [
        "You told coach you have had an operation on your back. Follow your surgeon's and "
        "physiotherapist's instructions first."
    ]
    if when == "under_6_weeks":
        parts.append(
            "In the first weeks after surgery, walking is usually the main exercise: ask your "
            "surgeon or physiotherapist before starting any programme."
        )
    if locked:
        named = [LOCK_WORDS[t] for t in LOCK_WORDS if t in locked]
        words = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
        parts.append(
            f"For now coach leaves out exercises that involve {words}. A routine file from your "
            "physiotherapist can include them when you are ready."
        )
    parts.append(
        'The program "After back surgery" is designed for once your surgeon has cleared you.'
    )
    return PostOpRule(locked, " ".join(parts))


def allowed(exercises: Iterable[Any], rule: PostOpRule) -> list[Any]:
    return [e for e in exercises if rule.allows(e)]


# ---------------------------------------------------------------------------------------------
# How often: one answer for the home screen and the Progress tab

DAY_WORDS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def times_words(n: int) -> str:
    return {1: "once a day", 2: "twice a day"}.get(n, f"{n} times a day")


def schedule_words(schedule: Any) -> str:
    """ "Every day, once a day", "5 days a week, twice a day", "Monday, Wednesday and Friday, once a day"."""
    if schedule is None:
        return ""
    days = getattr(schedule, "days", None)
    if days:
        names = [DAY_WORDS.get(str(d), str(d)) for d in days]
        when = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    else:
        per_week = getattr(schedule, "days_per_week", None) or 7
        when = (
            "Every day" if per_week == 7 else f"{per_week} day{'s' if per_week != 1 else ''} a week"
        )
    return f"{when}, {times_words(int(getattr(schedule, 'times_per_day', 1) or 1))}"


@dataclass(frozen=True)
class TodaysSchedule:
    """The schedule of what home offers today: the routine file's, else the built-in starter's."""

    schedule: Any  # routine Schedule or catalogue ProgramSchedule (same fields), or None
    valid_from: Any = None
    valid_until: Any = None
    source: str = ""  # "routine" | "program" | ""

    @property
    def words(self) -> str:
        return schedule_words(self.schedule)


def todays_schedule(
    routine: Any, catalogue: Any, default_program: str = "clbp_starter"
) -> TodaysSchedule:
    """``routine``: the therapist's routine (a parsed Routine), or None for the built-in one."""
    if routine is not None:
        return TodaysSchedule(
            getattr(routine, "schedule", None),
            getattr(routine, "valid_from", None),
            getattr(routine, "valid_until", None),
            "routine",
        )
    prog = getattr(catalogue, "programs", {}).get(default_program)
    sched = getattr(prog, "schedule", None) if prog is not None else None
    return TodaysSchedule(sched, None, None, "program" if sched is not None else "")
