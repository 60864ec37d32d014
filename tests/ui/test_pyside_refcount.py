"""Guard for the PySide6 pin: some releases (6.12.0) drop a reference to None on every void
QPainter call, which crashes any app that paints for a while. If this fails, the installed
PySide6 has that bug: keep the pin in pyproject.toml."""

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_void_painter_calls_do_not_leak_none_references(qapp):
    img = QImage(64, 64, QImage.Format.Format_RGB888)
    qp = QPainter(img)
    before = sys.getrefcount(None)
    for _ in range(2000):
        qp.setPen(QPen(QColor("#2e8b57"), 2))
        qp.drawLine(QPointF(1.0, 2.0), QPointF(30.0, 40.0))
    after = sys.getrefcount(None)
    qp.end()
    assert after - before > -100, f"None lost {before - after} references in 4000 painter calls"
