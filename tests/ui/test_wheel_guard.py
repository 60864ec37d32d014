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


def test_a_wheel_over_a_drop_down_never_changes_it(qtbot, window):
    win, ctx = window
    win.open_settings()
    page = win.current_page()
    before = page.model.currentIndex()
    _wheel(page.model)
    assert page.model.currentIndex() == before
    assert ctx.settings.model_variant == "full"
    page.model.setFocus()  # even after a click (the walkthrough: an exercise changed on scroll)
    qtbot.waitUntil(page.model.hasFocus, timeout=2000)
    _wheel(page.model)
    assert page.model.currentIndex() == before


def test_a_wheel_changes_a_number_box_only_once_clicked(qtbot, window):
    from PySide6.QtWidgets import QScrollArea, QSpinBox

    area = QScrollArea()  # the guard is installed app-wide by the window
    box = QSpinBox()
    box.setRange(0, 50)
    box.setValue(10)
    area.setWidget(box)
    qtbot.addWidget(area)
    area.show()
    before = box.text()
    _wheel(box)
    assert box.text() == before
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    _wheel(box)
    assert box.text() != before
