"""The background posture monitor in the app: camera at a few frames a second, gentle nudges.

:class:`PostureMonitorController` owns everything the desk monitor needs outside the scoring
core (:class:`coach.core.posture.PostureMonitor`):

* **Sampling**: the Qt-free :class:`coach.pipeline.sampled.SampledPipeline` (shared with
  ``coach bench-monitor`` and the tests) samples the camera adaptively — rarely while the person
  sits still in one posture, faster when something changes — grabs without decoding between
  samples, and releases the camera by itself when nobody has been at the desk for a few minutes
  or another program wants it. This controller only starts, stops and renders it. A video file
  (for trying the monitor without a camera) is played in real time and sampled the same way.
* **The camera is released** — the worker stopped and the source closed — while paused,
  snoozed (15 min, 1 h, until tomorrow), or while the screen is locked or the computer
  sleeps, and reopened afterwards. What can be detected: Qt's
  ``QGuiApplication.applicationStateChanged`` reports *Suspended* on platforms that suspend
  apps (used); ``screenRemoved`` tells a monitor was unplugged (used: the camera is re-opened
  afterwards, since a camera in the monitor goes with it); screen lock and system sleep are not
  Qt signals — on Linux they come over D-Bus (``org.freedesktop.ScreenSaver.ActiveChanged``
  on the session bus, ``org.freedesktop.login1.Manager.PrepareForSleep`` on the system bus,
  both used when a bus is there); everywhere, a jump of the wall clock between two ticks of
  the UI timer (the process was frozen by a sleep) restarts the camera. On Windows and macOS
  without D-Bus a *locked* screen is not detected; the monitor then sees "nobody there" and
  records it as away time, not posture.
* **Not tracking** is shown as such: nobody in front of the camera ("away"), a person not yet
  confirmed or without head and shoulders in view ("not tracking"), and — after a calibration —
  a head size that differs a lot from the calibrated one, which means someone else is in front
  of the camera (or the user moved much closer or farther): no nudges then. A single-person
  pose model cannot tell people apart, so this is a heuristic, and says so.
* **Calibration**: a short guided step (sit upright for 3 s) gives the upright baseline
  (:func:`coach.core.posture.calibrate`), stored per profile in
  ``settings.profiles[...].posture_baseline`` (:func:`baseline_to_settings`).
* **Nudges** (DOMAIN §3.4, decided by PostureMonitor: 60 s persistence, at most one per issue
  per 10 min) go to desktop notifications (``QSystemTrayIcon.showMessage``) or, without a
  tray, to the main window's banner and the status strip.
* **History**: the day's seconds per posture state, breaks and nudges are added to
  :meth:`History.add_posture_time` every few minutes and whenever the camera is released.

Tray or not: with ``QSystemTrayIcon.isSystemTrayAvailable()`` the monitor lives in the system
tray (icon, tooltip, menu); otherwise (many Linux desktops, and headless tests) a small status
strip in the main window's status bar carries the same controls, and says there is no tray.
"""

from __future__ import annotations

import logging
import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSystemTrayIcon,
)

from coach.core.landmarks import Landmark, PoseFrame
from coach.core.posture import (
    CalibrationError,
    MonitorConfig,
    PostureBaseline,
    PostureMonitor,
    PostureProfile,
    PostureState,
    PostureStatus,
    baseline_problem,
    calibrate,
)
from coach.pipeline.sampled import (
    SampledEventKind,
    SampledPipeline,
    SampledReader,
    SampledState,
    SamplingPolicy,
    monitor_config,
)
from coach.ui.context import AppContext
from coach.ui.theme import palette

log = logging.getLogger(__name__)

