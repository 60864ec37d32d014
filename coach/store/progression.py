"""Traffic-light sessions and dose progression / regression (DOMAIN §2.0, §5.1).

Classification of a session from its pain ratings (thresholds from the routine's
:class:`~coach.routines.routine.PainRules`, defaults shown)::

    red    any rating during/after the session >= 6 (amber_max + 1), or pain spreading down
           the leg at any point
    amber  any rating 4-5 (above green_max), or a rise of >= 2 points over the pre-session
           rating (the minimal important change of the NRS, Ostelo 2008)
    green  otherwise (all ratings 0-3)

Next-morning rule: the next-morning rating fails when it is above ``next_morning_max`` (5) or
more than ``relative_rise_amber`` (2) above the pre-session rating.

Decisions per item, judged on the sessions of this routine since the item's last dose change:

* **regress** (−20 % volume by default) after any red session or a failed next-morning
  rule; the therapist should be told, and the item's easier exercise is suggested;
* **progress** by the item's step (default +1 rep, +5 s hold, +60 s) when the last
  ``green_sessions`` (2) sessions with the exercise were green, their next-morning check
  passed, ≥ 80 % of reps/holds were free of faults, and the prescribed reps were done;
  never past the item's ceiling;
* **hold** otherwise, with the reason.

Every progress/regress decision is stored as a progression event with its human-readable
reason; the reports show them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from coach.core.pain import _DURING, Light, PainLike, classify_session
from coach.routines.routine import (
    DoseMax,
    DoseStep,
    ItemDose,
    PainRules,
    ProgressRule,
    ResolvedItem,
    ResolvedRoutine,
)
from coach.store.rows import SessionRow, utcnow

if TYPE_CHECKING:  # the history reads and writes through the recorder, which imports this module
    from coach.store.history import History


def next_morning_ok(
    pains: Sequence[PainLike], rules: PainRules | None = None
) -> tuple[bool | None, str]:
    """The next-morning rule: (True/False, why), or (None, ...) when no rating was given."""
    rules = rules or PainRules()
    morning = [p.value for p in pains if p.context == "next_morning"]
    if not morning:
        return None, "no next-morning rating"
    m = morning[-1]
    before = [p.value for p in pains if p.context == "before"]
    if m > rules.next_morning_max:
        return False, f"pain the next morning was {m}/10 (above {rules.next_morning_max}/10)"
    if before and m > before[0] + rules.relative_rise_amber:
        return (
            False,
            f"pain the next morning was {m}/10, more than {rules.relative_rise_amber} above the {before[0]}/10 before the session",
        )
    return True, f"pain the next morning was {m}/10"


# ---------------------------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True)
class SessionOutcome:
    """How one session went for one exercise."""

    session: SessionRow
    light: Light | None
    light_reasons: tuple[str, ...]
    next_morning: bool | None
    next_morning_reason: str
    done: bool  # the exercise was performed in this session
    reps: int  # reps counted (or holds, for hold exercises)
    faulty: int  # of those, with at least one fault
    planned: int  # reps (or holds) planned

    @property
    def fault_free_ratio(self) -> float:
        return 1.0 if self.reps == 0 else 1.0 - self.faulty / self.reps


@dataclass(frozen=True)
class Decision:
    """What happens to one item's dose next session, and why."""

    exercise_id: str
    position: int
    kind: Literal["progress", "regress", "hold"]
    before: ItemDose
    after: ItemDose
    reason: str
    flag_therapist: bool = False
    suggest: str | None = None  # an easier (regress) or harder (at ceiling) exercise id
    event_id: int | None = None


def _fmt_dose_change(a: ItemDose, b: ItemDose) -> str:
    parts = []
    if a.sets != b.sets:
        parts.append(f"{a.sets} → {b.sets} sets")
    if a.reps_pattern != b.reps_pattern and a.reps_pattern and b.reps_pattern:
        parts.append(
            f"reps {'/'.join(map(str, a.reps_pattern))} → {'/'.join(map(str, b.reps_pattern))}"
        )
    if a.reps != b.reps and a.reps is not None and b.reps is not None:
        parts.append(f"{a.reps} → {b.reps} {'holds' if a.kind == 'hold' else 'reps'}")
    if a.hold_s != b.hold_s:
        parts.append(f"hold {a.hold_s:g} → {b.hold_s:g} s")
    if a.duration_s != b.duration_s and a.duration_s is not None and b.duration_s is not None:
        parts.append(f"{a.duration_s:g} → {b.duration_s:g} s")
    return ", ".join(parts) or "no change"


