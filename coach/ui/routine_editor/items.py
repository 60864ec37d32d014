"""The routine editor's Exercises tab: the catalogue picker, the tree of blocks and exercises, and
the dose fields of the selected exercise.

:class:`ItemsTab` builds the tab and edits the blocks and items of the routine's plain data (add,
move, remove, change an exercise or one of its keys); the Qt-free operations are in
:mod:`coach.routines.draft`. It is a base of
:class:`coach.ui.routine_editor.page.RoutineEditorPage`, which owns the data and the checking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coach.routines import draft
from coach.routines.catalogue import Catalogue
from coach.routines.routine import ResolvedRoutine
from coach.routines.yaml_edit import (
    SIDES,
    BlockState,
    EditorProblem,
    ItemState,
    rough_dose,
    short_number,
)
from coach.ui.routine_editor.widgets import LimitedSpin, spin
from coach.ui.theme import palette

if TYPE_CHECKING:
    from coach.ui.context import AppContext

#: The narrowest the tree's name column gets.
NAME_COLUMN_PX = 240


def count_words(n: int) -> str:
    """A block's size in the tree: "no exercises yet", "1 exercise", "3 exercises"."""
    if n == 0:
        return "no exercises yet"
    return f"{n} exercise" if n == 1 else f"{n} exercises"


def new_block_name(blocks: list[BlockState], pos: int) -> str:
    """ "Block N" for a block added at index ``pos``: N is its place, or the next number no block
    is called yet (after a block is removed, the next one added must not repeat a name)."""
    taken = {b.name for b in blocks}
    n = pos + 1
    while f"Block {n}" in taken:
        n += 1
    return f"Block {n}"


