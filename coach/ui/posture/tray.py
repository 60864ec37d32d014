"""The posture monitor in the system tray: its coloured dot icon and its menu (status, pause,
snooze, calibrate, a video file, off). Used by
:class:`coach.ui.posture.controller.PostureMonitorController` when the desktop has a tray; the
status strip (:mod:`coach.ui.posture.strip`) offers the same controls otherwise.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu

from coach.core.posture import PostureState
from coach.ui.theme import palette

if TYPE_CHECKING:
    from coach.ui.posture.controller import PostureMonitorController

#: The snooze menu's fixed choices (label, seconds); "Until tomorrow" comes after them.
SNOOZE_CHOICES = (("15 minutes", 15 * 60.0), ("1 hour", 3600.0))


def posture_icon(posture: PostureState | None) -> QIcon:
    """A 32 px dot: green sitting well, amber for a posture to change, grey otherwise."""
    p = palette(False)
    colour = (
        {
            PostureState.UPRIGHT: p.good,
            PostureState.SLOUCHED: p.warn,
            PostureState.FORWARD_HEAD: p.warn,
            PostureState.LEANING: p.warn,
        }.get(posture, p.muted)
        if posture is not None
        else p.muted
    )
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor(p.text))
    painter.drawEllipse(3, 3, 26, 26)
    painter.end()
    return QIcon(pm)


def tray_menu(c: PostureMonitorController) -> tuple[QMenu, QAction, QAction]:
    """The tray's context menu for controller ``c``: (menu, the status line, the pause item).

    The caller keeps a reference to the menu: the tray does not own it."""
    menu = QMenu()
    status = menu.addAction("Posture monitor")
    status.setEnabled(False)
    menu.addSeparator()
    pause = menu.addAction("Pause", c.toggle_pause)
    snooze = menu.addMenu("Snooze")
    for label, seconds in SNOOZE_CHOICES:
        snooze.addAction(label, partial(c.snooze, seconds))
    snooze.addAction("Until tomorrow", c.snooze_until_tomorrow)
    menu.addAction("Calibrate: sit upright for 3 seconds", c.start_calibration)
    menu.addAction("Use a video file…", c.choose_video)
    menu.addSeparator()
    menu.addAction("Turn the posture monitor off", lambda: c.set_enabled(False))
    return menu, status, pause
