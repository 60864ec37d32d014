"""The command line: reports, and one-line errors with exit status 2 for user mistakes."""

from __future__ import annotations

import json

import pytest

from coach.cli import main
from tests.conftest import FIXTURES

TRACK = str(FIXTURES / "tracks" / "squat_side_be.npz")


def test_analyze_track_with_exercise_json(capsys):
    assert main(["analyze", TRACK, "--exercise", "mini_squat", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    for key in (
        "frames",
        "fps",
        "frames_with_pose",
        "mean_visibility",
        "processing_fps",
        "reps",
        "partial_reps",
        "holds",
        "faults",
        "reps_detail",
    ):
        assert key in r
    assert r["reps"] == 8
    assert {"start", "end", "range", "faults"} <= set(r["reps_detail"][0])


def test_analyze_readable_report(capsys):
    assert main(["analyze", TRACK, "--exercise", "mini_squat"]) == 0
    out = capsys.readouterr().out
    assert "reps: 8" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"not a video at all", "not a video"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "not a video"),
    ],
)
def test_analyze_bad_input_is_one_line_exit_2(tmp_path, capsys, content, needle):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "Traceback" not in err[0]


def test_truncated_real_video(tmp_path, capsys, media):
    data = (media / "squat_side_be.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 3])
    code = main(["analyze", str(path), "--json"])
    # an mp4 cut short loses its index: either unreadable (2) or the frames that decode
    assert code in (0, 2)
    if code == 2:
        assert "coach:" in capsys.readouterr().err


def test_unknown_exercise_lists_close_matches(capsys):
    assert main(["analyze", TRACK, "--exercise", "squat"]) == 2
    assert "mini_squat" in capsys.readouterr().err


def test_exercises_json_lists_catalogue(capsys):
    assert main(["exercises", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {e["id"] for e in data["exercises"]}
    assert {"mini_squat", "glute_bridge", "relaxed_breathing", "knee_to_chest"} <= ids
    assert {p["id"] for p in data["programs"]} >= {"aerobic", "core", "flexibility", "posture"}


def test_exercises_readable(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for prog in ("aerobic:", "core:", "flexibility:", "posture:", "breathing:"):
        assert prog in out


def test_no_person_track_is_exit_2(tmp_path, capsys):
    import numpy as np

    from coach.pose.estimator import Track

    t = Track(
        np.full((10, 33, 4), np.nan, np.float32),
        None,
        np.arange(10) / 30.0,
        np.arange(10),
        640,
        480,
        30.0,
    )
    t.save(tmp_path / "empty.npz")
    assert main(["analyze", str(tmp_path / "empty.npz")]) == 2
    assert "no person" in capsys.readouterr().err


def test_lifts_and_posture_read_as_sentences_not_json(capsys):
    deadlift = str(FIXTURES / "tracks" / "lifting_barbell_deadlift_oblique_gym.npz")
    assert main(["analyze", deadlift, "--lifting"]) == 0
    out = capsys.readouterr().out
    assert "lift 1:" in out and "lift 2:" in out and "REBA" in out
    assert "[{" not in out and "(a recorded landmark track)" in out
    assert main(["analyze", TRACK, "--posture"]) == 0
    out = capsys.readouterr().out
    assert "posture (side view" in out and " s  upright" in out and "RULA: worst" in out
    assert "{" not in out
