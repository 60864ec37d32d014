"""The session player driven by real footage through the real model and the app's threads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from coach.core.session import Phase, plan_from_exercise

TRACKS = Path(__file__).resolve().parents[1] / "fixtures" / "tracks"

#: These tests play recordings at their own pace: seconds of waiting each.
pytestmark = pytest.mark.slow


def _window(qtbot, monkeypatch, source: str):
    monkeypatch.setenv("COACH_TTS", "mock")
    from coach.ui.app import build_window

    win, ctx = build_window(source=source)
    ctx.settings.onboarded = True
    ctx.settings.screening_done_at = 1.0
    qtbot.addWidget(win)
    win.show()
    return win, ctx


def _close(win):
    page = win.current_page()
    if hasattr(page, "shutdown"):
        page.shutdown()
    win.close()


@pytest.fixture
def replay(qtbot, strict_ui, no_cameras, media, monkeypatch):
    """The real clip through the real model, paced like a camera."""
    win, ctx = _window(qtbot, monkeypatch, str(media / "squat_side_be.mp4"))
    yield win, ctx
    _close(win)


@pytest.fixture
def replay_track(qtbot, strict_ui, no_cameras, monkeypatch):
    """The same clip's recorded landmark track (no model, no video decoding): the app's
    threads and pacing without the model's load on a busy machine."""
    win, ctx = _window(qtbot, monkeypatch, str(TRACKS / "squat_side_be.npz"))
    yield win, ctx
    _close(win)


def start(win, ctx, reps=5, sets=1):
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex, sets=sets, reps=reps)], "Test session")
    page = win.current_page()
    page.pain_panel.buttons[2].click()  # pain before: 2
    page.start_btn.click()  # skip the introduction
    return page


def test_reps_appear_on_the_counter_and_the_session_is_saved(qtbot, replay):
    win, ctx = replay
    page = start(win, ctx)
    qtbot.waitUntil(lambda: page.runner.phase is Phase.PAIN_AFTER, timeout=30000)
    assert page.runner.results[0].reps == 5
    qtbot.waitUntil(page.pain_panel.isVisible, timeout=2000)  # shown on the next repaint
    page.pain_panel.buttons[1].click()
    page.pain_panel.buttons[1].click()  # the end-of-session rating
    qtbot.waitUntil(lambda: type(win.current_page()).__name__ == "SummaryPage", timeout=5000)
    rows = ctx.history.sessions()
    assert rows and rows[0].status == "completed"
    assert len(ctx.history.reps(session_id=rows[0].id)) == 5
    # the counter was drawn from the runner while the reps came in
    spoken = list(ctx.speaker.spoken)
    assert "1" in spoken and "5" in spoken


def test_a_pain_answer_of_seven_ends_the_exercise(qtbot, replay_track):
    win, ctx = replay_track
    page = start(win, ctx, reps=50)
    qtbot.waitUntil(
        lambda: page.runner.results[0].reps + page.runner.snapshot().count >= 2, timeout=30000
    )
    page.ask_pain()
    assert page.pain_panel.isVisible()
    page.pain_panel.buttons[7].click()
    assert page.runner.phase in (Phase.PAIN_END, Phase.SUMMARY, Phase.INTRO)
    assert "7" in page.runner.results[0].stopped_reason
    assert page.runner.results[0].reps >= 2  # reps already done are kept


def test_window_stays_responsive_while_video_plays(qtbot, replay):
    """The event loop keeps ticking at a steady pace while frames are processed."""
    win, ctx = replay
    page = start(win, ctx, reps=50)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.wait(4000)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 100  # ~200 expected in 4 s
    assert max(gaps) < 0.5, f"the GUI froze for {max(gaps):.2f} s"
    assert page.pipeline is not None and page.pipeline.stats().frames_processed > 30


