"""The posture monitor's status strip, used in the main window's status bar when the desktop has
no system tray (many Linux desktops, and headless tests): a coloured dot, one short status line
and the controls (:class:`PostureStatusWidget`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy

from coach.core.posture import PostureState
from coach.pipeline.desk_monitor import MonitorState
from coach.ui.posture.tray import SNOOZE_CHOICES
from coach.ui.theme import palette

if TYPE_CHECKING:
    from coach.ui.posture.controller import PostureMonitorController


class PostureStatusWidget(QFrame):
    """A one-line strip for the main window's status bar: a dot, one short status, and the
    controls (Calibrate, Pause, and a "More" menu with snooze, a video file and off).

    The status text never wraps and the label is never narrower than its text (no clipping);
    every status the controller sets is a short sentence, details go to the tooltip.
    """

    def __init__(self, controller: PostureMonitorController) -> None:
        super().__init__()
        self.controller = controller
        self.setObjectName("postureStrip")
        self.setAccessibleName("Posture monitor")
        self.setToolTip(
            "The posture monitor (there is no system tray on this desktop, so it lives here)."
        )
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 0, 8, 0)
        lay.setSpacing(8)
        self.dot = QLabel("●")
        self.dot.setAccessibleName("Posture state colour")
        self.text = QLabel("Posture monitor is off.")
        self.text.setWordWrap(False)
        self.text.setAccessibleName("Posture monitor status")
        self.text.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.dot)
        lay.addWidget(self.text)
        lay.addStretch(1)
        self.calib_btn = QPushButton("Calibrate")
        self.calib_btn.setToolTip(
            "Sit upright for 3 seconds so nudges compare with your own posture"
        )
        self.calib_btn.clicked.connect(lambda: controller.start_calibration())
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.clicked.connect(controller.toggle_pause)
        self.video_btn = QPushButton("Use a video…")
        self.video_btn.setToolTip("Try the monitor with a recorded video when there is no camera")
        self.video_btn.clicked.connect(controller.choose_video)
        self.more_btn = QPushButton("More")
        self.more_btn.setAccessibleName("More posture monitor options")
        menu = QMenu(self.more_btn)
        snooze = menu.addMenu("Snooze")
        for label, seconds in SNOOZE_CHOICES:
            act = QAction(label, snooze)
            act.triggered.connect(lambda _=False, sec=seconds: controller.snooze(sec))
            snooze.addAction(act)
        tomorrow = QAction("Until tomorrow", snooze)
        tomorrow.triggered.connect(controller.snooze_until_tomorrow)
        snooze.addAction(tomorrow)
        self.snooze_menu = snooze
        menu.addAction("Use a video file…", controller.choose_video)
        menu.addSeparator()
        menu.addAction("Turn the posture monitor off", lambda: controller.set_enabled(False))
        self.more_btn.setMenu(menu)
        for btn in (self.calib_btn, self.pause_btn, self.video_btn, self.more_btn):
            btn.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            lay.addWidget(btn)
        self.setVisible(False)

    def update_from(self, c: PostureMonitorController) -> None:
        p = palette(c.ctx.settings.high_contrast)
        st = c.state
        shown = c.shown_posture
        colour = p.muted
        if st == MonitorState.RUNNING and shown is not None and not c.other_person:
            colour = {PostureState.UPRIGHT: p.good}.get(
                shown,
                p.warn
                if shown in (PostureState.SLOUCHED, PostureState.FORWARD_HEAD, PostureState.LEANING)
                else p.muted,
            )
        elif st in (MonitorState.ERROR,):
            colour = p.bad
        self.dot.setStyleSheet(f"color: {colour};")
        self.text.setText(c.status_text)
        paused = st in (MonitorState.PAUSED, MonitorState.SNOOZED, MonitorState.SCREEN_LOCKED)
        self.pause_btn.setText("Resume" if paused else "Pause")
        running = st in (MonitorState.RUNNING, MonitorState.STARTING, MonitorState.CALIBRATING)
        self.pause_btn.setEnabled(running or paused)
        self.snooze_menu.setEnabled(running)
        self.calib_btn.setEnabled(st == MonitorState.RUNNING)
        # The first time (nothing calibrated yet) Calibrate is the thing to do: make it primary.
        want = "primary" if (st == MonitorState.RUNNING and not c.calibrated) else ""
        if self.calib_btn.property("role") != want:
            self.calib_btn.setProperty("role", want)
            self.calib_btn.style().unpolish(self.calib_btn)
            self.calib_btn.style().polish(self.calib_btn)
        self.video_btn.setVisible(st in (MonitorState.NO_CAMERA, MonitorState.ERROR))

    def show_nudge(self, text: str) -> None:
        """The full nudge goes to the tooltip; the strip shows a short line (see notify)."""
        self.text.setToolTip(text)
