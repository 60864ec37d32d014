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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coach.core.metrics import parse_metric
from coach.routines.catalogue import Catalogue, unknown_message
from coach.routines.exercise import Exercise, Sides
from coach.routines.yamlio import (
    FileProblems,
    Problem,
    locate,
    parse_yaml,
    read_text,
    validate_data,
)

ROUTINE_FORMAT = "coach.routine"
ROUTINE_SCHEMA_VERSION = 1
ROUTINE_SCHEMA = f"{ROUTINE_FORMAT}/{ROUTINE_SCHEMA_VERSION}"
_SCHEMA_RE = re.compile(r"^(?:coach|rehabcoach)\.routine/v?(\d{1,6})$")


@dataclass(frozen=True)
class Envelope:
    """The hard safety envelope. See the module docstring for the reasoning behind each."""

    max_sets: int = 6
    max_reps: int = 50
    max_volume: int = 100
    max_hold_s: float = 120.0
    max_rest_s: float = 300.0
    max_duration_s: float = 1800.0
    max_shift_deg: float = 20.0
    max_shift_ratio: float = 0.1
    max_green: int = 3
    max_amber: int = 5  # so the stop threshold (amber + 1) is never above 6/10
    max_lift_kg: float = 25.0
    max_step_reps: int = 3
    max_step_hold_s: float = 10.0
    max_step_duration_s: float = 120.0
    max_times_per_day: int = 4


ENVELOPE = Envelope()
E = ENVELOPE

LOCK_TAGS: dict[str, str] = {
    "loads_flexion": "no_flexion",
    "loads_rotation": "no_rotation",
    "loads_extension": "no_extension",
    "lifting": "no_lifting_kg_over",
}
_LOCK_WORDS = {
    "loads_flexion": "it bends the spine forward",
    "loads_rotation": "it twists the spine",
    "loads_extension": "it arches the spine backward",
    "lifting": "it is a lifting exercise",
}
_RESTRICTION_WORDS = {
    "no_flexion": "bending",
    "no_rotation": "twisting",
    "no_extension": "arching backward",
    "no_lifting_kg_over": "lifting",
}

ExerciseId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Angle = Annotated[float, Field(ge=-360.0, le=360.0)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Tempo = Annotated[str, Field(pattern=r"^\d+(\.\d+)?-\d+(\.\d+)?-\d+(\.\d+)?$")]
SurgeryType = Literal[
    "microdiscectomy",
    "discectomy",
    "laminectomy",
    "decompression",
    "fusion",
    "disc_replacement",
    "other",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )


# ---------------------------------------------------------------------------------------------
# People and safety


class Author(_Frozen):
    """Who wrote the routine; shown to the patient as "prescribed by"."""

    name: ShortText
    role: Literal["physiotherapist", "doctor", "surgeon", "nurse", "trainer", "other"] = (
        "physiotherapist"
    )
    contact: ShortText | None = None


class Patient(_Frozen):
    """Optional: omit for a template."""

    display_name: ShortText
    birth_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    external_ids: dict[
        Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=80)]
    ] = Field(default_factory=dict)


class Surgery(_Frozen):
    type: SurgeryType
    date: date
    level: Annotated[str, Field(max_length=40)] | None = None  # e.g. "L4-L5"


class Restrictions(_Frozen):
    """Post-operative movement restrictions (DOMAIN §5.4); each locks the matching exercises."""

    no_flexion: bool = False
    no_rotation: bool = False
    no_extension: bool = False
    no_lifting_kg_over: Annotated[float, Field(ge=0.0, le=E.max_lift_kg)] | None = None
    until: date | None = None

    def active(self, restriction: str) -> bool:
        """Whether ``restriction`` (e.g. ``"no_flexion"``) is set, regardless of dates."""
        if restriction == "no_lifting_kg_over":
            return self.no_lifting_kg_over is not None
        return bool(getattr(self, restriction))

    def in_force(self, today: date) -> bool:
        """The restrictions apply through the ``until`` day (inclusive); no date: indefinitely."""
        return self.until is None or today <= self.until


class PainRules(_Frozen):
    """Pain-monitoring thresholds (DOMAIN §5.1), selectable within the envelope.

    0 – ``green_max`` green (continue), up to ``amber_max`` amber (continue, no progression),
    above ``amber_max`` red (stop the exercise). Defaults follow the traffic-light model:
    green ≤ 3, amber 4 – 5, red ≥ 6.
    """

    green_max: Annotated[int, Field(ge=0)] = 3
    amber_max: Annotated[int, Field(ge=0)] = 5
    relative_rise_amber: Annotated[int, Field(ge=1, le=3)] = 2
    stop_if_spreading: bool = True
    next_morning_check: bool = True
    next_morning_max: Annotated[int, Field(ge=0, le=E.max_amber)] = 5
    rest_day_at: Annotated[int, Field(ge=5, le=8)] = 8

    @field_validator("green_max")
    @classmethod
    def _green(cls, v: int) -> int:
        if v > E.max_green:
            raise ValueError(
                f"green_max {v} is above the safety envelope; green pain is 0-{E.max_green} at most (DOMAIN §5.1)"
            )
        return v

    @field_validator("amber_max")
    @classmethod
    def _amber(cls, v: int) -> int:
        if v > E.max_amber:
            raise ValueError(
                f"amber_max {v} would let exercise continue at {v}/10; the app always stops at "
                f"{E.max_amber + 1}/10 or lower, so amber_max is at most {E.max_amber}"
            )
        return v

    @field_validator("stop_if_spreading")
    @classmethod
    def _spreading(cls, v: bool) -> bool:
        if not v:
            raise ValueError(
                "'stop_if_spreading' cannot be turned off: pain spreading down the leg always stops the exercise (DOMAIN §5.3)"
            )
        return v

    @model_validator(mode="after")
    def _order(self) -> PainRules:
        if self.amber_max < self.green_max:
            raise ValueError("amber_max must be at least green_max")
        return self

    @property
    def stop_at(self) -> int:
        """Pain at or above this stops the exercise (red)."""
        return self.amber_max + 1


