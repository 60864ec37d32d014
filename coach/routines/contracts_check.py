"""Static proof that the exercise models satisfy the scoring core's Protocols.

The core reads exercises through small Protocols (:mod:`coach.core.contracts`) so that it never
imports pydantic or the catalogue; the models here must keep satisfying them. Nothing runs: the
functions below only type-check, so ``mypy coach`` (and ``tests/routines/test_contracts.py``) fail
the moment a model and its Protocol drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.core.contracts import (
        ConditionLike,
        DoseLike,
        ExerciseLike,
        FaultLike,
        PainRulesLike,
        RepTimingLike,
        SignalLike,
        ViewSignalLike,
    )
    from coach.routines.exercise import (
        Condition,
        Dose,
        Exercise,
        Fault,
        RepTiming,
        Signal,
        ViewSignal,
    )
    from coach.routines.routine import PainRules

    def _exercise(x: Exercise) -> ExerciseLike:
        return x

    def _signal(x: Signal) -> SignalLike:
        return x

    def _view_signal(x: ViewSignal) -> ViewSignalLike:
        return x

    def _fault(x: Fault) -> FaultLike:
        return x

    def _condition(x: Condition) -> ConditionLike:
        return x

    def _dose(x: Dose) -> DoseLike:
        return x

    def _rep_timing(x: RepTiming) -> RepTimingLike:
        return x

    def _pain_rules(x: PainRules) -> PainRulesLike:
        return x
