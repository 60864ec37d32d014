"""Small widgets of the routine editor: a date that may be left unset (:class:`OptionalDate`), number
fields that say so when a typed value is over their limit (:class:`LimitedSpin`,
:class:`LimitedIntSpin`, :func:`with_note`) and a number field whose lowest value means "use the
catalogue's" (:func:`spin`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from coach.routines.yaml_edit import plain


class OptionalDate(QWidget):
    """A checkbox and a date; unchecked means "not set"."""

    def __init__(self, label: str) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(label)
        self.edit = QDateEdit(QDate.currentDate())
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        lay.addWidget(self.check)
        lay.addWidget(self.edit, 1)

    def value(self) -> str | None:
        return self.edit.date().toString("yyyy-MM-dd") if self.check.isChecked() else None

    def set_value(self, v: Any) -> None:
        iso = plain(v) if v is not None else None
        self.check.setChecked(iso is not None)
        if isinstance(iso, str):
            d = QDate.fromString(iso, "yyyy-MM-dd")
            if d.isValid():
                self.edit.setDate(d)


def limit_words(box: QSpinBox | QDoubleSpinBox, typed: str) -> str:
    """What to say when ``typed`` was refused by ``box`` (empty when it is not a number beyond
    the box's range, e.g. a letter or half-typed text, which Qt refuses as it always has).

    The box's lowest value may stand for "the catalogue's" (its special value text): then the
    least a person can type is one step above it.
    """
    core = typed.strip()
    if box.prefix() and core.startswith(box.prefix().strip()):
        core = core[len(box.prefix().strip()) :]
    if box.suffix() and core.endswith(box.suffix().strip()):
        core = core[: -len(box.suffix().strip())]
    try:
        value = float(core.strip().replace(",", "."))
    except ValueError:
        return ""
    unit = box.suffix()
    if value > box.maximum():
        return f"The most allowed is {box.maximum():g}{unit}"
    lowest = box.minimum() + (box.singleStep() if box.specialValueText() else 0)
    if value < lowest:
        return f"The least allowed is {lowest:g}{unit}"
    return ""


class _LimitNote:
    """Shared by the two number fields: a label beside the field that says why a typed value
    was refused ("The most allowed is 50 kg"), instead of the keystroke vanishing silently."""

    note: QLabel

    def _make_note(self) -> None:
        self.note = QLabel("")
        self.note.setProperty("role", "field_note")
        self.note.hide()

    def _after_validate(self, state: QValidator.State, text: str) -> None:
        words = limit_words(self, text) if state == QValidator.State.Invalid else ""  # type: ignore[arg-type]
        if words:
            self.note.setText(words)
            self.note.show()
            self.setAccessibleDescription(words)  # type: ignore[attr-defined]
        elif state == QValidator.State.Acceptable and not self.note.isHidden():
            self.note.hide()
            self.setAccessibleDescription("")  # type: ignore[attr-defined]


class LimitedSpin(_LimitNote, QDoubleSpinBox):
    """A decimal number field whose :attr:`note` says so when a typed value is out of range."""

    def __init__(self) -> None:
        QDoubleSpinBox.__init__(self)
        self._make_note()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        result = QDoubleSpinBox.validate(self, text, pos)
        self._after_validate(result[0], text)
        return result


class LimitedIntSpin(_LimitNote, QSpinBox):
    """A whole-number field whose :attr:`note` says so when a typed value is out of range."""

    def __init__(self) -> None:
        QSpinBox.__init__(self)
        self._make_note()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        result = QSpinBox.validate(self, text, pos)
        self._after_validate(result[0], text)
        return result


def with_note(box: LimitedSpin | LimitedIntSpin, label: str | None = None) -> QWidget:
    """The field with its note beside it (and a label before it when given), for a form row."""
    row = QWidget()
    row.setProperty("role", "transparent")  # the group box's colour shows through
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    if label is not None:
        lay.addWidget(QLabel(label))
    lay.addWidget(box)
    lay.addWidget(box.note)
    lay.addStretch(1)
    return row


def spin(
    lo: float, hi: float, special: str | None = None, decimals: int = 0, suffix: str = ""
) -> LimitedSpin:
    s = LimitedSpin()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSuffix(suffix)
    if special is not None:
        s.setSpecialValueText(special)
    return s
