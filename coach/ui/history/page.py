"""History and progress: past sessions, progress charts, reports, and the next-morning check.

Three tabs over :class:`coach.store.history.History`:

* **Sessions** — one row per session (date, routine, duration, pain before/after, traffic
  light); selecting one shows each exercise: reps, holds, faults and the cue that fixes them.
* **Progress** — QtCharts, one at a time, large: sessions done against planned per week, pain
  before/after (and next morning) over time, reps and hold seconds per exercise, range of
  movement per exercise (the mean rep ``range`` of each session), and posture time per day.
* **Reports** — a date range, the clinician PDF (:func:`coach.reports.pdf.write_report`), CSV
  and FHIR exports, and "Import results file…" to look at a results file from elsewhere.

Above the tabs a "next-morning check" card appears when
:meth:`History.pending_next_morning_check` has a session waiting for it (DOMAIN §5.1): pain
0–10 and stiffness 0–10 are saved with :meth:`History.record_next_morning`, and the answer is
explained with the progression rules (:func:`coach.store.progression.next_morning_ok`).

Everything on this page is computed when it opens and on :meth:`HistoryPage.refresh` (after a
save, an import, or when the user comes back to it) — never per frame. The numbers come from
:func:`collect`, plain Python over the history's query API, so tests can check them directly.
This module holds the page, its Sessions tab and the next-morning card's place; the Progress and
Reports tabs are its bases :class:`~coach.ui.history.progress.ProgressTab` and
:class:`~coach.ui.history.reports.ReportsTab`.
"""

from __future__ import annotations

import html
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChart
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.store.history import History
from coach.store.rows import ExerciseResultRow, HistoryError
from coach.ui.context import AppContext
from coach.ui.history.cards import NextMorningCard, _card
from coach.ui.history.data import (
    _LIGHT_WORDS,
    _STATUS_WORDS,
    HistoryData,
    _count,
    _dur,
    _n,
    _when,
    _when_short,
    collect,
    result_words,
)
from coach.ui.history.progress import ProgressTab
from coach.ui.history.reports import ReportsTab
from coach.ui.theme import palette

log = logging.getLogger(__name__)


