"""What every screen gets: settings, the catalogue, history, and a navigator.

Screens never reach into the main window; they call ``ctx.nav``. That keeps each screen a small,
testable widget and the main window a thin router.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn, Protocol

from coach.core.session import PlanItem
from coach.routines.catalogue import Catalogue
from coach.settings import Settings, save_settings

if TYPE_CHECKING:  # for the annotations only: the app fills these in after start-up
    from coach.routines.routine import PainRules, ResolvedRoutine
    from coach.store.history import History
    from coach.ui.speech import Speaker


class Navigator(Protocol):
    def home(self) -> None: ...
    def back(self) -> None: ...
    def open_program(self, program: str) -> None: ...
    def open_exercise(self, exercise_id: str) -> None: ...
    def start_session(
        self,
        plan: list[PlanItem],
        title: str,
        routine_id: str | None = None,
        routine_version: int | None = None,
    ) -> None: ...
    def open_learn(self, topic: str | None = None) -> None: ...
    def open_history(self) -> None: ...
    def open_onboarding(self) -> None: ...
    def open_calculators(self) -> None: ...
    def open_routine_editor(self) -> None: ...
    def open_settings(self) -> None: ...
    def apply_theme(self) -> None: ...


class DetachedNavigator:
    """The navigator of a context no window has taken yet: the main window replaces it with
    itself as it is built, so a screen that navigates before that is a programming error."""

    def _nowhere(self) -> NoReturn:
        raise RuntimeError("this screen is not in a window yet: there is nowhere to go")

    def home(self) -> None:
        self._nowhere()

    def back(self) -> None:
        self._nowhere()

    def open_program(self, program: str) -> None:
        self._nowhere()

    def open_exercise(self, exercise_id: str) -> None:
        self._nowhere()

    def start_session(
        self,
        plan: list[PlanItem],
        title: str,
        routine_id: str | None = None,
        routine_version: int | None = None,
    ) -> None:
        self._nowhere()

    def open_learn(self, topic: str | None = None) -> None:
        self._nowhere()

    def open_history(self) -> None:
        self._nowhere()

    def open_onboarding(self) -> None:
        self._nowhere()

    def open_calculators(self) -> None:
        self._nowhere()

    def open_routine_editor(self) -> None:
        self._nowhere()

    def open_settings(self) -> None:
        self._nowhere()

    def apply_theme(self) -> None:
        self._nowhere()


@dataclass
class AppContext:
    settings: Settings
    catalogue: Catalogue
    nav: Navigator = field(default_factory=DetachedNavigator)  # the main window, once built
    history: History | None = None  # None when the database could not be opened
    warnings: list[str] = field(default_factory=list)
    source: str | None = None  # camera index or video file chosen for sessions
    speaker: Speaker | None = None  # set by the app; screens built alone in tests have none
    pain_rules: PainRules | None = None  # the routine file's pain rules, if one is in use
    resolved_routine: ResolvedRoutine | None = None  # the routine file as resolved for today
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
