"""The clinician report's pain chart, drawn with ``QPainter`` into an image.

Before, after and next-morning pain per session on the 0-10 scale, over the green, amber and red
bands of the routine's pain rules; :mod:`coach.reports.pdf` embeds it in the report as the image
resource ``pain-chart``. Needs a running Qt application (:func:`coach.reports.document.ensure_gui_app`).

:func:`session_labels` (Qt-free) names each session on a chart's time axis; the history screen's
charts use it too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from coach.reports.data import PainPoint

__all__ = ["pain_chart", "session_labels"]


def session_labels(times: Sequence[datetime]) -> list[str]:
    """One label per session, in the order given, in local time: the date ("30 Nov"), and the
    time of day for every session of a day that has more than one ("30 Nov 09:14",
    "30 Nov 17:40"), so the labels say which session each point is. No two labels are the same
    (a chart's category axis needs that): sessions in the same minute add the seconds."""
    local = [t.astimezone() if t.tzinfo is not None else t for t in times]
    per_day = Counter(t.date() for t in local)
    out: list[str] = []
    seen: set[str] = set()
    for t in local:
        label = f"{t.day} {t:%b}"
        if per_day[t.date()] > 1:
            label += f" {t:%H:%M}"
            if label in seen:
                label += f":{t:%S}"
        base, n = label, 2
        while label in seen:  # the same second: cannot be told apart by time at all
            label, n = f"{base} #{n}", n + 1
        seen.add(label)
        out.append(label)
    return out


def pain_chart(
    points: list[PainPoint],
    width: int = 1600,
    height: int = 500,
    green_max: int = 3,
    amber_max: int = 5,
) -> Any:
    """The pain trend: before / after / next morning per session on the 0-10 scale, over the
    green (0-3), amber (4-5) and red (6-10) bands.

    It stays one function: a drawing read top to bottom (bands, grid, series, dates, legend)
    on one ``QPainter`` and one coordinate frame (``x``/``y``), which helpers would only pass
    around."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    left, right, top, bottom = 90, 40, 30, 90
    w, h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + h * (1 - v / 10.0)

    g, a = green_max + 0.5, amber_max + 0.5
    for lo, hi, color in ((0, g, "#e3f4e3"), (g, a, "#fdf1d6"), (a, 10, "#f8dede")):
        p.fillRect(QRectF(left, y(hi), w, y(lo) - y(hi)), QColor(color))
    font = QFont()
    font.setPixelSize(24)
    p.setFont(font)
    p.setPen(QPen(QColor("#888888"), 1))
    for v in range(0, 11, 2):
        p.drawLine(QPointF(left, y(v)), QPointF(left + w, y(v)))
        p.drawText(
            QRectF(0, y(v) - 15, left - 12, 30),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(v),
        )
    p.setPen(QPen(QColor("black"), 2))
    p.drawRect(QRectF(left, top, w, h))
    n = len(points)
    if n == 0:
        p.drawText(
            QRectF(left, top, w, h), Qt.AlignmentFlag.AlignCenter, "no pain ratings in this period"
        )
        p.end()
        return img

    def x(i: int) -> float:
        return left + (w * (i + 0.5) / n)

    series = (
        ("before", "#1f5fbf", Qt.PenStyle.DashLine),
        ("after", "#222222", Qt.PenStyle.SolidLine),
        ("next_morning", "#8a2be2", Qt.PenStyle.DotLine),
    )
    for attr, color, style in series:
        pen = QPen(QColor(color), 4)
        pen.setStyle(style)
        p.setPen(pen)
        prev: QPointF | None = None
        for i, pt in enumerate(points):
            v = getattr(pt, attr)
            if v is None:
                prev = None
                continue
            cur = QPointF(x(i), y(v))
            if prev is not None:
                p.drawLine(prev, cur)
            p.setBrush(QColor(color))
            p.drawEllipse(cur, 7, 7)
            prev = cur
    p.setPen(QPen(QColor("#333333"), 1))
    step = max(1, n // 8)
    labels = session_labels([pt.when for pt in points])  # two sessions on a day: with the time
    for i in range(0, n, step):
        p.drawText(
            QRectF(x(i) - 90, top + h + 8, 180, 30), Qt.AlignmentFlag.AlignHCenter, labels[i]
        )
    lx = left
    for label, color in (("before", "#1f5fbf"), ("after", "#222222"), ("next morning", "#8a2be2")):
        p.fillRect(QRectF(lx, height - 36, 26, 18), QColor(color))
        p.drawText(QRectF(lx + 34, height - 44, 220, 32), Qt.AlignmentFlag.AlignVCenter, label)
        lx += 260
    p.end()
    return img