def test_pause_and_keyboard_shortcuts(qtbot, replay):
    win, ctx = replay
    page = start(win, ctx, reps=50)
    qtbot.wait(500)
    page.toggle_pause()
    assert page.runner.paused and page.pipeline.paused
    qtbot.wait(100)
    assert "Paused" in page.cue.text()
    page.toggle_pause()
    assert not page.runner.paused


def test_skeleton_only_view_hides_the_picture(qtbot, replay):
    win, ctx = replay
    ctx.settings.skeleton_only = True
    page = start(win, ctx, reps=50)
    qtbot.waitUntil(lambda: page.video._points is not None, timeout=20000)
    assert page.video._image is None  # only the skeleton is drawn


def test_missing_camera_offers_a_video_file(qtbot, strict_ui, no_cameras, monkeypatch):
    monkeypatch.setenv("COACH_TTS", "mock")
    from coach.ui.app import build_window

    win, ctx = build_window(source="7")  # no camera 7 here
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0  # screened
    qtbot.addWidget(win)
    win.show()
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex)], "Test")
    page = win.current_page()
    assert page.source_panel.isVisible()
    assert "camera" in page.source_msg.text().lower()
    assert "video" in page.source_msg.text().lower()
    page.shutdown()
    win.close()


def test_a_failing_save_shows_a_banner_and_the_session_goes_on(
    qtbot, strict_ui, no_cameras, monkeypatch
):
    """The history stops taking writes mid-set (as on a full disk): a banner says so at once and
    the counter keeps counting; when writes work again the banner goes."""
    import sqlite3
    from pathlib import Path

    from coach.core.session import plan_for_recording
    from coach.store.history import History
    from coach.ui.app import build_window

    track = Path(__file__).resolve().parents[1] / "fixtures" / "tracks" / "squat_side_be.npz"
    win, ctx = build_window(source=str(track))
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
    qtbot.addWidget(win)
    win.show()
    win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
    page = win.current_page()
    page.pain_panel.buttons[1].click()
    page.start_btn.click()
    qtbot.waitUntil(lambda: page.runner.snapshot().count >= 1, timeout=20000)
    real_tx = History._tx

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(History, "_tx", full)
    qtbot.waitUntil(page.banner.isVisible, timeout=20000)
    assert page.banner.text().startswith("This session is not being saved: could not save")
    before = page.runner.snapshot().count
    qtbot.waitUntil(lambda: page.runner.snapshot().count > before, timeout=20000)  # goes on
    monkeypatch.setattr(History, "_tx", real_tx)
    page.pain_panel.buttons[2].click() if page.pain_panel.isVisible() else None
    qtbot.waitUntil(lambda: not page.banner.isVisible(), timeout=20000)  # saving works again
    page.shutdown()
    win.close()


def test_performance_figures_only_when_asked_for(qtbot, strict_ui, no_cameras):
    from pathlib import Path

    from coach.core.session import plan_for_recording
    from coach.ui.app import build_window

    track = Path(__file__).resolve().parents[1] / "fixtures" / "tracks" / "squat_side_be.npz"
    for wanted in (False, True):
        win, ctx = build_window(source=str(track))
        ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
        ctx.settings.show_performance = wanted
        qtbot.addWidget(win)
        win.show()
        win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
        page = win.current_page()
        page.pain_panel.buttons[0].click()
        page.start_btn.click()
        qtbot.waitUntil(lambda p=page: p.runner.snapshot().count >= 1, timeout=20000)
        assert page.stats_label.isVisible() is wanted
        assert ("frames/s" in page.stats_label.text()) is wanted
        page.shutdown()
        win.close()


def _rest_day(win, ctx):
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex, sets=1, reps=5)], "Test session")
    page = win.current_page()
    assert page.pipeline is not None  # the camera starts with the page
    page.pain_panel.buttons[9].click()  # pain before: 9, at or above the rest-day line (8)
    assert page.runner.phase is Phase.REST_DAY
    return page


