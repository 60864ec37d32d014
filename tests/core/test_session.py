"""The guided session flow, driven by a golden track of real squats and by the clock."""

from __future__ import annotations

import pytest

from coach.core.engine import EngineConfig
from coach.core.pain import Action
from coach.core.session import Phase, SessionRunner, plan_from_exercise
from coach.pose.estimator import Track
from tests.conftest import FIXTURES


def squat_poses():
    return [p for p in Track.load(FIXTURES / "tracks" / "squat_side_be.npz").poses()]


def drive(runner, poses, t0, fps=24.0, loops=1):
    t = t0
    for _ in range(loops):
        for p in poses:
            if p is not None:
                from coach.core.landmarks import PoseFrame

                p = PoseFrame(p.image, t, p.frame_id, p.width, p.height, p.world)
            runner.on_frame(p, 120.0, t)
            runner.tick(t)
            t += 1 / fps
    return t


def begin(runner: SessionRunner, pain: int = 2) -> SessionRunner:
    """Answer the first pain question and start the first exercise at once."""
    runner.rate_pain(pain, 0.0)
    runner.start_now(0.1)
    runner.tick(0.2)
    return runner


def test_full_session_counts_reps_and_ends_with_a_summary(catalogue):
    item = plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=4)
    r = SessionRunner([item], engine_config=EngineConfig(setup_s=0.2))
    r.rate_pain(2, 0.0)
    assert r.phase is Phase.INTRO
    r.start_now(0.1)
    r.tick(0.2)
    assert r.phase is Phase.CAMERA_CHECK
    t = drive(r, squat_poses(), 1.0)
    # four reps complete the set; the exercise asks for pain afterwards
    assert r.phase is Phase.PAIN_AFTER, r.snapshot(t)
    assert r.results[0].reps == 4
    r.rate_pain(2, t)
    assert r.phase is Phase.PAIN_END
    r.rate_pain(2, t + 1)
    assert r.phase is Phase.SUMMARY
    kinds = [e.kind for e in r.events()]
    assert kinds.count("rep") == 4 and "session_done" in kinds


def test_pain_of_seven_stops_the_exercise(catalogue):
    plan = [
        plan_from_exercise(catalogue.get("mini_squat"), sets=2, reps=20),
        plan_from_exercise(catalogue.get("glute_bridge")),
    ]
    r = SessionRunner(plan, engine_config=EngineConfig(setup_s=0.2))
    begin(r, 3)
    t = drive(r, squat_poses()[:200], 1.0)
    assert r.phase is Phase.ACTIVE
    d = r.rate_pain(7, t)  # the pain key, mid-set
    assert d.action is Action.STOP_EXERCISE
    assert r.current.exercise.id == "glute_bridge"  # moved on to the next exercise
    assert "7" in r.results[0].stopped_reason
    assert r.results[0].reps > 0  # reps already done are kept


@pytest.mark.parametrize("pain", [2, 4])
def test_a_green_or_amber_answer_mid_set_lets_the_set_go_on(catalogue, pain):
    # the pain key mid-set, answered 2 (green) or 4 (amber): the same set keeps counting on
    # (it used to end the set's engine while staying "active": the recording stopped and the
    # count went back to 0)
    r = SessionRunner(
        [plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=50)],
        engine_config=EngineConfig(setup_s=0.2),
    )
    begin(r)
    poses = squat_poses()
    t = drive(r, poses[:200], 1.0)
    before = r.snapshot(t).count
    assert r.phase is Phase.ACTIVE and before >= 2
    d = r.rate_pain(pain, t)
    assert d.action is not Action.STOP_EXERCISE
    assert r.phase is Phase.ACTIVE and r.engine is not None
    assert r.snapshot(t).count == before
    t = drive(r, poses[200:], t + 1 / 24)
    assert r.snapshot(t).count > before


