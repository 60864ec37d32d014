"""A walk through every screen of the app, as a person meets them.

:func:`tour` drives a real main window (built by :func:`coach.ui.app.build_window`) from screen
to screen through the same public calls the buttons make, and yields a short name each time a
new screen is up. ``coach screenshots`` saves each one as a PNG; the layout test checks each one
with :mod:`coach.ui.layout_check`.

The session is shown on a video file when one is given (``clip``): its phases are reached with
the runner's own calls (pain before, introduction, camera check, a pain check-in with a banner
showing, the end-of-session question) and, with the model available, the active phase once the
clip's reps start. Without a clip the session page shows its "no camera" state.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

LONG_TITLE = (
    "Back pain starter after the second clinic visit — weeks 5 to 8, with the extra "
    "hip mobility block and the desk breaks agreed on 12 November"
)
#: A window-wide banner shown over the session's tightest screens (the wording is only an example).
BANNER = (
    "Your physiotherapist updated your routine on 12 November: the bridges now have 8 repetitions."
)


def settle(ms: int = 60) -> None:
    """Let Qt lay out, polish and paint what changed, and the pages' timers run, for ``ms``
    milliseconds (no sleeping on the GUI thread). Between events the thread waits in Qt's event
    dispatcher instead of spinning, so a walk of the screens does not keep a core busy."""
    app = QCoreApplication.instance()
    if app is None:
        return
    end = time.monotonic() + ms / 1000
    wake = QTimer()  # the wait below returns at least this often
    wake.start(5)
    try:
        while time.monotonic() < end:
            app.processEvents(_WAIT)
    finally:
        wake.stop()
    app.processEvents()


_WAIT = QEventLoop.ProcessEventsFlag.AllEvents | QEventLoop.ProcessEventsFlag.WaitForMoreEvents


def long_title_routine(folder: Path) -> Path:
    """A copy of the example starter routine with a very long title (the home page must wrap it)."""
    from coach.routines.catalogue import exercises_dir

    src = (exercises_dir() / "routines" / "clbp_starter.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", f"title: {LONG_TITLE}", src, count=1, flags=re.MULTILINE)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "long_title_routine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def seed_history(history: Any, now: Any = None) -> int:
    """Write a fortnight of made-up sessions into ``history`` so the charts have something to show
    (only ever into the throw-away profile of ``coach screenshots``). Two sessions share a day.
    Returns the number of sessions written."""
    from datetime import datetime, timedelta, timezone

    now = now or datetime.now(timezone.utc)
    plan = [  # days ago, hour, pain before, pain after, bridge reps, hold seconds
        (13, 9, 4, 5, 5, 5.0),
        (11, 9, 4, 4, 6, 6.0),
        (9, 18, 3, 4, 6, 6.0),
        (7, 9, 3, 3, 7, 7.0),
        (7, 19, 3, 4, 5, 7.0),
        (5, 9, 3, 3, 8, 8.0),
        (3, 9, 2, 3, 8, 9.0),
        (1, 9, 2, 2, 9, 10.0),
    ]
    for days, hour, before, after, reps, hold in plan:
        when = (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        rec = history.recorder()
        sid = rec.start_session("clbp-starter-template", 1, when=when)
        rec.record_pain(before, "before", when=when)
        rec.start_exercise("glute_bridge", position=0, sets_planned=1, reps_planned=reps, when=when)
        for i in range(1, reps + 1):
            rec.record_rep(
                {
                    "index": i,
                    "start": i * 4.0,
                    "end": i * 4 + 3.0,
                    "range": 18.0 + reps,
                    "faults": [],
                }
            )
        rec.end_exercise({"reps": reps}, when=when + timedelta(minutes=4))
        rec.start_exercise(
            "pelvic_tilt",
            position=1,
            sets_planned=1,
            reps_planned=3,
            when=when + timedelta(minutes=5),
        )
        for i in range(1, 4):
            rec.record_hold(
                {
                    "index": i,
                    "start": i * 12.0,
                    "end": i * 12 + hold,
                    "seconds": hold,
                    "not_visible_s": 0.0,
                    "faults": [],
                }
            )
        rec.end_exercise({"reps": 0, "holds": [hold] * 3}, when=when + timedelta(minutes=8))
        rec.record_pain(after, "end", when=when + timedelta(minutes=9))
        rec.end_session("completed", when=when + timedelta(minutes=10))
        if days in (9, 5):
            history.record_next_morning(
                sid, max(0, after - 1), stiffness=2, when=when + timedelta(hours=15)
            )
    return len(plan)


def _tabs(page: QWidget) -> QTabWidget | None:
    tabs = getattr(page, "tabs", None)
    return tabs if isinstance(tabs, QTabWidget) else None


def tour(
    win: Any,
    ctx: Any,
    *,
    workdir: Path,
    clip: str | None = None,
    active_timeout_s: float = 40.0,
    only: Callable[[str], bool] | None = None,
    skipped: list[str] | None = None,
) -> Iterator[str]:
    """Walk every screen; yield its name while it is showing.

    ``only`` skips screens whose name it rejects (their set-up still runs when later screens need
    it, e.g. the session's phases follow one another). When ``skipped`` is a list, a part of the
    walk that fails (a page whose public calls changed) is noted there and the walk goes on;
    otherwise the error propagates.
    """
    want = only or (lambda _name: True)

    def show(name: str) -> bool:
        settle()
        return want(name)

    yield from _onboarding(win, show)

    yield from _home_pages(win, ctx, workdir, show)
    win.home()

    # -- the session ------------------------------------------------------------------------------
    try:
        yield from _session(win, ctx, clip, active_timeout_s, show)
    except (AttributeError, IndexError, TypeError) as exc:
        if skipped is None:
            raise
        skipped.append(f"session: {type(exc).__name__}: {exc}")
        stop = getattr(win.current_page(), "shutdown", None)
        if callable(stop):
            stop()

    # -- history, learn, settings, editor, calculators ------------------------------------------
    yield from _history(win, show)
    win.home()
    win.open_learn("safety")
    if show("learn"):
        yield "learn"
    win.home()
    win.open_settings()
    if show("settings"):
        yield "settings"
    win.home()
    win.open_routine_editor()
    if show("routine-editor"):
        yield "routine-editor"
    win.home()
    yield from _calculators(win, show)
    win.home()

    yield from _posture_strip(win, show)


def _onboarding(win: Any, show: Callable[[str], bool]) -> Iterator[str]:
    """Every onboarding step, answering one non-blocking "yes" per page; finishes it."""
    from coach.core import screening
    from coach.ui.onboarding import STEPS, OnboardingPage

    win.open_onboarding()
    page = win.current_page()
    assert isinstance(page, OnboardingPage)
    if show("onboarding-1-welcome"):
        yield "onboarding-1-welcome"
    page.ack.setChecked(True)
    # one non-blocking "yes" per page, so every page shows its advice banner where it has one
    yes_here = {"general": "parq_bone_joint", "back": "back_surgery"}
    for i, _step in enumerate(STEPS[1:], start=2):
        page.next()
        cur = page.step_id()
        if cur in {g.id for g in screening.GROUPS}:
            for q in screening.questions_in(cur):
                page.answer(q.id, q.id == yes_here.get(cur))
            if cur == "back":  # the follow-up to "yes, I had an operation on my back"
                page.surgery_when.buttons[3].click()  # more than a year ago
                page.surgery_type.buttons[0].click()
                page.show_surgery_questions()
        name = f"onboarding-{i}-{cur}"
        if page.step_id() != STEPS[i - 1]:
            raise RuntimeError(f"the onboarding did not move on to step {i} ({page.hint.text()})")
        if show(name):
            yield name
        if cur == "done":
            break
    page.finish()


def _home_pages(win: Any, ctx: Any, workdir: Path, show: Callable[[str], bool]) -> Iterator[str]:
    """Home, with a therapist's routine whose title is very long; a program; an exercise."""
    ctx.settings.routine_path = str(long_title_routine(workdir))
    win.home()
    if show("home"):
        yield "home"

    win.open_program("core")
    if show("program"):
        yield "program"
    win.open_exercise("glute_bridge")
    if show("exercise"):
        yield "exercise"


def _history(win: Any, show: Callable[[str], bool]) -> Iterator[str]:
    """The history page, every tab (every chart of the progress tab)."""
    win.home()
    win.open_history()
    page = win.current_page()
    tabs = _tabs(page)
    for i in range(tabs.count() if tabs is not None else 1):
        if tabs is not None:
            tabs.setCurrentIndex(i)
            name = f"history-{tabs.tabText(i).lower().replace(' ', '-').replace('&', '')}"
        else:
            name = "history"
        charts = getattr(page, "CHARTS", None)
        if name == "history-progress" and charts and callable(getattr(page, "show_chart", None)):
            for k, (key, _label) in enumerate(charts):
                page.show_chart(k)
                if show(f"{name}-{key}"):
                    yield f"{name}-{key}"
            continue
        if show(name):
            yield name


def _calculators(win: Any, show: Callable[[str], bool]) -> Iterator[str]:
    """The ergonomics calculators, every tab."""
    win.open_calculators()
    page = win.current_page()
    tabs = _tabs(page)
    for i in range(tabs.count() if tabs is not None else 1):
        if tabs is not None:
            tabs.setCurrentIndex(i)
            name = f"calculators-{i + 1}"
        else:
            name = "calculators"
        if show(name):
            yield name


def _posture_strip(win: Any, show: Callable[[str], bool]) -> Iterator[str]:
    """The posture strip on the home screen (no camera here: it says so and offers a video)."""
    monitor = getattr(win, "posture_monitor", None)
    if monitor is not None:
        monitor.set_enabled(True)
        settle(300)
        if show("home-posture-strip"):
            yield "home-posture-strip"
        monitor.set_enabled(False)
        settle()


def _session(
    win: Any, ctx: Any, clip: str | None, active_timeout_s: float, show: Callable[[str], bool]
) -> Iterator[str]:
    from coach.core.session import Phase, plan_from_exercise

    if clip:
        ctx.source = clip
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex, sets=1, reps=5)], "Mini squats")
    page = win.current_page()
    runner = getattr(page, "runner", None)
    if runner is None:
        return
    # the pain question before the session, with a banner above the page (the tightest case)
    win.show_banner(BANNER)
    if show("session-pain-before-with-banner"):
        yield "session-pain-before-with-banner"
    win.show_banner("")
    page.pain_panel.buttons[2].click()
    if show("session-introduction"):
        yield "session-introduction"
    page.start_btn.click()  # "Start now": skip the introduction
    settle(400)
    if show("session-camera-check"):
        yield "session-camera-check"
    if clip:
        deadline = time.monotonic() + active_timeout_s
        while time.monotonic() < deadline and not (
            runner.phase is Phase.ACTIVE and runner.snapshot().count >= 1
        ):
            settle(100)
        if runner.phase is Phase.ACTIVE and show("session-active"):
            yield "session-active"
    page.ask_pain()
    win.show_banner(BANNER)
    if show("session-pain-check-in-with-banner"):
        yield "session-pain-check-in-with-banner"
    win.show_banner("")
    page.pain_panel.buttons[1].click()
    yield from _session_end(win, page, runner, show)


