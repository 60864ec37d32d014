"""A second, larger person in the picture (issue 12, class 1), with the real model.

The shared footage has no clip with someone standing beside the exerciser, so the test builds
one in a temporary folder from two shared clips: the manifest's step-up clip on the right, and
on the left a still man from another clip, cropped so he stands larger and nearer the camera
(he sways a few pixels, as a person waiting does). Nothing is written into the project.

With one tracked person the model follows the large bystander and the step-ups are lost; the
glance for other people (coach.pose.people) and the crop tracker (coach.pose.crowd) let the
scoring engine choose the exerciser, and every step-up in the manifest is counted — by
``coach analyze`` and by ``coach session``, which share the estimator.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.analysis import load_input, score_track
from coach.cli import main
from coach.pose.estimator import EstimatorOptions

pytestmark = pytest.mark.footage

BYSTANDER_CLIP = "standing_side_bend_front.mp4"  # a man standing still in its first second
BYSTANDER_T = 0.3


def _manifest_clip(media: Path, exercise: str):
    from coach.devtools.evaluate import read_manifest

    (spec,) = [s for s in read_manifest(media) if exercise in s.exercises and s.reps]
    return spec


def compose(media: Path, exercise_clip: str, out: Path) -> Path:
    """Side by side: the still, larger bystander (360 x 480) left, the exercise clip right."""
    ex = cv2.VideoCapture(str(media / exercise_clip))
    fps = ex.get(cv2.CAP_PROP_FPS)
    by = cv2.VideoCapture(str(media / BYSTANDER_CLIP))
    by.set(cv2.CAP_PROP_POS_MSEC, BYSTANDER_T * 1000)
    ok, still = by.read()
    assert ok, BYSTANDER_CLIP
    writer = None
    i = 0
    while True:
        ok, frame = ex.read()
        if not ok:
            break
        frame = cv2.resize(frame, (360, 480))
        dx = int(round(4 * np.sin(i / fps)))
        left = cv2.resize(still[:, 180 + dx : 460 + dx], (360, 480))
        both = np.hstack([left, frame])
        if writer is None:
            writer = cv2.VideoWriter(
                str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, both.shape[1::-1]
            )
        writer.write(both)
        i += 1
    assert writer is not None
    writer.release()
    return out


@pytest.fixture(scope="module")
def two_people(media, tmp_path_factory):
    spec = _manifest_clip(media, "step_up")
    path = compose(media, spec.file, tmp_path_factory.mktemp("two") / "two_people.mp4")
    return path, spec.reps


def test_analyze_counts_the_exerciser_beside_a_larger_bystander(two_people, catalogue):
    path, reps = two_people
    step_up = catalogue.get("step_up")
    track, _ = load_input(path, EstimatorOptions(), workers=1)
    others = sum(1 for p in track.poses() if p is not None and p.others)
    assert others > 0.9 * len(track)  # both people measured on (nearly) every frame
    assert score_track(track, step_up).reps == reps

    # without the glance the model follows the larger man alone: the class this fixes
    alone, _ = load_input(path, EstimatorOptions(people_look=False), workers=1)
    assert all(p is None or not p.others for p in alone.poses())
    assert score_track(alone, step_up).reps < reps


def test_session_counts_the_same(two_people, tmp_path, monkeypatch, capsys):
    path, reps = two_people
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    code = main(
        [
            "session",
            "--source",
            str(path),
            "--exercise",
            "step_up",
            "--screened",
            "--json",
            "--db",
            str(tmp_path / "h.sqlite3"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    (got,) = json.loads(out)["exercises"]
    assert got["reps"] == reps
