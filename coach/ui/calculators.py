"""Ergonomics calculators: RULA, REBA and the revised NIOSH lifting equation as live forms.

Each form is bound to the input dataclass of :mod:`coach.core.ergonomics` (one widget per
field, built from a small field table), and every change recomputes the result with the core
function — the widget holds no scoring logic. The result panel shows the final score, the
action level in words, every intermediate value of the published worksheet (body-part scores,
Table A/B/C, each NIOSH multiplier) and the drivers: what raised the score most.

Defaults are those of DOMAIN §3.7 for what a webcam cannot see (wrist not observed, wrist twist
mid-range, no load, arm not supported, legs supported, fair coupling), with a typical seated
desk posture for the angles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coach.core.ergonomics import (
    NIOSH_LOAD_CONSTANT_KG,
    NioshInput,
    NioshResult,
    RebaInput,
    RebaResult,
    RulaInput,
    RulaResult,
    compute_niosh,
    compute_reba,
    compute_rula,
)
from coach.core.ergonomics.fields import NIOSH_FIELDS as NIOSH_FIELDS
from coach.core.ergonomics.fields import REBA_FIELDS as REBA_FIELDS
from coach.core.ergonomics.fields import RULA_FIELDS as RULA_FIELDS
from coach.core.ergonomics.fields import FieldSpec as FieldSpec
from coach.ui.context import AppContext
from coach.ui.theme import palette


class _OptionalAngle(QWidget):
    """A "measured" checkbox and an angle; unchecked means not observed (None)."""

    changed = Signal()

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox("measured")
        self.spin = QDoubleSpinBox()
        self.spin.setRange(spec.lo, spec.hi)
        self.spin.setSuffix(spec.unit)
        self.spin.setDecimals(0)
        self.spin.setEnabled(False)
        lay.addWidget(self.check)
        lay.addWidget(self.spin, 1)
        self.check.toggled.connect(self.spin.setEnabled)
        self.check.toggled.connect(lambda _=False: self.changed.emit())
        self.spin.valueChanged.connect(lambda _=0.0: self.changed.emit())

    def value(self) -> float | None:
        return float(self.spin.value()) if self.check.isChecked() else None

    def set_value(self, v: float | None) -> None:
        self.check.setChecked(v is not None)
        if v is not None:
            self.spin.setValue(v)


class CalculatorForm(QWidget):
    """A form built from a field table; ``values()`` gives the keyword arguments of the input
    dataclass, ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, fields: tuple[FieldSpec, ...]) -> None:
        super().__init__()
        self.fields = fields
        self.widgets: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 8, 0)
        groups: dict[str, QFormLayout] = {}
        for spec in fields:
            form = groups.get(spec.group)
            if form is None:
                box = QGroupBox(spec.group)
                form = QFormLayout(box)
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                groups[spec.group] = form
                outer.addWidget(box)
            w = self._make(spec)
            w.setToolTip(spec.tip)
            w.setAccessibleName(spec.label)
            self.widgets[spec.name] = w
            if spec.kind == "flag":
                form.addRow(w)
            else:
                label = QLabel(spec.label)
                label.setToolTip(spec.tip)
                label.setWordWrap(True)
                form.addRow(label, w)
        outer.addStretch(1)

    def _make(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "flag":
            cb = QCheckBox(spec.label)
            cb.setChecked(bool(spec.default))
            cb.toggled.connect(lambda _=False: self.changed.emit())
            return cb
        if spec.kind == "optional_angle":
            oa = _OptionalAngle(spec)
            oa.changed.connect(self.changed.emit)
            return oa
        if spec.kind in ("choice", "score"):
            combo = QComboBox()
            # long choices are elided in the closed box rather than widening the page
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            for text, value in spec.choices:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(spec.default)))
            combo.currentIndexChanged.connect(lambda _=0: self.changed.emit())
            return combo
        spin = QDoubleSpinBox()
        lo = 0.0 if spec.kind == "flexion" else spec.lo
        spin.setRange(lo, spec.hi if spec.kind != "flexion" else 180.0)
        spin.setSingleStep(spec.step)
        spin.setDecimals(1 if spec.step < 1 else 0)
        spin.setSuffix(spec.unit)
        spin.setValue(float(spec.default))
        spin.valueChanged.connect(lambda _=0.0: self.changed.emit())
        return spin

    def values(self) -> dict[str, Any]:
        """The current inputs as keyword arguments of the input dataclass."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            w = self.widgets[spec.name]
            if isinstance(w, QCheckBox):
                out[spec.name] = w.isChecked()
            elif isinstance(w, _OptionalAngle):
                out[spec.name] = w.value()
            elif isinstance(w, QComboBox):
                out[spec.name] = w.currentData()
            elif isinstance(w, (QDoubleSpinBox, QSpinBox)):
                out[spec.name] = float(w.value())
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        """Set several inputs at once (one ``changed`` at the end)."""
        self.blockSignals(True)
        try:
            for name, v in values.items():
                w = self.widgets[name]
                if isinstance(w, QCheckBox):
                    w.setChecked(bool(v))
                elif isinstance(w, _OptionalAngle):
                    w.set_value(v)
                elif isinstance(w, QComboBox):
                    w.setCurrentIndex(w.findData(v))
                elif isinstance(w, QDoubleSpinBox):
                    w.setValue(float(v))
                elif isinstance(w, QSpinBox):
                    w.setValue(int(float(v)))  # as Qt converts a float: towards zero
        finally:
            self.blockSignals(False)
        self.changed.emit()


# ---------------------------------------------------------------------------------------------
# Result panel


class ResultPanel(QFrame):
    """Final score, action level in words, the worksheet's intermediate values, the drivers."""

    def __init__(self, score_name: str) -> None:
        super().__init__()
        self.setProperty("role", "card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        self.score = QLabel("–")
        self.score.setProperty("role", "title")
        self.score.setAccessibleName(score_name)
        self.level = QLabel("")
        self.level.setProperty("role", "subtitle")
        self.level.setWordWrap(True)
        self.action = QLabel("")
        self.action.setWordWrap(True)
        lay.addWidget(self.score)
        lay.addWidget(self.level)
        lay.addWidget(self.action)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Worksheet step", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.table)
        head = QLabel("What raises the score most")
        head.setStyleSheet("font-weight: 600;")
        lay.addWidget(head)
        self.drivers = QLabel("")
        self.drivers.setWordWrap(True)
        self.drivers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.drivers)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setProperty("role", "muted")
        lay.addWidget(self.notes)

    def show_rows(self, rows: list[tuple[str, str]], bold: set[int] | None = None) -> None:
        self.table.setRowCount(len(rows))
        # the whole worksheet is visible at once; the panel scrolls, not the table
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 28 * len(rows) + 4)
        for i, (k, v) in enumerate(rows):
            a, b = QTableWidgetItem(k), QTableWidgetItem(v)
            b.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold and i in bold:
                f = a.font()
                f.setBold(True)
                a.setFont(f)
                b.setFont(f)
            self.table.setItem(i, 0, a)
            self.table.setItem(i, 1, b)

    def show_error(self, message: str) -> None:
        self.score.setText("–")
        self.level.setText("Check the inputs")
        self.action.setText(message)
        self.table.setRowCount(0)
        self.drivers.setText("")
        self.notes.setText("")

    def colour(self, severity: int, high_contrast: bool) -> None:
        """Colour the score: 0 calm, 1 amber, 2 red."""
        p = palette(high_contrast)
        col = (p.good, p.warn, p.bad)[max(0, min(2, severity))]
        self.score.setStyleSheet(f"color: {col};")


