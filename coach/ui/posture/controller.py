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
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QSystemTrayIcon

from coach.core.landmarks import PoseFrame
from coach.core.posture import (
    MonitorConfig,
    PostureMonitor,
    PostureProfile,
    PostureState,
    PostureStatus,
)
from coach.pipeline.desk_monitor import (
    DisplayDwell,
    MonitorState,
    OtherPersonCheck,
    PostureTotals,
    baseline_from_settings,
    baseline_to_settings,
    calibration_outcome,
    head_scale,
    running_sentence,
)
from coach.pipeline.sampled import (
    SampledEventKind,
    SampledPipeline,
    SampledReader,
    SamplingPolicy,
    monitor_config,
)
from coach.store.rows import HistoryError
from coach.ui.context import AppContext
from coach.ui.posture.session_watch import SessionWatcher
from coach.ui.posture.strip import PostureStatusWidget
from coach.ui.posture.tray import posture_icon, tray_menu

log = logging.getLogger(__name__)

#: The day's totals go to the history this often (and whenever the camera is released).
FLUSH_EVERY_S = 300.0
#: UI refresh of the status (independent of the sampling rate).
TICK_MS = 500
#: A gap between UI ticks longer than this means the computer slept: restart the camera.
SLEEP_GAP_S = 30.0
CALIBRATION_S = 3.0
#: Shorter side of the camera mode asked for (CameraSource(smallest_for=...)).
CAMERA_MIN_SIDE = 360
_ALERT_QUEUE = 16


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

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        estimator_factory: Callable[[], Any] | None = None,
        use_tray: bool | None = None,
    ) -> None:
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
        self._others = OtherPersonCheck()
        self._calib: list[PoseFrame | None] | None = None
        self._calib_until = 0.0
        self._calib_scales: list[float] = []
        self._snooze_until: datetime | None = None
        self._flushed = PostureTotals()
        self._day = date.today()
        self._last_flush = time.monotonic()
        self._last_tick = time.monotonic()
        self._locked = False
        self._paused_for_session = False
        self._calibrated_scale: float | None = None
        self._hold_text_until = 0.0  # keep a calibration message readable for a few seconds
        self._dwell = DisplayDwell()
        self.frames_seen = 0
        self.nudges_shown = 0
        self.uses_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.tray: QSystemTrayIcon | None = None
        self.widget = PostureStatusWidget(self)
        if self.uses_tray:
            self.tray = QSystemTrayIcon(posture_icon(None), self)
            # keep a reference to the menu: the tray does not own it
            self._tray_menu, self._tray_status, self._tray_pause = tray_menu(self)
            self.tray.setContextMenu(self._tray_menu)
            self.tray.setToolTip("coach posture monitor")
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._watch_session()

    # -- set-up ----------------------------------------------------------------------------

    def _default_estimator(self) -> Any:
        from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

        s = self.ctx.settings
        return MediaPipeEstimator(
            EstimatorOptions(
                variant=s.model_variant, model_path=s.model_path, live=False, people_look=False
            )
        )

    def _watch_session(self) -> None:
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._app_state)
            app.screenRemoved.connect(
                lambda _s: self._restart_if_running("a screen was disconnected")
            )
        self._dbus = SessionWatcher(self)
        self._dbus.locked.connect(self.screen_locked)

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
        path, _ = QFileDialog.getOpenFileName(
            None,
            "Open a video to test the posture monitor",
            str(Path.home()),
            "Videos (*.mp4 *.avi *.mov *.mkv *.webm)",
        )
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
            self._flushed = PostureTotals()
            self._others.clear()
            self.latest = None
            self.other_person = False
            self._dwell.shown = None
        self.pipeline = SampledPipeline(
            self._make_reader,
            self.estimator_factory,
            self._on_frame,
            policy,
            camera_busy=self._camera_busy_check(),
            reader=reader,
        )
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
        self.snooze_until(
            datetime.combine(tomorrow, datetime.min.time()).astimezone().replace(hour=6)
        )

    def snooze_until(self, when: datetime) -> None:
        if self.state == MonitorState.OFF:
            return
        self._release()
        self._snooze_until = when
        self._timer.start()  # the tick wakes it up, robust to sleeps that delay timers
        self._set_state(
            MonitorState.SNOOZED,
            f"Snoozed until {when.strftime('%H:%M')}"
            + ("" if when.date() == datetime.now().date() else " tomorrow")
            + " — the camera is off.",
        )

    def session_active(self, active: bool) -> None:
        """An exercise session needs the camera: release it for the session, take it back after."""
        if active and self.state in (
            MonitorState.RUNNING,
            MonitorState.STARTING,
            MonitorState.CALIBRATING,
        ):
            self._release()
            self._paused_for_session = True
            self._set_state(MonitorState.PAUSED, "Paused during your exercise session")
        elif not active and self._paused_for_session:
            self._paused_for_session = False
            if self.state == MonitorState.PAUSED:
                self.start()

    def screen_locked(self, locked: bool) -> None:
        """The screen was locked (release the camera) or unlocked (reopen it if it was on)."""
        if locked and self.state in (
            MonitorState.RUNNING,
            MonitorState.STARTING,
            MonitorState.CALIBRATING,
        ):
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
        self._set_state(
            MonitorState.CALIBRATING, f"Calibrating: sit upright and still for {seconds:.0f} s…"
        )

    def flush_history(self) -> dict[str, float] | None:
        """Add the time since the last flush to the history; returns the seconds added."""
        hist = self.ctx.history
        with self._lock:
            mon = self._monitor
            if mon is None:
                return None
            rec = mon.record
            totals = PostureTotals(dict(rec.seconds), rec.breaks, sum(rec.alerts.values()))
        delta, d_breaks, d_alerts = totals.since(self._flushed)
        self._flushed = totals
        self._last_flush = time.monotonic()
        if hist is None or not (delta or d_breaks or d_alerts):
            return delta
        day = self._day
        try:
            hist.add_posture_time(day, delta, breaks=d_breaks, alerts=d_alerts)
        except (
            sqlite3.Error,
            HistoryError,
            ValueError,
        ) as exc:  # a history problem never stops the monitor
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
        return SampledReader(
            CameraSource(int(cam) if str(cam).isdigit() else cam, smallest_for=CAMERA_MIN_SIDE)
        )

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
                self._set_state(
                    MonitorState.NO_CAMERA, "No camera found. Connect one, or try a video."
                )
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
            calibrating = self._calib is not None
            if self._calib is not None:
                self._calib.append(pose)
                if not math.isnan(scale):
                    self._calib_scales.append(scale)
            # while calibrating, the head sizes go to the calibration, not to the check
            other = self._others.update(
                scale, status.state, self._calibrated_scale, count=not calibrating
            )
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
        err = self._pipeline_error(pipe)
        with self._lock:
            alerts = list(self._alerts)
            self._alerts.clear()
            latest = self.latest
            other = self.other_person
            calib_done = self._calib is not None and now >= self._calib_until
        if err is not None:
            self._release()
            self._set_state(
                MonitorState.ERROR,
                err if len(err) <= 60 else "The monitor stopped (details in the tooltip)",
            )
            self.widget.setToolTip(err)
            return
        if calib_done:
            self._finish_calibration()
        for text in alerts:
            self.notify(text)
        self._show_status(pipe, latest, other, now)
        if now - self._last_flush >= FLUSH_EVERY_S or date.today() != self._day:
            self.flush_history()
            if date.today() != self._day:
                self._day = date.today()

    @staticmethod
    def _pipeline_error(pipe: SampledPipeline | None) -> str | None:
        """Drain the pipeline's events: the last failure or end of the video, if any."""
        err = None
        if pipe is not None:
            for ev in pipe.events():
                if ev.kind is SampledEventKind.ERROR:
                    err = ev.message
                elif ev.kind is SampledEventKind.SOURCE_ENDED:
                    err = "The video has ended."
        return err

    def _show_status(
        self, pipe: SampledPipeline | None, latest: PostureStatus | None, other: bool, now: float
    ) -> None:
        """Starting -> running once the model is ready and a first verdict is in; then the
        running sentence and the tray icon (unless a message is being held readable)."""
        if self.state == MonitorState.STARTING and pipe is not None:
            if pipe.ready.is_set() and latest is not None:
                self._set_state(MonitorState.RUNNING, self.status_text)
            elif not pipe.ready.is_set():
                self._set_text("Loading the pose model…")
        if self.state == MonitorState.RUNNING and now >= self._hold_text_until:
            self._set_text(self._running_text(latest, other, pipe, now))
            if self.tray is not None:
                self.tray.setIcon(posture_icon(self.shown_posture if not other else None))

    @property
    def calibrated(self) -> bool:
        """A baseline is stored for the active profile."""
        return bool(self.ctx.settings.profile().posture_baseline)

    @property
    def shown_posture(self) -> PostureState | None:
        """The posture the strip shows: the monitor's, once it has held ``DISPLAY_DWELL_S``."""
        return self._dwell.shown

    def _running_text(
        self, latest: PostureStatus | None, other: bool, pipe: SampledPipeline | None, now: float
    ) -> str:
        """One short, stable sentence for the strip (the details go to the tooltip); see
        :func:`coach.pipeline.desk_monitor.running_sentence`."""
        mon = self._monitor
        return running_sentence(
            latest,
            other,
            pipe.state if pipe is not None else None,
            self._dwell,
            now,
            baseline_rejected=bool(mon is not None and mon.baseline_rejected),
            calibrated=self.calibrated,
        )

    def _finish_calibration(self) -> None:
        """Judge the calibration frames (:func:`~coach.pipeline.desk_monitor.calibration_outcome`);
        a good baseline is saved to the active profile and used at once."""
        with self._lock:
            poses, self._calib = self._calib or [], None
            scales = list(self._calib_scales)
        prof = self.ctx.settings.profile()
        out = calibration_outcome(poses, scales, prof.name)
        if out.baseline is not None:
            prof.posture_baseline = baseline_to_settings(out.baseline, out.head_scale)
            # Profile is a plain pydantic model inside the list: re-assign the list so the
            # settings validate the change, then save.
            self.ctx.settings.profiles = list(self.ctx.settings.profiles)
            self.ctx.save()
            self._calibrated_scale = out.head_scale
            with self._lock:
                if self._monitor is not None:
                    self._monitor.set_profile(
                        PostureProfile(prof.name, out.baseline, prof.posture_sensitivity)
                    )
        self._hold_text_until = time.monotonic() + 8.0
        self._set_state(MonitorState.RUNNING, out.strip)
        self.widget.setToolTip(out.tooltip)
        self.calibration_finished.emit(out.baseline is not None, out.message)

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
            self._tray_pause.setText(
                "Resume" if self.state in (MonitorState.PAUSED, MonitorState.SNOOZED) else "Pause"
            )
        self.status_text_changed.emit(text)
