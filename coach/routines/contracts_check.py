"""Static proof that the exercise models satisfy the scoring core's Protocols.

The core (:mod:`coach.core.engine`) reads exercises through small Protocols so that it never
imports pydantic or the catalogue; the models here must keep satisfying them. Nothing runs: the
functions below only type-check, so ``mypy coach`` (and ``tests/routines/test_contracts.py``) fail
the moment a model and its Protocol drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.core.engine import (
        ConditionLike,
        DoseLike,
        ExerciseLike,
        FaultLike,
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