def _bullets(lines: tuple[str, ...] | list[str], empty: str) -> str:
    return "\n".join(f"• {d}" for d in lines) if lines else empty


# ---------------------------------------------------------------------------------------------
# The page


class _CalculatorTab(QWidget):
    """A form on the left, a result panel on the right, recomputed on every change."""

    def __init__(
        self,
        intro: str,
        fields: tuple[FieldSpec, ...],
        score_name: str,
        update: Callable[[dict[str, Any]], None],
    ) -> None:
        super().__init__()
        self._update = update
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        text = QLabel(intro)
        text.setWordWrap(True)
        text.setProperty("role", "muted")
        left.addWidget(text)
        self.form = CalculatorForm(fields)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        left.addWidget(scroll, 1)
        lay.addLayout(left, 5)
        self.result = ResultPanel(score_name)
        rscroll = QScrollArea()
        rscroll.setWidgetResizable(True)
        rscroll.setFrameShape(QFrame.Shape.NoFrame)
        rscroll.setWidget(self.result)
        lay.addWidget(rscroll, 4)
        self.form.changed.connect(self.recompute)

    def recompute(self) -> None:
        self._update(self.form.values())


class CalculatorsPage(QWidget):
    """RULA, REBA and NIOSH calculators; results update live as inputs change.

    Attributes
    ----------
    rula_result, reba_result, niosh_result
        The latest results (None while the inputs are invalid).
    """

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.rula_result: RulaResult | None = None
        self.reba_result: RebaResult | None = None
        self.niosh_result: NioshResult | None = None
        outer = QVBoxLayout(self)
        note = QLabel(
            "Screening tools for a workstation or a lifting task. Angles are in degrees; "
            "inputs a webcam cannot see start at the usual defaults. The scores are a guide "
            "for a conversation with your clinician or employer, not a diagnosis."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        outer.addWidget(note)
        self.tabs = QTabWidget()
        self.rula = _CalculatorTab(
            "RULA (McAtamney & Corlett 1993) scores upper-body posture at a desk or workstation from 1 "
            "(fine) to 7 (change now). Score one side; use the worse side or the loaded arm.",
            RULA_FIELDS,
            "RULA grand score",
            self._rula,
        )
        self.reba = _CalculatorTab(
            "REBA (Hignett & McAtamney 2000) scores whole-body postures, including load, grip and "
            "activity, from 1 (negligible) to 15 (very high risk).",
            REBA_FIELDS,
            "REBA score",
            self._reba,
        )
        self.niosh = _CalculatorTab(
            "The revised NIOSH lifting equation gives the recommended weight limit (RWL) for a two-handed "
            "lift and the lifting index LI = load ÷ RWL. Metric units; evaluate at the start of the lift.",
            NIOSH_FIELDS,
            "Lifting index",
            self._niosh,
        )
        self.tabs.addTab(self.rula, "RULA – desk posture")
        self.tabs.addTab(self.reba, "REBA – whole body")
        self.tabs.addTab(self.niosh, "NIOSH – lifting")
        outer.addWidget(self.tabs, 1)
        for tab in (self.rula, self.reba, self.niosh):
            tab.recompute()

    # Each update builds the input dataclass from the form and calls the core; nothing more.

    def _rula(self, v: dict[str, Any]) -> None:
        panel = self.rula.result
        v = {**v, "force_a": int(v["force_a"]), "force_b": int(v["force_b"])}
        try:
            r = compute_rula(RulaInput(**v))
        except ValueError as exc:
            self.rula_result = None
            panel.show_error(str(exc))
            return
        self.rula_result = r
        panel.score.setText(f"RULA {r.grand_score} of 7")
        panel.level.setText(f"Action level {r.action_level} of 4")
        panel.action.setText(r.action + ".")
        panel.colour(
            0 if r.action_level == 1 else 1 if r.action_level == 2 else 2,
            self.ctx.settings.high_contrast,
        )
        rows = [
            ("Upper arm", str(r.upper_arm)),
            ("Lower arm", str(r.lower_arm)),
            (
                "Wrist",
                str(r.wrist) + ("" if v["wrist"] is not None else " (not observed: default)"),
            ),
            ("Wrist twist", str(r.wrist_twist)),
            ("Table A: arm and wrist posture", str(r.posture_a)),
            ("+ muscle use (arms)", str(r.muscle_a)),
            ("+ force/load (arms)", str(r.force_a)),
            ("= Score C (wrist and arm)", str(r.score_c)),
            ("Neck", str(r.neck)),
            ("Trunk", str(r.trunk)),
            ("Legs", str(r.legs)),
            ("Table B: neck, trunk and legs posture", str(r.posture_b)),
            ("+ muscle use (body)", str(r.muscle_b)),
            ("+ force/load (body)", str(r.force_b)),
            ("= Score D (neck, trunk, legs)", str(r.score_d)),
            ("Table C: grand score", str(r.grand_score)),
        ]
        panel.show_rows(rows, bold={7, 14, 15})
        panel.drivers.setText(
            _bullets(r.drivers, "Nothing stands out: every item is in its best band.")
        )
        panel.notes.setText("Table C caps Score C at 8 and Score D at 7.")

    def _reba(self, v: dict[str, Any]) -> None:
        panel = self.reba.result
        try:
            r = compute_reba(RebaInput(**v))
        except ValueError as exc:
            self.reba_result = None
            panel.show_error(str(exc))
            return
        self.reba_result = r
        panel.score.setText(f"REBA {r.reba_score} of 15")
        panel.level.setText(f"Action level {r.action_level} of 4: {r.risk} risk")
        panel.action.setText(f"Action: {r.action}.")
        panel.colour(
            0 if r.action_level <= 1 else 1 if r.action_level == 2 else 2,
            self.ctx.settings.high_contrast,
        )
        rows = [
            ("Trunk", str(r.trunk)),
            ("Neck", str(r.neck)),
            ("Legs", str(r.legs)),
            ("Table A: trunk, neck and legs posture", str(r.posture_a)),
            ("+ load/force", str(r.load)),
            ("= Score A", str(r.score_a)),
            ("Upper arm", str(r.upper_arm)),
            ("Lower arm", str(r.lower_arm)),
            (
                "Wrist",
                str(r.wrist) + ("" if v["wrist"] is not None else " (not observed: default)"),
            ),
            ("Table B: arm and wrist posture", str(r.posture_b)),
            ("+ coupling", str(r.coupling)),
            ("= Score B", str(r.score_b)),
            ("Table C", str(r.score_c)),
            ("+ activity", str(r.activity)),
            ("= REBA score", str(r.reba_score)),
        ]
        panel.show_rows(rows, bold={5, 11, 14})
        panel.drivers.setText(
            _bullets(r.drivers, "Nothing stands out: every item is in its best band.")
        )
        panel.notes.setText("")

    def _niosh(self, v: dict[str, Any]) -> None:
        panel = self.niosh.result
        try:
            r = compute_niosh(NioshInput(**v))
        except ValueError as exc:
            self.niosh_result = None
            panel.show_error(str(exc))
            return
        self.niosh_result = r
        li = "∞" if math.isinf(r.lifting_index) else f"{r.lifting_index:.2f}"
        panel.score.setText(f"Lifting index {li}")
        panel.level.setText(
            f"Recommended weight limit {r.rwl_kg:.1f} kg for a {v['load_kg']:g} kg load"
        )
        panel.action.setText(r.interpretation + ".")
        sev = 0 if r.lifting_index <= 1.0 else 1 if r.lifting_index <= 3.0 else 2
        panel.colour(sev, self.ctx.settings.high_contrast)
        rows = [
            ("LC load constant", f"{NIOSH_LOAD_CONSTANT_KG:g} kg"),
            ("× HM horizontal (25 / H)", f"{r.hm:.2f}"),
            ("× VM vertical (1 − 0.003·|V − 75|)", f"{r.vm:.2f}"),
            ("× DM distance (0.82 + 4.5 / D)", f"{r.dm:.2f}"),
            ("× AM asymmetry (1 − 0.0032·A)", f"{r.am:.2f}"),
            (f"× FM frequency ({r.duration_category} duration)", f"{r.fm:.2f}"),
            ("× CM coupling", f"{r.cm:.2f}"),
            ("= RWL recommended weight limit", f"{r.rwl_kg:.2f} kg"),
            ("LI = load ÷ RWL", li),
        ]
        panel.show_rows(rows, bold={7, 8})
        panel.drivers.setText(
            _bullets(r.drivers, "Every multiplier is 1.00: the lift is as good as it gets.")
        )
        panel.notes.setText(_bullets(r.notes, ""))

    def refresh(self) -> None:
        """Re-colour after a theme change; the numbers are always current."""
        for tab in (self.rula, self.reba, self.niosh):
            tab.recompute()
