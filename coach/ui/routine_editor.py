"""The routine editor (for therapists): build a routine from the catalogue, see it checked live,
preview what the patient will get, save it as YAML and print the patient handout.

The editor keeps the routine as plain data (the same mapping the YAML file holds) and edits
only the keys a widget changes; everything it has no widget for (threshold overrides,
progression rules, custom exercises, cues, external ids…) is carried through untouched. Every
change is checked by rendering the YAML the editor would save and passing it to
:func:`~coach.routines.routine.check_routine_text`, the function behind ``coach routine check``:
the problems listed are exactly the ones the CLI prints for that file — same order, wording,
suggestions and line numbers. :func:`~coach.routines.routine.resolve` then gives the
effective doses and post-op locks for the preview.

Saving round-trips hand-written files (:func:`render_routine_yaml`): the file is re-read with
ruamel.yaml's round-trip loader, and only the keys whose values changed are rewritten, so the
therapist's comments, key order, flow style and quoting survive. Saving a loaded file without
changes writes it back byte for byte. Without ruamel.yaml the file is written plainly with
PyYAML (same routine, comments lost) and the editor says so.
"""

from __future__ import annotations

import copy
import logging
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTimeEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coach.routines.routine import (
    ROUTINE_SCHEMA,
    WEEKDAYS,
    Item,
    ResolvedRoutine,
    Routine,
    resolve,
)
from coach.routines.yaml_edit import (
    DAY_NAMES,
    ITEM_ORDER,
    ROLES,
    SIDES,
    SURGERY_TYPES,
    BlockState,
    EditorProblem,
    ItemState,
    describe_loc,
    join_blocks,
    parse_ids,
    plain,
    plain_scalars,
    problem_loc,
    render_routine_yaml,
    rough_dose,
    same,
    short_number,
    split_blocks,
)
from coach.ui.context import AppContext
from coach.ui.theme import palette

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Small widgets


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


