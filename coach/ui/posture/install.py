"""Wiring the posture monitor into the main window (:func:`install`): the controller, the status
strip in the status bar when there is no tray, the camera released and the day saved when the
window closes or the app quits, and the camera handed to an exercise session while one runs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from coach.ui.posture.controller import PostureMonitorController


class _CloseWatcher(QObject):
    """Saves and releases the camera when the main window closes."""

    def __init__(self, controller: PostureMonitorController, parent: QObject) -> None:
        super().__init__(parent)
        self.controller = controller

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
        return False


class _BarFollowsStrip(QObject):
    """Shows the window's status bar only while the posture strip in it is shown: an empty bar
    would leave a blank band (about 50 px, more with large text) under every page."""

    def __init__(self, bar: Any, parent: QObject) -> None:
        super().__init__(parent)
        self.bar = bar

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self.bar.setVisible(kind == QEvent.Type.ShowToParent)
        return False


def _fit_to_screen(window: Any) -> None:
    """Keep the window (and so the status strip at its bottom) inside the available screen: a
    1280 x 800 default on a 1366 x 768 laptop would push the strip off the bottom."""
    screen = window.screen() if hasattr(window, "screen") else None
    if screen is None:
        return
    avail = screen.availableGeometry()
    frame_extra = max(0, window.frameGeometry().height() - window.geometry().height())
    w = min(window.width(), avail.width())
    h = min(window.height(), avail.height() - frame_extra)
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)


def install(main_window: Any) -> PostureMonitorController:
    """Give ``main_window`` a posture monitor.

    Adds ``main_window.posture_monitor`` (the controller) and
    ``main_window.set_posture_monitor(on: bool)`` (what the home screen's switch calls), puts
    the status strip in the window's status bar when there is no system tray, releases the
    camera and saves when the window closes or the app quits, and starts the monitor when
    ``settings.posture_monitor`` is on.
    """
    ctx = main_window.ctx
    controller = PostureMonitorController(ctx, main_window)
    main_window.posture_monitor = controller
    main_window.set_posture_monitor = controller.set_enabled
    if not controller.uses_tray:
        bar = main_window.statusBar()
        bar.addPermanentWidget(controller.widget, 1)
        bar.setSizeGripEnabled(False)
        controller.widget.installEventFilter(_BarFollowsStrip(bar, main_window))
        bar.setVisible(not controller.widget.isHidden())
        _fit_to_screen(main_window)
    stack = getattr(main_window, "stack", None)
    if stack is not None:
        from coach.ui.session_page import SessionPage

        def page_changed(_index: int) -> None:
            controller.session_active(isinstance(stack.currentWidget(), SessionPage))

        stack.currentChanged.connect(page_changed)
    main_window.installEventFilter(_CloseWatcher(controller, main_window))
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    if ctx.settings.posture_monitor:
        QTimer.singleShot(0, controller.start)
    return controller
