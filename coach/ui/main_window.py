"""The main window: a thin router over a stack of screens, plus the app-wide keyboard shortcuts."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coach.core.session import PlanItem, SessionRunner
from coach.ui.context import AppContext
from coach.ui.screening_widgets import blocked_advice, mark_urgent
from coach.ui.theme import stylesheet

log = logging.getLogger(__name__)

#: A session asked for before the screening was done: start_session's arguments.
PendingSession = tuple[list[PlanItem], str, str | None, int | None]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.nav = self
        self._pending_session: PendingSession | None = None
        self._no_questions = False  # close_now: a signal, nobody may be there to answer
        self.setWindowTitle("coach — your home exercise coach")
        # Fit the screen it opens on (a 1366x768 laptop leaves ~720 px below the task bar).
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        w = min(1280, avail.width()) if avail is not None else 1280
        h = min(800, avail.height() - 40) if avail is not None else 800
        self.resize(w, max(560, h))
        self.setMinimumSize(800, 560)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.back_btn = QPushButton("‹ Back")
        self.back_btn.setToolTip("Back (Alt+Left)")
        self.back_btn.clicked.connect(self.back)
        self.home_btn = QPushButton("Home")
        self.home_btn.setToolTip("Home (Alt+Home)")
        self.home_btn.clicked.connect(self.home)
        self.title = QLabel("coach")
        self.title.setProperty("role", "subtitle")
        bar.addWidget(self.back_btn)
        bar.addWidget(self.home_btn)
        bar.addSpacing(12)
        bar.addWidget(self.title, 1)
        for text, slot, tip in (
            ("Learn", lambda: self.open_learn(), "Plain-language guides"),
            ("History", self.open_history, "Your sessions and progress"),
            ("Settings", self.open_settings, "Text size, contrast, voice, camera"),
        ):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            bar.addWidget(b)
        outer.addLayout(bar)
        self.banner = QLabel("")
        self.banner.setProperty("role", "banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._history: list[QWidget] = []
        self._shortcuts()
        self.apply_theme()
        from coach.ui.home import HomePage

        self.home_page = HomePage(ctx)
        self._push(self.home_page, "Home")
        for warning in ctx.warnings:
            self.show_banner(warning)

    # -- plumbing --------------------------------------------------------------------------------

    def _shortcuts(self) -> None:
        for keys, slot in (
            (QKeySequence("Alt+Left"), self.back),
            (QKeySequence("Alt+Home"), self.home),
            (QKeySequence("Ctrl+Q"), self.close),
        ):
            a = QAction(self)
            a.setShortcut(keys)
            a.triggered.connect(slot)
            self.addAction(a)

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        # The screening's advice that pauses sessions reads as a stop message, as on its page.
        mark_urgent(self.banner, bool(text) and text == blocked_advice(self.ctx.settings))
        self._sync_banner()

    def _sync_banner(self) -> None:
        """Show the banner unless the page on screen shows the same advice itself (a program,
        exercise or settings page with the screening's note): one copy per screen."""
        text = self.banner.text()
        stack = getattr(self, "stack", None)
        page = stack.currentWidget() if stack is not None else None
        on_page = page is not None and any(
            lab.property("urgent") == "true" and lab.text() == text
            for lab in page.findChildren(QLabel)
        )
        self.banner.setVisible(bool(text) and not on_page)

    def _push(self, page: QWidget, title: str) -> None:
        current = self.stack.currentWidget()
        if current is not None and current is not page and not self._leave(current):
            page.deleteLater()  # a running session asks "End the session now?" first
            return
        page.setProperty("page_title", title)
        if current is not None and current is not page:
            self._history.append(current)
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self._sync_banner()
        self.title.setText(title)
        self.back_btn.setEnabled(bool(self._history))
        page.setFocus()

    def set_page_title(self, page: QWidget, text: str) -> None:
        """A page names itself (e.g. the onboarding's current step): in the title bar while it
        is the page shown, and for Back when it is returned to."""
        page.setProperty("page_title", text)
        if self.stack.currentWidget() is page:
            self.title.setText(text)

    def _leave(self, page: QWidget) -> bool:
        """Ask the current page whether it may be left (a running session may refuse)."""
        can = getattr(page, "can_leave", None)
        return bool(can()) if callable(can) else True

    def current_page(self) -> QWidget:
        page = self.stack.currentWidget()
        return page if page is not None else self.home_page  # the stack always holds home

    # -- Navigator -------------------------------------------------------------------------------

    def home(self) -> None:
        cur = self.stack.currentWidget()
        if cur is not None and not self._leave(cur):
            return
        self._history.clear()
        for i in reversed(range(self.stack.count())):
            w = self.stack.widget(i)
            if w is not None and w is not self.home_page:
                self.stack.removeWidget(w)
                w.deleteLater()
        self.home_page.refresh()
        self.stack.setCurrentWidget(self.home_page)
        self._sync_banner()
        self.title.setText("Home")
        self.back_btn.setEnabled(False)
        if self._pending_session is not None and self.ctx.settings.onboarded:
            self.resume_pending_session()
        elif self.ctx.settings.screening_blocked:
            self.show_banner(
                self.ctx.settings.screening_advice
                or "Sessions are paused because of your screening answers. Please contact your clinician."
            )

    def back(self) -> None:
        cur = self.stack.currentWidget()
        if not self._history or (cur is not None and not self._leave(cur)):
            return
        prev = self._history.pop()
        self.stack.setCurrentWidget(prev)
        self._sync_banner()
        self.title.setText(str(prev.property("page_title") or "coach"))
        if cur is not None and cur is not self.home_page:
            self.stack.removeWidget(cur)
            cur.deleteLater()
        self.back_btn.setEnabled(bool(self._history))
        refresh = getattr(prev, "refresh", None)
        if callable(refresh):
            refresh()

    def open_program(self, program: str) -> None:
        from coach.ui.exercise_page import ProgramPage

        self._push(ProgramPage(self.ctx, program), ProgramPage.title_for(program))

    def open_exercise(self, exercise_id: str) -> None:
        from coach.ui.exercise_page import ExercisePage

        ex = self.ctx.catalogue.get(exercise_id)
        self._push(ExercisePage(self.ctx, ex), ex.name)

    def start_session(
        self,
        plan: list[PlanItem],
        title: str,
        routine_id: str | None = None,
        routine_version: int | None = None,
    ) -> None:
        """Every route into a session comes here; nobody starts one unscreened.

        ``routine_id`` is stored with the session: a routine file's id, ``program:ID`` for a
        built-in program, ``exercise:ID`` for one exercise (the default for a one-item plan).
        """
        from coach.pipeline.session import safety_gate

        why = safety_gate(self.ctx.settings)
        if why is not None:
            self.show_banner(why)
            if not self.ctx.settings.screening_blocked:
                # started once the screening is done
                self._pending_session = (plan, title, routine_id, routine_version)
                self.open_onboarding()
            return
        if routine_id is None and len(plan) == 1:
            routine_id = f"exercise:{plan[0].exercise.id}"
        if routine_id is None or routine_id.startswith(("program:", "exercise:")):
            # Built-in programs and single exercises follow the onboarding's answers about a back
            # operation (DOMAIN §5.4); a therapist's routine file carries its own restrictions.
            from coach.ui.home import post_op_rule_for

            rule = post_op_rule_for(self.ctx)
            kept = [p for p in plan if rule.allows(p.exercise)]
            if len(kept) < len(plan):
                left = [p for p in plan if not rule.allows(p.exercise)]
                if not kept:
                    self.show_banner(rule.why_locked(left[0].exercise))
                    return
                names = ", ".join(p.exercise.name for p in left)
                self.show_banner(f"Left out after your operation: {names}.")
                plan = kept
        from coach.ui.session_page import SessionPage

        self._push(SessionPage(self.ctx, plan, title, routine_id, routine_version), title)

    @property
    def session_waiting(self) -> bool:
        """A session was asked for before the safety questions; it starts once they are done."""
        return self._pending_session is not None

    def resume_pending_session(self) -> bool:
        """After onboarding: start the session the person asked for, if the screening allows."""
        pending, self._pending_session = self._pending_session, None
        if pending is None:
            return False
        from coach.pipeline.session import safety_gate

        why = safety_gate(self.ctx.settings)
        if why is not None:
            self.show_banner(why)  # e.g. the red-flag advice, never the stale "please screen" line
            return False
        self.clear_banner()
        self.start_session(*pending)
        return True

    def clear_banner(self) -> None:
        self.show_banner("")

    def open_learn(self, topic: str | None = None) -> None:
        from coach.ui.learn import LearnPage

        self._push(LearnPage(self.ctx, topic), "Learn")

    def open_history(self) -> None:
        from coach.ui.history_page import HistoryPage

        self._push(HistoryPage(self.ctx), "History and progress")

    def open_reports(self) -> None:
        """History's Reports tab, from home (Back goes home): the report for the physiotherapist.

        A page that may not be left (a running session asks first) keeps the window where it is.
        """
        self.home()
        if self.current_page() is not self.home_page:
            return
        self.open_history()
        tabs = getattr(self.current_page(), "tabs", None)
        if isinstance(tabs, QTabWidget):
            for i in range(tabs.count()):
                if tabs.tabText(i) == "Reports":
                    tabs.setCurrentIndex(i)

    def open_onboarding(self) -> None:
        from coach.ui.onboarding import OnboardingPage

        page = OnboardingPage(self.ctx)
        self._push(page, page.page_title())

    def open_calculators(self) -> None:
        from coach.ui.calculators import CalculatorsPage

        self._push(CalculatorsPage(self.ctx), "Ergonomics calculators")

    def open_routine_editor(self) -> None:
        from coach.ui.routine_editor import RoutineEditorPage

        self._push(RoutineEditorPage(self.ctx), "Routine editor")

    def open_settings(self) -> None:
        from coach.ui.settings_page import SettingsPage

        self._push(SettingsPage(self.ctx), "Settings")

    def apply_theme(self) -> None:
        s = self.ctx.settings
        app = QApplication.instance()
        css = stylesheet(s.high_contrast, s.large_text)
        # Setting the app's style sheet re-polishes every widget, even when it is the same text:
        # only a real change does it (a new window with the same look does not).
        if isinstance(app, QApplication) and app.styleSheet() != css:
            app.setStyleSheet(css)

    def summary(self, results: SessionRunner, title: str, saved: str | None = None) -> None:
        from coach.ui.summary_page import SummaryPage

        page = self.stack.currentWidget()
        self._push(SummaryPage(self.ctx, results, title, saved), "Session summary")
        # a finished session is not somewhere to go back to
        if page in self._history:
            self._history.remove(page)
            self.stack.removeWidget(page)
            page.deleteLater()

    def close_now(self) -> None:
        """Close with no questions (SIGTERM, logout: nobody may be there to answer). Unsaved
        routine edits are written to a recovery file instead of being asked about."""
        self._no_questions = True
        for i in range(self.stack.count()):
            keep = getattr(self.stack.widget(i), "keep_unsaved", None)
            if callable(keep):
                keep()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # A page with unsaved work (the routine editor) may ask first, and keep coach open.
        for i in range(0 if self._no_questions else self.stack.count()):
            can_close = getattr(self.stack.widget(i), "can_close", None)
            if callable(can_close) and not can_close():
                event.ignore()
                return
        # A running session is finished and stored (stopped early: coach was closed).
        for i in range(self.stack.count()):
            w = self.stack.widget(i)
            shutdown = getattr(w, "shutdown", None)
            if callable(shutdown):
                shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Back:
            self.back()
        else:
            super().keyPressEvent(e)
