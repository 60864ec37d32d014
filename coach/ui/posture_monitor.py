"""The background posture monitor in the app: camera at a few frames a second, gentle nudges.

:class:`PostureMonitorController` owns everything the desk monitor needs outside the scoring
core (:class:`coach.core.posture.PostureMonitor`):

* **Sampling at a low rate.** One worker thread reads a frame every ``1 / posture_rate_hz``
  seconds (default 5 Hz, DOMAIN §3.4), runs the pose model on it and steps the monitor. A
  camera is simply read at that pace; a video file (for testing without a camera) is played
  in real time and sampled at that pace (:class:`SampledReader` skips frames by media time).
  The session pipeline (:mod:`coach.pipeline`) is not used here: its presence gate bridges
  gaps of 0.1 s, tuned for 30 fps video, and would reject every detection at 5 Hz;
  PostureMonitor has its own gate tuned for the sampling rate (``presence_gap_s``).
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
    QSystemTrayIcon,
)

from coach.core.landmarks import Landmark, PoseFrame
from coach.core.posture import (
    ISSUE_LABELS,
    CalibrationError,
    MonitorConfig,
    PostureBaseline,
    PostureMonitor,
    PostureProfile,
    PostureState,
    PostureStatus,
    calibrate,
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
# Reading at a low rate


class SampledReader:
    """A frame source read at the monitor's pace, stamping frames with the monotonic clock.

    A camera is read once per call. A video file is played in real time from the first call
    and each call returns the frame due *now* (frames in between are decoded and skipped), looping
    at the end when ``loop``. Timestamps are ``time.monotonic()`` for both, so the monitor
    clock runs on through pauses and reopened files.
    """

    def __init__(self, source: Any, loop: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.loop = loop
        self.clock = clock
        self.name = str(getattr(source, "name", "source"))
        self.is_live = bool(getattr(source, "is_live", False))
        self.ended = False
        self.loops = 0
        self._wall0: float | None = None
        self._media0: float | None = None
        self._id = 0

    def read(self) -> Any:
        """The frame due now, or None (camera hiccup, or the end of a non-looping file)."""
        from coach.capture.base import Frame

        now = self.clock()
        f = self.source.read() if self.is_live else self._due_file_frame(now)
        if f is None:
            return None
        self._id += 1
        return Frame(f.rgb, now, self._id, now)

    def _due_file_frame(self, now: float) -> Any:
        if self.ended:
            return None
        if self._wall0 is None:
            self._wall0 = now
        target = now - self._wall0
        while True:
            f = self.source.read()
            if f is None:
                if not self.loop or not hasattr(self.source, "seek"):
                    self.ended = True
                    return None
                self.source.seek(0)
                self.loops += 1
                self._wall0, self._media0, target = now, None, 0.0
                f = self.source.read()
                if f is None:
                    self.ended = True
                    return None
            if self._media0 is None:
                self._media0 = f.timestamp
            if f.timestamp - self._media0 >= target - 1e-6:
                return f

    def close(self) -> None:
        self.source.close()


class _Worker:
    """One thread: read a frame at the monitor's rate, find the pose, hand it to ``on_frame``.

    Stops cooperatively (an Event, a join with a time-out); the estimator is created and
    closed on this thread.
    """

    def __init__(self, reader: SampledReader, factory: Callable[[], Any], rate_hz: float,
                 on_frame: Callable[[PoseFrame | None, Any], None], on_error: Callable[[str], None]) -> None:
        self.reader = reader
        self.factory = factory
        self.period = 1.0 / max(0.1, rate_hz)
        self.on_frame = on_frame
        self.on_error = on_error
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.frames = 0
        self.errors = 0
        self.thread = threading.Thread(target=self._run, name="coach-posture", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        alive = self.thread.is_alive()
        if alive:
            log.warning("posture worker did not stop within %.1f s", timeout)
        return not alive

    def _run(self) -> None:
        from coach.pose.estimator import PoseError

        try:
            estimator = self.factory()
        except PoseError as exc:
            self.on_error(str(exc))
            self.ready.set()
            return
        except Exception as exc:  # a broken model install must not take the app down
            log.exception("pose model failed to load")
            self.on_error(f"The pose model could not be loaded: {exc}")
            self.ready.set()
            return
        self.ready.set()
        try:
            next_t = time.monotonic()
            while not self.stop_event.is_set():
                delay = next_t - time.monotonic()
                if delay > 0 and self.stop_event.wait(delay):
                    break
                next_t = max(next_t + self.period, time.monotonic())  # fall behind, never burst
                try:
                    frame = self.reader.read()
                except Exception as exc:  # a camera that dies mid-read: report, stop calmly
                    log.exception("posture capture failed")
                    self.on_error(f"The camera stopped working: {exc}")
                    return
                if frame is None:
                    if self.reader.ended:
                        self.on_error("The video has ended.")
                        return
                    continue
                try:
                    pose = estimator.detect(frame)
                except PoseError as exc:
                    self.errors += 1
                    log.warning("%s", exc)
                    pose = None
                self.frames += 1
                self.on_frame(pose, frame)
        finally:
            estimator.close()


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
        self.reader: SampledReader | None = None
        self._worker: _Worker | None = None
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
        self._calibrated_scale: float | None = None
        self._hold_text_until = 0.0  # keep a calibration message readable for a few seconds
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
        """The camera is open and the worker is sampling."""
        return self._worker is not None and self._worker.thread.is_alive()

    @property
    def source_open(self) -> bool:
        return self.reader is not None

    @property
    def frames(self) -> int:
        return self._worker.frames if self._worker is not None else 0

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
        self.reader = reader
        profile = self._posture_profile()
        s = self.ctx.settings
        with self._lock:
            self._monitor = PostureMonitor(profile, MonitorConfig(eval_hz=s.posture_rate_hz))
            self._flushed = {"seconds": {}, "breaks": 0, "alerts": 0}
            self._scales.clear()
            self.latest = None
            self.other_person = False
        self._worker = _Worker(reader, self.estimator_factory, s.posture_rate_hz, self._on_frame, self._on_error)
        self._worker.start()
        self._set_state(MonitorState.STARTING, "Starting the posture monitor…")

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
        self._set_state(MonitorState.CALIBRATING, f"Calibrating: sit upright and comfortable, look at your screen, "
                        f"and stay still for {seconds:.0f} seconds…")

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

    def _open_reader(self) -> SampledReader | None:
        from coach.capture.base import SourceError
        from coach.capture.sources import CameraSource, VideoFileSource, list_cameras

        max_side = self.ctx.settings.processing_max_side or 640
        try:
            if self.video_path:
                return SampledReader(VideoFileSource(self.video_path, max_side=max_side), loop=True)
            if not list_cameras():
                self._set_state(MonitorState.NO_CAMERA, "No camera was found, so the posture monitor cannot watch "
                                "yet. Connect a camera, or try it with a recorded video.")
                return None
            cam = self.ctx.settings.profile().camera
            return SampledReader(CameraSource(int(cam) if str(cam).isdigit() else cam, width=640, height=480))
        except SourceError as exc:
            state = MonitorState.NO_CAMERA if not self.video_path else MonitorState.ERROR
            self._set_state(state, f"{exc} You can try the monitor with a recorded video.")
            return None

    def _release(self) -> None:
        """Stop the worker and close the source (the camera light goes off); save totals."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()
        reader, self.reader = self.reader, None
        if reader is not None:
            try:
                reader.close()
            except Exception:  # closing a camera that already died
                log.debug("source close failed", exc_info=True)
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

    def _on_error(self, message: str) -> None:
        # worker thread: store only; the tick shows it
        with self._lock:
            self._error = message

    def _on_frame(self, pose: PoseFrame | None, frame: Any) -> None:
        """Worker thread: step the monitor; keep the newest status and any nudge."""
        with self._lock:
            mon = self._monitor
            if mon is None:
                return
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
        with self._lock:
            err, self._error = self._error, None
            alerts = list(self._alerts)
            self._alerts.clear()
            latest = self.latest
            other = self.other_person
            calib_done = self._calib is not None and now >= self._calib_until
        if err is not None:
            self._release()
            self._set_state(MonitorState.ERROR, err + " You can try it with a recorded video.")
            return
        if calib_done:
            self._finish_calibration()
        for text in alerts:
            self.notify(text)
        if self.state == MonitorState.STARTING and self._worker is not None and self._worker.ready.is_set() and latest is not None:
            self._set_state(MonitorState.RUNNING, self.status_text)
        if self.state == MonitorState.STARTING and self._worker is not None and not self._worker.ready.is_set():
            self._set_text("Loading the pose model…")
        if self.state == MonitorState.RUNNING and latest is not None and now >= self._hold_text_until:
            if other:
                text = ("Someone else may be in front of the camera (or you moved much closer or farther) — "
                        "not tracking, no nudges.")
            else:
                text = _STATE_WORDS.get(latest.state, latest.state.value)
                extras = [ISSUE_LABELS.get(i, i) for i in latest.issues
                          if i not in ("not_tracking",) and latest.state not in (PostureState.AWAY, PostureState.NOT_TRACKING)]
                if extras and latest.state is PostureState.UPRIGHT:
                    text += " (" + ", ".join(extras) + ")"
                if latest.reference == "defaults":
                    text += " · not calibrated"
            self._set_text(text)
            if self.tray is not None:
                self.tray.setIcon(self._icon(latest.state if not other else None))
        if now - self._last_flush >= FLUSH_EVERY_S or date.today() != self._day:
            self.flush_history()
            if date.today() != self._day:
                self._day = date.today()

    def _finish_calibration(self) -> None:
        with self._lock:
            poses, self._calib = self._calib or [], None
            scales = list(self._calib_scales)
        try:
            baseline = calibrate(poses, source="guided")
        except CalibrationError as exc:
            msg = f"{exc}. Sit so the camera sees your head and shoulders, then try again."
            self._hold_text_until = time.monotonic() + 8.0
            self._set_state(MonitorState.RUNNING, msg)
            self.calibration_finished.emit(False, msg)
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
        msg = (f"Calibrated: your upright posture ({baseline.view} view, {baseline.frames} frames) is saved for the "
               f"'{prof.name}' set-up. Nudges now compare with it.")
        self._hold_text_until = time.monotonic() + 8.0
        self._set_state(MonitorState.RUNNING, msg)
        self.calibration_finished.emit(True, msg)

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
    """A small strip for the main window's status bar: a dot, the status, and the controls."""

    def __init__(self, controller: PostureMonitorController) -> None:
        super().__init__()
        self.controller = controller
        self.setProperty("role", "card")
        self.setStyleSheet("QLabel { background: transparent; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        self.dot = QLabel("●")
        self.text = QLabel("Posture monitor is off.")
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Posture monitor status")
        self.where = QLabel("(no system tray on this desktop, so the monitor lives here)")
        self.where.setProperty("role", "muted")
        lay.addWidget(QLabel("Posture:"))
        lay.addWidget(self.dot)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.where)
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.clicked.connect(controller.toggle_pause)
        self.snooze_btn = QPushButton("Snooze")
        menu = QMenu(self.snooze_btn)
        for label, seconds in SNOOZE_CHOICES:
            act = QAction(label, menu)
            act.triggered.connect(lambda _=False, s=seconds: controller.snooze(s))
            menu.addAction(act)
        tomorrow = QAction("Until tomorrow", menu)
        tomorrow.triggered.connect(controller.snooze_until_tomorrow)
        menu.addAction(tomorrow)
        self.snooze_btn.setMenu(menu)
        self.calib_btn = QPushButton("Calibrate")
        self.calib_btn.setToolTip("Sit upright for 3 seconds so nudges compare with your own posture")
        self.calib_btn.clicked.connect(lambda: controller.start_calibration())
        self.video_btn = QPushButton("Use a video file…")
        self.video_btn.setToolTip("Try the monitor with a recorded video when there is no camera")
        self.video_btn.clicked.connect(controller.choose_video)
        self.off_btn = QPushButton("Turn off")
        self.off_btn.clicked.connect(lambda: controller.set_enabled(False))
        for b in (self.pause_btn, self.snooze_btn, self.calib_btn, self.video_btn, self.off_btn):
            lay.addWidget(b)
        self.setVisible(False)

    def update_from(self, c: PostureMonitorController) -> None:
        p = palette(c.ctx.settings.high_contrast)
        st = c.state
        latest = c.latest
        colour = p.muted
        if st == MonitorState.RUNNING and latest is not None and not c.other_person:
            colour = {PostureState.UPRIGHT: p.good}.get(latest.state, p.warn if latest.state in (
                PostureState.SLOUCHED, PostureState.FORWARD_HEAD, PostureState.LEANING) else p.muted)
        elif st in (MonitorState.ERROR,):
            colour = p.bad
        self.dot.setStyleSheet(f"color: {colour};")
        self.text.setText(c.status_text)
        paused = st in (MonitorState.PAUSED, MonitorState.SNOOZED, MonitorState.SCREEN_LOCKED)
        self.pause_btn.setText("Resume" if paused else "Pause")
        running = st in (MonitorState.RUNNING, MonitorState.STARTING, MonitorState.CALIBRATING)
        self.pause_btn.setEnabled(running or paused)
        self.snooze_btn.setEnabled(running)
        self.calib_btn.setEnabled(st == MonitorState.RUNNING)
        self.video_btn.setVisible(st in (MonitorState.NO_CAMERA, MonitorState.ERROR) or c.video_path is not None)

    def show_nudge(self, text: str) -> None:
        self.text.setText(text)


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