def test_pain_eight_before_means_rest_day(catalogue):
    r = SessionRunner([plan_from_exercise(catalogue.get("mini_squat"))])
    d = r.rate_pain(8, 0.0)
    assert d.action is Action.REST_DAY and r.phase is Phase.REST_DAY


def test_pain_seven_before_starts_the_session_as_planned(catalogue):
    """DOMAIN §5.1: below 8 before a session there is no rule, so the plan starts unchanged."""
    r = SessionRunner([plan_from_exercise(catalogue.get("mini_squat"))])
    d = r.rate_pain(7, 0.0)
    assert r.phase is Phase.INTRO and r.current.exercise.id == "mini_squat"
    assert d.action is Action.CONTINUE and r.snapshot(0.0).decision is d
    assert r.stop_reason == ""


def test_pause_freezes_the_rest_countdown(catalogue):
    item = plan_from_exercise(catalogue.get("mini_squat"), sets=2, reps=1, rest_s=30)
    r = SessionRunner([item], engine_config=EngineConfig(setup_s=0.2))
    r.rate_pain(1, 0.0)
    r.start_now(0.0)
    r.tick(0.0)
    t = drive(r, squat_poses()[:150], 1.0)
    assert r.phase is Phase.REST
    left = r.snapshot(t).remaining_s
    r.pause(t)
    r.tick(t + 100)
    assert r.phase is Phase.REST
    r.resume(t + 100)
    assert abs(r.snapshot(t + 100).remaining_s - left) < 0.01


def test_breathing_runs_without_a_camera(catalogue):
    ex = catalogue.get("relaxed_breathing")
    r = SessionRunner([plan_from_exercise(ex, sets=1, duration_s=20)], camera_available=False)
    r.rate_pain(1, 0.0)
    r.start_now(0.0)
    r.tick(0.0)
    assert r.phase is Phase.ACTIVE
    assert "breathe" in r.snapshot(0.5).message.lower()
    r.tick(21.0)
    assert r.phase is Phase.PAIN_AFTER


def test_stop_keeps_what_was_done(catalogue):
    r = SessionRunner(
        [plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=50)],
        engine_config=EngineConfig(setup_s=0.2),
    )
    r.rate_pain(1, 0.0)
    r.start_now(0.0)
    r.tick(0.0)
    t = drive(r, squat_poses(), 1.0)
    r.stop(t)
    # the clip's first squat (at 1.1 s) happens during the 1.5 s camera check: not counted,
    # because counting never starts while the person is still getting into position
    assert r.phase is Phase.PAIN_END and r.results[0].reps == 7


def _standing_still(catalogue):  # noqa: ANN001, ANN202
    """Marching for 2 s, with a person standing still in view the whole time."""
    from coach.core.landmarks import PoseFrame

    march = plan_from_exercise(catalogue.get("marching_in_place"), duration_s=2.0)
    r = SessionRunner([march], engine_config=EngineConfig(setup_s=0.2), camera_check=False)
    begin(r)
    still = next(p for p in squat_poses() if p is not None)
    t = 1.0
    while r.phase is Phase.ACTIVE and t < 30:
        r.on_frame(PoseFrame(still.image, t, 0, still.width, still.height, still.world), 120.0, t)
        r.tick(t)
        t += 1 / 24
    return r, t


def test_a_timed_set_with_no_step_counted_is_not_done(catalogue):
    """The set runs out (the person was in view), but no step was counted: the exercise and the
    session are stopped early, "nothing counted", so they do not count as a session done."""
    from coach.core.session import STOP_NOTHING_COUNTED, SessionStatus

    r, t = _standing_still(catalogue)
    assert r.phase is Phase.PAIN_AFTER  # the clock ran out
    res = r.results[0]
    assert res.finished and res.sets_done == 1 and res.reps == 0
    assert res.status is SessionStatus.STOPPED_EARLY
    assert res.stop_reason == STOP_NOTHING_COUNTED
    r.rate_pain(2, t)
    r.rate_pain(2, t + 1)
    assert r.outcome() == (SessionStatus.STOPPED_EARLY, STOP_NOTHING_COUNTED)


