"""The exercise definition: a frozen, versioned, strict pydantic model loaded from YAML.

Adding an exercise means adding a YAML file under ``exercises/``; a therapist's custom exercise
inside a routine file uses the same schema. See ``docs/exercise-format.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coach.core.metrics import parse_metric

EXERCISE_SCHEMA_VERSION = 1

Program = Literal["aerobic", "core", "flexibility", "posture", "lifting", "breathing"]
View = Literal["side", "front", "any", "none"]
Kind = Literal["reps", "hold", "timed", "breathing"]
Sides = Literal["none", "both", "left", "right", "alternate"]
Severity = Literal["info", "amber", "red"]
Phase = Literal["any", "rest", "work", "hold"]
Op = Literal["<", "<=", ">", ">=", "between", "outside"]
Level = Literal["beginner", "intermediate", "advanced"]
Tag = Literal[
    "loads_flexion",
    "loads_rotation",
    "loads_extension",
    "lifting",
    "floor",
    "standing",
    "seated",
    "balance",
    "no_camera",
    "post_op_early",
]

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Angle = Annotated[float, Field(ge=-360.0, le=360.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _check_metric(spec: str) -> str:
    try:
        parse_metric(spec)
    except KeyError as exc:
        from coach.core.metrics import METRICS

        raise ValueError(
            f"unknown metric '{spec}' ({exc.args[0]}); known metrics: {', '.join(sorted(METRICS))}"
        ) from None
    return spec


class Condition(_Frozen):
    """A test on one metric: ``metric op value`` or ``metric between [lo, hi]``.

    ``reference: baseline`` compares the change from the value captured when the set started.
    """

    metric: str
    op: Op
    value: Angle | None = None
    range: tuple[Angle, Angle] | None = None
    reference: Literal["absolute", "baseline"] = "absolute"

    _metric = field_validator("metric")(_check_metric)

    @model_validator(mode="after")
    def _operands(self) -> Condition:
        if self.op in ("between", "outside"):
            if self.range is None or self.value is not None:
                raise ValueError(f"op '{self.op}' takes 'range: [low, high]' and no 'value'")
            if self.range[0] > self.range[1]:
                raise ValueError("range must be [low, high] with low <= high")
        elif self.value is None or self.range is not None:
            raise ValueError(f"op '{self.op}' takes 'value' and no 'range'")
        return self


class ViewSignal(_Frozen):
    """The primary signal for one camera view."""

    metric: str
    rest: Angle
    work: Angle
    _metric = field_validator("metric")(_check_metric)

    @model_validator(mode="after")
    def _apart(self) -> ViewSignal:
        metric, _ = parse_metric(self.metric)
        if abs(self.work - self.rest) < (10.0 if metric.unit == "deg" else 0.02):
            raise ValueError("'rest' and 'work' are too close together to count reliably")
        return self


class Signal(_Frozen):
    """The primary signal that drives the rep or hold state machine (DOMAIN §1.7).

    ``rest`` is the start position, ``work`` the position a full rep must reach. A rep is
    rest -> work -> rest. ``hysteresis`` is the tolerance on each threshold; a movement that
    leaves rest by more than ``partial_fraction`` of the range without reaching work is a
    partial rep.
    """

    metric: str
    rest: Angle
    work: Angle
    hysteresis: Annotated[float, Field(ge=0.0, le=30.0)] = 5.0  # in the metric's units
    partial_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.4
    min_dwell_s: Annotated[float, Field(ge=0.0, le=2.0)] = 0.1
    views: dict[Literal["side", "front"], ViewSignal] = Field(default_factory=dict)
    fallbacks: list[ViewSignal] = Field(default_factory=list, max_length=4)
    """Signals from fewer joints, in order, used while the primary's joints are out of the
    picture (a close-up that cuts off the feet): the count goes on from what is still seen."""
    rest_limit: Angle | None = None
    work_limit: Angle | None = None
    """The person's own range (calibration): a full cycle that turns back before ``work`` (or
    never gets back to ``rest``) still counts, with the fault ``small_range``, when its extremes
    reach these limits. None = the prescribed thresholds only."""

    first_rep_from_work: bool = False
    """A set may begin in the worked position (a lift set up at the load on the floor): the first
    return to rest is then a rep. Off for exercises where starting in the worked position is
    only getting into place (standing before a sit-to-stand)."""

    _metric = field_validator("metric")(_check_metric)

    @model_validator(mode="after")
    def _apart(self) -> Signal:
        span = abs(self.work - self.rest)
        if span <= 2 * self.hysteresis:
            raise ValueError("'rest' and 'work' must be further apart than twice the hysteresis")
        metric, _ = parse_metric(self.metric)
        if metric.unit == "deg" and span < 10.0:
            raise ValueError("for an angle, 'rest' and 'work' must be at least 10 degrees apart")
        up = self.work > self.rest
        if (
            self.work_limit is not None
            and (self.work_limit > self.work) == up
            and self.work_limit != self.work
        ):
            raise ValueError(
                "'work_limit' must lie between 'rest' and 'work' (a smaller range, not a larger one)"
            )
        if (
            self.rest_limit is not None
            and (self.rest_limit < self.rest) == up
            and self.rest_limit != self.rest
        ):
            raise ValueError(
                "'rest_limit' must lie between 'rest' and 'work' (a smaller range, not a larger one)"
            )
        lo = self.rest_limit if self.rest_limit is not None else self.rest
        hi = self.work_limit if self.work_limit is not None else self.work
        if abs(hi - lo) < max(2 * self.hysteresis, 10.0 if metric.unit == "deg" else 0.02):
            raise ValueError(
                "'rest_limit' and 'work_limit' leave too small a range to count reliably"
            )
        return self


class Fault(_Frozen):
    """A form fault: a condition that must persist ``min_duration_s`` before it fires."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    when: Condition
    phase: Phase = "any"
    min_duration_s: Annotated[float, Field(ge=0.0, le=10.0)] = 0.3
    severity: Severity = "amber"
    cue: Text
    view: Literal["side", "front", "any"] = "any"


