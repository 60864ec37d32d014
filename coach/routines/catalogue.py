"""The exercise catalogue and programs, loaded from the YAML files under ``exercises/``."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.routines.exercise import Exercise, Program
from coach.routines.yamlio import FileProblems, load_yaml_file


def exercises_dir() -> Path:
    """Where the catalogue lives: ``COACH_EXERCISES_DIR``, else ``exercises/`` beside the package."""
    env = os.environ.get("COACH_EXERCISES_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "exercises"


class ProgramItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    exercise: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    sets: Annotated[int, Field(ge=1, le=10)] | None = None
    reps: Annotated[int, Field(ge=1, le=100)] | None = None
    hold_s: Annotated[float, Field(ge=0, le=600)] | None = None
    duration_s: Annotated[float, Field(ge=0, le=3600)] | None = None


class ProgramSchedule(BaseModel):
    """How often a built-in program is meant to be done (a routine file has its own schedule)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    days_per_week: Annotated[int, Field(ge=1, le=7)] = 7
    times_per_day: Annotated[int, Field(ge=1, le=6)] = 1
    # the routine schedule's other fields, so both can be read alike
    days: None = None


class ProgramDef(BaseModel):
    """A named sequence of catalogue exercises (DOMAIN §2.1 programme templates)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    version: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    program: Program | Literal["mixed"]
    purpose: Annotated[str, Field(min_length=1, max_length=2000)]
    why: Annotated[str, Field(max_length=4000)] = ""
    schedule: ProgramSchedule | None = None
    items: Annotated[list[ProgramItem], Field(min_length=1, max_length=30)]


@dataclass(frozen=True)
class Catalogue:
    exercises: dict[str, Exercise]
    programs: dict[str, ProgramDef]
    problems: tuple[str, ...] = ()

    def get(self, exercise_id: str) -> Exercise:
        """The exercise with this id; KeyError with close matches otherwise."""
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise KeyError(unknown_message("exercise", exercise_id, list(self.exercises))) from None

    def by_program(self, program: str) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.program == program]


def unknown_message(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if not close:
        close = [k for k in known if name.lower() in k.lower() or k.lower() in name.lower()][:3]
    if close:
        return f"unknown {what} '{name}'; did you mean {', '.join(repr(c) for c in close)}?"
    return f"unknown {what} '{name}'; run 'coach exercises' to list them"


@lru_cache(maxsize=4)
def load_catalogue(root: Path | None = None) -> Catalogue:
    """Load every exercise and program. A broken file is reported, never fatal to the rest."""
    base = root or exercises_dir()
    exercises: dict[str, Exercise] = {}
    programs: dict[str, ProgramDef] = {}
    problems: list[str] = []
    for f in sorted((base).glob("*.yaml")):
        try:
            ex = load_yaml_file(f, Exercise)
        except FileProblems as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        if ex.id != f.stem:
            problems.append(f"{f}:1:1: id '{ex.id}' does not match the file name '{f.stem}'")
        exercises[ex.id] = ex
    for f in sorted((base / "programs").glob("*.yaml")):
        try:
            pr = load_yaml_file(f, ProgramDef)
        except FileProblems as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        missing = [i.exercise for i in pr.items if i.exercise not in exercises]
        for m in missing:
            problems.append(f"{f}:1:1: {unknown_message('exercise', m, list(exercises))}")
        programs[pr.id] = pr
    return Catalogue(exercises, programs, tuple(problems))