def test_breathing_by_the_clock_is_done(catalogue):
    from coach.core.session import SessionStatus

    item = plan_from_exercise(catalogue.get("relaxed_breathing"), duration_s=1.0)
    r = SessionRunner([item])
    begin(r, 1)
    r.tick(5.0)
    assert r.phase is Phase.PAIN_AFTER
    assert r.results[0].status is SessionStatus.COMPLETED


def test_every_event_kind_has_one_frozen_payload():
    import dataclasses

    from coach.core.session_events import PAYLOADS, EventKind, PainRated, SessionEvent

    assert set(PAYLOADS) == set(EventKind)
    ev = SessionEvent.make("pain", 1.0, context="before", value=3, spreading=False, level="green")
    assert isinstance(ev.payload, PainRated) and ev.payload.value == 3
    assert ev.data["context"] == "before" and ev.data["exercise"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.payload.value = 9  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        SessionEvent.make(EventKind.SAY, 0.0, text="hi", bogus=1)
    with pytest.raises(TypeError, match="record"):
        SessionEvent.make(EventKind.REP, 0.0, count=1)


def test_a_timed_exercise_shows_the_time_still_to_go(catalogue):
    ex = catalogue.get("marching_in_place")
    r = SessionRunner([plan_from_exercise(ex)], engine_config=EngineConfig(setup_s=0.2))
    begin(r)
    t = drive(r, squat_poses()[:240], 1.0)
    s = r.snapshot(t)
    assert s.phase is Phase.ACTIVE
    # the clock runs while the person is in view: ~8 s of the 10 s of frames (set-up aside)
    assert r.current.duration_s - 10 < s.remaining_s < r.current.duration_s - 5


def test_two_people_in_view_are_mentioned_until_the_exerciser_is_clear(catalogue):
    from tests.core.test_counting_classes import knee_series, with_bystander

    squats = knee_series([(0, 1.0)] + [(60, 0.6), (0, 0.8)] * 6, dx=250)
    poses = with_bystander(squats, scale=1.05)  # wholly in the picture for the camera check
    r = SessionRunner(
        [plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=20)],
        engine_config=EngineConfig(setup_s=0.2),
    )
    begin(r)
    messages = []
    for p in poses:
        t = 1.0 + p.timestamp
        r.on_frame(p, 120.0, t)
        r.tick(t)
        messages.append(r.snapshot(t).message)
    unsure = [i for i, m in enumerate(messages) if m.startswith("I can see more than one person")]
    assert unsure, set(messages)
    following = [
        i for i, m in enumerate(messages) if m == "Following the person doing the exercise."
    ]
    assert following and following[0] > unsure[0]
    assert r.snapshot(t).count >= 5  # the exerciser's squats, as the engine test counts them


# -- a pain answer is not asked for twice (DOMAIN §5.1 rules unchanged) -----------------------


def _phases(events):  # noqa: ANN001, ANN202
    return [e.payload.phase for e in events if e.kind == "phase"]


def _pains(events):  # noqa: ANN001, ANN202
    return [(e.payload.context, e.payload.value) for e in events if e.kind == "pain"]


def test_pain_seven_mid_set_on_the_last_exercise_is_not_asked_again(catalogue):
    """Pain 7 with the pain key stops the exercise (§5.1: above 5 is red); as it was the last
    exercise, that answer is also the end-of-session one: no question follows it at once."""
    from coach.core.session import SessionStatus

    r = SessionRunner(
        [plan_from_exercise(catalogue.get("mini_squat"), sets=1, reps=50)],
        engine_config=EngineConfig(setup_s=0.2),
    )
    begin(r, 3)
    t = drive(r, squat_poses()[:200], 1.0)
    assert r.phase is Phase.ACTIVE
    d = r.rate_pain(7, t)
    assert d.action is Action.STOP_EXERCISE  # what 7 does is unchanged
    assert r.phase is Phase.SUMMARY
    events = r.events()
    assert "pain_after" not in _phases(events) and "pain_end" not in _phases(events)
    assert _pains(events) == [("before", 3), ("on_demand", 7), ("end", 7)]
    assert r.pain_end == 7 and r.results[0].pain_after == 7
    assert r.take_pain_note() == "Pain 7 recorded. This exercise is stopped."
    assert r.take_pain_note() == ""  # shown once
    assert r.outcome()[0] is SessionStatus.STOPPED_EARLY and "7" in r.outcome()[1]
    assert r.results[0].reps > 0


