"""Progress, "sessions done": only sessions the store records as completed count toward the
plan. Sessions are run through the real session runner and written by the real recording, so
the statuses are the ones the app stores: stopped for pain, a rest day, and a session where an
exercise counted nothing are not done; a completed session is, whatever its pain light."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from coach.core.engine import EngineConfig
from coach.core.landmarks import PoseFrame
from coach.core.session import Phase, SessionRunner, SessionStatus, plan_from_exercise
from coach.store.history import History, open_history
from coach.store.recording import SessionRecording
from coach.ui.history.data import collect, result_words
from tests.core.test_session import drive, squat_poses


@pytest.fixture
def history(tmp_path: Path):
    h, warning = open_history(tmp_path / "history.sqlite3")
    assert warning is None
    yield h
    h.close()


def _run(history: History, plan, script) -> str:  # noqa: ANN001
    """Run ``script(runner, pump)`` with every event written to ``history``; the session is
    closed the way the app closes it. Returns the session id."""
    r = SessionRunner(plan, engine_config=EngineConfig(setup_s=0.2))
    rec = SessionRecording(history, "program:clbp_starter", r)

    def pump() -> None:
        for e in r.events():
            rec.handle(e)

    script(r, pump)
    if r.phase is not Phase.SUMMARY:  # e.g. a rest day: the app ends it with its reason
        r.stop(1000.0, "Rest day: pain before the session was too high.")
    pump()
    rec.close(*r.outcome())
    return rec.session_id


def _squats(r: SessionRunner, pump, end_pain: int = 2) -> float:  # noqa: ANN001
    r.rate_pain(2, 0.0)
    r.start_now(0.1)
    r.tick(0.2)
    pump()
    t = drive(r, squat_poses(), 1.0)
    pump()
    r.rate_pain(2, t)  # after the exercise
    pump()
    if r.phase is Phase.PAIN_END:
        r.rate_pain(end_pain, t + 1)
        pump()
    return t


def _pain_stop(r: SessionRunner, pump) -> None:  # noqa: ANN001
    r.rate_pain(3, 0.0)
    r.start_now(0.1)
    r.tick(0.2)
    t = drive(r, squat_poses()[:200], 1.0)
    pump()
    r.rate_pain(7, t)  # the pain key, mid-set: this exercise stops
    r.rate_pain(7, t + 1)  # and again: the session ends for today
    r.rate_pain(6, t + 2)
    pump()


def _rest_day(r: SessionRunner, pump) -> None:  # noqa: ANN001
    r.rate_pain(8, 0.0)
    pump()


def _no_steps(r: SessionRunner, pump) -> None:  # noqa: ANN001
    """Squats done, then marching with the person standing still: no step counted."""
    t = _squats(r, pump)
    r.start_now(t + 1)
    r.tick(t + 1.1)
    still = next(p for p in squat_poses() if p is not None)
    t += 2
    while r.phase is not Phase.PAIN_AFTER and t < 200:
        r.on_frame(PoseFrame(still.image, t, 0, still.width, still.height, still.world), 120.0, t)
        r.tick(t)
        t += 1 / 24
    pump()
    r.rate_pain(2, t)
    r.rate_pain(2, t + 1)
    pump()


def test_only_completed_sessions_count_as_done(catalogue, history: History) -> None:
    squat = plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=3)
    march = plan_from_exercise(catalogue.get("marching_in_place"), duration_s=2.0)
    ids = {
        "done": _run(history, [squat], _squats),
        "done, red at the end": _run(history, [squat], lambda r, p: _squats(r, p, end_pain=8)),
        "pain": _run(history, [squat, squat], _pain_stop),
        "rest day": _run(history, [squat], _rest_day),
        "no steps": _run(history, [squat, march], _no_steps),
    }
    stored = {k: history.session(sid) for k, sid in ids.items()}
    assert {k: s.status for k, s in stored.items()} == {
        "done": SessionStatus.COMPLETED.value,
        "done, red at the end": SessionStatus.COMPLETED.value,
        "pain": SessionStatus.STOPPED_EARLY.value,
        "rest day": SessionStatus.STOPPED_EARLY.value,
        "no steps": SessionStatus.STOPPED_EARLY.value,
    }
    assert stored["done, red at the end"].classification == "red"
    assert stored["pain"].classification == "red"
    words = {k: result_words(s.status, s.stop_reason or "") for k, s in stored.items()}
    assert words == {
        "done": "Completed",
        "done, red at the end": "Completed",
        "pain": "Stopped: pain",
        "rest day": "Rest day",
        "no steps": "Nothing counted",
    }
    today = datetime.now(timezone.utc).astimezone().date()
    data = collect(history, today)
    assert len(data.sessions) == 5
    assert sum(w.done for w in data.weeks) == 2
    assert data.weeks[-1].done == 2


def test_done_per_week_counts_the_stored_status_only(history: History) -> None:
    """Straight from the store: a red light never makes a stopped session done, and a green
    light is not needed for a completed one."""
    when = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0)
    for status, light in (
        ("completed", "green"),
        ("completed", "red"),
        ("stopped_early", "green"),
        ("stopped_early", "red"),
    ):
        rec = history.recorder()
        rec.start_session("x", 1, when=when)
        rec.end_session(status, classification=light, stop_reason="Stopped by you.", when=when)  # type: ignore[arg-type]
    data = collect(history, when.astimezone().date())
    assert sum(w.done for w in data.weeks) == 2
    assert isinstance(data.weeks[-1].start, date)