def test_a_rest_day_says_why_once_and_offers_the_way_home(qtbot, replay_track):
    """Pain 8 or more before a session: the reason once, no dead controls, "Back to home" has
    the focus and Enter takes it; the rest day is kept in the history with its pain."""
    from PySide6.QtCore import Qt

    win, ctx = replay_track
    page = _rest_day(win, ctx)
    qtbot.waitUntil(page.rest_day_panel.isVisible, timeout=2000)
    reason = page.runner.decision.reason
    shown = [
        w.text() for w in page.findChildren(type(page.cue)) if w.isVisible() and reason in w.text()
    ]
    assert shown == [reason]
    assert not page.controls.isVisible() and not page.pain_panel.isVisible()
    assert page.rest_day_panel.home_btn.hasFocus()
    assert page.pipeline is None  # the camera is off at once
    assert "report" in page.rest_day_panel.note.text()
    page.ask_pain()  # the P key: no question today
    assert not page.pain_panel.isVisible()
    qtbot.keyClick(page.rest_day_panel.home_btn, Qt.Key.Key_Return)
    assert win.current_page() is win.home_page
    row = ctx.history.sessions()[0]
    assert row.status == "stopped_early" and row.stop_reason.startswith("Rest day")
    assert [p.value for p in ctx.history.pain_ratings(row.id)] == [9]


def test_a_rest_day_without_a_camera_offers_no_video(qtbot, strict_ui, no_cameras, monkeypatch):
    """No camera, then pain 9 before the session: "Open video…" makes no sense today."""
    win, ctx = _window(qtbot, monkeypatch, "7")  # no camera 7 here
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex)], "Test")
    page = win.current_page()
    assert page.source_panel.isVisible()
    page.pain_panel.buttons[9].click()
    assert page.rest_day_panel.isVisible() and not page.source_panel.isVisible()
    _close(win)


def test_a_rest_day_leads_to_the_report_for_the_physiotherapist(qtbot, replay_track):
    win, ctx = replay_track
    page = _rest_day(win, ctx)
    qtbot.waitUntil(page.rest_day_panel.isVisible, timeout=2000)
    page.rest_day_panel.report_btn.click()
    history = win.current_page()
    assert type(history).__name__ == "HistoryPage"
    assert history.tabs.tabText(history.tabs.currentIndex()) == "Reports"
    assert ctx.history.sessions()[0].stop_reason.startswith("Rest day")
    win.back()
    assert win.current_page() is win.home_page


def test_pain_seven_mid_set_is_not_asked_again_before_the_next_exercise(qtbot, replay_track):
    """Pain 7 with the pain key stops the exercise (DOMAIN §5.1); the next exercise follows
    without a pain question for the stopped one, and the page says the answer was recorded."""
    win, ctx = replay_track
    squat = ctx.catalogue.get("mini_squat")
    breathe = ctx.catalogue.get("relaxed_breathing")
    win.start_session(
        [plan_from_exercise(squat, sets=1, reps=50), plan_from_exercise(breathe, duration_s=30)],
        "Test session",
    )
    page = win.current_page()
    page.pain_panel.buttons[2].click()
    page.start_btn.click()
    qtbot.waitUntil(lambda: page.runner.snapshot().count >= 2, timeout=30000)
    page.ask_pain()
    page.pain_panel.buttons[7].click()
    assert page.runner.phase is Phase.INTRO and page.runner.item == 1
    assert not page.pain_panel.isVisible()
    assert page.status_line.text() == "Pain 7 recorded. This exercise is stopped."
    assert page.runner.results[0].pain_after == 7
    # the end-of-session question still comes once, at the end
    page.runner.skip(page.session.now())
    qtbot.waitUntil(page.pain_panel.isVisible, timeout=2000)
    assert page.runner.phase is Phase.PAIN_END
    assert page.pain_panel.question.text() == "Last question: how much pain do you have now?"