class HistoryPage(ProgressTab, ReportsTab):
    """The history and progress screen. Works with an empty history and without one.

    Attributes (for tests and the router)
    ----------
    data : HistoryData
        The numbers shown, from the last refresh.
    charts : dict[str, QChart]
        The current charts by name: adherence, pain, exercise, rom, posture.
    check_card : NextMorningCard or None
    now_fn : callable returning an aware datetime ("now" for the next-morning check).
    """

    #: The Sessions table's columns ("Result": how the session ended, see :func:`result_words`).
    COLUMNS = ("Date", "Routine", "Time", "Pain before", "Pain after", "Result")

    EMPTY_TEXT = (
        "No sessions yet. When you finish your first session it appears here, "
        "with your pain ratings and how each exercise went."
    )

    def __init__(self, ctx: AppContext, *, now_fn: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.now_fn = now_fn or (lambda: datetime.now(timezone.utc))
        self.data = HistoryData()
        self.charts: dict[str, QChart] = {}
        self.check_card: NextMorningCard | None = None
        self.answered_check = False
        self.last_output: Path | None = None
        self.routine = self._load_routine()
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        if ctx.history is None:
            self._build_unavailable()
            return
        self.check_holder = QVBoxLayout()
        self.outer.addLayout(self.check_holder)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sessions(), "Sessions")
        self.tabs.addTab(self._build_progress(), "Progress")
        self.tabs.addTab(self._build_reports(), "Reports")
        self.outer.addWidget(self.tabs, 1)
        self.refresh()

    # -- building -------------------------------------------------------------------------

    def _build_unavailable(self) -> None:
        c, cl = _card()
        t = QLabel("Your history is not available")
        t.setProperty("role", "title")
        m = QLabel(
            "coach could not open your exercise history, so there is nothing to show here and "
            "sessions are not being saved. Your exercises still work. Restarting coach usually "
            "fixes this; if it does not, the log file says why."
        )
        m.setWordWrap(True)
        cl.addWidget(t)
        cl.addWidget(m)
        self.outer.addWidget(c)
        self.outer.addStretch(1)
        self.unavailable_label = m

    def _build_sessions(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.sessions_empty = QLabel(self.EMPTY_TEXT)
        self.sessions_empty.setWordWrap(True)
        self.sessions_empty.setProperty("role", "subtitle")
        lay.addWidget(self.sessions_empty)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        # Every column fits its words; the routine name takes what is left (elided, and in full
        # in the detail), so the Result words stay readable with large text at 1366x768.
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(self.COLUMNS.index("Routine"), QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(40)
        self.table.itemSelectionChanged.connect(self._show_selected)
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        self.sessions_split = split
        lay.addWidget(split, 1)
        return w

    # -- data -------------------------------------------------------------------------------

    def _load_routine(self) -> Any:
        path = self.ctx.settings.routine_path
        if not path:
            return None
        try:
            from coach.routines.routine import parse_routine
            from coach.routines.yamlio import FileProblems, read_text

            try:
                routine, _ = parse_routine(read_text(path), str(path))
            except FileProblems:
                return None
            return routine
        # The routine is optional on this page: a bug in the routine code must not cost the patient
        # their history screen (it is logged), so this catch-all stays.
        except Exception as exc:  # noqa: BLE001
            log.warning("routine not used on the history page: %s", exc)
            return None

    def _names(self) -> dict[str, str]:
        names = {k: e.name for k, e in self.ctx.catalogue.exercises.items()}
        names |= {f"program:{k}": pr.name for k, pr in self.ctx.catalogue.programs.items()}
        if self.routine is not None:
            for _loc, _block, item in self.routine.items():
                if item.custom is not None:
                    names[item.custom.id] = item.custom.name
        return names

    def name(self, exercise_id: str) -> str:
        return self.data.names.get(exercise_id, exercise_id.replace("_", " ").capitalize())

    def refresh(self, keep_check: bool = False) -> None:
        """Re-read the history and rebuild the tables and charts (on open and on return)."""
        hist = self.ctx.history
        if hist is None:
            return
        today = self.now_fn().astimezone().date()
        self.sessions_empty.setText(self.EMPTY_TEXT)
        try:
            from coach.routines.today import todays_schedule

            self.schedule = todays_schedule(self.routine, self.ctx.catalogue)
            self.data = collect(
                hist, today, routine=self.routine, names=self._names(), schedule=self.schedule
            )
        # A damaged database (or routine): show what we can, calmly, and the error on the page.
        except Exception as exc:  # noqa: BLE001
            log.warning("history could not be read: %s", exc)
            self.data = HistoryData(names=self._names())
            self.sessions_empty.setText(f"Your history could not be read ({exc}).")
        if not keep_check:
            self._update_check()
        self._fill_sessions()
        self._build_charts()

    def _update_check(self) -> None:
        if self.check_card is not None:
            self.check_card.setParent(None)
            self.check_card.deleteLater()
            self.check_card = None
        hist = self.ctx.history
        if hist is None:
            return
        try:
            pending = hist.pending_next_morning_check(self.now_fn())
        except (
            sqlite3.Error,
            HistoryError,
            ValueError,
            TypeError,
        ) as exc:  # never block the page on the check
            log.warning("next-morning check unavailable: %s", exc)
            pending = None
        if pending is not None:
            self.check_card = NextMorningCard(self, pending)
            self.check_holder.addWidget(self.check_card)

    # -- sessions tab -----------------------------------------------------------------------

    def _fill_sessions(self) -> None:
        rows = list(reversed(self.data.sessions))  # newest first
        self.sessions_empty.setVisible(not rows)
        self.sessions_split.setVisible(bool(rows))
        p = palette(self.ctx.settings.high_contrast)
        self.table.setRowCount(len(rows))
        today = self.now_fn().astimezone().date()
        for i, s in enumerate(rows):
            cells = [
                _when_short(s.started_at, today),
                s.routine,
                _dur(s.duration_s),
                _n(s.pain_before),
                _n(s.pain_after),
                result_words(s.status, s.stop_reason),
            ]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                if j == 0:
                    it.setData(Qt.ItemDataRole.UserRole, s.id)
                    it.setToolTip(_when(s.started_at))
                if j == 1:
                    it.setToolTip(s.routine)
                if j in (3, 4):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if j == 4 and s.light:
                    # the traffic light colours the pain afterwards; its word is in the detail
                    colour = {"green": p.good, "amber": p.warn, "red": p.bad}.get(s.light, p.muted)
                    it.setForeground(QColor(colour))
                    it.setToolTip(
                        f"{_LIGHT_WORDS.get(s.light, s.light)}. Green: pain stayed low. Amber: "
                        "pain rose a little. Red: pain was too high or spread down the leg."
                    )
                if j == 5 and s.stop_reason and s.status != "completed":
                    it.setToolTip(s.stop_reason)
                self.table.setItem(i, j, it)
        if rows:
            self.table.selectRow(0)
        else:
            self.detail.clear()

    def _show_selected(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        first = self.table.item(items[0].row(), 0)
        if first is None:
            return
        sid = first.data(Qt.ItemDataRole.UserRole)
        self.detail.setHtml(self.session_html(sid))

    def session_html(self, session_id: str) -> str:
        """The detail of one session: pain, and per exercise reps, holds and faults."""
        hist = self.ctx.history
        s = next((x for x in self.data.sessions if x.id == session_id), None)
        if s is None or hist is None:
            return ""
        e = html.escape
        parts = [
            f"<h2>{e(_when(s.started_at))}</h2>",
            f"<p>{e(s.routine)} · {e(_dur(s.duration_s))} · {e(_STATUS_WORDS.get(s.status, s.status))}"
            + (f": {e(s.stop_reason)}" if s.stop_reason and s.status != "completed" else "")
            + "</p>",
            f"<p><b>Pain</b> before {e(_n(s.pain_before))}, after {e(_n(s.pain_after))}"
            + (f", next morning {e(_n(s.next_morning))}" if s.next_morning is not None else "")
            + "</p>",
        ]
        try:
            from coach.core.pain import classify_session

            pains = hist.pain_ratings(session_id)
            rules = getattr(getattr(self.routine, "safety", None), "pain_rules", None)
            reasons = classify_session(pains, rules).reasons if pains else ()
            if reasons:
                parts.append(
                    "<p>"
                    + e(_LIGHT_WORDS.get(s.light or "", "Result"))
                    + " because "
                    + e("; ".join(reasons))
                    + ".</p>"
                )
            results = hist.exercise_results(session_id)
        # damaged rows: show the rest
        except (sqlite3.Error, HistoryError, ValueError, TypeError) as exc:
            log.warning("session detail incomplete: %s", exc)
            results = []
        if not results:
            parts.append("<p>No exercises were recorded in this session.</p>")
        for er in results:
            parts.extend(self._exercise_html(hist, session_id, er))
        return "".join(parts)

    def _exercise_html(self, hist: History, session_id: str, er: ExerciseResultRow) -> list[str]:
        """One exercise of a session: holds, repetitions, range, faults with their cues, pain."""
        e = html.escape
        parts = [f"<h3>{e(self.name(er.exercise_id))}</h3><ul>"]
        holds = hist.holds(er.id)
        reps = hist.reps(er.id)
        n_reps = er.reps if er.reps is not None else len(reps)
        planned_n = er.reps_planned * (er.sets_planned or 1) if er.reps_planned else None
        if holds:
            secs = [h.seconds for h in holds]
            of = f" of {planned_n} planned" if planned_n and not n_reps else ""
            parts.append(
                f"<li>{_count(len(holds), 'hold')}{of}: "
                + ", ".join(f"{x:.0f} s" for x in secs)
                + "</li>"
            )
        if n_reps or (planned_n and not holds):
            planned = f" of {planned_n} planned" if planned_n else ""
            partial = f" ({er.partial_reps} not quite full)" if er.partial_reps else ""
            parts.append(f"<li>{_count(n_reps, 'repetition')}{planned}{partial}</li>")
        ranges = [r.range_deg for r in reps if r.range_deg is not None]
        if ranges:
            parts.append(
                f"<li>Range of movement about {sum(ranges) / len(ranges):.0f}° per repetition</li>"
            )
        faults = [f for f in hist.faults(er.id) if f.count > 0]
        if faults:
            for f in faults:
                cue = f" — {e(f.cue)}" if f.cue else ""
                parts.append(
                    f"<li>To work on: {e(f.fault_id.replace('_', ' '))} × {f.count}{cue}</li>"
                )
        elif n_reps or holds:
            parts.append("<li>No form faults noticed</li>")
        pain_after = [
            p.value for p in hist.pain_ratings(session_id) if p.exercise_result_id == er.id
        ]
        if pain_after:
            parts.append(f"<li>Pain afterwards {pain_after[-1]}/10</li>")
        parts.append("</ul>")
        return parts
