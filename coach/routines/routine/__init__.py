"""The therapist's routine file: model, safety envelope, post-operative locks and resolution.

A routine (DOMAIN §6.3) is a YAML file a physiotherapist writes for one patient (or as a
template): who wrote it, how long it is valid, the patient's safety profile (surgery,
movement restrictions, pain rules), the schedule, and blocks of items. Each item names a
catalogue exercise (``exercise: glute_bridge``) or defines one inline (``custom: {...}`` with
exactly the :class:`~coach.routines.exercise.Exercise` schema), with the patient's dose, any
per-patient threshold overrides, cues, notes and progression/regression rules. The reference
with a complete example is ``docs/routine-format.md``.

Three layers of checking, from cheap to contextual:

1. The pydantic model (:class:`Routine`): types, unknown keys, ranges. Every dose and pain
   field is bounded by the **safety envelope** (:data:`ENVELOPE`), hard-coded here so no file
   can exceed it.
2. :func:`check_routine` needs the catalogue and today's date: unknown exercises (with close
   matches), threshold overrides further than the envelope allows from the catalogue's
   values, effective doses (catalogue defaults merged with the item) inside the envelope,
   expired routines.
3. :func:`resolve` turns a routine into the effective plan (:class:`ResolvedRoutine`): each
   item's exercise with its overrides applied, its dose, and whether it is **locked** by a
   post-operative restriction (DOMAIN §5.4) and why.

Safety envelope (a therapist can choose anything inside it, nothing outside):

=============================  ==============================================================
sets per item                  1 – 6
reps per set                   1 – 50; ``reps_pattern`` up to 6 sets of 1 – 50
volume per item                sets × reps ≤ 100 (DOMAIN §6.3)
hold                           0 – 120 s
rest                           0 – 300 s
duration (timed items)         up to 1800 s (30 min)
threshold overrides            within ±20° of the catalogue's value (±0.1 for ratio metrics);
                               only thresholds the exercise has can be overridden
pain rules                     green ≤ 3, amber ≤ 5, so exercise always stops at ≥ 6/10 or
                               lower (DOMAIN §5.1/§5.3); "stop if spreading" cannot be
                               turned off; relative rise 1 – 3 points
progression step per change    reps +0..3, hold +0..10 s, duration +0..120 s, sets +0..1
regression                     keeps 50 – 90 % of the volume (default 80 %, DOMAIN §2.0)
lifting restriction            0 – 25 kg
=============================  ==============================================================

Locks: an exercise tagged ``loads_flexion``, ``loads_rotation``, ``loads_extension`` or
``lifting`` is locked while the matching restriction (``no_flexion``, ``no_rotation``,
``no_extension``, ``no_lifting_kg_over``) is set, and stays locked after
``restrictions.until`` has passed until the therapist lists it under ``safety.unlock``. A
restriction without ``until`` never lapses.

The package: :mod:`.models` (the file's models, the envelope), :mod:`.dose`, :mod:`.resolve`
(checking and resolution), :mod:`.files` (reading files) and :mod:`.notice` (what a patient is
told); every public name is importable from ``coach.routines.routine``.
"""

from __future__ import annotations

from coach.routines.routine.dose import (
    ItemDose,
)
from coach.routines.routine.files import (
    CheckResult,
    check_routine_file,
    check_routine_text,
    load_routine,
    parse_routine,
)
from coach.routines.routine.models import (
    ENVELOPE,
    LOCK_TAGS,
    ROUTINE_FORMAT,
    ROUTINE_SCHEMA,
    ROUTINE_SCHEMA_VERSION,
    WEEKDAYS,
    Angle,
    Author,
    Block,
    DoseMax,
    DoseStep,
    E,
    Envelope,
    ExerciseId,
    FaultOverride,
    Item,
    PainRules,
    Patient,
    ProgressRule,
    ProgressWhen,
    RegressRule,
    Restrictions,
    Routine,
    Safety,
    Schedule,
    ShortText,
    SignalOverride,
    Surgery,
    SurgeryType,
    Tempo,
    Text,
    Thresholds,
    Weekday,
    routine_json_schema,
)
from coach.routines.routine.notice import (
    PatientNotice,
    patient_notice,
)
from coach.routines.routine.resolve import (
    Issue,
    ResolvedItem,
    ResolvedRoutine,
    RoutineError,
    check_routine,
    lock_reasons,
    resolve,
)

__all__ = [
    "Angle",
    "Author",
    "Block",
    "CheckResult",
    "DoseMax",
    "DoseStep",
    "E",
    "ENVELOPE",
    "Envelope",
    "ExerciseId",
    "FaultOverride",
    "Issue",
    "Item",
    "ItemDose",
    "LOCK_TAGS",
    "PainRules",
    "Patient",
    "PatientNotice",
    "ProgressRule",
    "ProgressWhen",
    "ROUTINE_FORMAT",
    "ROUTINE_SCHEMA",
    "ROUTINE_SCHEMA_VERSION",
    "RegressRule",
    "ResolvedItem",
    "ResolvedRoutine",
    "Restrictions",
    "Routine",
    "RoutineError",
    "Safety",
    "Schedule",
    "ShortText",
    "SignalOverride",
    "Surgery",
    "SurgeryType",
    "Tempo",
    "Text",
    "Thresholds",
    "WEEKDAYS",
    "Weekday",
    "check_routine",
    "check_routine_file",
    "check_routine_text",
    "load_routine",
    "lock_reasons",
    "parse_routine",
    "patient_notice",
    "resolve",
    "routine_json_schema",
]