def test_pain_seven_on_the_last_exercise_ends_without_asking_again(qtbot, replay_track):
    """The stopped exercise was the last: its answer is also the end-of-session one, so the
    summary follows at once (no "Last question" right after the answer)."""
    win, ctx = replay_track
    page = start(win, ctx, reps=50)
    qtbot.waitUntil(lambda: page.runner.snapshot().count >= 2, timeout=30000)
    page.ask_pain()
    page.pain_panel.buttons[7].click()
    assert page.runner.phase is Phase.SUMMARY and page.runner.pain_end == 7
    assert not page.pain_panel.isVisible()
    qtbot.waitUntil(lambda: type(win.current_page()).__name__ == "SummaryPage", timeout=5000)
    sid = ctx.history.sessions()[0].id
    pains = [(p.context, p.value) for p in ctx.history.pain_ratings(sid)]
    assert pains == [("before", 2), ("on_demand", 7), ("end", 7)]


def test_a_pain_answer_a_moment_before_the_set_ends_is_not_asked_again(qtbot, replay_track):
    win, ctx = replay_track
    page = start(win, ctx, reps=5)
    qtbot.waitUntil(lambda: page.runner.snapshot().count >= 1, timeout=30000)
    page.ask_pain()
    page.pain_panel.buttons[3].click()  # green: the set goes on
    assert page.runner.phase is Phase.ACTIVE
    asked_after = []
    qtbot.waitUntil(
        lambda: (
            (asked_after.append(page.runner.phase is Phase.PAIN_AFTER) or True)
            and page.runner.phase is Phase.PAIN_END
        ),
        timeout=30000,
    )
    assert not any(asked_after)
    assert page.runner.results[0].pain_after == 3
    qtbot.waitUntil(page.pain_panel.isVisible, timeout=2000)
    assert page.pain_panel.question.text() == "Last question: how much pain do you have now?"
    assert page.status_line.text() == "Pain 3 recorded a moment ago, so coach does not ask again."


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("exercise", ["mini_squat", "hip_hinge_drill", "side_bridge"])
def test_a_long_introduction_fits_with_large_text_and_no_blank_band(qtbot, replay_track, exercise):
    """1366x768 with large text: the introduction is in view without scrolling (the cue, then
    the countdown, step down; never below body text) and the page reaches the window's bottom
    (no empty status bar under it while the posture strip is not shown)."""
    from coach.ui.theme import base_px
    from coach.ui.tour import apply_size

    win, ctx = replay_track
    ctx.settings.large_text = True
    win.apply_theme()
    apply_size(win, 1366, 768)
    ex = ctx.catalogue.get(exercise)
    win.start_session([plan_from_exercise(ex, sets=1, reps=5)], "Test session")
    page = win.current_page()
    page.pain_panel.buttons[2].click()
    assert page.runner.phase is Phase.INTRO
    qtbot.waitUntil(lambda: page.cue.isVisible() and page.cue.text().startswith(ex.name))
    apply_size(win, 1366, 768)
    assert (win.width(), win.height()) == (1366, 768)

    bar = win.statusBar()
    assert not bar.isVisible()  # the posture strip is off: no empty band
    bottom = page.mapTo(win, page.rect().bottomLeft()).y()
    assert win.height() - bottom <= 16  # the window's own margin, nothing more
    assert page.side_scroll.verticalScrollBar().maximum() == 0  # all of it in view
    assert page.cue.fontInfo().pixelSize() >= base_px(True)
    assert page.counter.fontInfo().pixelSize() >= 3 * base_px(True)
    controls = page.controls.mapTo(win, page.controls.rect().bottomLeft()).y()
    assert controls <= win.height()

    strip = win.posture_monitor.widget  # shown when the posture monitor runs
    strip.setVisible(True)
    assert bar.isVisible()
    strip.setVisible(False)
    assert not bar.isVisible()
