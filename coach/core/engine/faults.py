"""The fault layer of the engine: form faults and the spoken cues they raise.

Each fault of the exercise is checked only in its phase (rest, work, hold or any) and view; it
fires after ``min_duration_s`` and clears ``FAULT_RELEASE_S`` after its condition stops
(:class:`~coach.core.engine.trackers._FaultTracker`). A fault that fires is noted on the rep or
hold under way and may raise a cue: at most one cue per ``CUE_GAP_S`` (DOMAIN §1.7), and the
same cue not again within ``SAME_CUE_GAP_S``.
"""

from __future__ import annotations

import math

from coach.core.contracts import ExerciseLike, FaultLike
from coach.core.engine.holds import _HoldSteps
from coach.core.engine.reps import _RepSteps
from coach.core.engine.results import Cue, EngineConfig, State
from coach.core.engine.tunables import CUE_GAP_S, SAME_CUE_GAP_S
from coach.core.metrics import FrameView


class _FaultSteps(_RepSteps, _HoldSteps):
    """Checks faults and spaces cues; the engine calls :meth:`_step_faults` on every seen frame."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        super().__init__(exercise, config)
        self._last_cue_t = -math.inf
        self._last_cue_by_text: dict[str, float] = {}
        self.cues: list[Cue] = []

    def _step_faults(self, v: FrameView, t: float) -> Cue | None:
        if not self._faults or self.state is State.SETUP:
            return None
        st = self.state
        phase_now = {
            State.REST: "rest",
            State.MOVING: "work",
            State.WORK: "work",
            State.HOLDING: "hold",
        }.get(st, "")
        cue: Cue | None = None
        for f in self._faults:
            ph = f.spec.phase
            view_ok = f.spec.view == "any" or self._view is None or f.spec.view == self._view
            phase_ok = view_ok and (ph == "any" or ph == phase_now)
            if f.update(v, t, phase_ok):
                if st in (State.MOVING, State.WORK):
                    self._rep_faults.append(f.spec.id)
                elif st is State.HOLDING:
                    self._hold_faults.append(f.spec.id)
                c = self._maybe_cue(f.spec, t)
                if c is not None and cue is None:
                    cue = c
        return cue

    def _maybe_cue(self, spec: FaultLike, t: float) -> Cue | None:
        if t - self._last_cue_t < CUE_GAP_S:
            return None
        if t - self._last_cue_by_text.get(spec.cue, -math.inf) < SAME_CUE_GAP_S:
            return None
        self._last_cue_t = t
        self._last_cue_by_text[spec.cue] = t
        cue = Cue(spec.cue, spec.id, spec.severity, t)
        self.cues.append(cue)
        return cue
