"""The answer widgets of the safety questions: a row of choice buttons that never pre-selects an
answer and never answers on Enter, and one yes/no question row (used by onboarding); and the note
that sessions are paused by the screening's answers (:func:`blocked_note`), shown once per screen
in the style of a stop message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QWidget,
)

from coach.core import screening
from coach.ui.widgets import FlowLayout


def text_label(text: str, role: str | None = None) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    if role:
        lab.setProperty("role", role)
    return lab


def mark_urgent(label: QLabel, urgent: bool) -> None:
    """Give advice that blocks sessions a stronger frame (re-polished so the style updates)."""
    label.setProperty("urgent", "true" if urgent else "false")
    label.style().unpolish(label)
    label.style().polish(label)


#: Said when sessions are paused by the screening but no advice was kept (an old settings file).
PAUSED = "Sessions are paused because of your screening answers. Please contact your clinician."


def blocked_advice(settings: Any) -> str:
    """The screening's advice while it pauses sessions ("" when it does not)."""
    if not getattr(settings, "screening_blocked", False):
        return ""
    return str(getattr(settings, "screening_advice", "") or PAUSED)


def blocked_note(settings: Any) -> QLabel | None:
    """The screening's advice as a page shows it (None when sessions are not paused): the stop
    style (a red frame, bold), the same as the onboarding's emergency advice. The main window
    hides its own banner while a page shows this note, so the advice appears once."""
    advice = blocked_advice(settings)
    if not advice:
        return None
    note = text_label(advice, "banner")
    note.setAccessibleName("Sessions are paused")
    mark_urgent(note, True)
    return note


class _ChoiceButton(QPushButton):
    """A choice button wide enough for its label in bold: the chosen one is drawn bold (the
    ``choice`` role in the app's style sheet), and must not clip its text then."""

    def _bold_extra(self) -> int:
        bold = QFont(self.font())
        bold.setBold(True)
        return max(
            0,
            QFontMetrics(bold).horizontalAdvance(self.text())
            - self.fontMetrics().horizontalAdvance(self.text()),
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        # (QPushButton's minimumSizeHint is built on this one, so it follows)
        return QSize(hint.width() + self._bold_extra(), hint.height())


class ChoiceButtons(QWidget):
    """Large exclusive choice buttons that behave like one radio group for the keyboard.

    Tab reaches the group once (on the chosen button, else the first); the arrow keys move
    between its buttons; Space or Enter chooses. ``chosen`` is emitted with the choice's value.
    """

    def __init__(
        self,
        choices: list[tuple[object, str]],
        accessible: str,
        flow: bool = False,
        min_width: int = 96,
    ) -> None:
        super().__init__()
        self.values = [v for v, _ in choices]
        self.buttons: list[QPushButton] = []
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._on_choose: list[Callable[[object], None]] = []
        lay: QLayout = FlowLayout(self) if flow else QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for value, text in choices:
            b = _ChoiceButton(text)
            b.setCheckable(True)
            b.setProperty("role", "choice")
            b.setProperty("answer", True)  # Enter never presses it (see the page's keys)
            b.setMinimumSize(min_width, 48)
            b.setAccessibleName(f"{text}: {accessible}")
            b.installEventFilter(self)
            b.clicked.connect(lambda _=False, v=value: self._chosen(v))
            self.group.addButton(b)
            lay.addWidget(b)
            self.buttons.append(b)
        self._sync_tab_stop()

    def on_choose(self, fn: Callable[[object], None]) -> None:
        self._on_choose.append(fn)

    def value(self) -> object | None:
        for v, b in zip(self.values, self.buttons, strict=True):
            if b.isChecked():
                return v
        return None

    def set_value(self, value: object | None) -> None:
        if value is None:
            self.group.setExclusive(False)
            for b in self.buttons:
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.buttons[self.values.index(value)].setChecked(True)
        self._sync_tab_stop()

    def tab_stop(self) -> QPushButton:
        return next((b for b in self.buttons if b.isChecked()), self.buttons[0])

    def _chosen(self, value: object) -> None:
        self._sync_tab_stop()
        for fn in self._on_choose:
            fn(value)

    def _sync_tab_stop(self) -> None:
        stop = self.tab_stop()
        for b in self.buttons:
            b.setFocusPolicy(Qt.FocusPolicy.StrongFocus if b is stop else Qt.FocusPolicy.ClickFocus)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and obj in self.buttons:
            key = event.key()  # type: ignore[attr-defined]
            step = {
                Qt.Key.Key_Left: -1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_Right: 1,
                Qt.Key.Key_Down: 1,
            }.get(key)
            if step is not None:
                i = (self.buttons.index(obj) + step) % len(self.buttons)
                self.buttons[i].setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False


class QuestionRow(QFrame):
    """One yes/no question: the text and two large buttons, Yes and No (neither chosen at first).

    The row itself takes the focus when a step starts or the question before it is answered, so
    the focus is on the question, not on an answer; Tab does not stop on it (Tab goes between
    the answers), and the Right or Down arrow moves into its answers.
    """

    def __init__(
        self, question: screening.Question, on_answer: Callable[[QuestionRow, bool], None]
    ) -> None:
        super().__init__()
        self.question = question
        self.setProperty("role", "card")
        self.setProperty("question", True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName(question.text)
        self.setAccessibleDescription("Press Y for yes or N for no.")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 10, 12, 10)
        self.text = text_label(question.text)
        lay.addWidget(self.text, 1)
        self.choice = ChoiceButtons([(True, "Yes"), (False, "No")], question.text)
        self.yes, self.no = self.choice.buttons
        self.group = self.choice.group
        lay.addWidget(self.choice)
        self.choice.on_choose(lambda v: on_answer(self, bool(v)))

    def answer(self) -> bool | None:
        v = self.choice.value()
        return None if v is None else bool(v)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.choice.tab_stop().setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(e)

    def set_answer(self, value: bool) -> None:
        self.choice.set_value(value)