class Safety(_Frozen):
    surgery: Surgery | None = None
    restrictions: Restrictions | None = None
    unlock: list[ExerciseId] = Field(default_factory=list, max_length=50)
    pain_rules: PainRules = PainRules()
    clinician_contact: ShortText | None = None

    @field_validator("unlock")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(v) != len(set(v)):
            raise ValueError("each exercise is listed once under 'unlock'")
        return v


class Schedule(_Frozen):
    """How often: ``days`` (named weekdays) or ``days_per_week``, and ``times_per_day``."""

    days_per_week: Annotated[int, Field(ge=1, le=7)] | None = None
    days: list[Weekday] | None = None
    times_per_day: Annotated[int, Field(ge=1, le=E.max_times_per_day)] = 1
    reminder_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None

    @field_validator("reminder_time", mode="before")
    @classmethod
    def _sexagesimal(cls, v: Any) -> Any:
        # YAML 1.1 reads an unquoted 18:30 as the base-60 integer 1110; take it back.
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 24 * 60:
            return f"{v // 60:02d}:{v % 60:02d}"
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if self.days is not None:
            if len(self.days) != len(set(self.days)):
                raise ValueError("each weekday is listed once under 'days'")
            if self.days_per_week is not None and self.days_per_week != len(self.days):
                raise ValueError(
                    f"days_per_week is {self.days_per_week} but {len(self.days)} days are listed; keep one of them"
                )
        return self

    @property
    def sessions_per_week(self) -> int:
        per_day = self.times_per_day
        if self.days is not None:
            return len(self.days) * per_day
        return (self.days_per_week or 7) * per_day


# ---------------------------------------------------------------------------------------------
# Items


class SignalOverride(_Frozen):
    """Per-patient primary-signal thresholds (in the metric's units)."""

    rest: Angle | None = None
    work: Angle | None = None


class FaultOverride(_Frozen):
    """A per-patient fault threshold: ``value`` for ``<``/``>`` faults, ``range`` for between."""

    value: Angle | None = None
    range: tuple[Angle, Angle] | None = None

    @model_validator(mode="after")
    def _one(self) -> FaultOverride:
        if (self.value is None) == (self.range is None):
            raise ValueError("give either 'value' or 'range: [low, high]'")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high] with low <= high")
        return self


class Thresholds(_Frozen):
    signal: SignalOverride | None = None
    faults: dict[ExerciseId, FaultOverride] = Field(default_factory=dict, max_length=20)

    @property
    def empty(self) -> bool:
        return self.signal is None and not self.faults


class ProgressWhen(_Frozen):
    """When to progress (DOMAIN §2.0 default: 2 green sessions, ≥ 80 % of reps without fault)."""

    green_sessions: Annotated[int, Field(ge=1, le=10)] = 2
    max_fault_ratio: Annotated[float, Field(ge=0.0, le=0.5)] = 0.2
    completed_dose: bool = True


class DoseStep(_Frozen):
    """How much one progression adds (``reps: +1`` in YAML reads as 1)."""

    sets: Annotated[int, Field(ge=0, le=1)] = 0
    reps: Annotated[int, Field(ge=0, le=E.max_step_reps)] = 0
    hold_s: Annotated[float, Field(ge=0.0, le=E.max_step_hold_s)] = 0.0
    duration_s: Annotated[float, Field(ge=0.0, le=E.max_step_duration_s)] = 0.0

    @property
    def empty(self) -> bool:
        return not (self.sets or self.reps or self.hold_s or self.duration_s)


class DoseMax(_Frozen):
    """Ceilings progression never passes (each inside the envelope)."""

    sets: Annotated[int, Field(ge=1, le=E.max_sets)] | None = None
    reps: Annotated[int, Field(ge=1, le=E.max_reps)] | None = None
    hold_s: Annotated[float, Field(ge=0.0, le=E.max_hold_s)] | None = None
    duration_s: Annotated[float, Field(ge=0.0, le=E.max_duration_s)] | None = None


class ProgressRule(_Frozen):
    """``progress: {when: {...}, step: {...}, max: {...}}``; ``enabled: false`` turns it off."""

    enabled: bool = True
    when: ProgressWhen = ProgressWhen()
    step: DoseStep | None = None  # None: +1 rep (reps), +5 s hold (holds), +60 s (timed)
    max: DoseMax = DoseMax()  # unset ceilings default to twice the prescribed dose


class RegressRule(_Frozen):
    """Regression after a red session or a failed next-morning check (DOMAIN §2.0/§5.1)."""

    enabled: bool = True
    volume: Annotated[float, Field(ge=0.5, le=0.9)] = 0.8
    to: ExerciseId | None = None  # an easier exercise to suggest; default: the catalogue's


