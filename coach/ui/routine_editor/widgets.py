"""Small widgets of the routine editor: a date that may be left unset (:class:`OptionalDate`) and a
number field whose lowest value means "use the catalogue's" (:func:`spin`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDoubleSpinBox, QHBoxLayout, QWidget

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


def spin(
    lo: float, hi: float, special: str | None = None, decimals: int = 0, suffix: str = ""
) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSuffix(suffix)
    if special is not None:
        s.setSpecialValueText(special)
    return s
