"""The session player's side panels: the hold ring, the 0-10 pain question with the leg
question, the inline "End the session now?" confirmation and the rest-day card (pain too high
before the session). Widgets only: :class:`~coach.ui.session.page.SessionPage` wires them to
the running session.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coach.ui.theme import palette


class HoldRing(QWidget):
    """A ring that fills as the hold time reaches its target, with the seconds in the middle."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(120, 120)
        self.seconds = 0.0
        self.target = 0.0
        self.high_contrast = False
        self.setAccessibleName("Hold timer")

    def set(self, seconds: float, target: float) -> None:
        self.seconds, self.target = seconds, target
        self.setAccessibleDescription(f"{int(seconds)} of {int(target)} seconds")
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        pal = palette(self.high_contrast)
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 12
        r = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        qp.setPen(QPen(QColor(pal.border), 12))
        qp.drawEllipse(r)
        frac = 0.0 if self.target <= 0 else min(1.0, self.seconds / self.target)
        qp.setPen(
            QPen(
                QColor(pal.good if frac >= 1 else pal.accent),
                12,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
            )
        )
        qp.drawArc(r, 90 * 16, -int(frac * 360 * 16))
        qp.setPen(QColor(pal.text))
        f = QFont(self.font())
        f.setPointSizeF(side / (8 if self.target > 0 else 5))
        f.setBold(True)
        qp.setFont(f)
        qp.drawText(
            r,
            Qt.AlignmentFlag.AlignCenter,
            f"{int(self.seconds)} / {int(self.target)} s"
            if self.target > 0
            else f"{int(self.seconds)} s",
        )
        qp.end()


class _BoxText(QLabel):
    """A check box's words beside it: a click on them toggles the box (they are part of it)."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self._box = box

    def mousePressEvent(self, _e: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        self._box.toggle()


class PainPanel(QFrame):
    """0–10 buttons in two rows plus the leg question; keyboard 0-9 and T for 10."""

    def __init__(self, on_rate: Callable[[int, bool], None]) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self._on_rate = on_rate
        lay = QVBoxLayout(self)
        self.question = QLabel("How much pain do you have right now?")
        self.question.setProperty("role", "heading")
        self.question.setWordWrap(True)
        lay.addWidget(self.question)
        hint = QLabel("0 = no pain, 10 = the worst pain imaginable")
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.buttons: list[QPushButton] = []
        for v in range(11):
            b = QPushButton(str(v))
            b.setProperty("role", "pain")
            b.setAccessibleName(f"Pain {v} out of 10")
            b.clicked.connect(lambda _=False, x=v: self._rate(x))
            grid.addWidget(b, v // 6, v % 6)
            self.buttons.append(b)
        lay.addLayout(grid)
        row = QHBoxLayout()
        self.spreading = QCheckBox()
        self.spreading.setAccessibleName(
            "The pain is spreading down my leg, or I have new numbness or tingling"
        )
        row.addWidget(self.spreading, 0, Qt.AlignmentFlag.AlignTop)
        text = _BoxText(
            "The pain is spreading down my leg, or I have new numbness or tingling", self.spreading
        )
        text.setWordWrap(True)
        text.setBuddy(self.spreading)
        row.addWidget(text, 1)
        lay.addLayout(row)

    def _rate(self, v: int) -> None:
        spreading = self.spreading.isChecked()
        self.spreading.setChecked(False)
        self._on_rate(v, spreading)


class ConfirmPanel(QFrame):
    """ "End the session now?" inline (never a modal dialog)."""

    def __init__(self, on_end: Callable[[], None], on_keep: Callable[[], None]) -> None:
        super().__init__()
        self.setProperty("role", "card")
        lay = QVBoxLayout(self)
        q = QLabel("End the session now?")
        q.setProperty("role", "heading")
        q.setWordWrap(True)
        lay.addWidget(q)
        note = QLabel("Everything you have done so far is kept.")
        note.setWordWrap(True)
        lay.addWidget(note)
        row = QHBoxLayout()
        self.end_btn = QPushButton("End session")
        self.end_btn.setProperty("role", "danger")
        self.end_btn.clicked.connect(on_end)
        self.keep_btn = QPushButton("Keep going")
        self.keep_btn.setProperty("role", "primary")
        self.keep_btn.clicked.connect(on_keep)
        for b in (self.keep_btn, self.end_btn):
            b.setMinimumHeight(48)
            row.addWidget(b)
        lay.addLayout(row)


class RestDayPanel(QFrame):
    """Pain too high before the session (DOMAIN §5.1): rest or a gentle walk today.

    The reason itself is said once, in the cue above; this card says what coach can honestly do
    for the physiotherapist (the answer is kept in the history and the report made for them;
    coach sends nothing itself) and offers the way home, which has the focus.
    """

    def __init__(self, on_home: Callable[[], None], on_report: Callable[[], None]) -> None:
        super().__init__()
        self.setProperty("role", "card")
        lay = QVBoxLayout(self)
        self.note = QLabel(
            "Your answer is kept in your history. To let your physiotherapist know, make a "
            "report for them (History, then Reports) and give or send it to them."
        )
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.home_btn = QPushButton("Back to home")
        self.home_btn.setProperty("role", "primary")
        self.home_btn.setDefault(True)
        self.home_btn.clicked.connect(on_home)
        self.report_btn = QPushButton("Make a report for my physiotherapist")
        self.report_btn.clicked.connect(on_report)
        for b in (self.home_btn, self.report_btn):
            b.setMinimumHeight(48)
            lay.addWidget(b)
