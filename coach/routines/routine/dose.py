"""Doses: the effective sets, reps, hold, rest and duration of one item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
