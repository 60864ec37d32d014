"""What every screen gets: settings, the catalogue, history, and a navigator.

Screens never reach into the main window; they call ``ctx.nav``. That keeps each screen a small,
testable widget and the main window a thin router.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from coach.routines.catalogue import Catalogue
from coach.settings import Settings, save_settings


class Navigator(Protocol):
    def home(self) -> None: ...
    def back(self) -> None: ...
    def open_program(self, program: str) -> None: ...
    def open_exercise(self, exercise_id: str) -> None: ...
    def start_session(self, plan: list[Any], title: str, routine_id: str | None = None,
                      routine_version: int | None = None) -> None: ...
    def open_learn(self, topic: str | None = None) -> None: ...
    def open_history(self) -> None: ...
    def open_onboarding(self) -> None: ...
    def open_calculators(self) -> None: ...
    def open_routine_editor(self) -> None: ...
    def open_settings(self) -> None: ...
    def apply_theme(self) -> None: ...


@dataclass
class AppContext:
    settings: Settings
    catalogue: Catalogue
    nav: Navigator
    history: Any = None  # coach.store.history.History, when the database opened
    warnings: list[str] = field(default_factory=list)
    source: str | None = None  # camera index or video file chosen for sessions
    speaker: Any = None  # coach.ui.speech.Speaker
    pain_rules: Any = None  # the routine's pain rules (coach.routines.routine.PainRules), if any
    resolved_routine: Any = None  # coach.routines.routine.ResolvedRoutine of the routine file
    dose_changes: list[str] = field(default_factory=list)  # today's progression, in words
    # Recordings play at their own speed, as a camera would. Tests that check a whole clip's count
    # on screen turn this off: the same session then runs as fast as the model goes.
    paced_recordings: bool = True

    def save(self) -> None:
        try:
            save_settings(self.settings)
            from coach.store import safety

            safety.sync(self.settings)
        except OSError as exc:
            self.warnings.append(f"Settings could not be saved: {exc.strerror or exc}")