def _session_end(win: Any, page: Any, runner: Any, show: Callable[[str], bool]) -> Iterator[str]:
    """End the session as a person would: confirm, answer the last pain question, see the summary."""
    from coach.core.session import Phase

    request_stop = getattr(page, "request_stop", None)
    if callable(request_stop):  # Esc / End session asks first
        request_stop()
        if show("session-confirm-end"):
            yield "session-confirm-end"
    page.stop()
    settle(200)
    deadline = time.monotonic() + 5
    while runner.phase is not Phase.PAIN_END and time.monotonic() < deadline:
        settle(50)
    if show("session-last-pain-question"):
        yield "session-last-pain-question"
    page.pain_panel.buttons[1].click()
    deadline = time.monotonic() + 5
    while type(win.current_page()).__name__ != "SummaryPage" and time.monotonic() < deadline:
        settle(50)
    if type(win.current_page()).__name__ == "SummaryPage" and show("summary"):
        yield "summary"


def grab(win: QWidget, path: Path) -> bool:
    """Save the window as it is drawn now."""
    settle()
    pix = win.grab()
    return bool(pix.save(str(path)))


def apply_size(win: QWidget, width: int, height: int) -> None:
    """Make the window exactly this size (a maximised window on a screen of that size)."""
    win.setMinimumSize(0, 0)
    win.resize(width, height)
    settle()
    if win.width() != width or win.height() != height:
        # the layouts' minimum size is larger than the screen: that is itself a problem to report
        pass


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    import sys

    return QApplication(sys.argv[:1])