class Item(_Frozen):
    """One exercise in a block, with the patient's dose and tailoring."""

    exercise: ExerciseId | None = None
    custom: Exercise | None = None
    sets: Annotated[int, Field(ge=1, le=E.max_sets)] | None = None
    reps: Annotated[int, Field(ge=1, le=E.max_reps)] | None = None
    reps_pattern: (
        Annotated[
            list[Annotated[int, Field(ge=1, le=E.max_reps)]],
            Field(min_length=1, max_length=E.max_sets),
        ]
        | None
    ) = None
    hold_s: Annotated[float, Field(ge=0.0, le=E.max_hold_s)] | None = None
    rest_s: Annotated[float, Field(ge=0.0, le=E.max_rest_s)] | None = None
    duration_s: Annotated[float, Field(gt=0.0, le=E.max_duration_s)] | None = None
    tempo: Tempo | None = None
    side: Sides | None = None
    thresholds: Thresholds = Thresholds()
    cues: list[Text] = Field(default_factory=list, max_length=10)
    notes: Annotated[str, Field(max_length=2000)] = ""
    progress: ProgressRule = ProgressRule()
    regress: RegressRule = RegressRule()

    @model_validator(mode="after")
    def _shape(self) -> Item:
        if (self.exercise is None) == (self.custom is None):
            raise ValueError(
                "an item needs either 'exercise: ID' (from the catalogue) or 'custom: {...}' "
                "(an exercise defined here), not both"
            )
        if self.reps is not None and self.reps_pattern is not None:
            raise ValueError("give 'reps' or 'reps_pattern', not both")
        if (
            self.reps_pattern is not None
            and self.sets is not None
            and self.sets != len(self.reps_pattern)
        ):
            raise ValueError(
                f"'reps_pattern' has {len(self.reps_pattern)} sets but 'sets' is {self.sets}; drop 'sets'"
            )
        return self

    @property
    def exercise_id(self) -> str:
        if self.custom is not None:
            return self.custom.id
        assert self.exercise is not None
        return self.exercise


class Block(_Frozen):
    name: ShortText
    items: Annotated[list[Item], Field(min_length=1, max_length=30)]

    @field_validator("items", mode="before")
    @classmethod
    def _not_empty(cls, v: Any) -> Any:
        # A plain sentence instead of pydantic's "list should have at least 1 item": an empty
        # block is what a new routine looks like, so the editor and `check` say what to do.
        if isinstance(v, list) and not v:
            raise ValueError("this block has no exercises yet; add at least one exercise to it")
        return v