def step_dose(dose: ItemDose, step: DoseStep, ceiling: DoseMax) -> ItemDose:
    """``dose`` plus one progression ``step``, never past ``ceiling`` (nor the envelope)."""

    def up(v: float | None, s: float, cap: float | None) -> float | None:
        if v is None or not s:
            return v
        return min(v + s, cap) if cap is not None else v + s

    pattern = dose.reps_pattern
    reps = dose.reps
    if step.reps:
        if pattern is not None:
            pattern = tuple(int(up(r, step.reps, ceiling.reps) or r) for r in pattern)
        elif reps is not None:
            reps = int(up(reps, step.reps, ceiling.reps) or reps)
    sets = (
        int(up(dose.sets, step.sets, ceiling.sets) or dose.sets) if pattern is None else dose.sets
    )
    hold = up(dose.hold_s, step.hold_s, ceiling.hold_s) if dose.hold_s else dose.hold_s
    duration = up(dose.duration_s, step.duration_s, ceiling.duration_s)
    return replace(
        dose,
        sets=sets,
        reps=reps,
        reps_pattern=pattern,
        hold_s=float(hold or 0.0),
        duration_s=duration,
    )


def scale_dose(dose: ItemDose, volume: float) -> ItemDose:
    """``dose`` with its volume cut to ``volume`` (e.g. 0.8 = −20 %): fewer reps, shorter holds
    and durations; a single rep per set loses a set instead. Never below 1 rep / 1 set."""
    if dose.reps_pattern is not None:
        pattern = tuple(max(1, math.floor(r * volume)) for r in dose.reps_pattern)
        return replace(dose, reps_pattern=pattern, hold_s=_scale_s(dose.hold_s, volume))
    reps = dose.reps
    sets = dose.sets
    if reps is not None:
        new = max(1, math.floor(reps * volume))
        if new == reps and sets > 1:
            sets -= 1
        reps = new
    duration = (
        None if dose.duration_s is None else max(10.0, round(dose.duration_s * volume / 10) * 10)
    )
    return replace(
        dose, sets=sets, reps=reps, hold_s=_scale_s(dose.hold_s, volume), duration_s=duration
    )


def _scale_s(s: float, volume: float) -> float:
    if not s:
        return s
    return float(max(1, round(s * volume)))


def decide(
    item: ResolvedItem,
    current: ItemDose,
    outcomes: Sequence[SessionOutcome],
    sessions: Sequence[SessionOutcome],
) -> Decision:
    """The decision for one item.

    Parameters
    ----------
    item
        The resolved routine item (rules, ceilings, easier/harder exercises).
    current
        The dose in force now (prescribed, or after earlier progression events).
    outcomes
        Sessions since the last dose change in which this exercise was done, oldest first.
    sessions
        All sessions of the routine since the last dose change (a red one anywhere regresses).
    """
    name = item.exercise.name
    hold = Decision(item.exercise_id, item.position, "hold", current, current, "")
    # 1. regression: a red session or a failed next morning since the last change
    regressed = _regression(item, current, sessions, hold)
    if regressed is not None:
        return regressed
    # 2. progression
    rule = item.progress
    if not rule.enabled or item.progress_step.empty:
        return replace(hold, reason=f"{name}: progression is off for this exercise.")
    need = rule.when.green_sessions
    done = [o for o in outcomes if o.done]
    if len(done) < need:
        return replace(
            hold,
            reason=f"Kept {name} as it is: {len(done)} of {need} sessions needed at this dose so far.",
        )
    recent = done[-need:]
    for o in recent:
        why_not = _why_not_progress(o, rule, need)
        if why_not is not None:
            return replace(hold, reason=f"Kept {name} as it is: {why_not}")
    after = step_dose(current, item.progress_step, item.progress_max)
    if after == current:
        harder = item.base.progression
        nxt = (
            f" Ask your therapist about moving on to {harder.replace('_', ' ')}." if harder else ""
        )
        return replace(
            hold, reason=f"{name} is at the most your therapist set for now.{nxt}", suggest=harder
        )
    ratio = min(o.fault_free_ratio for o in recent)
    reason = (
        f"Progressed {name} ({_fmt_dose_change(current, after)}): the last {need} sessions were green "
        f"and at least {ratio:.0%} of reps were free of form faults."
    )
    return replace(hold, kind="progress", after=after, reason=reason)


def _regression(
    item: ResolvedItem,
    current: ItemDose,
    sessions: Sequence[SessionOutcome],
    hold: Decision,
) -> Decision | None:
    """The regression owed to the latest red session or failed next morning, if there is one."""
    if not item.regress.enabled:
        return None
    for o in reversed(sessions):
        why = None
        if o.light == "red":
            why = f"the session on {o.session.started_at.astimezone().date()} was red ({'; '.join(o.light_reasons)})"
        elif o.next_morning is False:
            why = f"after the session on {o.session.started_at.astimezone().date()}, {o.next_morning_reason}"
        if why is None:
            continue
        after = scale_dose(current, item.regress.volume)
        easier = (
            f" An easier option is {item.regress_to.replace('_', ' ')}." if item.regress_to else ""
        )
        reason = (
            f"Reduced {item.exercise.name} to {item.regress.volume:.0%} of the volume ({_fmt_dose_change(current, after)}): "
            f"{why}.{easier} Please tell your therapist."
        )
        return replace(
            hold,
            kind="regress",
            after=after,
            reason=reason,
            flag_therapist=True,
            suggest=item.regress_to,
        )
    return None


