"""Scrolling the Settings page over a drop-down never changes the setting (walkthrough finding)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication


def _wheel(widget) -> None:
    pos = QPointF(widget.rect().center())
    ev = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, ev)


def test_a_wheel_over_an_unclicked_drop_down_scrolls_the_page(qtbot, window):
    win, ctx = window
    win.open_settings()
    page = win.current_page()
    before = page.model.currentIndex()
    _wheel(page.model)
    assert page.model.currentIndex() == before
    assert ctx.settings.model_variant == "full"
    page.model.setFocus()  # clicked first: the wheel works as usual
    qtbot.waitUntil(page.model.hasFocus, timeout=2000)
    _wheel(page.model)
    assert page.model.currentIndex() != before
