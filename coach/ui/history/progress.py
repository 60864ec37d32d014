"""The history screen's Progress tab: one large QtChart at a time, picked with a row of buttons.

:class:`ProgressTab` builds the tab and its charts — sessions done against planned per week, pain
before/after (and next morning), reps and holds and range of movement for the chosen exercise,
and posture minutes per day — from the page's :class:`~coach.ui.history.data.HistoryData`, with
a one-line summary under the buttons. It is a part of :class:`coach.ui.history.page.HistoryPage`
(which inherits it), kept apart so the page module stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from coach.ui.history.charts import bar_chart, line_chart
from coach.ui.history.data import POSTURE_STATES, HistoryData, _count, _dur, _n
from coach.ui.theme import Palette, base_px, palette

if TYPE_CHECKING:
    from coach.routines.today import TodaysSchedule
    from coach.ui.context import AppContext


class ProgressTab(QWidget):
    """The Progress tab of :class:`~coach.ui.history.page.HistoryPage` (a base of the page)."""

    CHARTS = (
        ("adherence", "Sessions per week"),
        ("pain", "Pain"),
        ("exercise", "Reps and holds"),
        ("rom", "Range of movement"),
        ("posture", "Posture at the desk"),
    )
    # Set by the page before the tab is built.
    ctx: AppContext
    data: HistoryData
    charts: dict[str, QChart]
    schedule: TodaysSchedule | None

    if TYPE_CHECKING:

        def name(self, exercise_id: str) -> str: ...

    def _build_progress(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        row = QHBoxLayout()
        self.chart_buttons = QButtonGroup(self)
        for i, (_key, label) in enumerate(self.CHARTS):
            b = QPushButton(label)
            b.setCheckable(True)
            b.setProperty("checked_fill", True)  # the chosen chart is filled (coach.ui.theme)
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
        """Rebuild every chart from ``self.data`` (on each refresh, never per frame)."""
        self._adherence_chart()
        self._pain_chart()
        self._refill_exercises()
        self._build_exercise_charts()
        self._posture_chart()
        self.show_chart(max(0, self.chart_buttons.checkedId()))

    def _adherence_chart(self) -> None:
        p, base = self._pal()
        d = self.data
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

    def _pain_chart(self) -> None:
        p, base = self._pal()
        d = self.data
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

    def _refill_exercises(self) -> None:
        """The exercise choice lists the exercises done; the choice is kept across refreshes."""
        d = self.data
        current = self.exercise_combo.currentData()
        self.exercise_combo.blockSignals(True)
        self.exercise_combo.clear()
        for ex_id in sorted(d.exercises, key=self.name):
            self.exercise_combo.addItem(self.name(ex_id), ex_id)
        idx = self.exercise_combo.findData(current)
        self.exercise_combo.setCurrentIndex(idx if idx >= 0 else 0)
        self.exercise_combo.blockSignals(False)

    def _posture_chart(self) -> None:
        p, base = self._pal()
        days = self.data.posture
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
