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
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QChart,
    QChartView,
)
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.ui.context import AppContext
from coach.ui.history.cards import (
    NextMorningCard,
    _card,
    checked_css,
)
from coach.ui.history.charts import (
    bar_chart,
    line_chart,
)
from coach.ui.history.data import (
    _LIGHT_WORDS,
    _STATUS_WORDS,
    POSTURE_STATES,
    HistoryData,
    _count,
    _dur,
    _local,
    _n,
    _when,
    collect,
)
from coach.ui.theme import Palette, base_px, palette

log = logging.getLogger(__name__)


class HistoryPage(QWidget):
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

    EMPTY_TEXT = (
        "No sessions yet. When you finish your first session it appears here, "
        "with your pain ratings and how each exercise went."
    )
    CHARTS = (
        ("adherence", "Sessions per week"),
        ("pain", "Pain"),
        ("exercise", "Reps and holds"),
        ("rom", "Range of movement"),
        ("posture", "Posture at the desk"),
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
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["Date", "Routine", "Time", "Pain before", "Pain after", "Result"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.sessions_split = split
        lay.addWidget(split, 1)
        return w

    def _build_progress(self) -> QWidget:
        w = QWidget()
        w.setStyleSheet(checked_css(palette(self.ctx.settings.high_contrast)))
        lay = QVBoxLayout(w)
        row = QHBoxLayout()
        self.chart_buttons = QButtonGroup(self)
        for i, (_key, label) in enumerate(self.CHARTS):
            b = QPushButton(label)
            b.setCheckable(True)
            self.chart_buttons.addButton(b, i)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        ex_row = QHBoxLayout()
        self.exercise_label = QLabel("Exercise:")
        self.exercise_combo = QComboBox()
        self.exercise_combo.setMinimumWidth(260)
        self.exercise_combo.currentIndexChanged.connect(lambda _i: self._build_exercise_charts())
        ex_row.addWidget(self.exercise_label)
        ex_row.addWidget(self.exercise_combo)
        ex_row.addStretch(1)
        lay.addLayout(ex_row)
        self.chart_summary = QLabel("")
        self.chart_summary.setWordWrap(True)
        self.chart_summary.setProperty("role", "subtitle")
        lay.addWidget(self.chart_summary)
        self.chart_stack = QStackedWidget()
        self.chart_views: dict[str, QChartView] = {}
        for key, _label in self.CHARTS:
            v = QChartView()
            v.setRenderHint(QPainter.RenderHint.Antialiasing)
            v.setMinimumHeight(320)
            self.chart_views[key] = v
            self.chart_stack.addWidget(v)
        lay.addWidget(self.chart_stack, 1)
        self.chart_buttons.idClicked.connect(self.show_chart)
        self.chart_buttons.button(0).setChecked(True)
        self._summaries: dict[str, str] = {}
        return w

    def _build_reports(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        c, cl = _card()
        head = QLabel("Reports and exports")
        head.setProperty("role", "heading")
        cl.addWidget(head)
        intro = QLabel(
            "Choose the dates to include, then make a PDF report for your physiotherapist or "
            "export the results for another program."
        )
        intro.setWordWrap(True)
        cl.addWidget(intro)
        grid = QGridLayout()
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-29))
        self.date_to = QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("d MMM yyyy")
            d.setMinimumWidth(170)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("optional, e.g. J. Doe")
        self.patient.setMinimumWidth(300)
        if self.routine is not None and getattr(self.routine, "patient", None) is not None:
            self.patient.setText(self.routine.patient.display_name)
        grid.addWidget(QLabel("From"), 0, 0)
        grid.addWidget(self.date_from, 0, 1)
        grid.addWidget(QLabel("To"), 0, 2)
        grid.addWidget(self.date_to, 0, 3)
        grid.addWidget(QLabel("Patient name on the report"), 1, 0, 1, 2)
        grid.addWidget(self.patient, 1, 2, 1, 2)
        grid.setColumnStretch(4, 1)
        cl.addLayout(grid)
        row = QHBoxLayout()
        self.report_btn = QPushButton("Make clinician report (PDF)")
        self.report_btn.setProperty("role", "primary")
        self.report_btn.clicked.connect(self.make_report)
        self.csv_btn = QPushButton("Export CSV")
        self.csv_btn.clicked.connect(self.export_csv)
        self.fhir_btn = QPushButton("Export FHIR")
        self.fhir_btn.setToolTip("An HL7 FHIR Bundle (JSON) for clinical systems")
        self.fhir_btn.clicked.connect(self.export_fhir)
        self.import_btn = QPushButton("Import results file…")
        self.import_btn.setToolTip(
            "View a results file (coach JSON or FHIR Bundle) from another computer"
        )
        self.import_btn.clicked.connect(self.import_file)
        for b in (self.report_btn, self.csv_btn, self.fhir_btn, self.import_btn):
            row.addWidget(b)
        row.addStretch(1)
        cl.addLayout(row)
        self.report_status = QLabel("")
        self.report_status.setWordWrap(True)
        self.report_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        cl.addWidget(self.report_status)
        lay.addWidget(c)
        self.imported = QTextBrowser()
        self.imported.setPlaceholderText("An imported results file is shown here.")
        lay.addWidget(self.imported, 1)
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
        except Exception as exc:  # the history must open even if the routine code breaks
            log.warning("routine not used on the history page: %s", exc)
            return None

    def _names(self) -> dict[str, str]:
        names = {k: e.name for k, e in self.ctx.catalogue.exercises.items()}
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
        except Exception as exc:  # a damaged database: show what we can, calmly
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
        try:
            pending = self.ctx.history.pending_next_morning_check(self.now_fn())
        except Exception as exc:  # never block the page on the check
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
        for i, s in enumerate(rows):
            light = _LIGHT_WORDS.get(s.light or "", "Not rated")
            if s.status in ("stopped_early", "interrupted"):
                light += f" ({_STATUS_WORDS[s.status].lower()})"
            cells = [
                _when(s.started_at),
                s.routine,
                _dur(s.duration_s),
                _n(s.pain_before),
                _n(s.pain_after),
                f"● {light}",
            ]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                if j == 0:
                    it.setData(Qt.ItemDataRole.UserRole, s.id)
                if j in (3, 4):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if j == 5:
                    colour = {"green": p.good, "amber": p.warn, "red": p.bad}.get(
                        s.light or "", p.muted
                    )
                    it.setForeground(QColor(colour))
                    it.setToolTip(
                        "Green: pain stayed low. Amber: pain rose a little. Red: pain was too high "
                        "or spread down the leg."
                    )
                self.table.setItem(i, j, it)
        if rows:
            self.table.selectRow(0)
        else:
            self.detail.clear()

    def _show_selected(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        sid = self.table.item(items[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        self.detail.setHtml(self.session_html(sid))

    def session_html(self, session_id: str) -> str:
        """The detail of one session: pain, and per exercise reps, holds and faults."""
        hist = self.ctx.history
        s = next((x for x in self.data.sessions if x.id == session_id), None)
        if s is None:
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
        except Exception as exc:  # damaged rows: show the rest
            log.warning("session detail incomplete: %s", exc)
            results = []
        if not results:
            parts.append("<p>No exercises were recorded in this session.</p>")
        for er in results:
            parts.append(f"<h3>{e(self.name(er.exercise_id))}</h3><ul>")
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
        return "".join(parts)

    # -- progress tab -----------------------------------------------------------------------

    def show_chart(self, index: int) -> None:
        key = self.CHARTS[index][0]
        self.chart_stack.setCurrentIndex(index)
        btn = self.chart_buttons.button(index)
        if not btn.isChecked():
            btn.setChecked(True)
        per_exercise = key in ("exercise", "rom")
        self.exercise_label.setVisible(per_exercise)
        self.exercise_combo.setVisible(per_exercise)
        self.chart_summary.setText(self._summaries.get(key, ""))

    def _set_chart(self, key: str, chart: QChart, summary: str) -> None:
        old = self.charts.get(key)
        self.chart_views[key].setChart(chart)
        if old is not None:
            old.deleteLater()
        self.charts[key] = chart
        self._summaries[key] = summary

    def _pal(self) -> tuple[Palette, int]:
        return palette(self.ctx.settings.high_contrast), base_px(self.ctx.settings.large_text)

    def _build_charts(self) -> None:
        p, base = self._pal()
        d = self.data
        # adherence
        cats = [w.start.strftime("%d %b").lstrip("0") for w in d.weeks]
        sets: list[tuple[str, Sequence[float], str]] = [
            ("Sessions done", [w.done for w in d.weeks], p.accent)
        ]
        has_plan = any(w.planned is not None for w in d.weeks)
        if has_plan:
            sets.append(
                (
                    "Planned",
                    [w.planned or 0 for w in d.weeks],
                    p.border if not self.ctx.settings.high_contrast else p.muted,
                )
            )
        chart = bar_chart(
            "Sessions done per week (weeks starting Monday)",
            cats,
            sets,
            p,
            base,
            y_title="sessions",
        )
        if d.weeks:
            cur = d.weeks[-1]
            if cur.planned is not None:
                summary = f"This week: {cur.done} of {cur.planned} planned sessions done."
            else:
                summary = f"This week: {cur.done} session{'s' if cur.done != 1 else ''} done."
            words = getattr(getattr(self, "schedule", None), "words", "")
            if words:
                summary += f" Your plan: {words[0].lower() + words[1:]}."
            if not has_plan:
                summary += " (No schedule is set, so planned sessions are not shown.)"
        else:
            summary = ""
        self._set_chart("adherence", chart, summary)
        # pain
        ps = d.pain_sessions
        lines = [
            (
                "Before the session",
                [(s.started_at, s.pain_before) for s in ps if s.pain_before is not None],
                p.accent,
                False,
            ),
            (
                "After the session",
                [(s.started_at, s.pain_after) for s in ps if s.pain_after is not None],
                p.warn if p.warn != p.accent else p.good,
                False,
            ),
        ]
        morning = [(s.started_at, s.next_morning) for s in ps if s.next_morning is not None]
        if morning:
            lines.append(("Next morning", morning, p.muted, True))
        chart = line_chart(
            "Pain (0 = none, 10 = worst)", lines, p, base, y_title="pain 0–10", y_range=(0, 10)
        )
        if ps:
            last = ps[-1]
            summary = (
                f"Last session: pain {_n(last.pain_before)} before and {_n(last.pain_after)} after."
            )
            if last.pain_after is not None and last.pain_after >= 6:
                summary += " That is high: take it easier next time and tell your physiotherapist."
        else:
            summary = (
                "No pain ratings yet."
                if d.sessions
                else "No sessions yet: your pain ratings will be drawn here."
            )
        self._set_chart("pain", chart, summary)
        # per exercise: keep the choice across refreshes
        current = self.exercise_combo.currentData()
        self.exercise_combo.blockSignals(True)
        self.exercise_combo.clear()
        for ex_id in sorted(d.exercises, key=self.name):
            self.exercise_combo.addItem(self.name(ex_id), ex_id)
        idx = self.exercise_combo.findData(current)
        self.exercise_combo.setCurrentIndex(idx if idx >= 0 else 0)
        self.exercise_combo.blockSignals(False)
        self._build_exercise_charts()
        # posture
        days = d.posture
        cats = [x.day.strftime("%a %d").replace(" 0", " ") for x in days]
        # calm colours: amber shades for the two forward postures, grey for leaning; no alarm red
        colours = (p.good, p.warn, QColor(p.warn).lighter(135).name(), p.muted)
        psets: list[tuple[str, Sequence[float], str]] = []
        for (key, label), colour in zip(POSTURE_STATES, colours):
            psets.append((label, [round(x.seconds.get(key, 0.0) / 60.0, 1) for x in days], colour))
        chart = bar_chart(
            "Posture at the desk: minutes per day",
            cats,
            psets,
            p,
            base,
            y_title="minutes",
            stacked=True,
        )
        if days:
            last = days[-1]
            good = last.seconds.get("upright", 0.0)
            seen = sum(last.seconds.get(k, 0.0) for k, _ in POSTURE_STATES)
            summary = (
                f"{last.day.strftime('%A')}: sitting well for {_dur(good)} of {_dur(seen)} watched; "
                f"{last.breaks} break{'s' if last.breaks != 1 else ''}, {last.alerts} nudge{'s' if last.alerts != 1 else ''}."
            )
        else:
            summary = "The posture monitor has not recorded anything in the last two weeks."
        self._set_chart("posture", chart, summary)
        self.show_chart(max(0, self.chart_buttons.checkedId()))

    def _build_exercise_charts(self) -> None:
        p, base = self._pal()
        ex_id = self.exercise_combo.currentData()
        points = self.data.exercises.get(ex_id, []) if ex_id else []
        name = self.name(ex_id) if ex_id else "an exercise"
        reps = [(x.when, float(x.reps)) for x in points if x.reps]
        holds = [(x.when, float(x.hold_s_mean)) for x in points if x.hold_s_mean is not None]
        if reps and holds:
            chart = line_chart(
                f"{name}: repetitions and hold time per session",
                [("Repetitions", reps, p.accent, False)],
                p,
                base,
                y_title="repetitions",
                right=[("Average hold (s)", holds, p.warn if p.warn != p.accent else p.good, True)],
                right_title="seconds",
            )
        elif holds:
            chart = line_chart(
                f"{name}: average hold time per session",
                [("Average hold (s)", holds, p.accent, False)],
                p,
                base,
                y_title="seconds",
            )
        else:
            chart = line_chart(
                f"{name}: repetitions per session",
                [("Repetitions", reps, p.accent, False)],
                p,
                base,
                y_title="repetitions",
            )
        if points:
            last = points[-1]
            bits = []
            if last.reps:
                bits.append(_count(last.reps, "repetition"))
            if last.holds:
                bits.append(f"{_count(last.holds, 'hold')} of {last.hold_s_mean:.0f} s on average")
            summary = f"{name}, last time: " + (" and ".join(bits) if bits else "not done") + "."
        else:
            summary = "Do a session to see how each exercise goes over time."
        self._set_chart("exercise", chart, summary)
        rom = [(x.when, float(x.range_mean)) for x in points if x.range_mean is not None]
        chart = line_chart(
            f"{name}: range of movement (average per repetition)",
            [("Range (°)", rom, p.accent, False)],
            p,
            base,
            y_title="degrees",
        )
        if len(rom) >= 2:
            delta = rom[-1][1] - rom[0][1]
            summary = (
                f"{name}: about {rom[-1][1]:.0f}° per repetition last time, "
                f"{abs(delta):.0f}° {'more' if delta >= 0 else 'less'} than the first time."
            )
        elif rom:
            summary = (
                f"{name}: about {rom[0][1]:.0f}° per repetition. More sessions will show a trend."
            )
        else:
            summary = "Range of movement is measured for exercises counted in repetitions."
        self._set_chart("rom", chart, summary)
        key = self.CHARTS[max(0, self.chart_buttons.checkedId())][0]
        if key in ("exercise", "rom"):
            self.chart_summary.setText(self._summaries[key])

    # -- reports tab ------------------------------------------------------------------------

    def _range(self) -> tuple[date, date] | None:
        a = self.date_from.date().toPython()
        b = self.date_to.date().toPython()
        if b < a:
            self.report_status.setText("The 'To' date is before the 'From' date; please swap them.")
            return None
        return a, b

    def _say(self, text: str) -> None:
        self.report_status.setText(text)

    def make_report(self) -> None:
        """Ask where to save, then write the clinician PDF for the chosen dates."""
        rng = self._range()
        if rng is None:
            return
        default = str(Path.home() / f"coach-report-{rng[0]}-to-{rng[1]}.pdf")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the clinician report", default, "PDF files (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        from coach.reports.pdf import write_report

        try:
            d = write_report(
                self.ctx.history,
                path,
                rng[0],
                rng[1],
                routine=self.routine,
                patient=self.patient.text().strip() or None,
            )
        except Exception as exc:  # disk full, no permission, a Qt print problem: say so
            log.warning("report failed: %s", exc)
            self._say(f"The report could not be made: {exc}")
            return
        self.last_output = Path(path)
        self._say(f"Saved the report ({d.sessions_done} completed session(s)) as {path}.")

    def export_csv(self) -> None:
        """Ask for a folder, then write the CSV files for the chosen dates."""
        rng = self._range()
        if rng is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a folder for the CSV files", str(Path.home())
        )
        if not folder:
            return
        from coach.reports.csv import export_csv

        try:
            files = export_csv(self.ctx.history, folder, rng[0], rng[1])
        except Exception as exc:  # disk problems: say so
            log.warning("CSV export failed: %s", exc)
            self._say(f"The CSV export failed: {exc}")
            return
        self.last_output = Path(folder)
        self._say(f"Saved {len(files)} CSV file(s) in {folder}.")

    def export_fhir(self) -> None:
        """Ask where to save, then write a FHIR Bundle (JSON) for the chosen dates."""
        rng = self._range()
        if rng is None:
            return
        default = str(Path.home() / f"coach-fhir-{rng[0]}-to-{rng[1]}.json")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the FHIR Bundle", default, "JSON files (*.json)"
        )
        if not path:
            return
        from coach.reports.fhir import export_fhir

        try:
            export_fhir(
                self.ctx.history,
                path,
                rng[0],
                rng[1],
                patient_name=self.patient.text().strip() or None,
            )
        except Exception as exc:  # disk problems, an invalid resource: say so
            log.warning("FHIR export failed: %s", exc)
            self._say(f"The FHIR export failed: {exc}")
            return
        self.last_output = Path(path)
        self._say(f"Saved the FHIR Bundle as {path}.")

    def import_file(self) -> None:
        """Open a results JSON or FHIR Bundle and show it (it is not added to your history)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a results file", str(Path.home()), "Results (*.json)"
        )
        if not path:
            return
        self.show_imported(path)

    def show_imported(self, path: str | Path) -> None:
        from coach.reports.importer import ResultsFileError, import_results

        try:
            imp = import_results(path)
        except ResultsFileError as exc:
            self._say(str(exc))
            self.imported.clear()
            return
        e = html.escape
        kind = "FHIR Bundle" if imp.kind == "fhir" else "coach results file"
        parts = [
            f"<h2>{e(Path(path).name)}</h2><p>A {kind} with {len(imp.sessions)} session(s). "
            "It is shown here only; it is not added to your history.</p>"
        ]
        for s in imp.sessions:
            start = _local(s.start)
            light = _LIGHT_WORDS.get(s.classification or "", "not rated")
            parts.append(
                f"<h3>{e(_when(start))} — {e(_STATUS_WORDS.get(s.status, s.status))}, {e(light)}</h3>"
            )
            parts.append(
                f"<p>Pain before {e(_n(s.pain.pre))}, after {e(_n(s.pain.post))}"
                + (
                    f", next morning {e(_n(s.pain.next_morning))}"
                    if s.pain.next_morning is not None
                    else ""
                )
                + "</p><ul>"
            )
            for it in s.items:
                bits = []
                if it.reps_counted:
                    bits.append(f"{it.reps_counted} repetitions")
                if it.holds:
                    bits.append(f"{it.holds} holds, {it.hold_s_total:.0f} s in all")
                faults = ", ".join(
                    f"{k.replace('_', ' ')} × {v.count}" for k, v in it.faults.items() if v.count
                )
                if faults:
                    bits.append(f"faults: {faults}")
                parts.append(
                    f"<li><b>{e(self.name(it.exercise))}</b>: {e('; '.join(bits) or 'no counts')}</li>"
                )
            parts.append("</ul>")
        self.imported.setHtml("".join(parts))
        self._say(f"Opened {path}.")
