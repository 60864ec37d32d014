"""What a patient sees when a routine file cannot be used: one plain sentence ("ask your
physiotherapist to check line N"), with the therapist's detail — every problem exactly as
``coach routine check`` prints it — behind a "Details" button. Never a modal dialog."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from coach.routines.routine import PatientNotice, patient_notice
from coach.routines.yamlio import Problem


class RoutineFileNotice(QFrame):
    """An inline notice for a routine file that cannot be used; hidden until needed."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "banner")
        self.notice: PatientNotice | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.sentence = QLabel("")
        self.sentence.setWordWrap(True)
        lay.addWidget(self.sentence)
        row = QHBoxLayout()
        self.details_btn = QPushButton("Details")
        self.details_btn.setCheckable(True)
        self.details_btn.setToolTip("What exactly is wrong in the file, for your physiotherapist")
        self.details_btn.toggled.connect(self._toggle)
        self.dismiss_btn = QPushButton("Dismiss")
        self.dismiss_btn.clicked.connect(self.clear)
        row.addWidget(self.details_btn)
        row.addWidget(self.dismiss_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMaximumHeight(160)
        self.details.hide()
        lay.addWidget(self.details)
        self.hide()

    def show_problems(self, problems: Sequence[Problem]) -> PatientNotice:
        """Show the plain sentence for ``problems``; the detail waits behind "Details"."""
        self.notice = patient_notice(list(problems))
        self.sentence.setText(self.notice.sentence)
        self.details.setPlainText(self.notice.details)
        self.details_btn.setChecked(False)
        self.details.hide()
        self.show()
        return self.notice

    def clear(self) -> None:
        """Hide the notice (a good file was opened, or the patient dismissed it)."""
        self.notice = None
        self.details_btn.setChecked(False)
        self.hide()

    def _toggle(self, on: bool) -> None:
        self.details.setVisible(on)
        self.details_btn.setText("Hide details" if on else "Details")