def _spin(lo: float, hi: float, special: str | None = None, decimals: int = 0, suffix: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSuffix(suffix)
    if special is not None:
        s.setSpecialValueText(special)
    return s


# ---------------------------------------------------------------------------------------------
# The page


class RoutineEditorPage(QWidget):
    """Build or edit a therapist routine; validated live; saved as YAML.

    Public for tests and scripts: :meth:`new_routine`, :meth:`load_file`, :meth:`add_exercise`,
    :meth:`select_item`, :meth:`set_item_value`, :meth:`validate_now`, :meth:`save_to`,
    :meth:`current_data`; ``problems`` (list of :class:`EditorProblem`), ``routine`` (the last
    valid :class:`Routine` or None) and ``resolved``.
    """

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.catalogue = ctx.catalogue
        self.path: Path | None = None
        self.base_text: str | None = None
        self.base: dict[str, Any] | None = None
        self.rest: dict[str, Any] = {}
        self.blocks: list[BlockState] = []
        self.problems: list[EditorProblem] = []
        self.routine: Routine | None = None
        self.resolved: ResolvedRoutine | None = None
        self.today = date.today()
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)  # validate once typing pauses, not on every key
        self._timer.timeout.connect(self.validate_now)
        self._build()
        self.new_routine()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        from coach.ui.widgets import FlowLayout

        bar_box = QWidget()
        bar = FlowLayout(bar_box)  # wraps on a narrow window or with large text
        for text, slot, tip in (
            ("New", self.new_routine, "Start an empty routine"),
            ("Open…", self._open, "Open a routine file (.yaml)"),
            ("Save", self._save, "Save to the file it came from"),
            ("Save as…", self._save_as, "Save to a new file"),
        ):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            bar.addWidget(b)
        self.handout_btn = QPushButton("Make patient handout (PDF)")
        self.handout_btn.setProperty("role", "primary")
        self.handout_btn.clicked.connect(self._handout)
        bar.addWidget(self.handout_btn)
        self.file_label = QLabel("")
        self.file_label.setProperty("role", "muted")
        bar.addWidget(self.file_label)
        outer.addWidget(bar_box)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.status)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._scroll(self._build_items()), "Exercises")
        self.tabs.addTab(self._scroll(self._build_details()), "Patient and dates")
        self.tabs.addTab(self._scroll(self._build_safety()), "Safety and pain")
        self.tabs.addTab(self._scroll(self._build_schedule()), "Schedule")
        split.addWidget(self.tabs)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.problems_title = QLabel("Problems")
        self.problems_title.setProperty("role", "subtitle")
        rl.addWidget(self.problems_title)
        self.problem_list = QListWidget()
        self.problem_list.setWordWrap(True)
        self.problem_list.setMaximumHeight(220)
        self.problem_list.itemClicked.connect(lambda _i: self._select_problem(self.problem_list.currentRow()))
        rl.addWidget(self.problem_list)
        pv = QLabel("Preview: what the patient gets today")
        pv.setProperty("role", "subtitle")
        rl.addWidget(pv)
        self.preview = QTextBrowser()
        rl.addWidget(self.preview, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)

    @staticmethod
    def _scroll(w: QWidget) -> QScrollArea:
        s = QScrollArea()
        s.setWidgetResizable(True)
        s.setFrameShape(QFrame.Shape.NoFrame)
        s.setWidget(w)
        return s

    def _build_items(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        add = QHBoxLayout()
        self.catalogue_combo = QComboBox()
        self.catalogue_combo.setEditable(True)
        self.catalogue_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.catalogue_combo.setToolTip("Type to search the catalogue")
        # Long names must not widen the page (it scrolls vertically only).
        self.catalogue_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.catalogue_combo.setMinimumContentsLength(12)
        for ex in sorted(self.catalogue.exercises.values(), key=lambda e: (e.program, e.name)):
            self.catalogue_combo.addItem(f"{ex.name}  ({ex.program})", ex.id)
        add_btn = QPushButton("Add exercise")
        add_btn.setProperty("role", "primary")
        add_btn.clicked.connect(lambda: self.add_exercise(str(self.catalogue_combo.currentData())))
        add.addWidget(self.catalogue_combo, 1)
        add.addWidget(add_btn)
        lay.addLayout(add)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Exercise", "Dose", "Today"])
        self.tree.setColumnWidth(0, 240)
        self.tree.setColumnWidth(1, 300)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemChanged.connect(self._tree_item_changed)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for text, slot in (("Add block", self.add_block), ("Move up", lambda: self.move(-1)),
                           ("Move down", lambda: self.move(1)), ("Remove", self.remove_selected)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.item_box = QGroupBox("Dose for the selected exercise")
        form = QFormLayout(self.item_box)
        self.f_exercise = QComboBox()
        self.f_exercise.setToolTip("Change which catalogue exercise this item is")
        self.f_exercise.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.f_exercise.setMinimumContentsLength(12)
        self.f_exercise.addItem("(choose an exercise)", None)
        for ex in sorted(self.catalogue.exercises.values(), key=lambda e: e.name):
            self.f_exercise.addItem(f"{ex.name}  ({ex.id})", ex.id)
        self.f_exercise.activated.connect(lambda _i: self.set_item_exercise(self.f_exercise.currentData()))
        form.addRow("Exercise", self.f_exercise)
        self.f_sets = _spin(0, 10, "catalogue")
        self.f_reps = _spin(0, 100, "catalogue")
        self.f_hold = _spin(-1, 600, "catalogue", suffix=" s")
        self.f_rest = _spin(-1, 600, "catalogue", suffix=" s")
        self.f_duration = _spin(0, 3600, "catalogue", suffix=" s")
        self.f_side = QComboBox()
        self.f_side.addItem("catalogue", None)
        for s in SIDES:
            self.f_side.addItem(s, s)
        self.f_notes = QLineEdit()
        self.f_notes.setPlaceholderText("Shown to the patient, e.g. 'Stop if you feel leg pain.'")
        self.f_pattern = QLabel("")
        self.f_pattern.setProperty("role", "muted")
        from coach.ui.widgets import FlowLayout

        doses = QWidget()
        flow = FlowLayout(doses)  # the six fields wrap onto more rows when space is short
        for label, wdg in (("Sets", self.f_sets), ("Reps", self.f_reps), ("Hold", self.f_hold),
                           ("Rest", self.f_rest), ("Duration", self.f_duration), ("Side", self.f_side)):
            pair = QWidget()
            pl = QHBoxLayout(pair)
            pl.setContentsMargins(0, 0, 0, 0)
            pl.addWidget(QLabel(label))
            pl.addWidget(wdg)
            flow.addWidget(pair)
        form.addRow(doses)
        form.addRow(self.f_pattern)
        form.addRow("Notes", self.f_notes)
        for key, wdg in (("sets", self.f_sets), ("reps", self.f_reps), ("hold_s", self.f_hold),
                         ("rest_s", self.f_rest), ("duration_s", self.f_duration)):
            wdg.valueChanged.connect(lambda v, k=key: self._item_spin(k, v))
        self.f_side.currentIndexChanged.connect(lambda _i: self.set_item_value("side", self.f_side.currentData()))
        self.f_notes.textEdited.connect(lambda t: self.set_item_value("notes", t.strip() or None))
        self.item_box.setEnabled(False)
        lay.addWidget(self.item_box)
        return w

    def _build_details(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.d_title = QLineEdit()
        self.d_id = QLineEdit()
        self.d_id.setToolTip("Stable across edits; letters, digits, '-', '_' and '.'")
        self.d_version = QSpinBox()
        self.d_version.setRange(1, 1_000_000)
        self.d_version.setToolTip("Raised automatically when you save a changed routine")
        self.d_author = QLineEdit()
        self.d_role = QComboBox()
        self.d_role.addItems(ROLES)
        self.d_contact = QLineEdit()
        self.d_patient = QLineEdit()
        self.d_patient.setPlaceholderText("leave empty for a template")
        self.d_birth = QSpinBox()
        self.d_birth.setRange(1899, 2100)
        self.d_birth.setSpecialValueText("not given")
        self.d_birth.setToolTip("The patient's year of birth: printed on the handout and the clinician report")
        self.d_ids = QLineEdit()
        self.d_ids.setPlaceholderText("e.g. clinic: 23-4543; nhs: 943 476 5919")
        self.d_ids.setToolTip("The patient's identifiers as 'system: value', separated by ';'. "
                              "They go on every page of the documents and into the FHIR export.")
        self.d_created = OptionalDate("set")
        self.d_from = OptionalDate("set")
        self.d_until = OptionalDate("set")
        self.d_notes = QPlainTextEdit()
        self.d_notes.setPlaceholderText("A note for the patient at the end of the handout")
        self.d_notes.setMaximumHeight(100)
        for label, wdg in (("Title", self.d_title), ("Routine id", self.d_id), ("Version", self.d_version),
                           ("Author", self.d_author), ("Author role", self.d_role), ("Author contact", self.d_contact),
                           ("Patient name", self.d_patient), ("Year of birth", self.d_birth),
                           ("Patient identifiers", self.d_ids), ("Created", self.d_created),
                           ("Valid from", self.d_from), ("Valid until", self.d_until), ("Notes", self.d_notes)):
            form.addRow(label, wdg)
        self.d_title.textEdited.connect(lambda t: self._set(("title",), t))
        self.d_id.textEdited.connect(lambda t: self._set(("id",), t))
        self.d_version.valueChanged.connect(lambda v: self._set(("version",), int(v)))
        self.d_author.textEdited.connect(lambda t: self._set(("author", "name"), t))
        self.d_role.currentTextChanged.connect(lambda t: self._set(("author", "role"), t))
        self.d_contact.textEdited.connect(lambda t: self._set(("author", "contact"), t.strip() or None))
        self.d_patient.textEdited.connect(self._patient_changed)
        self.d_birth.valueChanged.connect(
            lambda v: self._set(("patient", "birth_year"), int(v) if v > self.d_birth.minimum() else None))
        self.d_ids.textEdited.connect(lambda t: self._set(("patient", "external_ids"), parse_ids(t) or None))
        for key, wdg in (("created", self.d_created), ("valid_from", self.d_from), ("valid_until", self.d_until)):
            wdg.check.toggled.connect(lambda _c, k=key, x=wdg: self._set((k,), x.value()))
            wdg.edit.dateChanged.connect(lambda _d, k=key, x=wdg: self._set((k,), x.value()))
        self.d_notes.textChanged.connect(lambda: self._set(("notes",), self.d_notes.toPlainText().strip() or None))
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
        self.r_lift = _spin(-1, 50, "no lifting limit", decimals=1, suffix=" kg")
        self.r_lift.setToolTip("Lock lifting exercises; the safety envelope allows 0–25 kg")
        self.r_until = OptionalDate("until (inclusive)")
        for wdg in (self.r_flex, self.r_rot, self.r_ext):
            rf.addRow(wdg)
        rf.addRow("No lifting over", self.r_lift)
        rf.addRow("Restrictions end", self.r_until)
        lay.addWidget(rg)
        pg = QGroupBox("Pain rules (0–10; the app always stops at 6/10 or lower)")
        pf = QFormLayout(pg)
        self.p_green = QSpinBox()
        self.p_green.setRange(0, 10)
        self.p_amber = QSpinBox()
        self.p_amber.setRange(0, 10)
        self.p_rise = QSpinBox()
        self.p_rise.setRange(1, 5)
        self.p_morning_max = QSpinBox()
        self.p_morning_max.setRange(0, 10)
        self.p_morning = QCheckBox("Ask about pain the next morning")
        pf.addRow("Green (carry on) up to", self.p_green)
        pf.addRow("Amber (no progression) up to", self.p_amber)
        pf.addRow("Amber if pain rises by", self.p_rise)
        pf.addRow(self.p_morning)
        pf.addRow("Next morning at most", self.p_morning_max)
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
        for key, sp in (("green_max", self.p_green), ("amber_max", self.p_amber),
                        ("relative_rise_amber", self.p_rise), ("next_morning_max", self.p_morning_max)):
            sp.valueChanged.connect(lambda v, k=key: self._set(("safety", "pain_rules", k), int(v)))
        self.p_morning.toggled.connect(lambda c: self._set(("safety", "pain_rules", "next_morning_check"), bool(c)))
        self.s_contact.textEdited.connect(lambda t: self._set(("safety", "clinician_contact"), t.strip() or None))
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
        self.c_per_week = QSpinBox()
        self.c_per_week.setRange(1, 7)
        self.c_times = QSpinBox()
        self.c_times.setRange(1, 8)
        self.c_reminder = QCheckBox("Reminder at")
        self.c_time = QTimeEdit(QTime(18, 0))
        self.c_time.setDisplayFormat("HH:mm")
        form.addRow(self.c_use_days)
        form.addRow(days)
        form.addRow("Otherwise, days per week", self.c_per_week)
        form.addRow("Times per day", self.c_times)
        rem = QHBoxLayout()
        rem.addWidget(self.c_reminder)
        rem.addWidget(self.c_time, 1)
        form.addRow(rem)
        self.c_use_days.toggled.connect(lambda _c: self._schedule_changed())
        self.c_per_week.valueChanged.connect(lambda _v: self._schedule_changed())
        self.c_times.valueChanged.connect(lambda v: self._set(("schedule", "times_per_day"), int(v)))
        self.c_reminder.toggled.connect(lambda _c: self._reminder_changed())
        self.c_time.timeChanged.connect(lambda _t: self._reminder_changed())
        return w

    # -- the data -------------------------------------------------------------------------

    def current_data(self) -> dict[str, Any]:
        """The routine as it stands (plain data, the shape of the YAML file)."""
        return join_blocks(self.rest, self.blocks)

    def _set(self, path: tuple[str, ...], value: Any) -> None:
        """Set (or with None, remove) one key; parents are created as needed."""
        if self._loading:
            return
        node = self.rest
        for k in path[:-1]:
            nxt = node.get(k)
            if not isinstance(nxt, dict):
                if value is None:
                    return
                nxt = {}
                node[k] = nxt
            node = nxt
        if value is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
        self._changed()

    def _get(self, path: tuple[str, ...], default: Any = None) -> Any:
        node: Any = self.rest
        for k in path:
            if not isinstance(node, dict) or k not in node:
                return default
            node = node[k]
        return node

    def _changed(self) -> None:
        self._timer.start()

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
        new = {**old, "type": self.s_type.currentText(), "date": self.s_date.date().toString("yyyy-MM-dd")}
        self._set(("safety", "surgery"), new)

    def _restrictions_changed(self) -> None:
        if self._loading:
            return
        old = self._get(("safety", "restrictions"), {}) or {}
        new = {k: v for k, v in old.items() if k not in ("no_flexion", "no_rotation", "no_extension", "no_lifting_kg_over", "until")}
        for key, cb in (("no_flexion", self.r_flex), ("no_rotation", self.r_rot), ("no_extension", self.r_ext)):
            if cb.isChecked():
                new[key] = True
            elif key in old:
                new[key] = False  # keep an explicit "false" the therapist wrote
        if self.r_lift.value() >= 0:
            new["no_lifting_kg_over"] = short_number(self.r_lift.value())
        until = self.r_until.value()
        if until is not None:
            new["until"] = until
        order = ("no_flexion", "no_rotation", "no_extension", "no_lifting_kg_over", "until")
        ordered = {k: new[k] for k in [*[k for k in old if k in new], *[k for k in order if k in new and k not in old]]}
        ordered.update({k: v for k, v in new.items() if k not in ordered})
        self._set(("safety", "restrictions"), ordered if any(v not in (False, None) for v in ordered.values()) else None)

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
        self._set(("schedule", "reminder_time"), self.c_time.time().toString("HH:mm") if self.c_reminder.isChecked() else None)

    # -- loading ----------------------------------------------------------------------------

    def new_routine(self) -> None:
        """Start an empty routine with sensible defaults (valid once an exercise is added)."""
        today = date.today().isoformat()
        author = "A. Physiotherapist"
        data: dict[str, Any] = {
            "schema": ROUTINE_SCHEMA,
            "id": f"routine-{date.today():%Y%m%d}",
            "version": 1,
            "title": "Home exercise routine",
            "author": {"name": author, "role": "physiotherapist"},
            "created": today,
            "safety": {"pain_rules": {"green_max": 3, "amber_max": 5, "next_morning_check": True}},
            "schedule": {"days_per_week": 5, "times_per_day": 1},
            "blocks": [{"name": "Exercises", "items": []}],
        }
        self.path = None
        self.base_text = None
        self.base = None
        self.rest, self.blocks = split_blocks(data)
        for b in self.blocks:
            b.origin = None
        self._populate()
        self.file_label.setText("New routine (not saved yet)")
        self.status.setText("Add exercises from the catalogue, then fill in the patient and safety details.")

    def load_file(self, path: str | Path) -> bool:
        """Load a routine file for editing; problems are listed even when it does not validate."""
        from coach.routines.yamlio import FileProblems, parse_yaml, read_text

        p = Path(path)
        try:
            text = read_text(p)
            _root, data = parse_yaml(text, str(p))
        except FileProblems as exc:
            self.status.setText("This file cannot be opened: " + "; ".join(str(x) for x in exc.problems[:3]))
            return False
        if not isinstance(data, dict):
            self.status.setText(f"{p.name} is not a routine file (it is not a mapping of keys to values).")
            return False
        self.path = p
        self.base_text = text
        self.base = plain(data)
        self.rest, self.blocks = split_blocks(self.base)
        self._populate()
        self.file_label.setText(str(p))
        self.status.setText(f"Opened {p.name}.")
        return True

    def _populate(self) -> None:
        """Show the data in the widgets without writing anything back."""
        self._loading = True
        try:
            g = self._get
            self.d_title.setText(str(g(("title",), "")))
            self.d_id.setText(str(g(("id",), "")))
            self.d_version.setValue(int(g(("version",), 1) or 1))
            self.d_author.setText(str(g(("author", "name"), "")))
            self.d_role.setCurrentText(str(g(("author", "role"), "physiotherapist")))
            self.d_contact.setText(str(g(("author", "contact"), "") or ""))
            self.d_patient.setText(str(g(("patient", "display_name"), "") or ""))
            by = g(("patient", "birth_year"))
            self.d_birth.setValue(int(by) if isinstance(by, int) and not isinstance(by, bool)
                                  and self.d_birth.minimum() < by <= self.d_birth.maximum()
                                  else self.d_birth.minimum())
            ids = g(("patient", "external_ids"), {}) or {}
            self.d_ids.setText("; ".join(f"{k}: {v}" for k, v in ids.items()) if isinstance(ids, dict) else "")
            self.d_created.set_value(g(("created",)))
            self.d_from.set_value(g(("valid_from",)))
            self.d_until.set_value(g(("valid_until",)))
            self.d_notes.setPlainText(str(g(("notes",), "") or ""))
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
            self._surgery_changed()
            self._schedule_changed()
            self.c_time.setEnabled(self.c_reminder.isChecked())
        finally:
            self._loading = False
        self._fill_tree()
        self.validate_now()

    # -- items ------------------------------------------------------------------------------

    def name(self, exercise_id: str) -> str:
        ex = self.catalogue.exercises.get(exercise_id)
        if ex is not None:
            return ex.name
        for b in self.blocks:
            for it in b.items:
                c = it.data.get("custom")
                if isinstance(c, dict) and c.get("id") == exercise_id:
                    return str(c.get("name", exercise_id))
        return exercise_id

    def _selected(self) -> tuple[int, int | None] | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        node = items[0]
        parent = node.parent()
        if parent is None:
            return self.tree.indexOfTopLevelItem(node), None
        return self.tree.indexOfTopLevelItem(parent), parent.indexOfChild(node)

    def item_label(self, it: ItemState) -> str:
        """The tree's name for an item; never blank, even when the file is wrong."""
        eid = it.exercise_id
        if eid:
            if "custom" not in it.data and eid not in self.catalogue.exercises:
                return f"'{eid}' (not in the catalogue)"
            return self.name(eid)
        unknown = [k for k in it.data if k not in Item.model_fields]
        if unknown:
            k = unknown[0]
            v = it.data[k]
            shown = f"{k}: {v}" if isinstance(v, (str, int, float)) else k
            return f"(no exercise chosen; the file has '{shown}')"
        return "(no exercise chosen)"

    def _fill_tree(self, select: tuple[int, int | None] | None = None) -> None:
        from PySide6.QtGui import QColor

        self.tree.blockSignals(True)
        self.tree.clear()
        resolved = {it.loc: it for it in self.resolved.items} if self.resolved is not None else {}
        p = palette(self.ctx.settings.high_contrast)
        for b, block in enumerate(self.blocks):
            top = QTreeWidgetItem([block.name or "(unnamed block)", f"{len(block.items)} exercise(s)", ""])
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsEditable)
            f = top.font(0)
            f.setBold(True)
            top.setFont(0, f)
            self.tree.addTopLevelItem(top)
            for i, it in enumerate(block.items):
                r = resolved.get(("blocks", b, "items", i))
                dose = r.dose.describe() if r is not None else rough_dose(it.data)
                state = ("locked" if r.locked else "active") if r is not None else ""
                errs = [x for x in self._item_problems(b, i) if x.severity == "error"]
                label = self.item_label(it)
                if errs:
                    label, state = f"✗ {label}", "to fix"
                child = QTreeWidgetItem([label, dose, state])
                if errs:
                    child.setForeground(0, QColor(p.bad))
                    child.setForeground(2, QColor(p.bad))
                    child.setToolTip(0, "\n".join(x.text() for x in errs))
                if r is not None and r.locked:
                    child.setForeground(2, Qt.GlobalColor.darkRed if not self.ctx.settings.high_contrast else Qt.GlobalColor.yellow)
                    child.setToolTip(2, "; ".join(r.lock_reasons))
                elif r is not None:
                    child.setForeground(2, QColor(p.good))
                top.addChild(child)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0) + 12, 320))
        self.tree.blockSignals(False)
        if select is not None:
            b, i = select
            if 0 <= b < self.tree.topLevelItemCount():
                top = self.tree.topLevelItem(b)
                node = top.child(i) if i is not None and 0 <= i < top.childCount() else top
                self.tree.setCurrentItem(node)
        self._selection_changed()

    def _tree_item_changed(self, node: QTreeWidgetItem, column: int) -> None:
        if node.parent() is None and column == 0:
            b = self.tree.indexOfTopLevelItem(node)
            self.blocks[b].extra["name"] = node.text(0).strip()
            self._changed()

    def _selection_changed(self) -> None:
        sel = self._selected()
        it = self._item(sel)
        self.item_box.setEnabled(it is not None)
        if it is None:
            self.item_box.setTitle("Dose for the selected exercise (select one)")
            return
        self._loading = True
        try:
            ex = self.catalogue.exercises.get(it.exercise_id)
            d = ex.dose if ex is not None else None
            self.item_box.setTitle(f"Dose for {self.item_label(it)}")
            custom = "custom" in it.data
            self.f_exercise.setEnabled(not custom)
            self.f_exercise.setToolTip("A custom exercise is defined in the file itself; edit it there"
                                       if custom else "Change which catalogue exercise this item is")
            idx = self.f_exercise.findData(it.exercise_id) if ex is not None else -1
            self.f_exercise.setItemText(0, "(choose an exercise)" if ex is not None or not it.exercise_id or custom
                                        else f"'{it.exercise_id}' is not in the catalogue: choose one")
            if custom:
                self.f_exercise.setItemText(0, f"{self.name(it.exercise_id)} (custom, defined in the file)")
            self.f_exercise.setCurrentIndex(max(0, idx))
            self.f_sets.setSpecialValueText(f"catalogue ({d.sets})" if d else "catalogue")
            self.f_reps.setSpecialValueText(f"catalogue ({d.reps})" if d and d.reps else "catalogue")
            self.f_hold.setSpecialValueText(f"catalogue ({d.hold_s:g} s)" if d else "catalogue")
            self.f_rest.setSpecialValueText(f"catalogue ({d.rest_s:g} s)" if d else "catalogue")
            self.f_duration.setSpecialValueText(f"catalogue ({d.duration_s:g} s)" if d and d.duration_s else "catalogue")
            side_default = ex.sides if ex is not None else "none"
            self.f_side.setItemText(0, f"catalogue ({side_default})")
            v = it.data
            for key, spin in (("sets", self.f_sets), ("reps", self.f_reps), ("hold_s", self.f_hold),
                              ("rest_s", self.f_rest), ("duration_s", self.f_duration)):
                raw = v.get(key)
                if raw is None:
                    spin.setValue(spin.minimum())
                    continue
                ok = (isinstance(raw, (int, float)) and not isinstance(raw, bool)
                      and spin.minimum() < float(raw) <= spin.maximum())
                if ok:
                    spin.setValue(float(raw))
                else:
                    # The file holds a value this field cannot show (e.g. reps: -5): say so
                    # rather than showing the catalogue default the item does not use.
                    spin.setSpecialValueText(f"not allowed: {raw}")
                    spin.setValue(spin.minimum())
            self.f_side.setCurrentIndex(max(0, self.f_side.findData(v.get("side"))))
            notes = str(v.get("notes", "") or "")
            if self.f_notes.text().strip() != notes:  # never move the cursor while typing
                self.f_notes.setText(notes)
            pattern = v.get("reps_pattern")
            self.f_pattern.setText(f"Reps per set: {'/'.join(str(x) for x in pattern)} (a pyramid written in the file)"
                                   if pattern else "")
            self.f_reps.setEnabled(not pattern)
            self.f_sets.setEnabled(not pattern)
        finally:
            self._loading = False

    def _item(self, sel: tuple[int, int | None] | None) -> ItemState | None:
        if sel is None or sel[1] is None:
            return None
        b, i = sel
        if 0 <= b < len(self.blocks) and 0 <= i < len(self.blocks[b].items):
            return self.blocks[b].items[i]
        return None

    def _item_spin(self, key: str, v: float) -> None:
        special = {"sets": 0, "reps": 0, "hold_s": -1, "rest_s": -1, "duration_s": 0}[key]
        self.set_item_value(key, None if v <= special else short_number(v))

    def select_item(self, block: int, item: int | None) -> None:
        """Select an item (or a block with ``item`` None) in the tree."""
        self._fill_tree(select=(block, item))

    def set_item_value(self, key: str, value: Any) -> None:
        """Set one key of the selected item (None removes it: the catalogue value applies)."""
        if self._loading:
            return
        it = self._item(self._selected())
        if it is None:
            return
        if value is None:
            it.data.pop(key, None)
        elif key in it.data:
            it.data[key] = value
        else:
            # a new key goes to its canonical place, where a therapist reading the file expects it
            it.data[key] = value
            known = [k for k in ITEM_ORDER if k in it.data]
            it.data = {k: it.data[k] for k in [*known, *(k for k in it.data if k not in ITEM_ORDER)]}
        self._changed()

    def set_item_exercise(self, exercise_id: str | None) -> None:
        """Make the selected item a different catalogue exercise; its dose and notes stay.

        A misspelt exercise key (``exercize: ...``) is the item's old exercise, so it is
        replaced too; the status line says so."""
        import difflib

        sel = self._selected()
        it = self._item(sel)
        if it is None or not exercise_id or exercise_id not in self.catalogue.exercises or "custom" in it.data:
            return
        typos = [k for k in it.data if k not in Item.model_fields
                 and difflib.get_close_matches(k, ["exercise"], n=1, cutoff=0.6)]
        data = {k: v for k, v in it.data.items() if k not in typos and k != "exercise"}
        it.data = {"exercise": exercise_id, **data}
        note = f" (replaced the misspelt key '{typos[0]}')" if typos else ""
        self.status.setText(f"This item is now {self.name(exercise_id)}{note}.")
        self._changed()
        self.validate_now()
        if sel is not None:
            self._fill_tree(select=sel)

    def add_exercise(self, exercise_id: str, block: int | None = None) -> None:
        """Append a catalogue exercise to the selected (or last) block, with catalogue defaults."""
        if exercise_id not in self.catalogue.exercises:
            self.status.setText(f"'{exercise_id}' is not in the catalogue.")
            return
        if not self.blocks:
            self.blocks.append(BlockState({"name": "Exercises"}))
        if block is None:
            sel = self._selected()
            block = sel[0] if sel is not None else len(self.blocks) - 1
        self.blocks[block].items.append(ItemState({"exercise": exercise_id}))
        self._changed()
        self.validate_now()
        self._fill_tree(select=(block, len(self.blocks[block].items) - 1))

    def add_block(self, name: str = "") -> None:
        """Add a block after the selected one (or at the end)."""
        sel = self._selected()
        pos = sel[0] + 1 if sel is not None else len(self.blocks)
        self.blocks.insert(pos, BlockState({"name": name or f"Block {len(self.blocks) + 1}"}))
        self._changed()
        self._fill_tree(select=(pos, None))
        self.status.setText("New block added: double-click its name to rename it, then add exercises.")

    def move(self, step: int) -> None:
        """Move the selected item (or block) up (−1) or down (+1); items cross block borders."""
        sel = self._selected()
        if sel is None:
            return
        b, i = sel
        if i is None:
            j = b + step
            if 0 <= j < len(self.blocks):
                self.blocks[b], self.blocks[j] = self.blocks[j], self.blocks[b]
                self._changed()
                self.validate_now()
                self._fill_tree(select=(j, None))
            return
        items = self.blocks[b].items
        j = i + step
        if 0 <= j < len(items):
            items[i], items[j] = items[j], items[i]
            target = (b, j)
        elif 0 <= b + step < len(self.blocks):
            it = items.pop(i)
            dest = self.blocks[b + step].items
            if step < 0:
                dest.append(it)
                target = (b + step, len(dest) - 1)
            else:
                dest.insert(0, it)
                target = (b + step, 0)
        else:
            return
        self._changed()
        self.validate_now()
        self._fill_tree(select=target)

    def remove_selected(self) -> None:
        """Remove the selected item, or the selected block when it is empty."""
        sel = self._selected()
        if sel is None:
            return
        b, i = sel
        if i is None:
            if self.blocks[b].items:
                self.status.setText("Remove the exercises in this block first, or move them to another block.")
                return
            del self.blocks[b]
            target: tuple[int, int | None] | None = (max(0, b - 1), None) if self.blocks else None
        else:
            removed = self.blocks[b].items.pop(i)
            self.status.setText(f"Removed {self.name(removed.exercise_id)}.")
            n = len(self.blocks[b].items)
            target = (b, min(i, n - 1)) if n else (b, None)
        self._changed()
        self.validate_now()
        self._fill_tree(select=target)

    # -- validation and preview -------------------------------------------------------------

    def validate_now(self) -> None:
        """Check the routine exactly as ``coach routine check`` would check the file the editor
        would save: the same text, the same function
        (:func:`~coach.routines.routine.check_routine_text`), so the problems, their order,
        wording, suggestions and line numbers are the CLI's. Then update the problem list, the
        preview and the tree."""
        self._timer.stop()
        from coach.routines.routine import check_routine_text

        data = self.current_data()
        name = str(self.path) if self.path is not None else "new routine"
        text = self.yaml_text(data)
        result = check_routine_text(text, name, self.catalogue, self.today)
        problems: list[EditorProblem] = []
        for severity, group in (("error", result.errors), ("warning", result.warnings)):
            for prob in group:
                loc = problem_loc(prob.message)
                problems.append(EditorProblem(severity, describe_loc(loc, self.blocks, self.name) if loc else "",
                                              prob.message, prob.hint, prob.line, loc))
        routine: Routine | None = result.routine if result.ok else None
        resolved: ResolvedRoutine | None = None
        if routine is not None:
            try:
                resolved = resolve(routine, self.catalogue, self.today)
            except Exception as exc:  # resolve re-checks; any surprise is shown, not raised
                problems.append(EditorProblem("error", "", str(exc)))
        self.problems = problems
        self.routine = routine if not any(p.severity == "error" for p in problems) else None
        self.resolved = resolved
        self._show_problems()
        self._show_preview()
        sel = self._selected()
        if not self._loading:
            self._fill_tree(select=sel)

    def yaml_text(self, data: dict[str, Any] | None = None) -> str:
        """The YAML the editor would save for ``data`` (default: the routine as it stands)."""
        data = self.current_data() if data is None else data
        base_text = self.base_text if self.base is not None else None
        try:
            text, _ = render_routine_yaml(data, base_text=base_text, base=self.base, blocks=self.blocks)
        except Exception as exc:  # never lose the problem list to a rendering surprise
            import yaml

            log.warning("round-trip rendering failed, checking plain YAML: %s", exc)
            text = yaml.safe_dump(plain_scalars(data), sort_keys=False, allow_unicode=True)
        return text

    def _select_problem(self, row: int) -> None:
        """Select the block or item a problem is about (from its location path)."""
        if not 0 <= row < len(self.problems):
            return
        loc = self.problems[row].loc
        if len(loc) >= 2 and loc[0] == "blocks" and isinstance(loc[1], int) and loc[1] < len(self.blocks):
            b = loc[1]
            i = loc[3] if len(loc) >= 4 and loc[2] == "items" and isinstance(loc[3], int) else None
            if i is not None and i >= len(self.blocks[b].items):
                i = None
            self.select_item(b, i)
            self.tabs.setCurrentIndex(0)

    def _item_problems(self, b: int, i: int) -> list[EditorProblem]:
        return [p for p in self.problems if p.loc[:4] == ("blocks", b, "items", i)]

    @property
    def errors(self) -> list[EditorProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def _show_problems(self) -> None:
        self.problem_list.clear()
        p = palette(self.ctx.settings.high_contrast)
        n_err = len(self.errors)
        n_warn = len(self.problems) - n_err
        if not self.problems:
            self.problems_title.setText("Problems: none — this routine is ready to save")
            item = QListWidgetItem("✓ No problems found.")
            from PySide6.QtGui import QColor

            item.setForeground(QColor(p.good))
            self.problem_list.addItem(item)
            return
        self.problems_title.setText(f"Problems: {n_err} to fix, {n_warn} warning(s)")
        from PySide6.QtGui import QColor

        for prob in self.problems:
            mark = "✗" if prob.severity == "error" else "!"
            item = QListWidgetItem(f"{mark} {prob.text()}")
            item.setForeground(QColor(p.bad if prob.severity == "error" else p.warn))
            if prob.where:
                item.setToolTip(f"{prob.where}\nClick to select it.")
            self.problem_list.addItem(item)

    def _show_preview(self) -> None:
        r = self.resolved
        if r is None:
            self.preview.setHtml("<p>The preview appears when the routine has no problems.</p>")
            return
        import html as h

        e = h.escape
        rt = r.routine
        parts = [f"<h2>{e(rt.title)}</h2>", f"<p>Version {rt.version}, by {e(rt.author.name)}"]
        if rt.patient is not None:
            parts[-1] += f", for {e(rt.patient.display_name)}"
        parts[-1] += ".</p>"
        if r.expired:
            parts.append("<p><b>This routine has expired.</b></p>")
        elif r.not_yet_valid:
            parts.append(f"<p>Starts on {rt.valid_from}.</p>")
        pr = r.pain_rules
        parts.append(f"<p>Pain: green 0–{pr.green_max}, amber to {pr.amber_max}, stop at {pr.stop_at}/10 or if pain "
                     f"spreads down the leg.</p>")
        block = None
        for it in r.items:
            if it.block != block:
                if block is not None:
                    parts.append("</ul>")
                block = it.block
                parts.append(f"<h3>{e(block)}</h3><ul>")
            line = f"<b>{e(it.exercise.name)}</b>: {e(it.dose.describe())}"
            if it.overrides:
                line += f"<br/><i>Adjusted: {e('; '.join(it.overrides))}</i>"
            if it.locked:
                line += f"<br/><span style='color:{palette(self.ctx.settings.high_contrast).bad}'>Locked: {e('; '.join(it.lock_reasons))}</span>"
            parts.append(f"<li>{line}</li>")
        if block is not None:
            parts.append("</ul>")
        for w in r.warnings:
            parts.append(f"<p><i>Note: {e(w.message)}</i></p>")
        self.preview.setHtml("".join(parts))

    # -- saving -----------------------------------------------------------------------------

    def save_to(self, path: str | Path) -> bool:
        """Validate and write the routine to ``path``; True when written and read back equal."""
        from coach.routines.routine import parse_routine

        self.validate_now()
        if self.errors or self.routine is None:
            self.status.setText(f"Not saved: fix the {len(self.errors)} problem(s) listed first.")
            return False
        data = self.current_data()
        if self.base is not None and not same(self.base, data) and data.get("version") == self.base.get("version"):
            # Every edit is a new prescription (DOMAIN §6.3): the version goes up.
            data["version"] = int(data.get("version") or 1) + 1
            self.rest["version"] = data["version"]
            self._loading = True
            self.d_version.setValue(data["version"])
            self._loading = False
        same_file = self.path is not None and Path(path).resolve() == self.path.resolve()
        base_text = self.base_text if self.base is not None else None
        text, kept = render_routine_yaml(data, base_text=base_text, base=self.base, blocks=self.blocks)
        try:
            check, _ = parse_routine(text, str(path))
        except Exception as exc:  # must never happen; refuse to write a file we cannot read back
            log.error("routine round-trip failed: %s", exc)
            self.status.setText(f"Not saved: the file would not read back ({exc}).")
            return False
        if check != Routine.model_validate(data):
            self.status.setText("Not saved: the written file would differ from the routine shown.")
            return False
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_name(p.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(p)
        except OSError as exc:
            self.status.setText(f"Not saved: {exc.strerror or exc}")
            return False
        self.path = p
        self.base_text = text
        self.base = plain(copy.deepcopy(data))
        self.rest, self.blocks = split_blocks(self.base)
        self.file_label.setText(str(p))
        note = "" if kept else " (comments could not be kept: ruamel.yaml is not installed)"
        self.status.setText(f"Saved {p.name}, version {data.get('version')}{'' if same_file else ' as a new file'}{note}.")
        self._fill_tree(select=self._selected())
        return True

    def _open(self) -> None:
        start = str(self.path.parent if self.path else Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a routine file", start, "Routine files (*.yaml *.yml)")
        if path:
            self.load_file(path)

    def _save(self) -> None:
        if self.path is None:
            self._save_as()
        else:
            self.save_to(self.path)

    def _save_as(self) -> None:
        start = str(self.path if self.path else Path.home() / f"{self._get(('id',), 'routine')}.yaml")
        path, _ = QFileDialog.getSaveFileName(self, "Save the routine", start, "Routine files (*.yaml *.yml)")
        if not path:
            return
        if not path.lower().endswith((".yaml", ".yml")):
            path += ".yaml"
        self.save_to(path)

    def _handout(self) -> None:
        self.validate_now()
        if self.resolved is None:
            self.status.setText("Fix the problems listed first; the handout is made from a valid routine.")
            return
        default = str(Path.home() / f"{self.resolved.routine.id}-handout.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Save the patient handout", default, "PDF files (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.make_handout(path)

    def make_handout(self, path: str | Path) -> bool:
        """Write the patient handout PDF for the current routine."""
        from coach.reports.pdf import write_handout

        if self.resolved is None:
            return False
        try:
            write_handout(self.resolved, path)
        except Exception as exc:  # disk or printing problems: say so
            log.warning("handout failed: %s", exc)
            self.status.setText(f"The handout could not be made: {exc}")
            return False
        self.status.setText(f"Saved the patient handout as {path}.")
        return True

    def can_leave(self) -> bool:
        """Leaving never blocks (no modal questions); unsaved edits are mentioned in the log."""
        if self.base is not None and not same(self.base, self.current_data()):
            log.info("leaving the routine editor with unsaved changes")
        return True