def _why_not_progress(o: SessionOutcome, rule: ProgressRule, need: int) -> str | None:
    """Why session ``o`` does not count toward progression (the end of a sentence), or None."""
    day = o.session.started_at.astimezone().date()
    if o.light != "green":
        what = o.light or "not rated"
        extra = f" ({'; '.join(o.light_reasons)})" if o.light_reasons else ""
        return f"the session on {day} was {what}{extra}; progression needs {need} green sessions."
    if o.session.next_morning_check and o.next_morning is None:
        return f"waiting for the next-morning pain rating after the session on {day}."
    if o.fault_free_ratio < 1.0 - rule.when.max_fault_ratio - 1e-9:
        return (
            f"on {day} {o.fault_free_ratio:.0%} of reps were free of form faults; "
            f"{1 - rule.when.max_fault_ratio:.0%} are needed."
        )
    if rule.when.completed_dose and o.planned and o.reps < o.planned:
        return f"on {day} {o.reps} of {o.planned} reps were done."
    return None


# ---------------------------------------------------------------------------------------------
# With the history


def current_dose(
    history: History, routine_id: str, item: ResolvedItem
) -> tuple[ItemDose, datetime | None]:
    """The dose in force for ``item`` and when it last changed (None: as prescribed).

    Progression events remember the prescription they started from; when the therapist has
    since changed the prescription (a new routine version), the new prescription wins.
    """
    prescribed = item.dose
    events = [
        e
        for e in history.progression_events(routine_id=routine_id, exercise_id=item.exercise_id)
        if e.kind in ("progress", "regress", "reset")
        and (e.position is None or e.position == item.position)
    ]
    if not events:
        return prescribed, None
    last = events[-1]
    if last.after is None or last.after.get("prescribed") != prescribed.to_dict():
        return prescribed, None
    return ItemDose.from_dict(last.after), last.created_at


def _outcome(
    history: History, s: SessionRow, item: ResolvedItem, rules: PainRules
) -> SessionOutcome:
    pains = history.pain_ratings(s.id)
    if s.classification is not None:
        light: Light | None = s.classification  # type: ignore[assignment]
        reasons = classify_session(pains, rules).reasons if pains else ()
    elif pains and any(p.context in _DURING for p in pains):
        c = classify_session(pains, rules)
        light, reasons = c.light, c.reasons
    else:
        light, reasons = None, ()
    nm, nm_reason = next_morning_ok(pains, rules)
    results = [
        r
        for r in history.exercise_results(s.id, exercise_id=item.exercise_id)
        if r.position is None or r.position == item.position
    ]
    reps = faulty = planned = 0
    for r in results:
        if item.exercise.kind == "hold":
            holds = history.holds(r.id)
            reps += len(holds)
            faulty += sum(1 for h in holds if h.faults)
        else:
            rows = history.reps(r.id)
            reps += len(rows) if rows else int(r.reps or 0)
            faulty += sum(1 for x in rows if x.faults)
        if r.reps_planned is not None:
            planned += int(r.reps_planned) * int(r.sets_planned or 1)
    return SessionOutcome(
        s, light, tuple(reasons), nm, nm_reason, bool(results), reps, faulty, planned
    )


def plan_next_session(
    history: History,
    resolved: ResolvedRoutine,
    *,
    now: datetime | None = None,
    record: bool = True,
) -> list[Decision]:
    """Decide every unlocked item's dose for the next session; store the changes.

    Call it when a session is about to start (after the next-morning question). Each
    progress/regress decision is written as a progression event (``record=True``) with its
    reason and the before/after doses, so calling it again does not apply it twice.

    Returns
    -------
    list[Decision]
        One per unlocked item, in routine order; ``after`` is the dose to use.
    """
    now = now or utcnow()
    routine_id = resolved.routine.id
    rules = resolved.pain_rules
    finished = [
        s
        for s in history.sessions(routine_id=routine_id)
        if s.status != "in_progress" and s.ended_at is not None
    ]
    decisions: list[Decision] = []
    for item in resolved.active:
        dose, changed_at = current_dose(history, routine_id, item)
        since = [s for s in finished if changed_at is None or s.started_at > changed_at]
        outcomes = [_outcome(history, s, item, rules) for s in since]
        d = decide(item, dose, [o for o in outcomes if o.done], outcomes)
        if record and d.kind != "hold":
            after = {**d.after.to_dict(), "prescribed": item.dose.to_dict()}
            last_session = since[-1].id if since else None
            eid = history.add_progression_event(
                item.exercise_id,
                d.kind,
                d.reason,
                routine_id=routine_id,
                session_id=last_session,
                position=item.position,
                before=d.before.to_dict(),
                after=after,
                when=now,
            )
            d = replace(d, event_id=eid)
        decisions.append(d)
    return decisions


def describe_event(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """ "8 → 9 reps" style text for a stored progression event."""
    if not before or not after:
        return ""
    return _fmt_dose_change(ItemDose.from_dict(before), ItemDose.from_dict(after))
