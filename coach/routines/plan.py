"""Turn a resolved routine item into a session plan item (Qt-free; used by the app and the CLI)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from coach.core.session import PlanItem, plan_from_exercise


def plan_item_from_resolved(r: Any, dose: Any = None) -> PlanItem:
    """Adapt a resolved routine item (its exercise already carries the patient's thresholds);
    ``dose`` is today's dose after progression, when history decided one."""
    d = dose if dose is not None else r.dose
    item = plan_from_exercise(
        r.exercise,
        sets=d.sets,
        reps=d.reps_for_set(0),
        hold_s=d.hold_s,
        rest_s=d.rest_s,
        duration_s=d.duration_s,
    )
    if d.side in ("left", "right"):
        item = replace(item, sides=(d.side,))
    return item


def plan_from_resolved(resolved: Any) -> list[PlanItem]:
    """Today's plan from a :class:`~coach.routines.routine.ResolvedRoutine` (routine doses)."""
    return [plan_item_from_resolved(r) for r in resolved.active]
