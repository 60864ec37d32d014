"""The history screen's charts (Qt Charts), styled from the theme."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPen

from coach.reports.chart import session_labels
from coach.ui.theme import Palette

# ---------------------------------------------------------------------------------------------
# Charts


def _style_chart(chart: QChart, p: Palette, title: str, base_px: int) -> None:
    chart.setTitle(title)
    f = QFont()
    f.setPixelSize(int(base_px * 1.2))
    f.setBold(True)
    chart.setTitleFont(f)
    chart.setTitleBrush(QColor(p.text))
    chart.setBackgroundBrush(QColor(p.panel))
    chart.setBackgroundRoundness(10)
    chart.setMargins(QMargins(8, 8, 8, 8))
    legend = chart.legend()
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    lf = QFont()
    lf.setPixelSize(base_px)
    legend.setFont(lf)
    legend.setLabelColor(QColor(p.text))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)


def _style_axis(axis: Any, p: Palette, base_px: int, title: str = "") -> None:
    f = QFont()
    f.setPixelSize(base_px)
    axis.setLabelsFont(f)
    axis.setLabelsColor(QColor(p.text))
    axis.setGridLineColor(QColor(p.border))
    if title:
        tf = QFont()
        tf.setPixelSize(base_px)
        axis.setTitleFont(tf)
        axis.setTitleBrush(QColor(p.muted))
        axis.setTitleText(title)


def _msecs(t: datetime) -> float:
    """Milliseconds since the epoch (what QDateTimeAxis plots)."""
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp() * 1000.0


def session_axis_labels(times: Sequence[datetime]) -> list[str]:
    """One label per session, in time order: "12 Nov", and "12 Nov 09:14" / "12 Nov 17:40" for
    the sessions of a day with more than one, so same-day points say which session they are
    (:func:`coach.reports.chart.session_labels`, shared with the clinician report's chart)."""
    return session_labels(times)


def _session_axis(times: Sequence[datetime], p: Palette, base_px: int) -> QCategoryAxis:
    """The x axis of a line chart: one step per session, at most about 8 date labels."""
    labels = session_axis_labels(times)
    x = QCategoryAxis()
    x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    _style_axis(x, p, base_px, "session")
    # at most about 8 labels, so they never run into each other
    step = max(1, -(-len(times) // 8))
    for i in range(0, len(times), step):
        x.append(labels[i], float(i))
    x.setRange(-0.5, max(0.5, len(times) - 0.5))
    return x


def line_chart(
    title: str,
    lines: Sequence[tuple[str, Sequence[tuple[datetime, float]], str, bool]],
    p: Palette,
    base_px: int,
    *,
    y_title: str,
    y_range: tuple[float, float] | None = None,
    right: Sequence[tuple[str, Sequence[tuple[datetime, float]], str, bool]] = (),
    right_title: str = "",
) -> QChart:
    """Values per session: each line is (name, [(when, value)], colour, dashed); ``right`` lines
    use a second y axis.

    The x axis counts sessions in time order (one point per session, two sessions on one day are
    two points), labelled with their dates. Lines that share an axis are drawn a little apart
    sideways and with different markers, so one never hides another with the same values.
    """
    chart = QChart()
    _style_chart(chart, p, title, base_px)
    times = sorted({t for _, pts, _, _ in (*lines, *right) for t, _ in pts})
    index = {t: i for i, t in enumerate(times)}
    x = _session_axis(times, p, base_px)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    axes = [(lines, Qt.AlignmentFlag.AlignLeft, y_title)]
    if right:
        axes.append((right, Qt.AlignmentFlag.AlignRight, right_title))
    n_lines = len(lines) + len(right)
    k = 0
    shapes = (
        QScatterSeries.MarkerShape.MarkerShapeCircle,
        QScatterSeries.MarkerShape.MarkerShapeRectangle,
        QScatterSeries.MarkerShape.MarkerShapeTriangle,
    )
    for group, side, ytitle in axes:
        y = QValueAxis()
        _style_axis(y, p, base_px, ytitle)
        y.setLabelFormat("%g")
        chart.addAxis(y, side)
        values = [v for _, pts, _, _ in group for _, v in pts]
        if y_range is not None and side == Qt.AlignmentFlag.AlignLeft:
            # room for markers at 0 and 10, labels on whole steps only
            y.setRange(y_range[0] - 0.4, y_range[1] + 0.4)
            y.setTickType(QValueAxis.TickType.TicksDynamic)
            y.setTickAnchor(y_range[0])
            y.setTickInterval(max(1.0, (y_range[1] - y_range[0]) / 5))
        else:
            top = max(values) if values else 1.0
            y.setRange(0.0, max(1.0, top * 1.15))
            y.applyNiceNumbers()
        for name, pts, colour, dashed in group:
            offset = (k - (n_lines - 1) / 2) * 0.12 if n_lines > 1 else 0.0
            line = QLineSeries()
            line.setName(name)
            pen = QPen(QColor(colour))
            pen.setWidth(3)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            dots = QScatterSeries()
            dots.setMarkerShape(shapes[k % len(shapes)])
            dots.setMarkerSize(12.0)
            dots.setColor(QColor(colour))
            dots.setBorderColor(QColor(p.panel))
            for t, v in sorted(pts):
                line.append(index[t] + offset, float(v))
                dots.append(index[t] + offset, float(v))
            for series in (line, dots):
                chart.addSeries(series)
                series.attachAxis(x)
                series.attachAxis(y)
            chart.legend().markers(dots)[0].setVisible(False)  # one legend entry per line
            k += 1
    return chart


def bar_chart(
    title: str,
    categories: Sequence[str],
    sets: Sequence[tuple[str, Sequence[float], str]],
    p: Palette,
    base_px: int,
    *,
    y_title: str,
    stacked: bool = False,
) -> QChart:
    """Grouped (or stacked) bars: each set is (name, one value per category, colour)."""
    chart = QChart()
    _style_chart(chart, p, title, base_px)
    series = QStackedBarSeries() if stacked else QBarSeries()
    top = 0.0
    for name, values, colour in sets:
        bs = QBarSet(name)
        bs.setColor(QColor(colour))
        bs.setBorderColor(QColor(colour))
        for v in values:
            bs.append(float(v))
        series.append(bs)
        top = max(top, max(values, default=0.0))
    if stacked:
        top = max((sum(s[1][i] for s in sets) for i in range(len(categories))), default=0.0)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append(list(categories))
    _style_axis(x, p, base_px)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    y = QValueAxis()
    _style_axis(y, p, base_px, y_title)
    y.setLabelFormat("%g")
    y.setRange(0.0, max(1.0, top * 1.15))
    y.applyNiceNumbers()
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    return chart
