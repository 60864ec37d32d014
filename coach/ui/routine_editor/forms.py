"""The routine editor's form tabs: "Patient and dates", "Safety and pain" and "Schedule".

:class:`FormTabs` builds the three tabs, writes each field's change into the routine's plain data
(through the page's ``_set``) and shows a loaded routine in them (:meth:`FormTabs._populate`).
It is a base of :class:`coach.ui.routine_editor.page.RoutineEditorPage`, which owns the data;
the Qt-free rules (restrictions, key paths) are in :mod:`coach.routines.draft`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from coach.routines.draft import merged_restrictions
from coach.routines.routine import WEEKDAYS
from coach.routines.yaml_edit import DAY_NAMES, ROLES, SURGERY_TYPES, parse_ids, plain
from coach.ui.routine_editor.widgets import LimitedIntSpin, OptionalDate, spin, with_note


class FormTabs(QWidget):
    """The form tabs of the routine editor page (a base of the page)."""

    # Set by the page.
    _loading: bool

    if TYPE_CHECKING:

        def _set(self, path: tuple[str, ...], value: Any) -> None: ...

        def _get(self, path: tuple[str, ...], default: Any = None) -> Any: ...

        def _fill_tree(self, select: tuple[int, int | None] | None = None) -> None: ...

        def validate_now(self) -> None: ...

    def _build_details(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.d_title = QLineEdit()
        self.d_id = QLineEdit()
        self.d_id.setToolTip("Stable across edits; letters, digits, '-', '_' and '.'")
        self.d_version = LimitedIntSpin()
        self.d_version.setRange(1, 1_000_000)
        self.d_version.setToolTip("Raised automatically when you save a changed routine")
        self.d_author = QLineEdit()
        self.d_role = QComboBox()
        self.d_role.addItems(ROLES)
        self.d_contact = QLineEdit()
        self.d_patient = QLineEdit()
        self.d_patient.setPlaceholderText("leave empty for a template")
        self.d_birth = LimitedIntSpin()
        self.d_birth.setRange(1899, 2100)
        self.d_birth.setSpecialValueText("not given")
        self.d_birth.setToolTip(
            "The patient's year of birth: printed on the handout and the clinician report"
        )
        self.d_ids = QLineEdit()
        self.d_ids.setPlaceholderText("e.g. clinic: 23-4543; nhs: 943 476 5919")
        self.d_ids.setToolTip(
            "The patient's identifiers as 'system: value', separated by ';'. "
            "They go on every page of the documents and into the FHIR export."
        )
        self.d_created = OptionalDate("set")
        self.d_from = OptionalDate("set")
        self.d_until = OptionalDate("set")
        self.d_notes = QPlainTextEdit()
        self.d_notes.setPlaceholderText("A note for the patient at the end of the handout")
        self.d_notes.setMaximumHeight(100)
        for label, wdg in (
            ("Title", self.d_title),
            ("Routine id", self.d_id),
            ("Version", with_note(self.d_version)),
            ("Author", self.d_author),
            ("Author role", self.d_role),
            ("Author contact", self.d_contact),
            ("Patient name", self.d_patient),
            ("Year of birth", with_note(self.d_birth)),
            ("Patient identifiers", self.d_ids),
            ("Created", self.d_created),
            ("Valid from", self.d_from),
            ("Valid until", self.d_until),
            ("Notes", self.d_notes),
        ):
            form.addRow(label, wdg)
        self.d_title.textEdited.connect(lambda t: self._set(("title",), t))
        self.d_id.textEdited.connect(lambda t: self._set(("id",), t))
        self.d_version.valueChanged.connect(lambda v: self._set(("version",), int(v)))
        self.d_author.textEdited.connect(lambda t: self._set(("author", "name"), t))
        self.d_role.currentTextChanged.connect(lambda t: self._set(("author", "role"), t))
        self.d_contact.textEdited.connect(
            lambda t: self._set(("author", "contact"), t.strip() or None)
        )
        self.d_patient.textEdited.connect(self._patient_changed)
        self.d_birth.valueChanged.connect(
            lambda v: self._set(
                ("patient", "birth_year"), int(v) if v > self.d_birth.minimum() else None
            )
        )
        self.d_ids.textEdited.connect(
            lambda t: self._set(("patient", "external_ids"), parse_ids(t) or None)
        )
        for key, wdg in (
            ("created", self.d_created),
            ("valid_from", self.d_from),
            ("valid_until", self.d_until),
        ):
            wdg.check.toggled.connect(lambda _c, k=key, x=wdg: self._set((k,), x.value()))
            wdg.edit.dateChanged.connect(lambda _d, k=key, x=wdg: self._set((k,), x.value()))
        self.d_notes.textChanged.connect(
            lambda: self._set(("notes",), self.d_notes.toPlainText().strip() or None)
        )
        return w

    def _build_safety(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        sg = QGroupBox("Back surgery")
        sf = QFormLayout(sg)
        self.s_surgery = QCheckBox("This patient had back surgery")
        self.s_type = QComboBox()
        self.s_type.addItems(SURGERY_TYPES)
        self.s_date = QDateEdit(QDate.currentDate())
        self.s_date.setCalendarPopup(True)
        self.s_date.setDisplayFormat("yyyy-MM-dd")
        sf.addRow(self.s_surgery)
        sf.addRow("Type", self.s_type)
        sf.addRow("Date", self.s_date)
        lay.addWidget(sg)
        rg = QGroupBox("Movement restrictions (lock the exercises that load them)")
        rf = QFormLayout(rg)
        self.r_flex = QCheckBox("No bending forward (no_flexion)")
        self.r_rot = QCheckBox("No twisting (no_rotation)")
        self.r_ext = QCheckBox("No arching backward (no_extension)")
        self.r_lift = spin(-1, 50, "no lifting limit", decimals=1, suffix=" kg")
        self.r_lift.setToolTip("Lock lifting exercises; the safety envelope allows 0–25 kg")
        self.r_until = OptionalDate("until (inclusive)")
        for wdg in (self.r_flex, self.r_rot, self.r_ext):
            rf.addRow(wdg)
        rf.addRow("No lifting over", with_note(self.r_lift))
        rf.addRow("Restrictions end", self.r_until)
        lay.addWidget(rg)
        pg = QGroupBox("Pain rules (0–10; the app always stops at 6/10 or lower)")
        pf = QFormLayout(pg)
        self.p_green = LimitedIntSpin()
        self.p_green.setRange(0, 10)
        self.p_amber = LimitedIntSpin()
        self.p_amber.setRange(0, 10)
        self.p_rise = LimitedIntSpin()
        self.p_rise.setRange(1, 5)
        self.p_morning_max = LimitedIntSpin()
        self.p_morning_max.setRange(0, 10)
        self.p_morning = QCheckBox("Ask about pain the next morning")
        pf.addRow("Green (carry on) up to", with_note(self.p_green))
        pf.addRow("Amber (no progression) up to", with_note(self.p_amber))
        pf.addRow("Amber if pain rises by", with_note(self.p_rise))
        pf.addRow(self.p_morning)
        pf.addRow("Next morning at most", with_note(self.p_morning_max))
        lay.addWidget(pg)
        cg = QGroupBox("Clinician contact (shown to the patient)")
        cf = QVBoxLayout(cg)
        self.s_contact = QLineEdit()
        cf.addWidget(self.s_contact)
        lay.addWidget(cg)
        lay.addStretch(1)
        self.s_surgery.toggled.connect(lambda _c: self._surgery_changed())
        self.s_type.currentTextChanged.connect(lambda _t: self._surgery_changed())
        self.s_date.dateChanged.connect(lambda _d: self._surgery_changed())
        for cb in (self.r_flex, self.r_rot, self.r_ext):
            cb.toggled.connect(lambda _c: self._restrictions_changed())
        self.r_lift.valueChanged.connect(lambda _v: self._restrictions_changed())
        self.r_until.check.toggled.connect(lambda _c: self._restrictions_changed())
        self.r_until.edit.dateChanged.connect(lambda _d: self._restrictions_changed())
        for key, sp in (
            ("green_max", self.p_green),
            ("amber_max", self.p_amber),
            ("relative_rise_amber", self.p_rise),
            ("next_morning_max", self.p_morning_max),
        ):
            sp.valueChanged.connect(lambda v, k=key: self._set(("safety", "pain_rules", k), int(v)))
        self.p_morning.toggled.connect(
            lambda c: self._set(("safety", "pain_rules", "next_morning_check"), bool(c))
        )
        self.s_contact.textEdited.connect(
            lambda t: self._set(("safety", "clinician_contact"), t.strip() or None)
        )
        return w

    def _build_schedule(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.c_use_days = QCheckBox("On these days")
        days = QHBoxLayout()
        self.c_days: dict[str, QCheckBox] = {}
        for d in WEEKDAYS:
            cb = QCheckBox(DAY_NAMES[d])
            self.c_days[d] = cb
            days.addWidget(cb)
            cb.toggled.connect(lambda _c: self._schedule_changed())
        days.addStretch(1)
        self.c_per_week = LimitedIntSpin()
        self.c_per_week.setRange(1, 7)
        self.c_times = LimitedIntSpin()
        self.c_times.setRange(1, 8)
        self.c_reminder = QCheckBox("Reminder at")
        self.c_time = QTimeEdit(QTime(18, 0))
        self.c_time.setDisplayFormat("HH:mm")
        form.addRow(self.c_use_days)
        form.addRow(days)
        form.addRow("Otherwise, days per week", with_note(self.c_per_week))
        form.addRow("Times per day", with_note(self.c_times))
        rem = QHBoxLayout()
        rem.addWidget(self.c_reminder)
        rem.addWidget(self.c_time, 1)
        form.addRow(rem)
        self.c_use_days.toggled.connect(lambda _c: self._schedule_changed())
        self.c_per_week.valueChanged.connect(lambda _v: self._schedule_changed())
        self.c_times.valueChanged.connect(
            lambda v: self._set(("schedule", "times_per_day"), int(v))
        )
        self.c_reminder.toggled.connect(lambda _c: self._reminder_changed())
        self.c_time.timeChanged.connect(lambda _t: self._reminder_changed())
        return w

    def _patient_changed(self, text: str) -> None:
        name = text.strip()
        if not name:
            self._set(("patient",), None)
        else:
            self._set(("patient", "display_name"), name)

    def _surgery_changed(self) -> None:
        on = self.s_surgery.isChecked()
        self.s_type.setEnabled(on)
        self.s_date.setEnabled(on)
        if self._loading:
            return
        if not on:
            self._set(("safety", "surgery"), None)
            return
        old = self._get(("safety", "surgery"), {}) or {}
        new = {
            **old,
            "type": self.s_type.currentText(),
            "date": self.s_date.date().toString("yyyy-MM-dd"),
        }
        self._set(("safety", "surgery"), new)

    def _restrictions_changed(self) -> None:
        if self._loading:
            return
        old = self._get(("safety", "restrictions"), {}) or {}
        checked = {
            "no_flexion": self.r_flex.isChecked(),
            "no_rotation": self.r_rot.isChecked(),
            "no_extension": self.r_ext.isChecked(),
        }
        lift = self.r_lift.value()
        self._set(
            ("safety", "restrictions"),
            merged_restrictions(old, checked, lift if lift >= 0 else None, self.r_until.value()),
        )

    def _schedule_changed(self) -> None:
        use_days = self.c_use_days.isChecked()
        for cb in self.c_days.values():
            cb.setEnabled(use_days)
        self.c_per_week.setEnabled(not use_days)
        if self._loading:
            return
        if use_days:
            self._set(("schedule", "days_per_week"), None)
            self._set(("schedule", "days"), [d for d in WEEKDAYS if self.c_days[d].isChecked()])
        else:
            self._set(("schedule", "days"), None)
            self._set(("schedule", "days_per_week"), int(self.c_per_week.value()))

    def _reminder_changed(self) -> None:
        self.c_time.setEnabled(self.c_reminder.isChecked())
        self._set(
            ("schedule", "reminder_time"),
            self.c_time.time().toString("HH:mm") if self.c_reminder.isChecked() else None,
        )

    def _populate(self) -> None:
        """Show the data in the widgets without writing anything back."""
        self._loading = True
        try:
            self._populate_details()
            self._populate_safety()
            self._populate_schedule()
            self._surgery_changed()
            self._schedule_changed()
            self.c_time.setEnabled(self.c_reminder.isChecked())
        finally:
            self._loading = False
        self._fill_tree()
        self.validate_now()

    def _populate_details(self) -> None:
        g = self._get
        self.d_title.setText(str(g(("title",), "")))
        self.d_id.setText(str(g(("id",), "")))
        self.d_version.setValue(int(g(("version",), 1) or 1))
        self.d_author.setText(str(g(("author", "name"), "")))
        self.d_role.setCurrentText(str(g(("author", "role"), "physiotherapist")))
        self.d_contact.setText(str(g(("author", "contact"), "") or ""))
        self.d_patient.setText(str(g(("patient", "display_name"), "") or ""))
        by = g(("patient", "birth_year"))
        self.d_birth.setValue(
            int(by)
            if isinstance(by, int)
            and not isinstance(by, bool)
            and self.d_birth.minimum() < by <= self.d_birth.maximum()
            else self.d_birth.minimum()
        )
        ids = g(("patient", "external_ids"), {}) or {}
        self.d_ids.setText(
            "; ".join(f"{k}: {v}" for k, v in ids.items()) if isinstance(ids, dict) else ""
        )
        self.d_created.set_value(g(("created",)))
        self.d_from.set_value(g(("valid_from",)))
        self.d_until.set_value(g(("valid_until",)))
        self.d_notes.setPlainText(str(g(("notes",), "") or ""))

    def _populate_safety(self) -> None:
        g = self._get
        surgery = g(("safety", "surgery"))
        self.s_surgery.setChecked(isinstance(surgery, dict))
        if isinstance(surgery, dict):
            self.s_type.setCurrentText(str(surgery.get("type", "other")))
            d = QDate.fromString(str(plain(surgery.get("date", ""))), "yyyy-MM-dd")
            if d.isValid():
                self.s_date.setDate(d)
        r = g(("safety", "restrictions"), {}) or {}
        self.r_flex.setChecked(bool(r.get("no_flexion")))
        self.r_rot.setChecked(bool(r.get("no_rotation")))
        self.r_ext.setChecked(bool(r.get("no_extension")))
        lift = r.get("no_lifting_kg_over")
        self.r_lift.setValue(float(lift) if isinstance(lift, (int, float)) else -1.0)
        self.r_until.set_value(r.get("until"))
        pr = g(("safety", "pain_rules"), {}) or {}
        self.p_green.setValue(int(pr.get("green_max", 3)))
        self.p_amber.setValue(int(pr.get("amber_max", 5)))
        self.p_rise.setValue(int(pr.get("relative_rise_amber", 2)))
        self.p_morning_max.setValue(int(pr.get("next_morning_max", 5)))
        self.p_morning.setChecked(bool(pr.get("next_morning_check", True)))
        self.s_contact.setText(str(g(("safety", "clinician_contact"), "") or ""))

    def _populate_schedule(self) -> None:
        g = self._get
        days = g(("schedule", "days"))
        self.c_use_days.setChecked(isinstance(days, list))
        for d, cb in self.c_days.items():
            cb.setChecked(isinstance(days, list) and d in days)
        self.c_per_week.setValue(int(g(("schedule", "days_per_week"), 7) or 7))
        self.c_times.setValue(int(g(("schedule", "times_per_day"), 1) or 1))
        rt = g(("schedule", "reminder_time"))
        self.c_reminder.setChecked(rt is not None)
        if isinstance(rt, int):
            rt = f"{rt // 60:02d}:{rt % 60:02d}"  # YAML 1.1 base-60
        if isinstance(rt, str):
            t = QTime.fromString(rt, "HH:mm")
            if t.isValid():
                self.c_time.setTime(t)
