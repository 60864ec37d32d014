"""Posture and lifting on real footage, through the real pose model.

Each clip goes through ``coach.analysis.load_input`` (MediaPipe, VIDEO mode) and then the
offline reports. Expectations come from ``../shared/media/MANIFEST.tsv``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from coach.analysis import load_input
from coach.analysis.lifting import analyze_lifting
from coach.analysis.posture import analyze_posture
from coach.pose.estimator import Track

pytestmark = pytest.mark.footage

MEDIA = Path(__file__).resolve().parents[2].parent / "shared" / "media"
BAD = {"slouched", "forward_head", "leaning"}


def _media(name: str) -> Path:
    path = MEDIA / name
    if not path.is_file():
        pytest.fail(f"Test footage {path} is missing; restore the shared media folder ({MEDIA}).")
    return path


@cache
def _track(name: str) -> Track:
    track, _stats = load_input(_media(name))
    return track


def _seconds_in(timeline: list[dict], states: set[str], t0: float, t1: float) -> float:
    total = 0.0
    for item in timeline:
        if item["state"] in states:
            total += max(0.0, min(t1, item["end"]) - max(t0, item["start"]))
    return total


def test_sitting_clip_timeline_follows_the_manifest():
    report = analyze_posture(_track("sitting_upright_slouch_side.mp4"))
    timeline = report.timeline
    assert report.view == "side"
    assert report.baseline  # says whether a calibration or the defaults were used
    # Upright 0-1.4 s.
    assert timeline[0]["state"] == "upright" and timeline[0]["start"] == 0.0
    assert _seconds_in(timeline, {"upright"}, 0.0, 1.4) >= 1.2
    # Slouched forward (rounded back, head forward) 5.2-6.5 s: mostly a bad state.
    assert _seconds_in(timeline, BAD, 5.2, 6.48) >= 0.7 * (6.48 - 5.2)
    # Upright again for most of 2.2-5.1 s.
    assert _seconds_in(timeline, {"upright"}, 2.2, 5.1) >= 0.5 * (5.1 - 2.2)
    # Every interval except a lone one lasts >= 0.5 s (debounced) and they tile the clip.
    assert all(i["end"] - i["start"] >= 0.5 for i in timeline)
    assert all(a["end"] == b["start"] for a, b in zip(timeline, timeline[1:]))
    bad = [i for i in timeline if i["state"] in BAD]
    assert all(i["reasons"] for i in bad)
    assert report.rula and all(
        {"t", "score", "action_level", "drivers"} <= set(r) for r in report.rula
    )


def test_upright_still_is_upright():
    report = analyze_posture(_track("still_desk_upright_side.jpg"))
    assert len(report.timeline) == 1
    assert report.timeline[0]["state"] == "upright"
    assert report.baseline.startswith("defaults")


def test_hunched_still_is_forward_head_or_slouched():
    report = analyze_posture(_track("still_desk_hunched_forward_side.jpg"))
    assert len(report.timeline) == 1
    item = report.timeline[0]
    assert item["state"] in {"forward_head", "slouched"}
    assert item["reasons"]
    assert report.rula and report.rula[0]["action_level"] >= 2


def test_lifting_clip_has_one_stooped_lift():
    report = analyze_lifting(_track("lifting_crates_stoop.mp4"))
    lifts = report.lifts
    complete = [lift for lift in lifts if lift["complete"]]
    incomplete = [lift for lift in lifts if not lift["complete"]]
    assert len(complete) == 1 and len(incomplete) <= 1
    lift = complete[0]
    assert lift["strategy"] == "stoop"
    # Stooped placement at floor level 4.3-5.8 s (manifest).
    assert lift["start"] < 4.5 and lift["end"] > 5.8
    assert lift["trunk_flexion_deg"] > 60
    assert "trunk_flexion_high" in lift["faults"] and lift["cues"]
    # REBA from what the camera sees: a stooped floor-level lift is at least medium risk, and the
    # trunk is what drives it
    assert lift["reba"]["score"] >= 4 and lift["reba"]["action_level"] >= 2
    assert any("trunk" in d for d in lift["reba"]["drivers"])


def test_empty_office_has_no_lifts_and_posture_away():
    track = _track("no_person_office.mp4")
    assert analyze_lifting(track).lifts == []
    posture = analyze_posture(track)
    assert [i["state"] for i in posture.timeline] == ["away"]
    assert posture.summary == {"away": pytest.approx(3.17, abs=0.05)}
