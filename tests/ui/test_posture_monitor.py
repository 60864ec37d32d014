"""The background posture monitor, driven by the shared seated side-view clip at a low rate:
it tracks and produces states, pause/snooze release the source and resume reopens it, the
no-tray fallback works offscreen, calibration is stored per profile, time goes to history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QDialog, QMessageBox, QSystemTrayIcon  # noqa: E402

from coach.core.posture import PostureBaseline, PostureState  # noqa: E402
from coach.ui.posture_monitor import (  # noqa: E402
    MonitorState,
    PostureMonitorController,
    baseline_from_settings,
    baseline_to_settings,
    install,
)

MEDIA = Path(__file__).resolve().parents[2].parent / "shared" / "media"
CLIP = MEDIA / "sitting_upright_slouch_side.mp4"
RATE_HZ = 4.0


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))

    def modal(*_a, **_k):
        pytest.fail("a modal dialog was opened")

    monkeypatch.setattr(QDialog, "exec", modal)
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, modal)


@pytest.fixture
def clip(media) -> Path:
    """The shared seated clip; the real pose model tracks it, so (through ``media``) every test
    using it is a ``footage`` test, run by the full suite and CI, not by the quick run."""
    if not CLIP.exists():
        pytest.fail(
            f"missing footage: {CLIP} (the shared media folder must sit beside the repository)"
        )
    return CLIP


@pytest.fixture
def ctx(tmp_path):
    from coach.routines.catalogue import load_catalogue
    from coach.settings import Settings
    from coach.store.history import open_history
    from coach.ui.context import AppContext

    h, _ = open_history(tmp_path / "history.sqlite3")
    c = AppContext(
        settings=Settings(posture_rate_hz=RATE_HZ), catalogue=load_catalogue(), nav=None, history=h
    )  # type: ignore[arg-type]
    yield c
    h.close()


@pytest.fixture
def controller(qtbot, ctx):
    from PySide6.QtWidgets import QWidget

    c = PostureMonitorController(ctx)
    holder = QWidget()  # stands in for the main window's status bar (install() puts it there)
    c.widget.setParent(holder)
    qtbot.addWidget(holder)
    yield c
    c.shutdown()
    assert not c.tracking  # no thread left running


def test_offscreen_has_no_tray_and_uses_the_status_strip(controller) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    assert controller.uses_tray is False and controller.tray is None
    assert "no system tray" in controller.widget.toolTip()


def test_no_camera_says_so_and_offers_a_video(controller, monkeypatch) -> None:
    import coach.capture.sources as sources

    monkeypatch.setattr(sources, "list_cameras", lambda *a, **k: [])
    controller.start()
    assert controller.state == MonitorState.NO_CAMERA
    assert "No camera" in controller.status_text and "video" in controller.status_text
    assert not controller.widget.isHidden()
    assert not controller.widget.video_btn.isHidden()
    assert not controller.tracking


def test_tracks_a_video_pauses_and_resumes(qtbot, controller, ctx, clip) -> None:
    controller.set_video(clip)
    controller.start()
    assert controller.source_open and controller.state == MonitorState.STARTING
    qtbot.waitUntil(lambda: controller.state == MonitorState.RUNNING, timeout=30_000)
    seen: set[PostureState] = set()

    def tracked() -> bool:
        if controller.latest is not None:
            seen.add(controller.latest.state)
        return PostureState.UPRIGHT in seen and controller.frames >= 12

    qtbot.waitUntil(tracked, timeout=30_000)
    assert controller.latest is not None and controller.latest.view == "side"
    # never calibrated: the strip asks for it, one clear sentence, Calibrate is the primary action
    qtbot.waitUntil(lambda: "Calibrate" in controller.status_text, timeout=10_000)
    assert controller.status_text == "Not calibrated yet: sit upright, then press Calibrate"
    assert controller.widget.calib_btn.property("role") == "primary"
    reader = controller.reader
    assert reader is not None and not reader.is_live
    # pause releases the source: the worker stops and the video file is closed
    source = reader.source
    controller.pause()
    assert controller.state == MonitorState.PAUSED
    assert not controller.tracking and controller.reader is None
    assert not source._cap.isOpened()
    assert controller.widget.pause_btn.text() == "Resume"
    day = ctx.history.posture_days()
    assert (
        day and day[-1].seconds.get("upright", 0.0) > 0
    )  # totals saved when the camera was released
    # resume reopens it
    controller.resume()
    assert (
        controller.tracking
        and controller.reader is not None
        and controller.reader.source is not source
    )
    frames_before = controller.frames
    qtbot.waitUntil(lambda: controller.frames >= frames_before + 4, timeout=30_000)
    # snooze releases it too, and says until when
    controller.snooze(15 * 60)
    assert controller.state == MonitorState.SNOOZED and not controller.tracking
    assert "Snoozed until" in controller.status_text
    controller.resume()
    assert controller.tracking
    controller.screen_locked(True)
    assert controller.state == MonitorState.SCREEN_LOCKED and not controller.tracking
    controller.screen_locked(False)
    assert controller.tracking
    # an exercise session takes the camera; the monitor gives it back afterwards by itself
    controller.session_active(True)
    assert (
        controller.state == MonitorState.PAUSED
        and not controller.tracking
        and controller.reader is None
    )
    controller.session_active(False)
    assert controller.tracking


def test_calibration_is_stored_per_profile(qtbot, controller, ctx, clip) -> None:
    controller.set_video(clip)
    controller.start()
    qtbot.waitUntil(lambda: controller.state == MonitorState.RUNNING, timeout=30_000)
    with qtbot.waitSignal(controller.calibration_finished, timeout=20_000) as sig:
        controller.start_calibration(1.5)
    ok, message = sig.args
    assert ok, message
    stored = ctx.settings.profile().posture_baseline
    assert stored is not None and stored["view_front"] == 0.0 and "cva" in stored
    baseline, scale = baseline_from_settings(stored)
    assert baseline is not None and baseline.view == "side" and scale is not None and scale > 0
    from coach.settings import load_settings

    reloaded, warning = load_settings()
    assert warning is None and reloaded.profile().posture_baseline == stored  # saved to disk
    qtbot.waitUntil(
        lambda: controller.latest is not None and controller.latest.reference == "calibrated",
        timeout=10_000,
    )


def test_baseline_settings_round_trip() -> None:
    b = PostureBaseline(
        view="front", shoulder_tilt=1.5, head_tilt=-2.0, ipd_px=60.0, frames=12, seconds=3.0
    )
    d = baseline_to_settings(b, 0.12)
    assert all(
        isinstance(v, float) for v in d.values()
    )  # Profile.posture_baseline is dict[str, float]
    back, scale = baseline_from_settings(d)
    assert (
        back is not None
        and back.view == "front"
        and back.shoulder_tilt == 1.5
        and back.frames == 12
    )
    assert scale == 0.12


def test_install_adds_the_switch_to_the_main_window(qtbot, tmp_path, monkeypatch) -> None:
    import coach.capture.sources as sources
    from coach.ui.app import build_window

    monkeypatch.setattr(sources, "list_cameras", lambda *a, **k: [])
    win, ctx = build_window(history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(win)
    controller = install(win)
    assert win.posture_monitor is controller
    assert controller.widget.parent() is not None  # in the status bar (no tray offscreen)
    # the home screen's switch reaches it through the navigator's set_posture_monitor
    win.home_page.monitor.setChecked(True)
    assert ctx.settings.posture_monitor is True
    assert controller.state == MonitorState.NO_CAMERA
    win.home_page.monitor.setChecked(False)
    assert controller.state == MonitorState.OFF and ctx.settings.posture_monitor is False
    controller.shutdown()
    ctx.history.close()


def test_the_strip_shows_one_stable_state_and_never_flickers(controller, monkeypatch) -> None:
    """A verdict that alternates every sample must not make the strip's text alternate."""
    import time as _time

    from coach.core.posture import PostureStatus

    def status(state: PostureState) -> PostureStatus:
        return PostureStatus(
            0.0, state, state, (), (), "calibrated", "side", 0.0, 0.0, float("nan")
        )

    controller.ctx.settings.profile().posture_baseline = {"view_front": 0.0, "cva": 80.0}
    clock = [1000.0]
    monkeypatch.setattr(_time, "monotonic", lambda: clock[0])
    texts = []
    for k in range(20):  # 10 s of ticks, the verdict flipping every tick
        clock[0] += 0.5
        latest = status(PostureState.UPRIGHT if k % 2 else PostureState.FORWARD_HEAD)
        texts.append(controller._running_text(latest, False, None, clock[0]))
    assert len(set(texts[1:])) == 1, texts
    # a verdict that holds for the display dwell is shown
    for _ in range(8):
        clock[0] += 0.5
        text = controller._running_text(status(PostureState.SLOUCHED), False, None, clock[0])
    assert text == "Leaning forward"