class Routine(_Frozen):
    """A therapist-authored routine (format ``coach.routine/1``)."""

    schema_: Annotated[str, Field(alias="schema", max_length=60)] = ROUTINE_SCHEMA
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    version: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    title: ShortText
    author: Author
    patient: Patient | None = None
    created: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    safety: Safety = Safety()
    schedule: Schedule = Schedule()
    blocks: Annotated[list[Block], Field(min_length=1, max_length=20)]
    materials: list[ShortText] = Field(default_factory=list, max_length=20)
    notes: Annotated[str, Field(max_length=4000)] = ""

    @field_validator("blocks", mode="before")
    @classmethod
    def _has_blocks(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            raise ValueError("this routine has no exercises yet; add a block with at least one exercise")
        return v

    @field_validator("schema_")
    @classmethod
    def _schema(cls, v: str) -> str:
        m = _SCHEMA_RE.match(v)
        if not m:
            raise ValueError(f"'{v}' is not a routine format; write 'schema: {ROUTINE_SCHEMA}'")
        if int(m.group(1)) != ROUTINE_SCHEMA_VERSION:
            raise ValueError(
                f"format version {m.group(1)} is not supported; this coach reads {ROUTINE_SCHEMA}"
            )
        return v

    def items(self) -> Iterator[tuple[tuple[Any, ...], Block, Item]]:
        """Every item with its location ``("blocks", b, "items", i)`` in the file."""
        for b, block in enumerate(self.blocks):
            for i, item in enumerate(block.items):
                yield ("blocks", b, "items", i), block, item

    def dump(self) -> dict[str, Any]:
        """JSON/YAML-ready data that validates back to an equal routine."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def routine_json_schema() -> dict[str, Any]:
    """The JSON Schema of the routine format (for editors and other tools)."""
    schema = Routine.model_json_schema(by_alias=True)
    schema["$id"] = f"https://coach.example/schema/{ROUTINE_FORMAT}/{ROUTINE_SCHEMA_VERSION}"
    schema["title"] = f"coach routine file ({ROUTINE_SCHEMA})"
    return schema


# ---------------------------------------------------------------------------------------------
# Doses


@dataclass(frozen=True)
class ItemDose:
    """The effective dose of one item: the catalogue's defaults, overridden by the routine."""

    sets: int
    reps: int | None
    reps_pattern: tuple[int, ...] | None = None
    hold_s: float = 0.0
    rest_s: float = 60.0
    duration_s: float | None = None
    tempo: str | None = None
    side: str = "none"
    kind: str = "reps"  # the exercise's kind: reps, hold, timed, breathing

    def reps_for_set(self, index: int) -> int | None:
        """Target reps of set ``index`` (0-based)."""
        if self.reps_pattern is not None:
            return self.reps_pattern[min(index, len(self.reps_pattern) - 1)]
        return self.reps

    @property
    def total_reps(self) -> int:
        if self.reps_pattern is not None:
            return sum(self.reps_pattern)
        return self.sets * (self.reps or 0)

    def describe(self) -> str:
        """Short human text, e.g. ``"2 sets of 8 reps, hold 5 s, rest 60 s"``."""
        parts: list[str] = []
        unit = "holds" if self.kind == "hold" else "reps"
        if self.reps_pattern is not None:
            parts.append(
                f"{len(self.reps_pattern)} sets of {'/'.join(str(r) for r in self.reps_pattern)} {unit}"
            )
        elif self.reps and self.sets == 1:
            parts.append(f"{self.reps} {unit}")
        elif self.reps:
            parts.append(f"{self.sets} sets of {self.reps} {unit}")
        elif self.sets > 1:
            parts.append(f"{self.sets} sets")
        if self.duration_s:
            parts.append(f"{_fmt_s(self.duration_s)}")
        if self.hold_s:
            parts.append(
                f"{_fmt_s(self.hold_s)} each"
                if self.kind == "hold"
                else f"hold {_fmt_s(self.hold_s)}"
            )
        if self.tempo:
            parts.append(f"tempo {self.tempo}")
        if self.side not in ("none", ""):
            parts.append(
                {"both": "each side", "alternate": "alternating sides"}.get(
                    self.side, f"{self.side} side"
                )
            )
        if self.rest_s and (self.sets > 1 or (self.reps or 0) > 1):
            parts.append(f"rest {_fmt_s(self.rest_s)}")
        return ", ".join(parts) or "as instructed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sets": self.sets,
            "reps": self.reps,
            "reps_pattern": list(self.reps_pattern) if self.reps_pattern is not None else None,
            "hold_s": self.hold_s,
            "rest_s": self.rest_s,
            "duration_s": self.duration_s,
            "tempo": self.tempo,
            "side": self.side,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemDose:
        pattern = d.get("reps_pattern")
        return cls(
            sets=int(d["sets"]),
            reps=None if d.get("reps") is None else int(d["reps"]),
            reps_pattern=tuple(int(x) for x in pattern) if pattern else None,
            hold_s=float(d.get("hold_s") or 0.0),
            rest_s=float(d.get("rest_s") or 0.0),
            duration_s=None if d.get("duration_s") is None else float(d["duration_s"]),
            tempo=d.get("tempo"),
            side=str(d.get("side") or "none"),
            kind=str(d.get("kind") or "reps"),
        )


def _fmt_s(s: float) -> str:
    if s >= 60 and s % 60 == 0:
        return f"{int(s // 60)} min"
    return f"{s:g} s"


# ---------------------------------------------------------------------------------------------
# Checking and resolving


@dataclass(frozen=True)
class Issue:
    """A finding of :func:`check_routine`, located like a pydantic error (``loc``)."""

    loc: tuple[Any, ...]
    message: str
    hint: str = ""
    severity: Literal["error", "warning"] = "error"
    key: bool = False  # point at the key rather than the value

    def to_problem(self, filename: str, root: Any = None) -> Problem:
        line, col = locate(root, self.loc, key=self.key) if root is not None else (1, 1)
        field_ = ".".join(str(p) for p in self.loc)
        prefix = "warning: " if self.severity == "warning" else ""
        msg = f"{field_}: {prefix}{self.message}" if field_ else f"{prefix}{self.message}"
        return Problem(filename, line, col, msg, self.hint)


class RoutineError(Exception):
    """The routine cannot be resolved; ``issues`` says where and why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(f"{'.'.join(map(str, i.loc))}: {i.message}" for i in issues))


@dataclass(frozen=True)
class ResolvedItem:
    """One item as the app runs it."""

    block: str
    position: int  # 0-based order in the whole routine
    loc: tuple[Any, ...]
    exercise: Exercise  # with the patient's thresholds and dose applied
    base: Exercise  # as in the catalogue (or the custom definition)
    source: Literal["catalogue", "custom"]
    dose: ItemDose
    cues: tuple[str, ...]
    notes: str
    progress: ProgressRule
    progress_step: DoseStep
    progress_max: DoseMax
    regress: RegressRule
    regress_to: str | None
    overrides: tuple[str, ...]  # human-readable threshold overrides
    locked: bool
    lock_reasons: tuple[str, ...]
    unlocks_on: date | None  # the earliest date the lock can lapse (with the therapist's unlock)

    @property
    def exercise_id(self) -> str:
        return self.exercise.id


@dataclass(frozen=True)
class ResolvedRoutine:
    """The effective routine on ``today``: every item, its dose, locks and why."""

    routine: Routine
    today: date
    items: tuple[ResolvedItem, ...]
    warnings: tuple[Issue, ...] = field(default=())

    @property
    def active(self) -> tuple[ResolvedItem, ...]:
        return tuple(i for i in self.items if not i.locked)

    @property
    def locked(self) -> tuple[ResolvedItem, ...]:
        return tuple(i for i in self.items if i.locked)

    @property
    def pain_rules(self) -> PainRules:
        return self.routine.safety.pain_rules

    @property
    def expired(self) -> bool:
        return self.routine.valid_until is not None and self.today > self.routine.valid_until

    @property
    def not_yet_valid(self) -> bool:
        return self.routine.valid_from is not None and self.today < self.routine.valid_from

    @property
    def restrictions_in_force(self) -> bool:
        r = self.routine.safety.restrictions
        return r is not None and r.in_force(self.today)

    def item(self, exercise_id: str) -> ResolvedItem:
        for it in self.items:
            if it.exercise_id == exercise_id:
                return it
        raise KeyError(exercise_id)


def lock_reasons(exercise: Exercise, safety: Safety, today: date) -> tuple[list[str], date | None]:
    """Why ``exercise`` is locked on ``today`` (empty: it is not), and when it could unlock."""
    r = safety.restrictions
    if r is None:
        return [], None
    reasons: list[str] = []
    for tag, restriction in LOCK_TAGS.items():
        if tag not in exercise.tags or not r.active(restriction):
            continue
        what = _RESTRICTION_WORDS[restriction]
        if restriction == "no_lifting_kg_over":
            what = f"lifting more than {r.no_lifting_kg_over:g} kg"
        if r.until is None:
            reasons.append(f"{_LOCK_WORDS[tag]}, and {what} is restricted with no end date")
        elif r.in_force(today):
            after = (
                f"your therapist has unlocked it from {date.fromordinal(r.until.toordinal() + 1).isoformat()}"
                if exercise.id in safety.unlock
                else "after that your therapist must unlock it"
            )
            reasons.append(
                f"{_LOCK_WORDS[tag]}, and {what} is restricted until {r.until.isoformat()}; {after}"
            )
        elif exercise.id not in safety.unlock:
            reasons.append(
                f"{_LOCK_WORDS[tag]}; the {what} restriction ended on {r.until.isoformat()}, "
                "but your therapist has not unlocked it yet"
            )
    unlocks_on = None
    if reasons and r.until is not None:
        unlocks_on = date.fromordinal(r.until.toordinal() + 1)
    return reasons, unlocks_on


def _apply_thresholds(
    base: Exercise, th: Thresholds, loc: tuple[Any, ...], issues: list[Issue]
) -> tuple[dict[str, Any], list[str]]:
    """Check the overrides against the envelope; return the exercise data with them applied."""
    data = base.model_dump(mode="python")
    described: list[str] = []
    tloc = (*loc, "thresholds")
    if th.signal is not None:
        if base.signal is None:
            issues.append(
                Issue(
                    (*tloc, "signal"),
                    f"'{base.id}' has no movement signal to override",
                    "remove 'signal'",
                )
            )
        else:
            m, _ = parse_metric(base.signal.metric)
            limit = E.max_shift_deg if m.unit == "deg" else E.max_shift_ratio
            unit = "°" if m.unit == "deg" else ""
            for name in ("rest", "work"):
                new = getattr(th.signal, name)
                if new is None:
                    continue
                old = float(getattr(base.signal, name))
                if abs(new - old) > limit + 1e-9:
                    issues.append(
                        Issue(
                            (*tloc, "signal", name),
                            f"{name} {new:g}{unit} is outside the safety envelope: at most ±{limit:g}{unit} from the catalogue's {old:g}{unit}",
                            f"use a value between {old - limit:g} and {old + limit:g}",
                        )
                    )
                    continue
                data["signal"][name] = new
                # per-view thresholds move by the same amount, so side and front views agree
                for view in data["signal"].get("views", {}).values():
                    view[name] = view[name] + (new - old)
                described.append(f"{base.signal.metric} {name} {old:g} → {new:g}{unit}")
    faults = {f.id: f for f in base.faults}
    for fid, ov in th.faults.items():
        floc = (*tloc, "faults", fid)
        if fid not in faults:
            issues.append(
                Issue(
                    floc,
                    unknown_message("fault", fid, list(faults))
                    if faults
                    else f"'{base.id}' has no faults to override",
                    key=True,
                )
            )
            continue
        fault = faults[fid]
        m, _ = parse_metric(fault.when.metric)
        limit = E.max_shift_deg if m.unit == "deg" else E.max_shift_ratio
        unit = "°" if m.unit == "deg" else ""
        idx = next(i for i, f in enumerate(base.faults) if f.id == fid)
        when = data["faults"][idx]["when"]
        if fault.when.range is not None:
            if ov.range is None:
                issues.append(
                    Issue(
                        floc,
                        f"fault '{fid}' is a range check ({fault.when.op}); override it with 'range: [low, high]'",
                    )
                )
                continue
            old_r = fault.when.range
            bad = [n for n, o in zip(ov.range, old_r, strict=True) if abs(n - o) > limit + 1e-9]
            if bad:
                issues.append(
                    Issue(
                        (*floc, "range"),
                        f"range [{ov.range[0]:g}, {ov.range[1]:g}] is outside the safety envelope: each end at most ±{limit:g}{unit} from the catalogue's [{old_r[0]:g}, {old_r[1]:g}]",
                        f"keep the low end in {old_r[0] - limit:g}..{old_r[0] + limit:g} and the high end in {old_r[1] - limit:g}..{old_r[1] + limit:g}",
                    )
                )
                continue
            when["range"] = tuple(ov.range)
            described.append(
                f"{fid}: {fault.when.metric} range [{old_r[0]:g}, {old_r[1]:g}] → [{ov.range[0]:g}, {ov.range[1]:g}]"
            )
        else:
            if ov.value is None:
                issues.append(
                    Issue(
                        floc,
                        f"fault '{fid}' compares with one value ({fault.when.op}); override it with 'value: N'",
                    )
                )
                continue
            old_v = float(fault.when.value or 0.0)
            if abs(ov.value - old_v) > limit + 1e-9:
                issues.append(
                    Issue(
                        (*floc, "value"),
                        f"value {ov.value:g}{unit} is outside the safety envelope: at most ±{limit:g}{unit} from the catalogue's {old_v:g}{unit}",
                        f"use a value between {old_v - limit:g} and {old_v + limit:g}",
                    )
                )
                continue
            when["value"] = ov.value
            described.append(
                f"{fid}: {fault.when.metric} {fault.when.op} {old_v:g} → {ov.value:g}{unit}"
            )
    return data, described


def _effective_dose(
    base: Exercise, item: Item, loc: tuple[Any, ...], source: str, issues: list[Issue]
) -> ItemDose:
    d = base.dose
    pattern = tuple(item.reps_pattern) if item.reps_pattern is not None else None
    sets = len(pattern) if pattern is not None else (item.sets if item.sets is not None else d.sets)
    reps = None if pattern is not None else (item.reps if item.reps is not None else d.reps)
    if base.kind in ("timed", "breathing") and item.reps is None and pattern is None:
        reps = None
    dose = ItemDose(
        sets=sets,
        reps=reps,
        reps_pattern=pattern,
        hold_s=item.hold_s if item.hold_s is not None else d.hold_s,
        rest_s=item.rest_s if item.rest_s is not None else d.rest_s,
        duration_s=item.duration_s if item.duration_s is not None else d.duration_s,
        tempo=item.tempo if item.tempo is not None else d.tempo,
        side=item.side if item.side is not None else base.sides,
        kind=base.kind,
    )

    # The item's own fields are bounded by the model; values inherited from a custom
    # exercise's (looser) Exercise schema are checked here, at the custom dose's position.
    def where(name: str) -> tuple[Any, ...]:
        if getattr(item, name, None) is not None:
            return (*loc, name)
        return (*loc, "custom", "dose", name) if source == "custom" else (*loc, "exercise")

    limits = (
        ("sets", E.max_sets, "sets"),
        ("reps", E.max_reps, "reps"),
        ("hold_s", E.max_hold_s, "s hold"),
        ("rest_s", E.max_rest_s, "s rest"),
        ("duration_s", E.max_duration_s, "s"),
    )
    for name, limit, unit in limits:
        v = getattr(dose, name)
        if v is not None and v > limit:
            issues.append(
                Issue(
                    where(name),
                    f"{name} {v:g} is outside the safety envelope (at most {limit:g} {unit})",
                    f"use at most {limit:g}",
                )
            )
    if dose.total_reps > E.max_volume:
        what = (
            "sum of reps_pattern"
            if pattern is not None
            else f"sets × reps = {dose.sets} × {dose.reps}"
        )
        issues.append(
            Issue(
                (*loc, "reps_pattern")
                if pattern is not None
                else ((*loc, "reps") if item.reps is not None else where("sets")),
                f"{what} = {dose.total_reps} reps is over the per-item limit of {E.max_volume}",
                "fewer sets or reps",
            )
        )
    if item.side is not None and item.side != "none" and base.sides == "none":
        issues.append(
            Issue(
                (*loc, "side"),
                f"'{base.id}' is done with both sides together; it has no '{item.side}' side",
                "remove 'side'",
            )
        )
    return dose


def _default_step(base: Exercise, dose: ItemDose) -> DoseStep:
    if base.kind == "breathing":
        return DoseStep()
    if base.kind == "timed":
        return DoseStep(duration_s=60.0)
    if base.kind == "hold" and dose.hold_s > 0:
        return DoseStep(hold_s=5.0)
    return DoseStep(reps=1)  # NHS: add 1-2 reps every few days if comfortable


def _default_max(rule: ProgressRule, dose: ItemDose) -> DoseMax:
    m = rule.max

    def cap(given: float | None, start: float | None, limit: float) -> float | None:
        if given is not None:
            return given
        if not start:
            return None
        return min(limit, 2 * start)

    reps_start = max(dose.reps_pattern) if dose.reps_pattern else dose.reps
    reps_cap = cap(m.reps, reps_start, E.max_reps)
    return DoseMax(
        sets=m.sets if m.sets is not None else dose.sets,
        reps=int(reps_cap) if reps_cap is not None else None,
        hold_s=cap(m.hold_s, dose.hold_s, E.max_hold_s),
        duration_s=cap(m.duration_s, dose.duration_s, E.max_duration_s),
    )


def _resolve(
    routine: Routine, catalogue: Catalogue, today: date
) -> tuple[list[ResolvedItem], list[Issue]]:
    issues: list[Issue] = []
    items: list[ResolvedItem] = []
    customs: dict[str, Exercise] = {}
    for loc, _block, item in routine.items():
        if item.custom is not None:
            cid = item.custom.id
            if cid in catalogue.exercises:
                issues.append(
                    Issue(
                        (*loc, "custom", "id"),
                        f"custom exercise id '{cid}' is already a catalogue exercise",
                        f"choose another id, e.g. 'my_{cid}'",
                    )
                )
            elif cid in customs and item.custom != customs[cid]:
                issues.append(
                    Issue(
                        (*loc, "custom", "id"),
                        f"custom exercise id '{cid}' is defined twice with different content",
                        "give each custom exercise its own id",
                    )
                )
            customs.setdefault(cid, item.custom)
    known = [*catalogue.exercises, *customs]
    position = 0
    for loc, block, item in routine.items():
        if item.custom is not None:
            base, source = item.custom, "custom"
        else:
            assert item.exercise is not None
            found = catalogue.exercises.get(item.exercise)
            if found is None:
                issues.append(
                    Issue(
                        (*loc, "exercise"),
                        unknown_message("exercise", item.exercise, known),
                        "run 'coach exercises' to list the catalogue",
                    )
                )
                continue
            base, source = found, "catalogue"
        data, described = _apply_thresholds(base, item.thresholds, loc, issues)
        dose = _effective_dose(base, item, loc, source, issues)
        data["dose"] = {
            "sets": dose.sets,
            "reps": dose.reps_for_set(0),
            "hold_s": dose.hold_s,
            "rest_s": dose.rest_s,
            "duration_s": dose.duration_s,
            "tempo": dose.tempo,
        }
        if dose.side != "none" and base.sides != "none":
            data["sides"] = dose.side
        try:
            effective = Exercise.model_validate(data)
        except ValidationError as exc:
            why = "; ".join(
                str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors()
            )
            issues.append(
                Issue(
                    (*loc, "thresholds"),
                    f"with these overrides '{base.id}' is invalid: {why}",
                    "move the thresholds back toward the catalogue's",
                )
            )
            effective = base
        regress_to = item.regress.to or base.regression
        if item.regress.to is not None and item.regress.to not in known:
            issues.append(
                Issue((*loc, "regress", "to"), unknown_message("exercise", item.regress.to, known))
            )
        step = item.progress.step if item.progress.step is not None else _default_step(base, dose)
        reasons, unlocks_on = lock_reasons(base, routine.safety, today)
        items.append(
            ResolvedItem(
                block=block.name,
                position=position,
                loc=loc,
                exercise=effective,
                base=base,
                source=source,  # type: ignore[arg-type]
                dose=dose,
                cues=tuple(item.cues),
                notes=item.notes,
                progress=item.progress,
                progress_step=step,
                progress_max=_default_max(item.progress, dose),
                regress=item.regress,
                regress_to=regress_to,
                overrides=tuple(described),
                locked=bool(reasons),
                lock_reasons=tuple(reasons),
                unlocks_on=unlocks_on,
            )
        )
        position += 1
    in_routine = {i.exercise_id for i in items}
    for k, uid in enumerate(routine.safety.unlock):
        if uid not in catalogue.exercises and uid not in customs:
            issues.append(Issue(("safety", "unlock", k), unknown_message("exercise", uid, known)))
        elif uid not in in_routine:
            issues.append(
                Issue(
                    ("safety", "unlock", k),
                    f"'{uid}' is not in this routine, so unlocking it changes nothing",
                    severity="warning",
                )
            )
    r = routine.safety.restrictions
    if r is not None and not any(r.active(n) for n in _RESTRICTION_WORDS):
        issues.append(
            Issue(
                ("safety", "restrictions"),
                "no restriction is switched on",
                "set no_flexion, no_rotation, no_extension or no_lifting_kg_over, or remove 'restrictions'",
                severity="warning",
            )
        )
    s = routine.safety.surgery
    if s is not None and s.date > today:
        issues.append(
            Issue(
                ("safety", "surgery", "date"),
                f"the surgery date {s.date.isoformat()} is in the future",
                "check the date",
                severity="warning",
            )
        )
    if r is not None and r.until is not None and s is not None and r.until < s.date:
        issues.append(
            Issue(
                ("safety", "restrictions", "until"),
                "the restrictions end before the surgery date",
                "check the dates",
            )
        )
    return items, issues


def check_routine(routine: Routine, catalogue: Catalogue, today: date | None = None) -> list[Issue]:
    """Every problem the model alone cannot see: unknown exercises, unsafe overrides and doses,
    an expired routine. Errors and warnings, in file order."""
    today = today or date.today()
    _, issues = _resolve(routine, catalogue, today)
    if routine.valid_from and routine.valid_until and routine.valid_until < routine.valid_from:
        issues.append(Issue(("valid_until",), "valid_until is before valid_from", "swap the dates"))
    elif routine.valid_until is not None and routine.valid_until < today:
        issues.append(
            Issue(
                ("valid_until",),
                f"this routine expired on {routine.valid_until.isoformat()} (today is {today.isoformat()})",
                "ask your therapist for an updated routine, or extend valid_until",
            )
        )
    if routine.created is not None and routine.created > today:
        issues.append(
            Issue(
                ("created",),
                f"the creation date {routine.created.isoformat()} is in the future",
                "check the date",
                severity="warning",
            )
        )
    return issues


def resolve(routine: Routine, catalogue: Catalogue, today: date | None = None) -> ResolvedRoutine:
    """The effective routine on ``today``.

    Parameters
    ----------
    routine
        A validated routine.
    catalogue
        The exercise catalogue (:func:`coach.routines.catalogue.load_catalogue`).
    today
        The date the locks and validity are judged on; default: today.

    Returns
    -------
    ResolvedRoutine
        Every item in order with its effective exercise (threshold overrides and dose applied),
        dose, progression/regression rules and lock state. An expired routine still resolves
        (``expired`` is True): the app decides what to show.

    Raises
    ------
    RoutineError
        An item names an unknown exercise or breaks the safety envelope.
    """
    today = today or date.today()
    items, issues = _resolve(routine, catalogue, today)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise RoutineError(errors)
    return ResolvedRoutine(
        routine, today, tuple(items), tuple(i for i in issues if i.severity == "warning")
    )


# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`check_routine_file`."""

    path: str
    routine: Routine | None
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _future_schema(root: Any, data: Any, filename: str) -> Problem | None:
    """A file written for a newer coach gets one clear message, not a list of unknown keys."""
    if not isinstance(data, dict):
        return None
    value = data.get("schema")
    if not isinstance(value, str):
        return None
    m = _SCHEMA_RE.match(value.strip())
    if m and int(m.group(1)) > ROUTINE_SCHEMA_VERSION:
        line, col = locate(root, ("schema",))
        return Problem(
            filename,
            line,
            col,
            f"schema: this routine was written for a newer coach (format version {m.group(1)}); this coach reads version {ROUTINE_SCHEMA_VERSION}",
            "update coach, or ask your therapist for a version 1 file",
        )
    return None


def parse_routine(text: str, filename: str) -> tuple[Routine, Any]:
    """Validate routine YAML ``text``; returns the routine and the node tree (for positions).

    Raises
    ------
    FileProblems
        Malformed YAML, wrong types, unknown keys, values outside the envelope, a future format.
    """
    root, data = parse_yaml(text, filename)
    future = _future_schema(root, data, filename)
    if future is not None:
        raise FileProblems([future])
    return validate_data(root, data, Routine, filename), root


def _raw_unknown_exercises(
    root: Any, data: Any, catalogue: Catalogue, filename: str
) -> list[Problem]:
    """Unknown exercise ids in a file that failed validation: a typo in an id is the most
    common mistake, so it is reported together with the other problems, not one round later."""
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        return []
    items: list[tuple[tuple[Any, ...], Any]] = []
    for b, block in enumerate(data["blocks"]):
        if isinstance(block, dict) and isinstance(block.get("items"), list):
            items += [(("blocks", b, "items", i), item) for i, item in enumerate(block["items"])]
    customs = [
        item["custom"]["id"]
        for _, item in items
        if isinstance(item, dict)
        and isinstance(item.get("custom"), dict)
        and isinstance(item["custom"].get("id"), str)
    ]
    known = [*catalogue.exercises, *customs]
    problems = []
    for loc, item in items:
        ex = item.get("exercise") if isinstance(item, dict) else None
        if isinstance(ex, str) and re.fullmatch(r"[a-z][a-z0-9_]*", ex) and ex not in known:
            issue = Issue(
                (*loc, "exercise"),
                unknown_message("exercise", ex, known),
                "run 'coach exercises' to list the catalogue",
            )
            problems.append(issue.to_problem(filename, root))
    return problems


def check_routine_file(
    path: str | Path, catalogue: Catalogue, today: date | None = None
) -> CheckResult:
    """Load and fully check one routine file; never raises for a bad file.

    Problems come sorted by position. When the file does not validate, unknown exercise ids
    are still reported alongside the other problems. This is what ``coach routine check``
    prints; the routine editor shows the result of :func:`check_routine_text` on the text it
    would save, so both list the same problems in the same words and order.
    """
    name = str(path)
    try:
        text = read_text(path)
    except FileProblems as exc:
        return CheckResult(name, None, tuple(exc.problems), ())
    return check_routine_text(text, name, catalogue, today)


def check_routine_text(
    text: str, name: str, catalogue: Catalogue, today: date | None = None
) -> CheckResult:
    """Fully check routine YAML ``text`` (as if read from a file called ``name``).

    The one checking function behind ``coach routine check``, the routine editor and the app's
    "Open a routine file…": errors sorted by position, then warnings sorted by position.
    """

    def by_position(ps: list[Problem]) -> tuple[Problem, ...]:
        return tuple(sorted(ps, key=lambda p: (p.line, p.col)))

    try:
        root, data = parse_yaml(text, name)
    except FileProblems as exc:
        return CheckResult(name, None, tuple(exc.problems), ())
    future = _future_schema(root, data, name)
    if future is not None:
        return CheckResult(name, None, (future,), ())
    try:
        routine = validate_data(root, data, Routine, name)
    except FileProblems as exc:
        extra = _raw_unknown_exercises(root, data, catalogue, name)
        return CheckResult(name, None, by_position([*exc.problems, *extra]), ())
    issues = check_routine(routine, catalogue, today)
    errors = by_position([i.to_problem(name, root) for i in issues if i.severity == "error"])
    warnings = by_position([i.to_problem(name, root) for i in issues if i.severity == "warning"])
    return CheckResult(name, routine if not errors else None, errors, warnings)


def load_routine(
    path: str | Path, catalogue: Catalogue, today: date | None = None
) -> ResolvedRoutine:
    """Load, check and resolve a routine file: what the app calls.

    An expired routine is an error here too (the app should not run it silently); use
    :func:`parse_routine` + :func:`resolve` to look at an expired one.

    Raises
    ------
    FileProblems
        Every error with its ``FILE:LINE:COL`` position.
    """
    today = today or date.today()
    result = check_routine_file(path, catalogue, today)
    if result.errors or result.routine is None:
        raise FileProblems(list(result.errors))
    return resolve(result.routine, catalogue, today)


# ---------------------------------------------------------------------------------------------
# What a patient is told about a file that cannot be used

_UNREADABLE = (
    "cannot read the file",
    "this is a binary file",
    "the file is not UTF-8",
    "the file must be a YAML mapping",
    "routine and exercise files are at most",
)


@dataclass(frozen=True)
class PatientNotice:
    """A routine file problem in words for the patient, with the therapist's detail behind it.

    ``sentence`` is what the patient reads; ``details`` is every problem exactly as
    ``coach routine check`` prints it (one per line), for the "Details" button; ``line`` is the
    first problem's line (None when the file could not be read at all).
    """

    sentence: str
    details: str
    line: int | None


def patient_notice(problems: list[Problem] | tuple[Problem, ...]) -> PatientNotice:
    """One plain sentence for a patient who opened a routine file that cannot be used."""
    details = "\n".join(str(p) for p in problems)
    if not problems:
        return PatientNotice("This routine file cannot be used.", details, None)
    first = problems[0]
    if any(p.message.startswith(_UNREADABLE) or "the file is" in p.message and " MB;" in p.message for p in problems):
        return PatientNotice(
            "coach cannot read this file as a routine. Check that it is the file your "
            "physiotherapist gave you, or ask them to send it again.",
            details,
            None,
        )
    if any("written for a newer coach" in p.message for p in problems):
        return PatientNotice(
            "This routine was written for a newer version of coach. Update coach, or ask your "
            "physiotherapist for a file this version can read.",
            details,
            first.line,
        )
    expired = [p for p in problems if p.message.startswith("valid_until: this routine expired on")]
    if expired and len(expired) == len(problems):
        day = expired[0].message.removeprefix("valid_until: this routine expired on ").split(" ")[0]
        return PatientNotice(
            f"This routine ended on {day}, so coach will not run it. Ask your physiotherapist "
            "for an updated routine.",
            details,
            expired[0].line,
        )
    n = len(problems)
    what = "a mistake" if n == 1 else f"{n} mistakes"
    return PatientNotice(
        f"This routine file has {what} in it, so coach cannot use it. Ask your physiotherapist "
        f"to check line {first.line}.",
        details,
        first.line,
    )
