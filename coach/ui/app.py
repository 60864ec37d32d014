"""Start the app: a window within a second or two; the model loads in the background."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window is imported when it is built: a window in a second or two
    from PySide6.QtCore import QCoreApplication

    from coach.ui.context import AppContext
    from coach.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def _install_excepthook(window_getter: Callable[[], MainWindow | None]) -> None:
    """One handler for unhandled exceptions in Qt slots: log them, show a calm message."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled error: %s", "".join(traceback.format_exception(etype, value, tb)))
        win = window_getter()
        if win is not None:
            with contextlib.suppress(Exception):  # the banner itself failed: nothing more to do
                win.show_banner(
                    "Something went wrong, but your session data is safe. "
                    "The details were written to coach's log file."
                )

    sys.excepthook = hook


def setup_logging() -> str:
    """Log to a rotating text file in the user log folder (text only: never images)."""
    from logging.handlers import RotatingFileHandler

    from platformdirs import user_log_dir

    folder = os.environ.get("COACH_LOG_DIR") or user_log_dir("coach")
    try:
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "coach.log")
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return ""
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # The console keeps the level it had (warnings, or more with -v); the file gets INFO too.
    console_level = root.level or logging.WARNING
    for h in root.handlers:
        if isinstance(h, logging.StreamHandler) and h.level == logging.NOTSET:
            h.setLevel(console_level)
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    root.setLevel(min(console_level, logging.INFO))
    return path


def build_window(
    source: str | None = None, exercise: str | None = None, history_path: str | Path | None = None
) -> tuple[MainWindow, AppContext]:
    """Create the context and main window (used by the app and by the UI tests)."""
    from coach.routines.catalogue import load_catalogue
    from coach.settings import load_settings
    from coach.ui.context import AppContext
    from coach.ui.main_window import MainWindow
    from coach.ui.speech import Speaker

    settings, warning = load_settings()
    from coach.store import safety

    safety.apply_block(settings)  # a red-flag block survives any settings reset
    catalogue = load_catalogue()
    ctx = AppContext(settings=settings, catalogue=catalogue, source=source)  # the window is its nav
    if warning:
        ctx.warnings.append(warning)
    if catalogue.problems:
        # The details (FILE:LINE:COL) are for whoever maintains the files, not for a patient.
        for problem in catalogue.problems:
            log.warning("catalogue: %s", problem)
        n = len(catalogue.problems)
        ctx.warnings.append(
            f"{n} exercise file{'s' if n != 1 else ''} could not be read and "
            f"{'were' if n != 1 else 'was'} left out. The details are in coach's "
            "log file; 'coach exercises' lists them."
        )
    try:
        from coach.store.history import open_history

        hist, hwarn = open_history(history_path)
        ctx.history = hist
        if hwarn:
            ctx.warnings.append(hwarn)
    except Exception as exc:  # noqa: BLE001 -- history never blocks start-up: any failure
        # (damaged file, locked, unreadable) becomes the warning shown on the home screen
        log.warning("history unavailable: %s", exc)
        ctx.warnings.append("Your history could not be opened, so this session will not be saved.")
    speaker = ctx.speaker = Speaker(enabled=settings.voice, sounds=settings.sounds)
    win = MainWindow(ctx)
    from PySide6.QtWidgets import QApplication

    from coach.ui.widgets import install_wheel_guard

    app = QApplication.instance()
    if app is not None and not app.property("coach_wheel_guard"):
        install_wheel_guard(app)  # a child of the application: it lives as long as the app
        app.setProperty("coach_wheel_guard", True)
    speaker.unavailable.connect(win.show_banner)
    from coach.ui.posture_monitor import install

    install(win)
    return win, ctx


def _quit_on_signals(app: QCoreApplication, win: MainWindow) -> None:
    """SIGTERM / SIGINT (logout, shutdown, kill, Ctrl-C) close the window properly: the open
    exercise and the session are finished and stored, exactly as when the window is closed."""
    import signal

    from PySide6.QtCore import QTimer

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: closing", signum)
        QTimer.singleShot(0, win.close_now)  # no questions: nobody may be there to answer
        QTimer.singleShot(0, app.quit)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    # Python runs signal handlers only between bytecodes: a slow timer lets them in while Qt waits.
    tick = QTimer(app)
    tick.setInterval(250)
    tick.timeout.connect(lambda: None)
    tick.start()


def run_app(source: str | None = None, exercise: str | None = None) -> int:
    t0 = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from coach.capture.sources import list_cameras

    log_path = setup_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("coach")
    app.setOrganizationName("coach")
    win, ctx = build_window(source, exercise)
    _install_excepthook(lambda: win)
    win.show()
    log.info("window shown after %.2f s; log file %s", time.perf_counter() - t0, log_path)
    if os.environ.get("COACH_STARTUP_PROBE"):
        print(f"startup_s={time.perf_counter() - t0:.3f}", flush=True)
        QTimer.singleShot(0, app.quit)
    if source is None and not list_cameras():
        win.show_banner(
            "No camera was found. You can still use coach: open a recorded video from the "
            'home screen ("Use a video file…"), or do the breathing exercise.'
        )
    if source is not None and exercise:
        # A therapist or tester replaying a recording goes straight to the player.
        try:
            ex = ctx.catalogue.get(exercise)
        except KeyError as exc:
            win.show_banner(str(exc.args[0]))
        else:
            from coach.core.session import plan_for_recording, plan_from_exercise

            recording = not (str(source).isdigit() or str(source).startswith("camera:"))
            plan = [plan_for_recording(ex) if recording else plan_from_exercise(ex)]
            # start_session itself sends a person who has not been screened to onboarding first.
            QTimer.singleShot(0, lambda: win.start_session(plan, ex.name))
    elif not ctx.settings.onboarded:
        QTimer.singleShot(0, win.open_onboarding)
    _quit_on_signals(app, win)
    code = app.exec()
    if ctx.history is not None:
        try:
            ctx.history.close()
        except Exception:  # closing a damaged database at exit
            log.debug("history close failed", exc_info=True)
    return int(code)