#: The day's totals go to the history this often (and whenever the camera is released).
FLUSH_EVERY_S = 300.0
#: UI refresh of the status (independent of the sampling rate).
TICK_MS = 500
#: A gap between UI ticks longer than this means the computer slept: restart the camera.
SLEEP_GAP_S = 30.0
#: Head size relative to the calibrated one outside this band: someone else, or a new set-up.
OTHER_PERSON_BAND = (0.6, 1.65)
CALIBRATION_S = 3.0
#: A posture verdict must hold this long before the status strip shows it (no flicker).
DISPLAY_DWELL_S = 2.0
#: Shorter side of the camera mode asked for (CameraSource(smallest_for=...)).
CAMERA_MIN_SIDE = 360
SNOOZE_CHOICES = (("15 minutes", 15 * 60.0), ("1 hour", 3600.0))
_ALERT_QUEUE = 16

_STATE_WORDS = {
    PostureState.UPRIGHT: "Sitting well",
    PostureState.SLOUCHED: "Leaning forward",
    PostureState.FORWARD_HEAD: "Head drifting forward",
    PostureState.LEANING: "Leaning to one side or back",
    PostureState.AWAY: "Nobody at the desk — not tracking",
    PostureState.NOT_TRACKING: "Can't see your head and shoulders — not tracking",
}


class MonitorState(str, Enum):
    """What the controller is doing (not the posture: see ``latest.state``)."""

    OFF = "off"
    STARTING = "starting"
    RUNNING = "running"
    CALIBRATING = "calibrating"
    PAUSED = "paused"
    SNOOZED = "snoozed"
    SCREEN_LOCKED = "screen_locked"
    NO_CAMERA = "no_camera"
    ERROR = "error"


# ---------------------------------------------------------------------------------------------
# Baseline <-> settings (Profile.posture_baseline is a dict of floats)


def baseline_to_settings(b: PostureBaseline, head_scale: float | None = None) -> dict[str, float]:
    """Encode a baseline for ``Profile.posture_baseline`` (floats only; NaN fields left out)."""
    out: dict[str, float] = {"view_front": 1.0 if b.view == "front" else 0.0,
                             "frames": float(b.frames), "seconds": float(b.seconds)}
    for k, v in b.to_dict().items():
        if k in ("view", "source", "frames", "seconds") or v is None:
            continue
        out[k] = float(v)
    if head_scale is not None and math.isfinite(head_scale):
        out["head_scale"] = float(head_scale)
    return out


def baseline_from_settings(d: dict[str, float] | None) -> tuple[PostureBaseline | None, float | None]:
    """Decode :func:`baseline_to_settings`; (None, None) when absent or unreadable."""
    if not d:
        return None, None
    try:
        kw: dict[str, Any] = {k: float(v) for k, v in d.items() if k not in ("view_front", "frames", "head_scale")}
        kw["frames"] = int(d.get("frames", 0))
        b = PostureBaseline(view="front" if d.get("view_front", 0.0) >= 0.5 else "side", **kw)
    except (TypeError, ValueError) as exc:
        log.warning("stored posture baseline ignored: %s", exc)
        return None, None
    hs = d.get("head_scale")
    return b, (float(hs) if hs is not None else None)


def head_scale(pose: PoseFrame) -> float:
    """Nose to shoulder-midpoint distance over the image height: the apparent head size.

    Only used to notice a different person or set-up against the calibration (never for
    posture thresholds, which are scale-free).
    """
    px = pose.pixels()
    vis = pose.image[:, 3]
    n, ls, rs = int(Landmark.NOSE), int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
    if min(vis[n], vis[ls], vis[rs]) < 0.5 or pose.height <= 0:
        return math.nan
    mid = (px[ls, :2] + px[rs, :2]) / 2.0
    return float(np.hypot(*(px[n, :2] - mid)) / pose.height)


# ---------------------------------------------------------------------------------------------
# The controller