class Dose(_Frozen):
    sets: Annotated[int, Field(ge=1, le=10)] = 2
    reps: Annotated[int, Field(ge=1, le=100)] | None = 10
    hold_s: Annotated[float, Field(ge=0.0, le=600.0)] = 0.0
    rest_s: Annotated[float, Field(ge=0.0, le=600.0)] = 60.0
    duration_s: Annotated[float, Field(ge=0.0, le=3600.0)] | None = None
    tempo: Annotated[str, Field(pattern=r"^\d+(\.\d+)?-\d+(\.\d+)?-\d+(\.\d+)?$")] | None = None


class RepTiming(_Frozen):
    """Rep duration bounds (DOMAIN §1.7): outside them a rep is flagged too fast / stalled."""

    min_s: Annotated[float, Field(ge=0.0, le=30.0)] = 0.8
    max_s: Annotated[float, Field(gt=0.0, le=120.0)] = 10.0


class Camera(_Frozen):
    view: View = "side"
    placement: Text = "Place the camera at hip height, 2-3 m away, square to the movement."
    whole_body: bool = True


class Breathing(_Frozen):
    """Paced breathing (no camera): seconds in, hold, out, hold."""

    inhale_s: Annotated[float, Field(ge=1.0, le=20.0)] = 4.0
    hold_in_s: Annotated[float, Field(ge=0.0, le=20.0)] = 0.0
    exhale_s: Annotated[float, Field(ge=1.0, le=20.0)] = 6.0
    hold_out_s: Annotated[float, Field(ge=0.0, le=20.0)] = 0.0


class Exercise(_Frozen):
    """One exercise definition (schema version 1)."""

    version: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    program: Program
    catalogue_ref: Annotated[str, Field(max_length=10)] | None = None
    level: Level = "beginner"
    purpose: Text
    instructions: Annotated[list[Text], Field(min_length=1, max_length=20)]
    camera: Camera = Camera()
    kind: Kind
    signal: Signal | None = None
    start: list[Condition] = Field(default_factory=list, max_length=10)
    in_position: list[Condition] = Field(default_factory=list, max_length=10)
    in_position_fallbacks: list[Condition] = Field(default_factory=list, max_length=10)
    """Checked instead of ``in_position`` while one of its metrics cannot be measured (a close-up
    that hides the knees): a hold goes on from the joints still in the picture."""
    settle_speed: Annotated[float, Field(gt=0.0, le=500.0)] = 20.0
    """A hold starts once in position and the first in-position metric moves slower than this
    (units per second): the timer measures the held position, not the movement into it."""
    dose: Dose = Dose()
    rep_timing: RepTiming = RepTiming()
    sides: Sides = "none"
    faults: list[Fault] = Field(default_factory=list, max_length=20)
    breathing: Breathing | None = None
    safety: list[Text] = Field(default_factory=list, max_length=20)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    regression: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    progression: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    sources: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_needs(self) -> Exercise:
        if self.kind in ("reps", "timed") and self.signal is None:
            raise ValueError(f"a '{self.kind}' exercise needs a 'signal'")
        if self.kind == "hold" and not self.in_position:
            raise ValueError("a 'hold' exercise needs 'in_position' checks")
        if self.kind == "breathing" and self.breathing is None:
            raise ValueError("a 'breathing' exercise needs a 'breathing' pace")
        ids = [f.id for f in self.faults]
        if len(ids) != len(set(ids)):
            raise ValueError("fault ids must be unique")
        return self

    @property
    def needs_camera(self) -> bool:
        return self.kind != "breathing" and "no_camera" not in self.tags
