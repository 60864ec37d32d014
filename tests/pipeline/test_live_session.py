"""LiveSession: the session object the app's player and ``coach session`` both drive.

Model-free: a recorded landmark track (tests/fixtures/tracks) plays as the recording and the
replay estimator gives back the poses the real model found in it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.core.session import Phase, SessionStatus, plan_for_recording, plan_from_exercise
from coach.pipeline.session import (
    LiveEventKind,
    LiveSession,
    SafetyGateError,
    SessionState,
    run_headless,
    safety_gate,
)
from coach.store.history import History

TRACKS = Path(__file__).resolve().parents[1] / "fixtures" / "tracks"
SQUAT = TRACKS / "squat_side_be.npz"  # 8 squats in 14.5 s (MANIFEST.tsv)


def screened(**over):
    base = {
        "onboarded": True,
        "screening_done_at": 1.0,
        "screening_blocked": False,
        "screening_advice": "",
        "model_variant": "full",
        "model_path": None,
        "processing_max_side": 0,
    }
    base.update(over)
    return SimpleNamespace(**base)


@pytest.fixture
def history(tmp_path):
    h = History.open(tmp_path / "h.sqlite3")
    yield h
    h.close()


def wait_for(cond, timeout=10.0, session=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if session is not None:
            session.poll()
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_a_recording_is_held_on_its_first_frame_until_counting_begins(catalogue, history):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_for_recording(ex)],
        "t",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=True,
    )
    s.start()
    try:
        # Model loading, the pain question and the introduction take as long as they take ...
        assert wait_for(lambda: s.latest() is not None, session=s)  # the first picture is shown
        time.sleep(0.5)
        s.poll()
        assert s.runner.phase is Phase.PAIN_BEFORE
        assert s.pipeline.held
        assert s.pipeline.stats().frames_processed == 0  # ... and use up nothing
        assert s.pipeline.source._i == 1  # only the frame on show was read
        s.rate_pain(1)
        s.poll()
        time.sleep(0.3)
        s.poll()
        assert s.runner.phase is Phase.INTRO and s.pipeline.held
        assert s.pipeline.stats().frames_processed == 0
        s.start_now()
        assert wait_for(lambda: s.pipeline.stats().frames_processed > 10, session=s)
        assert s.runner.phase is Phase.ACTIVE
    finally:
        s.finish()


def test_headless_session_counts_the_whole_recording_and_stores_it(catalogue, history):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_for_recording(ex)],
        "mini_squat",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=False,
    )
    run_headless(s, pain=1)
    assert s.state is SessionState.FINISHED
    rec = history.session_record(s.session_id)
    assert rec["status"] == "completed", rec
    assert rec["exercises"][0]["reps"] == 8
    assert len(history.reps(session_id=s.session_id)) == 8


def test_the_player_counts_and_draws_the_exerciser_beside_a_bystander(
    catalogue, history, monkeypatch
):
    """The recorded step-ups beside a larger, still man (tests/integration/test_second_person.py
    composes the clip): the session counts her three step-ups and the skeleton on screen is hers."""
    from coach.pipeline import live

    drawn = []
    init = live.LivePipeline.__init__

    def watched(self, *a, **kw):
        kw["on_result"] = lambda r: drawn.append(r.pose)
        init(self, *a, **kw)

    monkeypatch.setattr(live.LivePipeline, "__init__", watched)
    s = LiveSession(
        [plan_for_recording(catalogue.get("step_up"))],
        "step_up",
        source=str(TRACKS / "step_up_beside_a_bystander.npz"),
        settings=screened(),
        history=history,
        paced=False,
    )
    run_headless(s, pain=1)
    assert history.session_record(s.session_id)["exercises"][0]["reps"] == 3
    shown = [p for p in drawn if p is not None]
    assert len(shown) > 300
    # she stands on the right; he is the model's first person. Once the engine has chosen
    # (within a few seconds), her skeleton is the one drawn.
    assert all(p.image[11, 0] > 0.5 for p in shown[-300:])


def test_no_session_starts_before_the_screening(catalogue, history):
    plan = [plan_from_exercise(catalogue.get("glute_bridge"))]
    for settings in (
        screened(onboarded=False),
        screened(screening_done_at=None),
        screened(screening_blocked=True, screening_advice="Call 999 now."),
    ):
        assert safety_gate(settings) is not None
        with pytest.raises(SafetyGateError, match=re.escape(str(safety_gate(settings)))):
            LiveSession(plan, "t", source=str(SQUAT), settings=settings, history=history)
    with pytest.raises(SafetyGateError, match="Call 999"):
        LiveSession(
            plan,
            "t",
            source=None,
            settings=screened(screening_blocked=True, screening_advice="Call 999 now."),
        )
    assert history.sessions() == []


def test_stopped_with_no_rep_is_stopped_early_never_completed(catalogue, history):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_from_exercise(ex, sets=1, reps=5)],
        "t",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=True,
    )
    s.start()
    s.rate_pain(0)
    s.poll()
    s.stop()  # Esc, confirmed, before any rep
    s.rate_pain(0)
    s.poll()
    assert s.state is SessionState.FINISHED
    rec = history.session_record(s.session_id)
    assert rec["status"] == "stopped_early"
    assert rec["stopped_reason"] == "Stopped by you."
    assert rec["exercises"][0]["reps"] == 0


def test_leaving_before_the_first_answer_stores_nothing(catalogue, history):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_for_recording(ex)],
        "t",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=True,
    )
    s.start()
    s.poll()
    s.finish()
    assert history.sessions() == []


def test_pain_stop_is_the_reason_stored_and_shown(catalogue, history):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_from_exercise(ex, sets=1, reps=50)],
        "t",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=False,
    )
    s.start()
    s.rate_pain(2)
    s.start_now()
    assert wait_for(lambda: s.runner.snapshot().count >= 2, session=s)
    s.rate_pain(7)  # the pain key during the set
    # the last exercise: that answer is the end-of-session one too (not asked again at once)
    assert s.runner.phase is Phase.SUMMARY and s.runner.pain_end == 7
    s.poll()
    status, reason = s.status
    assert status is SessionStatus.STOPPED_EARLY and reason == "Pain 7/10 is above your limit of 5."
    rec = history.session_record(s.session_id)
    assert rec["status"] == "stopped_early"
    assert rec["exercises"][0]["stopped_reason"] == "Pain 7/10 is above your limit of 5."
    assert rec["exercises"][0]["reps"] >= 2  # every rep already done is kept


def test_a_failing_save_is_reported_and_the_session_goes_on(catalogue, history, monkeypatch):
    ex = catalogue.get("mini_squat")
    s = LiveSession(
        [plan_for_recording(ex)],
        "t",
        source=str(SQUAT),
        settings=screened(),
        history=history,
        paced=False,
    )
    s.start()
    s.rate_pain(0)
    s.start_now()
    assert wait_for(lambda: s.runner.snapshot().count >= 1, session=s)

    real_tx = History._tx

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(History, "_tx", full)
    seen = []
    end = time.monotonic() + 20
    while time.monotonic() < end and s.runner.phase is Phase.ACTIVE:
        seen += s.poll()[1]
        time.sleep(0.01)
    banner = [e for e in seen if e.kind is LiveEventKind.SAVE_FAILED]
    assert banner and banner[0].message.startswith(
        "This session is not being saved: could not save"
    )
    assert "disk is full" in banner[0].message
    assert s.runner.results[0].reps + s.runner.snapshot().count == 8  # counting went on
    monkeypatch.setattr(History, "_tx", real_tx)
    s.finish(pain=0)
