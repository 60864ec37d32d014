"""Golden landmark tracks recorded once from real footage (tests/fixtures/tracks): fast, model-free
regression tests of the whole scoring path on real movement."""

from __future__ import annotations

import pytest

from coach.analysis import score_track
from coach.pose.estimator import ReplayEstimator, Track
from tests.conftest import FIXTURES

TRACKS = FIXTURES / "tracks"


def load(name):
    return Track.load(TRACKS / f"{name}.npz")


def test_squat_side_counts_eight(catalogue):
    r = score_track(load("squat_side_be"), catalogue.get("mini_squat"))
    assert r.reps == 8 and r.partial_reps == 0
    assert all(d.range_deg > 45 for d in r.reps_detail)


def test_bird_dog_closeup_counts_three(catalogue):
    r = score_track(load("bird_dog_closeup_partial"), catalogue.get("bird_dog"))
    assert r.reps == 3


def test_knee_to_chest_holds_pause_during_the_close_up(catalogue):
    r = score_track(load("knee_to_chest_stretch_side"), catalogue.get("knee_to_chest"))
    assert len(r.holds) == 2
    assert r.holds[0] == pytest.approx(5.0, abs=1.0)
    assert r.holds[1] == pytest.approx(4.0, abs=1.0)
    assert r.not_visible_s > 4.5


def test_side_bend_holds_one_per_side(catalogue):
    r = score_track(load("standing_side_bend_front"), catalogue.get("standing_side_bend"))
    assert r.holds == [pytest.approx(6.5, abs=1.0), pytest.approx(5.5, abs=1.0)]


def test_track_round_trip(tmp_path):
    t = load("squat_side_be")
    t.save(tmp_path / "t.npz")
    u = Track.load(tmp_path / "t.npz")
    assert len(u) == len(t) and u.width == t.width and u.fps == t.fps


def test_replay_estimator_plays_the_track_back():
    import numpy as np

    from coach.capture.base import Frame

    t = load("squat_side_be")
    est = ReplayEstimator(t)
    rgb = np.zeros((t.height, t.width, 3), np.uint8)
    p = est.detect(Frame(rgb, 0.0, 0))
    assert p is not None and np.allclose(p.image, t.image[0])