class PostureMonitorController(QObject):
    """Runs the background posture monitor; see the module docstring.

    Parameters
    ----------
    ctx
        The app context (settings, history, nav for the banner fallback).
    parent
        Owner QObject (the main window).
    estimator_factory
        Builds the pose estimator on the worker thread; default MediaPipe with the settings'
        model.
    use_tray
        Force the tray on/off; default: ``QSystemTrayIcon.isSystemTrayAvailable()``.

    Signals
    -------
    state_changed(str)
        The controller state (:class:`MonitorState` value) changed.
    status_text_changed(str)
        The one-line status for people changed.
    nudged(str)
        A posture nudge was shown (its text).
    calibration_finished(bool, str)
        Success and a message for the user.
    """

    state_changed = Signal(str)
    status_text_changed = Signal(str)
    nudged = Signal(str)
    calibration_finished = Signal(bool, str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *,
                 estimator_factory: Callable[[], Any] | None = None, use_tray: bool | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.estimator_factory = estimator_factory or self._default_estimator
        self.video_path: str | None = None
        self.state = MonitorState.OFF
        self.status_text = "Posture monitor is off."
        self.latest: PostureStatus | None = None
        self.other_person = False
        self.pipeline: SampledPipeline | None = None
        self._pending_reader: SampledReader | None = None
        self._monitor: PostureMonitor | None = None
        self._lock = threading.Lock()
        self._alerts: deque[str] = deque(maxlen=_ALERT_QUEUE)
        self._error: str | None = None
        self._scales: deque[float] = deque(maxlen=10)
        self._calib: list[PoseFrame | None] | None = None
        self._calib_until = 0.0
        self._calib_scales: list[float] = []
        self._snooze_until: datetime | None = None
        self._flushed: dict[str, Any] = {}
        self._day = date.today()
        self._last_flush = time.monotonic()
        self._last_tick = time.monotonic()
        self._locked = False
        self._paused_for_session = False
        self._calibrated_scale: float | None = None
        self._hold_text_until = 0.0  # keep a calibration message readable for a few seconds
        self._shown_state: PostureState | None = None
        self._candidate: PostureState | None = None
        self._candidate_since = 0.0
        self.frames_seen = 0
        self.nudges_shown = 0
        self.uses_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.tray: QSystemTrayIcon | None = None
        self.widget = PostureStatusWidget(self)
        if self.uses_tray:
            self._make_tray()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._watch_session()

    # -- set-up ----------------------------------------------------------------------------

    def _default_estimator(self) -> Any:
        from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

        s = self.ctx.settings
        return MediaPipeEstimator(EstimatorOptions(variant=s.model_variant, model_path=s.model_path, live=False))

    def _watch_session(self) -> None:
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._app_state)
            app.screenRemoved.connect(lambda _s: self._restart_if_running("a screen was disconnected"))
        self._dbus = _SessionWatcher(self)
        self._dbus.locked.connect(self.screen_locked)

    def _make_tray(self) -> None:
        self.tray = QSystemTrayIcon(self._icon(None), self)
        menu = QMenu()
        self._tray_status = menu.addAction("Posture monitor")
        self._tray_status.setEnabled(False)
        menu.addSeparator()
        self._tray_pause = menu.addAction("Pause", self.toggle_pause)
        snooze = menu.addMenu("Snooze")
        for label, seconds in SNOOZE_CHOICES:
            snooze.addAction(label, lambda s=seconds: self.snooze(s))
        snooze.addAction("Until tomorrow", self.snooze_until_tomorrow)
        menu.addAction("Calibrate: sit upright for 3 seconds", self.start_calibration)
        menu.addAction("Use a video file…", self.choose_video)
        menu.addSeparator()
        menu.addAction("Turn the posture monitor off", lambda: self.set_enabled(False))
        self._tray_menu = menu  # keep a reference: the tray does not own it
        self.tray.setContextMenu(menu)
        self.tray.setToolTip("coach posture monitor")

    def _icon(self, posture: PostureState | None) -> QIcon:
        p = palette(False)
        colour = {PostureState.UPRIGHT: p.good, PostureState.SLOUCHED: p.warn, PostureState.FORWARD_HEAD: p.warn,
                  PostureState.LEANING: p.warn}.get(posture, p.muted) if posture is not None else p.muted
        pm = QPixmap(32, 32)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(colour))
        painter.setPen(QColor(p.text))
        painter.drawEllipse(3, 3, 26, 26)
        painter.end()
        return QIcon(pm)

    # -- public control ---------------------------------------------------------------------

    @property
    def tracking(self) -> bool:
        """The pipeline is running (it may have released the camera while nobody is there)."""
        return self.pipeline is not None and self.pipeline.alive

    @property
    def reader(self) -> SampledReader | None:
        """The open source, or None while released."""
        return self.pipeline.reader if self.pipeline is not None else None

    @property
    def source_open(self) -> bool:
        return self.reader is not None

    @property
    def frames(self) -> int:
        """Frames looked at (model inferences) since the last start."""
        return self.pipeline.stats().inferences if self.pipeline is not None else 0

    def set_enabled(self, on: bool) -> None:
        """The home screen's switch: start or stop (and remember it in the settings)."""
        if self.ctx.settings.posture_monitor != on:
            self.ctx.settings.posture_monitor = on
            self.ctx.save()
        if on:
            self._snooze_until = None
            self.start()
        else:
            self.stop()

    def set_video(self, path: str | Path | None) -> None:
        """Watch a video file instead of the camera (for trying the monitor without one)."""
        self.video_path = str(path) if path else None
        if self.state not in (MonitorState.OFF, MonitorState.PAUSED, MonitorState.SNOOZED):
            self._release()
            self.start()

    def choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(None, "Open a video to test the posture monitor", str(Path.home()),
                                              "Videos (*.mp4 *.avi *.mov *.mkv *.webm)")
        if path:
            self.set_video(path)

    def start(self) -> None:
        """Open the camera (or the video file) and start sampling."""
        if self.tracking:
            return
        self._error = None
        self._timer.start()
        self._last_tick = time.monotonic()
        if self.uses_tray and self.tray is not None:
            self.tray.show()
        self.widget.setVisible(not self.uses_tray)
        reader = self._open_reader()
        if reader is None:
            return
        profile = self._posture_profile()
        policy = self.sampling_policy()
        with self._lock:
            self._monitor = PostureMonitor(profile, monitor_config(policy, MonitorConfig()))
            self._flushed = {"seconds": {}, "breaks": 0, "alerts": 0}
            self._scales.clear()
            self.latest = None
            self.other_person = False
            self._shown_state = None
        self.pipeline = SampledPipeline(self._make_reader, self.estimator_factory, self._on_frame, policy,
                                        camera_busy=self._camera_busy_check(), reader=reader)
        self.pipeline.start()
        self._set_state(MonitorState.STARTING, "Starting the posture monitor…")

    def sampling_policy(self) -> SamplingPolicy:
        """Adaptive sampling; the settings' rate is the fast rate (when something changes)."""
        hz = max(0.5, float(self.ctx.settings.posture_rate_hz))
        return SamplingPolicy(fast_s=min(1.0 / hz, SamplingPolicy().slow_s))

    def stop(self) -> None:
        """Release the camera, save the day's totals and switch off."""
        self._release()
        self._snooze_until = None
        self._timer.stop()
        if self.tray is not None:
            self.tray.hide()
        self.widget.setVisible(False)
        self._set_state(MonitorState.OFF, "Posture monitor is off.")

    def pause(self) -> None:
        """Release the camera until :meth:`resume`."""
        if self.state in (MonitorState.OFF, MonitorState.NO_CAMERA):
            return
        self._release()
        self._set_state(MonitorState.PAUSED, "Paused — the camera is off.")

    def resume(self) -> None:
        """Reopen the camera after a pause, a snooze or a lock."""
        self._snooze_until = None
        self._locked = False
        self.start()

    def toggle_pause(self) -> None:
        if self.state in (MonitorState.PAUSED, MonitorState.SNOOZED):
            self.resume()
        else:
            self.pause()

    def snooze(self, seconds: float) -> None:
        """No camera and no nudges for ``seconds``; then it starts again by itself."""
        self.snooze_until(datetime.now().astimezone() + timedelta(seconds=seconds))

    def snooze_until_tomorrow(self) -> None:
        """Until tomorrow morning (06:00 local time)."""
        tomorrow = datetime.now().astimezone().date() + timedelta(days=1)
        self.snooze_until(datetime.combine(tomorrow, datetime.min.time()).astimezone().replace(hour=6))

    def snooze_until(self, when: datetime) -> None:
        if self.state == MonitorState.OFF:
            return
        self._release()
        self._snooze_until = when
        self._timer.start()  # the tick wakes it up, robust to sleeps that delay timers
        self._set_state(MonitorState.SNOOZED, f"Snoozed until {when.strftime('%H:%M')}"
                        + ("" if when.date() == datetime.now().date() else " tomorrow") + " — the camera is off.")

    def session_active(self, active: bool) -> None:
        """An exercise session needs the camera: release it for the session, take it back after."""
        if active and self.state in (MonitorState.RUNNING, MonitorState.STARTING, MonitorState.CALIBRATING):
            self._release()
            self._paused_for_session = True
            self._set_state(MonitorState.PAUSED, "Paused during your exercise session")
        elif not active and self._paused_for_session:
            self._paused_for_session = False
            if self.state == MonitorState.PAUSED:
                self.start()

    def screen_locked(self, locked: bool) -> None:
        """The screen was locked (release the camera) or unlocked (reopen it if it was on)."""
        if locked and self.state in (MonitorState.RUNNING, MonitorState.STARTING, MonitorState.CALIBRATING):
            self._release()
            self._locked = True
            self._set_state(MonitorState.SCREEN_LOCKED, "Screen locked — the camera is off.")
        elif not locked and self._locked:
            self._locked = False
            self.start()

    def start_calibration(self, seconds: float = CALIBRATION_S) -> None:
        """Guided step: sit upright and still for ``seconds``; the baseline is saved to the
        active profile."""
        if not self.tracking:
            self.calibration_finished.emit(False, "Turn the posture monitor on first.")
            return
        with self._lock:
            self._calib = []
            self._calib_scales = []
            self._calib_until = time.monotonic() + seconds
        if self.pipeline is not None:
            self.pipeline.hold_fast(seconds + 1.0)  # many frames for the medians
        self._set_state(MonitorState.CALIBRATING, f"Calibrating: sit upright and still for {seconds:.0f} s…")

    def flush_history(self) -> dict[str, float] | None:
        """Add the time since the last flush to the history; returns the seconds added."""
        hist = self.ctx.history
        with self._lock:
            mon = self._monitor
            if mon is None:
                return None
            rec = mon.record
            seconds = dict(rec.seconds)
            breaks = rec.breaks
            alerts = sum(rec.alerts.values())
        prev = self._flushed
        delta = {k: v - prev["seconds"].get(k, 0.0) for k, v in seconds.items()
                 if k != PostureState.AWAY.value and v - prev["seconds"].get(k, 0.0) > 0.05}
        d_breaks = breaks - prev["breaks"]
        d_alerts = alerts - prev["alerts"]
        self._flushed = {"seconds": seconds, "breaks": breaks, "alerts": alerts}
        self._last_flush = time.monotonic()
        if hist is None or not (delta or d_breaks or d_alerts):
            return delta
        day = self._day
        try:
            hist.add_posture_time(day, delta, breaks=d_breaks, alerts=d_alerts)
        except Exception as exc:  # a history problem never stops the monitor
            log.warning("posture time not saved: %s", exc)
        today = date.today()
        if today != day:
            self._day = today
        return delta

    def shutdown(self) -> None:
        """App exit: release everything and save (no thread is left running)."""
        self._release()
        self._timer.stop()
        if self.tray is not None:
            self.tray.hide()

    # -- internals --------------------------------------------------------------------------

    def _posture_profile(self) -> PostureProfile:
        p = self.ctx.settings.profile()
        baseline, scale = baseline_from_settings(p.posture_baseline)
        self._calibrated_scale = scale
        return PostureProfile(name=p.name, baseline=baseline, sensitivity=p.posture_sensitivity)

    def _make_reader(self) -> SampledReader:
        """Open the camera or the video file (any thread); raises SourceError."""
        from coach.capture.sources import CameraSource, VideoFileSource

        if self.video_path:
            max_side = self.ctx.settings.processing_max_side or 640
            return SampledReader(VideoFileSource(self.video_path, max_side=max_side), loop=True)
        cam = self.ctx.settings.profile().camera
        # The smallest mode that still gives the model a sharp 256-px crop of a seated person
        # (head and trunk fill about two thirds of the picture at a desk).
        return SampledReader(CameraSource(int(cam) if str(cam).isdigit() else cam, smallest_for=CAMERA_MIN_SIDE))

    def _camera_busy_check(self) -> Callable[[], bool] | None:
        """Linux: another process holding our camera's device means it wants the camera."""
        if self.video_path:
            return None
        from coach.capture.sources import camera_users

        cam = self.ctx.settings.profile().camera
        if not str(cam).isdigit():
            return None
        index = int(cam)
        return lambda: bool(camera_users(index))

    def _open_reader(self) -> SampledReader | None:
        from coach.capture.base import SourceError
        from coach.capture.sources import list_cameras

        try:
            if not self.video_path and not list_cameras():
                self._set_state(MonitorState.NO_CAMERA, "No camera found. Connect one, or try a video.")
                return None
            return self._make_reader()
        except SourceError as exc:
            state = MonitorState.NO_CAMERA if not self.video_path else MonitorState.ERROR
            self._set_state(state, "The camera could not be opened. Try a video.")
            self.widget.setToolTip(str(exc))
            return None

    def _release(self) -> None:
        """Stop the worker and close the source (the camera light goes off); save totals."""
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            pipeline.stop()  # closes the source and the model on its own thread
        self.flush_history()
        with self._lock:
            self._calib = None

    def _restart_if_running(self, why: str) -> None:
        if self.tracking:
            log.info("posture monitor: restarting the camera (%s)", why)
            self._release()
            self.start()

    @Slot(Qt.ApplicationState)
    def _app_state(self, st: Qt.ApplicationState) -> None:
        # Inactive/Hidden happen whenever another program has the focus: a tray monitor keeps
        # watching then. Suspended (the platform froze the app) releases the camera.
        if st == Qt.ApplicationState.ApplicationSuspended:
            self.screen_locked(True)
        elif st == Qt.ApplicationState.ApplicationActive and self._locked:
            self.screen_locked(False)

    def _on_frame(self, pose: PoseFrame | None, frame: Any) -> PostureStatus | None:
        """Pipeline thread: step the monitor; keep the newest status and any nudge."""
        with self._lock:
            mon = self._monitor
            if mon is None:
                return None
            status = mon.update(pose, frame.timestamp)
            scale = head_scale(pose) if pose is not None else math.nan
            if self._calib is not None:
                self._calib.append(pose)
                if scale == scale:
                    self._calib_scales.append(scale)
            elif scale == scale and status.state not in (PostureState.AWAY, PostureState.NOT_TRACKING):
                self._scales.append(scale)
            ref = getattr(self, "_calibrated_scale", None)
            other = False
            if ref and len(self._scales) >= 5:
                ratio = statistics.median(self._scales) / ref
                other = not (OTHER_PERSON_BAND[0] <= ratio <= OTHER_PERSON_BAND[1])
            if status.state is PostureState.AWAY:
                self._scales.clear()
            self.other_person = other
            self.latest = status
            if status.alert is not None and not other and self._calib is None:
                self._alerts.append(status.alert.message)
            return status

    def _tick(self) -> None:
        """UI thread, twice a second: show the status, deliver nudges, flush, wake from snooze."""
        now = time.monotonic()
        gap = now - self._last_tick
        self._last_tick = now
        if gap > SLEEP_GAP_S and self.tracking:
            self._restart_if_running(f"the computer slept for {gap:.0f} s")
            return
        if self.state == MonitorState.SNOOZED:
            if self._snooze_until is not None and datetime.now().astimezone() >= self._snooze_until:
                self.resume()
            return
        pipe = self.pipeline
        err = None
        if pipe is not None:
            for ev in pipe.events():
                if ev.kind is SampledEventKind.ERROR:
                    err = ev.message
                elif ev.kind is SampledEventKind.SOURCE_ENDED:
                    err = "The video has ended."
        with self._lock:
            alerts = list(self._alerts)
            self._alerts.clear()
            latest = self.latest
            other = self.other_person
            calib_done = self._calib is not None and now >= self._calib_until
        if err is not None:
            self._release()
            self._set_state(MonitorState.ERROR, err if len(err) <= 60 else "The monitor stopped (details in the tooltip)")
            self.widget.setToolTip(err)
            return
        if calib_done:
            self._finish_calibration()
        for text in alerts:
            self.notify(text)
        if self.state == MonitorState.STARTING and pipe is not None:
            if pipe.ready.is_set() and latest is not None:
                self._set_state(MonitorState.RUNNING, self.status_text)
            elif not pipe.ready.is_set():
                self._set_text("Loading the pose model…")
        if self.state == MonitorState.RUNNING and now >= self._hold_text_until:
            self._set_text(self._running_text(latest, other, pipe, now))
            if self.tray is not None:
                self.tray.setIcon(self._icon(self.shown_posture if not other else None))
        if now - self._last_flush >= FLUSH_EVERY_S or date.today() != self._day:
            self.flush_history()
            if date.today() != self._day:
                self._day = date.today()

    @property
    def calibrated(self) -> bool:
        """A baseline is stored for the active profile."""
        return bool(self.ctx.settings.profile().posture_baseline)

    @property
    def shown_posture(self) -> PostureState | None:
        """The posture the strip shows: the monitor's, once it has held ``DISPLAY_DWELL_S``."""
        return self._shown_state

    def _running_text(self, latest: PostureStatus | None, other: bool, pipe: SampledPipeline | None,
                      now: float) -> str:
        """One short, stable sentence for the strip (the details go to the tooltip)."""
        if pipe is not None and pipe.state is SampledState.AWAY_RELEASED:
            return "Nobody at the desk — camera off, checking each minute"
        if pipe is not None and pipe.state is SampledState.CAMERA_BUSY:
            return "Another program is using the camera — waiting"
        if latest is None:
            return "Looking for you…"
        if other:
            return "Someone else in view? Not tracking"
        # Display dwell: a verdict must hold a few seconds before the strip changes, so it
        # never flickers between two words (nudges need 60 s anyway).
        if latest.state is not self._candidate:
            self._candidate, self._candidate_since = latest.state, now
        if self._shown_state is None or now - self._candidate_since >= DISPLAY_DWELL_S:
            self._shown_state = self._candidate
        state = self._shown_state or latest.state
        mon = self._monitor
        if mon is not None and mon.baseline_rejected and state not in (PostureState.AWAY, PostureState.NOT_TRACKING):
            return "Calibration looked slumped: sit tall, press Calibrate"
        if not self.calibrated and state not in (PostureState.AWAY, PostureState.NOT_TRACKING):
            return "Not calibrated yet: sit upright, then press Calibrate"
        return _STATE_WORDS.get(state, state.value)

    def _finish_calibration(self) -> None:
        with self._lock:
            poses, self._calib = self._calib or [], None
            scales = list(self._calib_scales)
        try:
            baseline = calibrate(poses, source="guided")
        except CalibrationError as exc:
            msg = "Calibration failed: sit so the camera sees your head and shoulders"
            self._hold_text_until = time.monotonic() + 8.0
            self._set_state(MonitorState.RUNNING, msg)
            self.widget.setToolTip(f"{exc}.")
            self.calibration_finished.emit(False, f"{exc}. Sit so the camera sees your head and shoulders, then try again.")
            return
        problem = baseline_problem(baseline)
        if problem is not None:
            # A slumped baseline would make slumping the norm: ask again instead of storing it.
            msg = "That looked slumped — sit tall and calibrate again"
            self._hold_text_until = time.monotonic() + 8.0
            self._set_state(MonitorState.RUNNING, msg)
            self.widget.setToolTip(problem)
            self.calibration_finished.emit(False, f"Not saved: {problem}. Sit upright and calibrate again.")
            return
        scale = statistics.median(scales) if scales else None
        prof = self.ctx.settings.profile()
        prof.posture_baseline = baseline_to_settings(baseline, scale)
        # Profile is a plain pydantic model inside the list: re-assign the list so the
        # settings validate the change, then save.
        self.ctx.settings.profiles = list(self.ctx.settings.profiles)
        self.ctx.save()
        self._calibrated_scale = scale
        with self._lock:
            if self._monitor is not None:
                self._monitor.set_profile(PostureProfile(prof.name, baseline, prof.posture_sensitivity))
        msg = "Calibrated — nudges now compare with your posture"
        self._hold_text_until = time.monotonic() + 8.0
        self._set_state(MonitorState.RUNNING, msg)
        self.widget.setToolTip(f"Your upright posture ({baseline.view} view, {baseline.frames} frames) is saved "
                               f"for the '{prof.name}' set-up.")
        self.calibration_finished.emit(True, f"Calibrated: your upright posture ({baseline.view} view, "
                                       f"{baseline.frames} frames) is saved for the '{prof.name}' set-up.")

    def notify(self, text: str) -> None:
        """A nudge: a desktop notification from the tray, else the main window's banner."""
        self.nudges_shown += 1
        if self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage("coach", text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        else:
            banner = getattr(self.ctx.nav, "show_banner", None)
            if callable(banner):
                banner(text)
            self.widget.show_nudge(text)
            self._hold_text_until = time.monotonic() + 10.0
            self._set_text("Time to change position (see the message above)")
        self.nudged.emit(text)

    def _set_state(self, state: MonitorState, text: str) -> None:
        changed = state != self.state
        self.state = state
        self._set_text(text)
        if changed:
            self.state_changed.emit(state.value)

    def _set_text(self, text: str) -> None:
        if text == self.status_text:
            return
        self.status_text = text
        self.widget.update_from(self)
        if self.tray is not None:
            self.tray.setToolTip(f"coach posture monitor: {text}")
            self._tray_status.setText(text if len(text) < 60 else text[:57] + "…")
            self._tray_pause.setText("Resume" if self.state in (MonitorState.PAUSED, MonitorState.SNOOZED) else "Pause")
        self.status_text_changed.emit(text)


class _SessionWatcher(QObject):
    """Screen lock and system sleep over D-Bus (Linux desktops); silent where there is no bus."""

    locked = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connected: list[str] = []
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for service, path, iface in (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
                                         ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver")):
                if session.connect(service, path, iface, "ActiveChanged", self, SLOT("_screensaver(bool)")):
                    self.connected.append(iface)
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect("org.freedesktop.login1", "/org/freedesktop/login1",
                                                   "org.freedesktop.login1.Manager", "PrepareForSleep", self,
                                                   SLOT("_sleep(bool)")):
            self.connected.append("login1")

    @Slot(bool)
    def _screensaver(self, active: bool) -> None:
        self.locked.emit(bool(active))

    @Slot(bool)
    def _sleep(self, going: bool) -> None:
        self.locked.emit(bool(going))


# ---------------------------------------------------------------------------------------------
# The status strip (used when there is no system tray)


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
        self.setToolTip("The posture monitor (there is no system tray on this desktop, so it lives here).")
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
        self.calib_btn.setToolTip("Sit upright for 3 seconds so nudges compare with your own posture")
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
            colour = {PostureState.UPRIGHT: p.good}.get(shown, p.warn if shown in (
                PostureState.SLOUCHED, PostureState.FORWARD_HEAD, PostureState.LEANING) else p.muted)
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


# ---------------------------------------------------------------------------------------------
# Wiring into the main window


class _CloseWatcher(QObject):
    """Saves and releases the camera when the main window closes."""

    def __init__(self, controller: PostureMonitorController, parent: QObject) -> None:
        super().__init__(parent)
        self.controller = controller

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
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
        main_window.statusBar().addPermanentWidget(controller.widget, 1)
        main_window.statusBar().setSizeGripEnabled(False)
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


__all__ = [
    "MonitorState",
    "PostureMonitorController",
    "PostureStatusWidget",
    "SampledReader",
    "baseline_from_settings",
    "baseline_to_settings",
    "head_scale",
    "install",
]
