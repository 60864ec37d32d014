"""The stick-figure poses, checked with the app's own metrics (no drawing, no QApplication).

Known answers: at phase 0 the exercise's primary metric reads its ``rest`` value and at phase 1
its ``work`` value; the start pose passes the exercise's ``start`` checks and a hold's end pose
passes its ``in_position`` checks. So the drawing shows exactly the movement that is counted.
"""

from __future__ import annotations

import math

import pytest

from coach.figures.kinematics import cycle_timing, figure_for, measure, phase_at, pose_for
from coach.routines.catalogue import load_catalogue

CATALOGUE = load_catalogue()
EXERCISES = sorted(CATALOGUE.exercises.values(), key=lambda e: e.id)
WITH_SIGNAL = [e for e in EXERCISES if e.signal is not None]
HOLDS = [e for e in EXERCISES if e.kind == "hold"]


def holds(c, x: float) -> bool:
    if c.op == "between":
        return c.range[0] <= x <= c.range[1]
    if c.op == "outside":
        return x < c.range[0] or x > c.range[1]
    return {"<": x < c.value, "<=": x <= c.value, ">": x > c.value, ">=": x >= c.value}[c.op]


@pytest.mark.parametrize(
    ("exercise_id", "metric", "rest", "work"),
    [
        ("mini_squat", "knee_flex", 15, 45),
        ("glute_bridge", "hip_flex", 35, 10),
        ("bird_dog", "shoulder_angle@max", 95, 130),
        ("donkey_kick", "thigh_from_vertical@max", 20, 70),
        ("sit_to_stand", "knee_flex", 85, 10),
        ("standing_back_extension", "trunk_incl", 0, -15),
        ("cat_cow", "neck_flex_proxy", -12, 12),
    ],
)
def test_known_answers_for_the_primary_joint(
    exercise_id: str, metric: str, rest: float, work: float
) -> None:
    ex = CATALOGUE.get(exercise_id)
    assert measure(pose_for(ex, 0.0), metric) == pytest.approx(rest, abs=2.0)
    assert measure(pose_for(ex, 1.0), metric) == pytest.approx(work, abs=2.0)


@pytest.mark.parametrize("ex", WITH_SIGNAL, ids=lambda e: e.id)
def test_every_signal_exercise_moves_from_rest_to_work(ex) -> None:
    sig = ex.signal
    assert measure(pose_for(ex, 0.0), sig.metric) == pytest.approx(sig.rest, abs=2.0)
    assert measure(pose_for(ex, 1.0), sig.metric) == pytest.approx(sig.work, abs=2.0)
    # half-way is half-way-ish: the movement is continuous, not a jump
    mid = measure(pose_for(ex, 0.5), sig.metric)
    lo, hi = sorted((sig.rest, sig.work))
    assert lo - 2 <= mid <= hi + 2


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.start], ids=lambda e: e.id)
def test_the_first_frame_is_a_valid_start_position(ex) -> None:
    pose = pose_for(ex, 0.0)
    for c in ex.start:
        if c.reference == "absolute":
            assert holds(c, measure(pose, c.metric)), (c.metric, measure(pose, c.metric))


@pytest.mark.parametrize("ex", HOLDS, ids=lambda e: e.id)
def test_a_hold_ends_in_position(ex) -> None:
    pose = pose_for(ex, 1.0)
    for c in ex.in_position:
        if c.reference == "absolute":
            assert holds(c, measure(pose, c.metric)), (c.metric, measure(pose, c.metric))


@pytest.mark.parametrize(
    ("exercise_id", "family"),
    [
        ("mini_squat", "standing"),
        ("marching_in_place", "standing"),
        ("sit_tall", "seated"),
        ("chin_tuck", "seated"),
        ("glute_bridge", "supine"),
        ("knee_to_chest", "supine"),
        ("bird_dog", "quadruped"),
        ("childs_pose", "quadruped"),
        ("superman", "prone"),
        ("modified_plank", "prone"),
        ("side_bridge", "side_lying"),
        ("relaxed_breathing", "breathing"),
    ],
)
def test_posture_family_comes_from_the_definition(exercise_id: str, family: str) -> None:
    assert figure_for(CATALOGUE.get(exercise_id)).family == family


def test_knee_to_chest_goes_past_ninety_degrees() -> None:
    ex = CATALOGUE.get("knee_to_chest")
    assert measure(pose_for(ex, 1.0), "hip_flex@max") >= 90


def test_side_bend_leans_both_ways() -> None:
    ex = CATALOGUE.get("standing_side_bend")
    right = measure(pose_for(ex, 1.0), "trunk_lean")
    left = measure(pose_for(ex, 1.0, other_side=True), "trunk_lean")
    assert right >= 15 and left <= -15


def test_alternating_exercises_move_the_other_limb() -> None:
    ex = CATALOGUE.get("marching_in_place")
    a, b = pose_for(ex, 1.0), pose_for(ex, 1.0, other_side=True)
    assert a["l_knee"][1] < b["l_knee"][1]  # left knee up (y is down) in the first cycle
    assert b["r_knee"][1] < a["r_knee"][1]  # right knee up in the next


def test_breathing_is_a_circle_that_grows() -> None:
    ex = CATALOGUE.get("relaxed_breathing")
    small, big = pose_for(ex, 0.0)["radius"][0], pose_for(ex, 1.0)["radius"][0]
    assert big > small > 0


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_poses_stay_inside_the_unit_box_and_keep_their_scale(ex) -> None:
    spec = figure_for(ex)
    sizes = []
    for phase in (0.0, 0.25, 0.5, 0.75, 1.0):
        for other in (False, True) if spec.alternate else (False,):
            pose = pose_for(ex, phase, other_side=other)
            for x, y in pose.values():
                assert -0.01 <= x <= 1.01 and -0.01 <= y <= 1.01
            if "l_hip" in pose and "l_knee" in pose:
                sizes.append(math.dist(pose["l_hip"], pose["l_knee"]))
    if sizes and spec.view == "side":  # the thigh keeps its length: the figure does not zoom
        assert max(sizes) - min(sizes) < 1e-6


def test_phase_eases_out_holds_and_comes_back() -> None:
    timing = (1.0, 0.5, 1.0, 0.5)
    assert phase_at(0.0, timing) == (pytest.approx(0.0), 0)
    assert phase_at(0.5, timing)[0] == pytest.approx(0.5)
    assert phase_at(1.2, timing)[0] == pytest.approx(1.0)
    assert 0.0 < phase_at(2.1, timing)[0] < 1.0  # on the way back
    assert phase_at(2.6, timing)[0] == pytest.approx(0.0)
    assert phase_at(3.5, timing)[1] == 1


def test_timing_follows_the_tempo_and_breathing_pace() -> None:
    out, _hold, back, _pause = cycle_timing(CATALOGUE.get("mini_squat"))  # tempo 2-0-2
    assert (out, back) == (2.0, 2.0)
    b = CATALOGUE.get("relaxed_breathing").breathing
    assert cycle_timing(CATALOGUE.get("relaxed_breathing"))[::2] == (b.inhale_s, b.exhale_s)
