"""Plain-data conversion of the worksheet inputs and results (JSON)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from coach.core.ergonomics.niosh import NioshInput
from coach.core.ergonomics.reba import RebaInput
from coach.core.ergonomics.rula import RulaInput

# ---------------------------------------------------------------------------------------------
# Plain-data conversion (JSON)
# ---------------------------------------------------------------------------------------------

_T = TypeVar("_T", RulaInput, RebaInput, NioshInput)


def from_dict(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Build an input dataclass from a mapping with the same field names (e.g. parsed JSON).

    Raises
    ------
    ValueError
        On unknown or missing fields, or any invalid value.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__} input must be a JSON object, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(
            f"unknown {cls.__name__} field(s): {', '.join(map(str, unknown))} "
            f"(known: {', '.join(fields)})"
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ValueError(f"missing required {cls.__name__} field(s): {', '.join(missing)}")
    return cls(**data)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_dict(obj: Any) -> dict[str, Any]:
    """A JSON-ready dict of any input or result dataclass of this module.

    Tuples become lists and non-finite floats (an infinite lifting index) become ``None``.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise ValueError(f"to_dict needs a dataclass instance, got {type(obj).__name__}")
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
