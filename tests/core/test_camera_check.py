"""The camera check accepts every view the engine can count, read from the definition (issue 11)."""

from __future__ import annotations

from pathlib import Path

from coach.core.camera_check import CameraCheck, accepted_views, check_position
from coach.pose.estimator import Track

TRACKS = Path(__file__).resolve().parents[1] / "fixtures" / "tracks"


def _poses(name: str):
    return [p for p in Track.load(TRACKS / name).poses() if p is not None]


def test_views_come_from_the_definition(catalogue):
    squat = catalogue.get("mini_squat")
    assert squat.camera.view == "side" and "front" in squat.signal.views
    assert accepted_views(squat) == {"side", "front"}
    for ex in catalogue.exercises.values():
        sig = getattr(ex, "signal", None)
        assert set(getattr(sig, "views", None) or {}) <= accepted_views(ex)
        if ex.camera.view != "any":
            assert ex.camera.view in accepted_views(ex)


def test_a_front_view_squat_passes_the_check(catalogue):
    """A person squatting face-on (real landmarks of a front-view clip) is ready to count."""
    squat = catalogue.get("mini_squat")
    standing = _poses("squat_front_home_knees_cave_then_good.npz")[:20]
    verdicts = [
        check_position(p, 128.0, accepted_views(squat), squat.camera.whole_body) for p in standing
    ]
    assert not any(v.code == "wrong_view" for v in verdicts), [v.message for v in verdicts]
    check = CameraCheck(accepted_views(squat), squat.camera.whole_body, steady_s=0.3)
    for p in standing:
        check.update(p, 128.0, p.timestamp)
    assert check.ready


def test_a_side_only_exercise_still_asks_to_turn(catalogue):
    """An exercise the engine can score from the side only still asks a face-on person to turn."""
    side_only = next(
        ex
        for ex in catalogue.exercises.values()
        if accepted_views(ex) == {"side"}
        and ex.camera.whole_body
        and getattr(ex, "needs_camera", True)
        and "standing" in (ex.tags or ())
    )
    facing = _poses("squat_front_home_knees_cave_then_good.npz")[:20]
    verdicts = [check_position(p, 128.0, accepted_views(side_only), True) for p in facing]
    assert any(v.code == "wrong_view" for v in verdicts), side_only.id