def test_strip_fits_a_1366x768_window_without_clipping(qtbot, tmp_path, monkeypatch) -> None:
    """In the real main window at 1366 x 768: the strip is inside the window and every status
    text fits its label (no wrapping, no clipping)."""
    from PySide6.QtWidgets import QApplication

    import coach.capture.sources as sources
    from coach.ui.app import build_window

    monkeypatch.setattr(sources, "list_cameras", lambda *a, **k: [])
    win, ctx = build_window(history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(win)
    controller = install(win)
    win.resize(1366, 768)
    win.show()
    controller.start()  # no camera: the strip shows with its state
    strip = controller.widget
    texts = [
        "Not calibrated yet: sit upright, then press Calibrate",
        "Calibration looked slumped: sit tall, press Calibrate",
        "Nobody at the desk — camera off, checking each minute",
        "Time to change position (see the message above)",
        "Can't see your head and shoulders — not tracking",
        "No camera found. Connect one, or try a video.",
        "Calibrating: sit upright and still for 3 s…",
    ]
    for text in texts:
        strip.text.setText(text)
        QApplication.processEvents()
        qtbot.waitUntil(lambda: strip.isVisible(), timeout=2000)
        fm = strip.text.fontMetrics()
        assert fm.horizontalAdvance(text) <= strip.text.width(), text
        top_left = strip.mapTo(win, strip.rect().topLeft())
        assert top_left.y() + strip.height() <= win.height() <= 768
        assert top_left.x() + strip.width() <= win.width()
        for b in (strip.calib_btn, strip.pause_btn, strip.more_btn):
            assert b.width() >= b.sizeHint().width()  # buttons not squeezed either
    controller.shutdown()
    ctx.history.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize(
    "look",
    [(False, False), (True, False), (True, True)],
    ids=("normal", "large-text", "large-high-contrast"),
)
@pytest.mark.parametrize(
    "size", [(1280, 720), (1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_strip_passes_the_layout_check(qtbot, tmp_path, monkeypatch, size, look) -> None:
    """The app's layout checker (overlaps, cut text, sideways scrolling) on the main window with
    the strip showing, at the laptop and desktop sizes, in normal and large text."""
    import coach.capture.sources as sources
    from coach.ui import layout_check
    from coach.ui.app import build_window
    from coach.ui.tour import apply_size, settle

    monkeypatch.setattr(sources, "list_cameras", lambda *a, **k: [])
    win, ctx = build_window(history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(win)
    controller = install(win)
    ctx.settings.large_text, ctx.settings.high_contrast = look
    win.apply_theme()
    win.show()
    apply_size(win, *size)
    controller.set_enabled(True)  # no camera: it says so and offers a video
    settle(300)
    strip = controller.widget
    assert strip.isVisible() and controller.state == MonitorState.NO_CAMERA
    problems = layout_check.check(strip)
    assert not problems, problems
    # the check sees a squeezed status text (so its silence above means something)
    strip.text.setMaximumWidth(60)
    settle()
    assert any(p.kind in ("text", "clipped") for p in layout_check.check(strip))
    strip.text.setMaximumWidth(16_777_215)
    top = strip.mapTo(win, strip.rect().topLeft()).y()
    assert top + strip.height() <= win.height()
    controller.shutdown()
    ctx.history.close()


def test_a_slumped_calibration_is_not_saved_and_asks_again(qtbot, controller, ctx) -> None:
    from tests.core.test_posture import seated_side

    controller.state = MonitorState.RUNNING
    controller._calib = [seated_side(i / 10, trunk=26.0, cva=52.0) for i in range(30)]
    controller._calib_scales = []
    with qtbot.waitSignal(controller.calibration_finished, timeout=2000) as sig:
        controller._finish_calibration()
    ok, message = sig.args
    assert not ok and message.startswith("Not saved: the posture looked")
    assert not ctx.settings.profile().posture_baseline  # nothing stored
    assert controller.status_text == "That looked slumped — sit tall and calibrate again"
    # an upright one is saved
    controller._calib = [seated_side(i / 10) for i in range(30)]
    with qtbot.waitSignal(controller.calibration_finished, timeout=2000) as sig:
        controller._finish_calibration()
    assert sig.args[0] and ctx.settings.profile().posture_baseline
