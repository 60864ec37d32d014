"""The routine file's pydantic models and the safety envelope every dose is bounded by."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coach.routines.exercise import Exercise, Sides

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
            raise ValueError(
                "this routine has no exercises yet; add a block with at least one exercise"
            )
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
