"""The scoring engine: landmarks -> smoothing -> metrics -> state machine -> form faults -> cues.

One :class:`ExerciseEngine` scores one exercise. Feed it :class:`PoseFrame` objects (or ``None``
when no pose was found) in timestamp order; each call returns a frozen :class:`EngineStatus`
snapshot. :meth:`ExerciseEngine.summary` gives the report. Same frames in, same result out.

State machine (DOMAIN §1.7)::

                start checks true >= setup_s
      SETUP ─────────────────────────────────► REST ◄──────────────────────────┐
                                                │ progress >= partial_fraction  │ back in rest zone:
                                                ▼                               │ partial rep
                                              MOVING ───────────────────────────┤
                                                │ reached work (within h)       │
                                                ▼                               │ back in rest zone:
                                              WORK ─────────────────────────────┘ rep counted

      HOLD exercises:  SETUP -> REST <-> HOLDING (timer runs only while in position)

      Any state except SETUP ── signal invalid > 0.25 s ──► NOT_VISIBLE ── valid again ──► REST/HOLDING
      (counting and timers pause; the time is reported as not_visible_s)

Counting that holds on unseen people and cameras (issue 12):

* Set-up that passes mid-rep: when the start position is reached and the signal has been seen in
  the rest zone since, a movement already under way when set-up completes is that rep (MOVING or
  WORK, started at the last rest), so a person who starts at once loses nothing.
* A camera cut or zoom re-anchors instead of pausing: counting goes on while the joints that drive
  the signal are seen (the primary signal, else the definition's ``fallbacks`` that need fewer
  joints); it pauses only when none can be measured. A jump of the body without a change of
  scale is someone else: back to set-up.
* The person's own range (``rest_limit`` / ``work_limit``): a full swing rest side -> work side ->
  rest side that turns before the prescribed zones still counts, with the fault ``small_range``.
* Several people (``PoseFrame.others``): :class:`coach.core.person.PersonSelector` keeps the one
  who is doing the exercise; ``EngineStatus.person_unsure`` says when it cannot tell.

Hysteresis: a rep must go all the way from the rest zone (rest ± h) to the work zone
(work ∓ h) and back; jitter around one threshold can never complete a cycle. Each transition
also needs ``min_dwell_s`` of consecutive agreeing frames, so one-frame spikes are ignored.

The package, bottom up (each layer a class that sees the ones below it):

* :mod:`~coach.core.engine.results`: states, rep / hold / cue records, :class:`EngineStatus`,
  :class:`EngineConfig`; :mod:`~coach.core.engine.tunables`: the engine's numbers;
* :mod:`~coach.core.engine.trackers`: compiled conditions, fault debounce, side / facing locks,
  the view gate and the swing counter (small objects with their own memory);
* :mod:`~coach.core.engine.base`: shared state and the signal in use (view, fallbacks);
* :mod:`~coach.core.engine.reps` and :mod:`~coach.core.engine.holds`: the two counting phases;
* :mod:`~coach.core.engine.setup_phase`: set-up, out of view and back;
  :mod:`~coach.core.engine.faults`: faults and cues;
* :mod:`~coach.core.engine.exercise_engine`: :class:`ExerciseEngine`, the per-frame step, the
  end of the stream and the report.

Import from the package (``from coach.core.engine import ExerciseEngine``); the modules inside
are its own business.
"""

from __future__ import annotations

# the Protocols, re-exported: readers of the engine import them from here too
from coach.core.contracts import ConditionLike as ConditionLike
from coach.core.contracts import DoseLike as DoseLike
from coach.core.contracts import ExerciseLike as ExerciseLike
from coach.core.contracts import FaultLike as FaultLike
from coach.core.contracts import RepTimingLike as RepTimingLike
from coach.core.contracts import SignalLike as SignalLike
from coach.core.contracts import ViewName as ViewName
from coach.core.contracts import ViewSignalLike as ViewSignalLike
from coach.core.engine.exercise_engine import ExerciseEngine
from coach.core.engine.results import (
    RECORDING_SETUP_S,
    Cue,
    EngineConfig,
    EngineStatus,
    ExerciseReport,
    HoldRecord,
    RepRecord,
    State,
)
from coach.core.engine.tunables import (
    CLOSE_UP_EDGE,
    CUE_GAP_S,
    END_HOLD_S,
    END_RETURN_P,
    FAULT_RELEASE_S,
    FROM_WORK_WINDOW_S,
    HOLD_ENTER_S,
    HOLD_EXIT_S,
    JUMP_LIMIT,
    JUMP_MEMORY_S,
    MAX_FRAME_GAP_S,
    MIN_HOLD_S,
    NOT_VISIBLE_AFTER_S,
    SAME_CUE_GAP_S,
    SETTLE_TAU_S,
    SHAPE_JUMP_DEG,
    SHAPE_JUMP_S,
    SMALL_RANGE,
    VIEW_SCALE_LIMIT,
)

__all__ = [
    "CLOSE_UP_EDGE",
    "CUE_GAP_S",
    "END_HOLD_S",
    "END_RETURN_P",
    "FAULT_RELEASE_S",
    "FROM_WORK_WINDOW_S",
    "HOLD_ENTER_S",
    "HOLD_EXIT_S",
    "JUMP_LIMIT",
    "JUMP_MEMORY_S",
    "MAX_FRAME_GAP_S",
    "MIN_HOLD_S",
    "NOT_VISIBLE_AFTER_S",
    "RECORDING_SETUP_S",
    "SAME_CUE_GAP_S",
    "SETTLE_TAU_S",
    "SHAPE_JUMP_DEG",
    "SHAPE_JUMP_S",
    "SMALL_RANGE",
    "VIEW_SCALE_LIMIT",
    "ConditionLike",
    "Cue",
    "DoseLike",
    "EngineConfig",
    "EngineStatus",
    "ExerciseReport",
    "ExerciseEngine",
    "ExerciseLike",
    "FaultLike",
    "HoldRecord",
    "RepRecord",
    "RepTimingLike",
    "SignalLike",
    "State",
    "ViewName",
    "ViewSignalLike",
]