def test_pain_seven_on_the_first_exercise_and_the_end_question_still_comes_once(catalogue):
    breathe = catalogue.get("relaxed_breathing")
    r = SessionRunner(
        [plan_from_exercise(breathe, duration_s=30), plan_from_exercise(breathe, duration_s=30)]
    )
    begin(r)
    assert r.phase is Phase.ACTIVE and r.item == 0
    assert r.rate_pain(7, 5.0).action is Action.STOP_EXERCISE
    assert r.phase is Phase.INTRO and r.item == 1  # on to the next, no question in between
    assert r.take_pain_note() == "Pain 7 recorded. This exercise is stopped."
    assert r.results[0].pain_after == 7
    r.start_now(6.0)
    r.tick(6.1)
    r.tick(40.0)  # the second one runs its time
    assert r.phase is Phase.PAIN_AFTER  # its own question: the 7 was about the first one
    r.rate_pain(3, 41.0)
    assert r.phase is Phase.PAIN_END  # the end-of-session question, once, at the end
    r.rate_pain(3, 42.0)
    assert r.phase is Phase.SUMMARY
    phases = _phases(r.events())
    assert phases.count("pain_end") == 1 and phases.count("pain_after") == 1


def test_an_answer_in_the_last_minute_is_reused_after_the_exercise(catalogue):
    breathe = catalogue.get("relaxed_breathing")
    r = SessionRunner([plan_from_exercise(breathe, duration_s=40)])
    begin(r)
    d = r.rate_pain(4, 10.0)  # the pain key: amber, the exercise goes on
    assert d.action is Action.OFFER_REGRESSION and r.phase is Phase.ACTIVE
    r.tick(41.0)  # done 31 s after that answer
    events = r.events()
    assert "pain_after" not in _phases(events)
    assert r.results[0].pain_after == 4
    note = r.take_pain_note()
    assert note == "Pain 4 recorded a moment ago, so coach does not ask again."
    assert any(e.kind == "say" and e.payload.text == note for e in events)  # said too
    assert r.phase is Phase.PAIN_END  # the end-of-session question still comes


def test_an_answer_more_than_a_minute_old_is_asked_again(catalogue):
    breathe = catalogue.get("relaxed_breathing")
    r = SessionRunner([plan_from_exercise(breathe, duration_s=90)])
    begin(r)
    r.rate_pain(3, 10.0)
    r.tick(91.0)  # 81 s later
    assert r.phase is Phase.PAIN_AFTER
    assert r.take_pain_note() == ""


def test_a_second_red_ends_the_session_with_that_answer(catalogue):
    """Two reds end the session (§5.1); the second answer is the end-of-session one."""
    breathe = catalogue.get("relaxed_breathing")
    r = SessionRunner(
        [plan_from_exercise(breathe, duration_s=30), plan_from_exercise(breathe, duration_s=30)]
    )
    begin(r)
    r.rate_pain(6, 5.0)
    r.start_now(6.0)
    r.tick(6.1)
    d = r.rate_pain(8, 10.0)
    assert d.action is Action.END_SESSION
    assert r.phase is Phase.SUMMARY and r.pain_end == 8
    assert _pains(r.events())[-2:] == [("on_demand", 8), ("end", 8)]
    assert r.take_pain_note() == "Pain 8 recorded. The session ends here for today."
