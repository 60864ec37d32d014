"""The recording of a session follows the pain asked after each exercise: an exercise that the
answer stops is stored as stopped early, as the runner (and so the app's summary) has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.engine import EngineConfig
from coach.core.session import Phase, SessionRunner, SessionStatus, plan_from_exercise
from coach.store.history import History, open_history
from coach.store.recording import SessionRecording
from tests.core.test_session import drive, squat_poses


@pytest.fixture
def history(tmp_path: Path):
    h, warning = open_history(tmp_path / "history.sqlite3")
    assert warning is None
    yield h
    h.close()


def _session(history: History, plan, answers: list[int]) -> tuple[SessionRunner, str]:  # noqa: ANN001
    """Squats done in full, then every question answered from ``answers`` in turn; events are
    written after each call, as the live session drains them."""
    r = SessionRunner(plan, engine_config=EngineConfig(setup_s=0.2))
    rec = SessionRecording(history, "program:clbp_starter", r)

    def pump() -> None:
        for e in r.events():
            rec.handle(e)

    r.rate_pain(2, 0.0)
    r.start_now(0.1)
    r.tick(0.2)
    pump()
    t = drive(r, squat_poses(), 1.0)
    pump()
    assert r.phase is Phase.PAIN_AFTER and r.results[0].reps == 3
    for value in answers:
        if r.phase is Phase.SUMMARY:
            break
        t += 1
        r.rate_pain(value, t)
        pump()
    if r.phase is not Phase.SUMMARY:
        r.stop(t + 1)
        r.finish_without_answer(t + 1)
        pump()
    rec.close(*r.outcome())
    assert rec.session_id is not None
    return r, rec.session_id


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ([2, 2], SessionStatus.COMPLETED),  # green after: the exercise stays completed
        ([7, 2], SessionStatus.STOPPED_EARLY),  # above the limit: this exercise stops
    ],
)
def test_the_stored_exercise_follows_the_pain_answer_after_it(
    catalogue, history: History, answers: list[int], status: SessionStatus
) -> None:
    squat = plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=3)
    runner, sid = _session(history, [squat], answers)
    (stored,) = history.exercise_results(sid)
    assert runner.results[0].status is status
    assert stored.status == status.value
    assert (stored.stop_reason or "") == runner.results[0].stop_reason
    if status is SessionStatus.STOPPED_EARLY:
        assert "7" in (stored.stop_reason or "")
    # the answer itself stays tied to that exercise
    after = [p for p in history.pain_ratings(sid) if p.context == "after_exercise"]
    assert [(p.value, p.exercise_result_id) for p in after] == [(answers[0], stored.id)]
    # the printed/stored record agrees with the runner too
    record = history.session_record(sid)
    assert [e["status"] for e in record["exercises"]] == [status.value]


def test_an_answer_that_ends_the_session_stops_the_exercise_just_done(
    catalogue, history: History
) -> None:
    """Two red answers: the second, after the second exercise, ends the session for today;
    that exercise is stored stopped early too."""
    squat = plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=3)
    r = SessionRunner([squat, squat, squat], engine_config=EngineConfig(setup_s=0.2))
    rec = SessionRecording(history, "program:clbp_starter", r)

    def pump() -> None:
        for e in r.events():
            rec.handle(e)

    r.rate_pain(2, 0.0)
    t = 0.0
    for _ in range(2):
        r.start_now(t + 0.1)
        r.tick(t + 0.2)
        pump()
        t = drive(r, squat_poses(), t + 1.0)
        pump()
        assert r.phase is Phase.PAIN_AFTER
        r.rate_pain(7, t)
        pump()
    # the second red ends the session, and is its end-of-session answer (not asked again at once)
    assert r.phase is Phase.SUMMARY and r.pain_end == 7
    pump()
    rec.close(*r.outcome())
    stored = history.exercise_results(rec.session_id)
    assert [e.status for e in stored] == ["stopped_early", "stopped_early"]
    assert [e.status.value for e in r.results[:2]] == ["stopped_early", "stopped_early"]
    assert history.session(rec.session_id).status == "stopped_early"


def test_ending_a_session_always_says_how_it_ended(history: History) -> None:
    """No status by default: a session is never stored as completed because a caller forgot."""
    rec = history.recorder()
    sid = rec.start_session("program:clbp_starter")
    with pytest.raises(TypeError):
        rec.end_session()  # type: ignore[call-arg]
    rec.end_session("stopped_early", stop_reason="Stopped by you.")
    assert history.session(sid).status == "stopped_early"