class ItemsTab(QWidget):
    """The Exercises tab of the routine editor page (a base of the page)."""

    # Set by the page.
    ctx: AppContext
    catalogue: Catalogue
    blocks: list[BlockState]
    resolved: ResolvedRoutine | None
    status: QLabel
    _loading: bool

    if TYPE_CHECKING:

        def _changed(self) -> None: ...

        def _item_problems(self, b: int, i: int) -> list[EditorProblem]: ...

        def plain_text(self, problem: EditorProblem) -> str: ...

        def validate_now(self) -> None: ...

    def _build_items(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        add = QHBoxLayout()
        self.catalogue_combo = QComboBox()
        self.catalogue_combo.setEditable(True)
        self.catalogue_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.catalogue_combo.setToolTip("Type to search the catalogue")
        # Long names must not widen the page (it scrolls vertically only).
        self.catalogue_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
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
        self.tree.setColumnWidth(0, NAME_COLUMN_PX)
        self.tree.setColumnWidth(1, 300)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemChanged.connect(self._tree_item_changed)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for text, slot in (
            ("Add block", self.add_block),
            ("Move up", lambda: self.move(-1)),
            ("Move down", lambda: self.move(1)),
            ("Remove", self.remove_selected),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self._build_dose_box())
        return w

    def _build_dose_box(self) -> QGroupBox:
        """The dose fields of the selected exercise (each empty means "the catalogue's")."""
        self.item_box = QGroupBox("Dose for the selected exercise")
        form = QFormLayout(self.item_box)
        self.f_exercise = QComboBox()
        self.f_exercise.setToolTip("Change which catalogue exercise this item is")
        self.f_exercise.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.f_exercise.setMinimumContentsLength(12)
        self.f_exercise.addItem("(choose an exercise)", None)
        for ex in sorted(self.catalogue.exercises.values(), key=lambda e: e.name):
            self.f_exercise.addItem(f"{ex.name}  ({ex.id})", ex.id)
        self.f_exercise.activated.connect(
            lambda _i: self.set_item_exercise(self.f_exercise.currentData())
        )
        form.addRow("Exercise", self.f_exercise)
        self.f_sets = spin(0, 10, "catalogue")
        self.f_reps = spin(0, 100, "catalogue")
        self.f_hold = spin(-1, 600, "catalogue", suffix=" s")
        self.f_rest = spin(-1, 600, "catalogue", suffix=" s")
        self.f_duration = spin(0, 3600, "catalogue", suffix=" s")
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
        for label, wdg in (
            ("Sets", self.f_sets),
            ("Reps", self.f_reps),
            ("Hold", self.f_hold),
            ("Rest", self.f_rest),
            ("Duration", self.f_duration),
            ("Side", self.f_side),
        ):
            pair = QWidget()
            pl = QHBoxLayout(pair)
            pl.setContentsMargins(0, 0, 0, 0)
            pl.addWidget(QLabel(label))
            pl.addWidget(wdg)
            if isinstance(wdg, LimitedSpin):
                pl.addWidget(wdg.note)  # "The most allowed is 10", beside the field
            flow.addWidget(pair)
        form.addRow(doses)
        form.addRow(self.f_pattern)
        form.addRow("Notes", self.f_notes)
        for key, wdg in (
            ("sets", self.f_sets),
            ("reps", self.f_reps),
            ("hold_s", self.f_hold),
            ("rest_s", self.f_rest),
            ("duration_s", self.f_duration),
        ):
            wdg.valueChanged.connect(lambda v, k=key: self._itemspin(k, v))
        self.f_side.currentIndexChanged.connect(
            lambda _i: self.set_item_value("side", self.f_side.currentData())
        )
        self.f_notes.textEdited.connect(lambda t: self.set_item_value("notes", t.strip() or None))
        self.item_box.setEnabled(False)
        return self.item_box

    def name(self, exercise_id: str) -> str:
        """The exercise's name (the catalogue's, or a custom one's from the file)."""
        return draft.exercise_name(self.catalogue, self.blocks, exercise_id)

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
        return draft.item_label(it, self.catalogue, self.name)

    def _fill_tree(self, select: tuple[int, int | None] | None = None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        resolved = {it.loc: it for it in self.resolved.items} if self.resolved is not None else {}
        p = palette(self.ctx.settings.high_contrast)
        number = 0  # exercises are numbered in the order the patient does them, across blocks
        for b, block in enumerate(self.blocks):
            top = QTreeWidgetItem(
                [block.name or "(unnamed block)", count_words(len(block.items)), ""]
            )
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
                number += 1
                label = f"{number}. {self.item_label(it)}"
                if errs:
                    label, state = f"✗ {label}", "to fix"
                child = QTreeWidgetItem([label, dose, state])
                if errs:
                    child.setForeground(0, QColor(p.bad))
                    child.setForeground(2, QColor(p.bad))
                    child.setToolTip(0, "\n".join(self.plain_text(x) for x in errs))
                if r is not None and r.locked:
                    child.setForeground(
                        2,
                        Qt.GlobalColor.darkRed
                        if not self.ctx.settings.high_contrast
                        else Qt.GlobalColor.yellow,
                    )
                    child.setToolTip(2, "; ".join(r.lock_reasons))
                elif r is not None:
                    child.setForeground(2, QColor(p.good))
                top.addChild(child)
            top.setExpanded(True)
        # The name column fits its longest name between 240 and 320 px, so removing the longest
        # exercise does not pull the dose column to the left under the pointer.
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(NAME_COLUMN_PX, min(self.tree.columnWidth(0) + 12, 320)))
        self.tree.blockSignals(False)
        if select is not None:
            sb, si = select
            block_node = (
                self.tree.topLevelItem(sb) if 0 <= sb < self.tree.topLevelItemCount() else None
            )
            if block_node is not None:
                child_node = (
                    block_node.child(si)
                    if si is not None and 0 <= si < block_node.childCount()
                    else None
                )
                self.tree.setCurrentItem(child_node if child_node is not None else block_node)
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
            self.f_exercise.setToolTip(
                "A custom exercise is defined in the file itself; edit it there"
                if custom
                else "Change which catalogue exercise this item is"
            )
            idx = self.f_exercise.findData(it.exercise_id) if ex is not None else -1
            self.f_exercise.setItemText(
                0,
                "(choose an exercise)"
                if ex is not None or not it.exercise_id or custom
                else f"'{it.exercise_id}' is not in the catalogue: choose one",
            )
            if custom:
                self.f_exercise.setItemText(
                    0, f"{self.name(it.exercise_id)} (custom, defined in the file)"
                )
            self.f_exercise.setCurrentIndex(max(0, idx))
            self.f_sets.setSpecialValueText(f"catalogue ({d.sets})" if d else "catalogue")
            self.f_reps.setSpecialValueText(
                f"catalogue ({d.reps})" if d and d.reps else "catalogue"
            )
            self.f_hold.setSpecialValueText(f"catalogue ({d.hold_s:g} s)" if d else "catalogue")
            self.f_rest.setSpecialValueText(f"catalogue ({d.rest_s:g} s)" if d else "catalogue")
            self.f_duration.setSpecialValueText(
                f"catalogue ({d.duration_s:g} s)" if d and d.duration_s else "catalogue"
            )
            side_default = ex.sides if ex is not None else "none"
            self.f_side.setItemText(0, f"catalogue ({side_default})")
            v = it.data
            self._show_dose_values(v)
            self.f_side.setCurrentIndex(max(0, self.f_side.findData(v.get("side"))))
            notes = str(v.get("notes", "") or "")
            if self.f_notes.text().strip() != notes:  # never move the cursor while typing
                self.f_notes.setText(notes)
            pattern = v.get("reps_pattern")
            self.f_pattern.setText(
                f"Reps per set: {'/'.join(str(x) for x in pattern)} (a pyramid written in the file)"
                if pattern
                else ""
            )
            self.f_reps.setEnabled(not pattern)
            self.f_sets.setEnabled(not pattern)
        finally:
            self._loading = False

    def _show_dose_values(self, v: dict[str, Any]) -> None:
        """The item's own dose values in the spin boxes; the lowest value means "catalogue"."""
        for key, box in (
            ("sets", self.f_sets),
            ("reps", self.f_reps),
            ("hold_s", self.f_hold),
            ("rest_s", self.f_rest),
            ("duration_s", self.f_duration),
        ):
            raw = v.get(key)
            if raw is None:
                box.setValue(box.minimum())
                continue
            ok = (
                isinstance(raw, (int, float))
                and not isinstance(raw, bool)
                and box.minimum() < float(raw) <= box.maximum()
            )
            if ok:
                box.setValue(float(raw))
            else:
                # The file holds a value this field cannot show (e.g. reps: -5): say so
                # rather than showing the catalogue default the item does not use.
                box.setSpecialValueText(f"not allowed: {raw}")
                box.setValue(box.minimum())

    def _item(self, sel: tuple[int, int | None] | None) -> ItemState | None:
        if sel is None:
            return None
        b, i = sel
        if i is None:
            return None
        if 0 <= b < len(self.blocks) and 0 <= i < len(self.blocks[b].items):
            return self.blocks[b].items[i]
        return None

    def _itemspin(self, key: str, v: float) -> None:
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
        it.data = draft.item_with(it.data, key, value)
        self._changed()

    def set_item_exercise(self, exercise_id: str | None) -> None:
        """Make the selected item a different catalogue exercise; its dose and notes stay.

        A misspelt exercise key (``exercize: ...``) is the item's old exercise, so it is
        replaced too; the status line says so."""
        sel = self._selected()
        it = self._item(sel)
        if (
            it is None
            or not exercise_id
            or exercise_id not in self.catalogue.exercises
            or "custom" in it.data
        ):
            return
        it.data, typos = draft.retarget_item(it.data, exercise_id)
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
        self.blocks.insert(pos, BlockState({"name": name or new_block_name(self.blocks, pos)}))
        self._changed()
        self._fill_tree(select=(pos, None))
        self.status.setText(
            "New block added: double-click its name to rename it, then add exercises."
        )

    # Public name kept for tests and scripts although it shadows QWidget.move(x, y): nothing in
    # the app moves this page by position (it lives in a stacked widget).
    def move(self, step: int) -> None:  # type: ignore[override]
        """Move the selected item (or block) up (−1) or down (+1); items cross block borders."""
        sel = self._selected()
        if sel is None:
            return
        target = draft.move_entry(self.blocks, sel, step)
        if target is None:
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
                self.status.setText(
                    "Remove the exercises in this block first, or move them to another block."
                )
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
