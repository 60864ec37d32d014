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

This module holds the page itself: the tool bar, the tabs and the problem and preview panes,
the data in and out (new, open, check, save, handout). The Exercises tab is its base
:class:`~coach.ui.routine_editor.items.ItemsTab`, the three form tabs its base
:class:`~coach.ui.routine_editor.forms.FormTabs`; what they do to the data is in
:mod:`coach.routines.draft`.
"""

from __future__ import annotations

import copy
import html
import logging
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.routines import draft
from coach.routines.routine import (
    ResolvedRoutine,
    Routine,
    check_routine_text,
    parse_routine,
    resolve,
)
from coach.routines.yaml_edit import (
    BlockState,
    EditorProblem,
    join_blocks,
    plain,
    plain_scalars,
    render_routine_yaml,
    same,
    split_blocks,
)
from coach.routines.yamlio import FileProblems, parse_yaml, read_text
from coach.ui.context import AppContext
from coach.ui.routine_editor.forms import FormTabs
from coach.ui.routine_editor.items import ItemsTab
from coach.ui.routine_editor.wording import plain_sentence
from coach.ui.theme import palette
from coach.ui.widgets import FlowLayout

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The page


class RoutineEditorPage(ItemsTab, FormTabs):
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
        #: The routine as last opened, started or saved: leaving with anything else asks first.
        self._clean: dict[str, Any] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)  # validate once typing pauses, not on every key
        self._timer.timeout.connect(self.validate_now)
        self._build()
        self.new_routine()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar_box = QWidget()
        bar = FlowLayout(bar_box)  # wraps on a narrow window or with large text
        for text, slot, tip in (
            ("New", self._new, "Start an empty routine"),
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
        self.problem_list.setSpacing(3)  # one problem per sentence, each set apart
        self.problem_list.setMaximumHeight(220)
        self.problem_list.itemClicked.connect(
            lambda _i: self._select_problem(self.problem_list.currentRow())
        )
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

    # -- the data -------------------------------------------------------------------------

    def current_data(self) -> dict[str, Any]:
        """The routine as it stands (plain data, the shape of the YAML file)."""
        return join_blocks(self.rest, self.blocks)

    def _set(self, path: tuple[str, ...], value: Any) -> None:
        """Set (or with None, remove) one key; parents are created as needed."""
        if self._loading:
            return
        if draft.set_in(self.rest, path, value):
            self._changed()

    def _get(self, path: tuple[str, ...], default: Any = None) -> Any:
        return draft.get_in(self.rest, path, default)

    def _changed(self) -> None:
        self._timer.start()

    # -- loading ----------------------------------------------------------------------------

    def new_routine(self) -> None:
        """Start an empty routine with sensible defaults (valid once an exercise is added)."""
        data = draft.new_routine_data(date.today())
        self.path = None
        self.base_text = None
        self.base = None
        self.rest, self.blocks = split_blocks(data)
        for b in self.blocks:
            b.origin = None
        self._populate()
        self._mark_clean()
        self.file_label.setText("New routine (not saved yet)")
        self.status.setText(
            "Add exercises from the catalogue, then fill in the patient and safety details."
        )

    def load_file(self, path: str | Path) -> bool:
        """Load a routine file for editing; problems are listed even when it does not validate."""
        p = Path(path)
        try:
            text = read_text(p)
            _root, data = parse_yaml(text, str(p))
        except FileProblems as exc:
            self.status.setText(
                "This file cannot be opened: " + "; ".join(str(x) for x in exc.problems[:3])
            )
            return False
        if not isinstance(data, dict):
            self.status.setText(
                f"{p.name} is not a routine file (it is not a mapping of keys to values)."
            )
            return False
        self.path = p
        self.base_text = text
        self.base = plain(data)
        self.rest, self.blocks = split_blocks(self.base)
        self._populate()
        self._mark_clean()
        self.file_label.setText(str(p))
        self.status.setText(f"Opened {p.name}.")
        return True

    # -- validation and preview -------------------------------------------------------------

    def validate_now(self) -> None:
        """Check the routine exactly as ``coach routine check`` would check the file the editor
        would save: the same text, the same function
        (:func:`~coach.routines.routine.check_routine_text`), so the problems, their order,
        wording, suggestions and line numbers are the CLI's. Then update the problem list, the
        preview and the tree."""
        self._timer.stop()
        data = self.current_data()
        name = str(self.path) if self.path is not None else "new routine"
        text = self.yaml_text(data)
        result = check_routine_text(text, name, self.catalogue, self.today)
        problems = draft.editor_problems(result, self.blocks, self.name)
        routine: Routine | None = result.routine if result.ok else None
        resolved: ResolvedRoutine | None = None
        if routine is not None:
            try:
                resolved = resolve(routine, self.catalogue, self.today)
            # resolve re-checks; any surprise is shown in the problem list, never raised at the
            # therapist mid-edit
            except Exception as exc:  # noqa: BLE001
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
            text, _ = render_routine_yaml(
                data, base_text=base_text, base=self.base, blocks=self.blocks
            )
        # Never lose the problem list to a rendering surprise: check the plain YAML instead (the
        # warning is logged; the problems shown are still the checker's).
        except Exception as exc:  # noqa: BLE001
            log.warning("round-trip rendering failed, checking plain YAML: %s", exc)
            text = yaml.safe_dump(plain_scalars(data), sort_keys=False, allow_unicode=True)
        return text

    def _select_problem(self, row: int) -> None:
        """Select the block or item a problem is about (from its location path)."""
        if not 0 <= row < len(self.problems):
            return
        loc = self.problems[row].loc
        if (
            len(loc) >= 2
            and loc[0] == "blocks"
            and isinstance(loc[1], int)
            and loc[1] < len(self.blocks)
        ):
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
            item.setForeground(QColor(p.good))
            self.problem_list.addItem(item)
            return
        parts = [f"{n_err} to fix"] if n_err else []
        if n_warn:
            parts.append(f"{n_warn} warning" if n_warn == 1 else f"{n_warn} warnings")
        self.problems_title.setText("Problems: " + ", ".join(parts))
        for prob in self.problems:
            mark = "✗" if prob.severity == "error" else "!"
            # a plain sentence for the person; the checker's line and field path on hover
            item = QListWidgetItem(f"{mark} {self.plain_text(prob)}")
            item.setForeground(QColor(p.bad if prob.severity == "error" else p.warn))
            tip = f"As 'coach routine check' reports it: {prob.text()}"
            item.setToolTip(f"{tip}\nClick to select it." if prob.where else tip)
            self.problem_list.addItem(item)

    def plain_text(self, problem: EditorProblem) -> str:
        """A problem as the person editing reads it: a sentence naming the exercise and the
        field in words (the checker's wording is :meth:`EditorProblem.text`)."""
        return plain_sentence(problem, self.blocks, self.name)

    def _show_preview(self) -> None:
        r = self.resolved
        if r is None:
            self.preview.setHtml("<p>The preview appears when the routine has no problems.</p>")
            return
        e = html.escape
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
        parts.append(
            f"<p>Pain: green 0–{pr.green_max}, amber to {pr.amber_max}, stop at {pr.stop_at}/10 or if pain "
            f"spreads down the leg.</p>"
        )
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
        self.validate_now()
        if self.errors or self.routine is None:
            n = len(self.errors)
            self.status.setText(
                f"Not saved: fix the {'problem' if n == 1 else f'{n} problems'} listed first."
            )
            return False
        data = self.current_data()
        if (
            self.base is not None
            and not same(self.base, data)
            and data.get("version") == self.base.get("version")
        ):
            # Every edit is a new prescription (DOMAIN §6.3): the version goes up.
            data["version"] = int(data.get("version") or 1) + 1
            self.rest["version"] = data["version"]
            self._loading = True
            self.d_version.setValue(data["version"])
            self._loading = False
        same_file = self.path is not None and Path(path).resolve() == self.path.resolve()
        base_text = self.base_text if self.base is not None else None
        text, kept = render_routine_yaml(
            data, base_text=base_text, base=self.base, blocks=self.blocks
        )
        try:
            check, _ = parse_routine(text, str(path))
        # Must never happen; whatever the reason, refuse to write a file we cannot read back and
        # say why on the status line.
        except Exception as exc:  # noqa: BLE001
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
        self._mark_clean()
        self.file_label.setText(str(p))
        note = "" if kept else " (comments could not be kept: ruamel.yaml is not installed)"
        self.status.setText(
            f"Saved {p.name}, version {data.get('version')}{'' if same_file else ' as a new file'}{note}."
        )
        self._fill_tree(select=self._selected())
        return True

    def _new(self) -> None:
        if self.can_leave():
            self.new_routine()

    def _open(self) -> None:
        if not self.can_leave():
            return
        start = str(self.path.parent if self.path else Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a routine file", start, "Routine files (*.yaml *.yml)"
        )
        if path:
            self.load_file(path)

    def _save(self) -> bool:
        if self.path is None:
            return self._save_as()
        return self.save_to(self.path)

    def _save_as(self) -> bool:
        start = str(
            self.path if self.path else Path.home() / f"{self._get(('id',), 'routine')}.yaml"
        )
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the routine", start, "Routine files (*.yaml *.yml)"
        )
        if not path:
            return False
        if not path.lower().endswith((".yaml", ".yml")):
            path += ".yaml"
        return self.save_to(path)

    def _handout(self) -> None:
        self.validate_now()
        if self.resolved is None:
            self.status.setText(
                "Fix the problems listed first; the handout is made from a valid routine."
            )
            return
        default = str(Path.home() / f"{self.resolved.routine.id}-handout.pdf")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the patient handout", default, "PDF files (*.pdf)"
        )
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
        # Disk or printing problems (of any kind): the status line says so.
        except Exception as exc:  # noqa: BLE001
            log.warning("handout failed: %s", exc)
            self.status.setText(f"The handout could not be made: {exc}")
            return False
        self.status.setText(f"Saved the patient handout as {path}.")
        return True

    # -- leaving ----------------------------------------------------------------------------

    def _mark_clean(self) -> None:
        self._clean = copy.deepcopy(plain(self.current_data()))

    @property
    def has_unsaved_changes(self) -> bool:
        """The routine differs from the one last opened, started or saved."""
        return not same(self._clean, self.current_data())

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Ask what to do with unsaved changes: Save, Discard or Cancel (stay here)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Unsaved changes")
        box.setText("You have unsaved changes to this routine.")
        box.setInformativeText("Save them before you go on?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return QMessageBox.StandardButton(box.exec())

    def can_leave(self) -> bool:
        """Leaving the page (Back, Home, another page, New, Open, closing coach) with unsaved
        changes asks first; True when it may go on (saved, or the changes were discarded)."""
        if not self.has_unsaved_changes:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self._save()  # not saved (problems, or the file dialog cancelled): stay
        if answer == QMessageBox.StandardButton.Discard:
            log.info("left the routine editor without saving its changes")
            self._revert()  # the page may stay in Back's history: it must not keep them
            return True
        return False

    def _revert(self) -> None:
        """Back to the routine as last opened, started or saved."""
        if self.path is None or not self.load_file(self.path):
            self.new_routine()

    def refresh(self) -> None:
        """Shown again (Back): re-check and redraw, in the current theme's colours."""
        self.validate_now()

    def can_close(self) -> bool:
        """The main window is closing: the same question as leaving the page."""
        return self.can_leave()

    def keep_unsaved(self) -> Path | None:
        """coach is being shut down (logout, a signal) with no one to ask: write the unsaved
        routine beside the history as ``unsaved-routine-<time>.yaml`` and return its path."""
        if not self.has_unsaved_changes:
            return None
        from datetime import datetime

        from coach.store.database import default_history_path

        folder = default_history_path().parent
        path = folder / f"unsaved-routine-{datetime.now():%Y%m%d-%H%M%S}.yaml"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(self.yaml_text(), encoding="utf-8")
        except OSError as exc:
            log.error("could not keep the unsaved routine at %s: %s", path, exc)
            return None
        log.warning("coach was shut down with unsaved routine changes; kept in %s", path)
        return path
