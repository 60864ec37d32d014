"""``coach bench-monitor`` and ``coach bench-app``: the desk-day construction and the measures
have known answers; one marked run on the shared clip checks the whole report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from coach.devtools.bench_monitor import (
    DEFAULT_VIDEO,
    DeskDay,
    Piece,
    add_parser,
    bench,
    bench_memory,
    build_day,
    detect_times,
    rss_bytes,
    state_at,
    stretches,
)
from coach.pose.estimator import Track

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tracks"


def test_rss_is_read_from_proc():
    assert rss_bytes() > 0


def test_stretches_are_held_verdicts_of_at_least_a_second():
    labels = (
        ["upright"] * 12
        + ["slouched"] * 5
        + ["upright"] * 20
        + ["none"] * 15
        + ["forward_head"] * 10
    )
    assert stretches(labels, fps=10.0) == [
        (0, 11, "upright"),
        (17, 36, "upright"),
        (52, 61, "forward_head"),
    ]


def test_desk_day_holds_play_back_and_forth_and_changes_play_once():
    runs = [(0, 9, "upright"), (20, 29, "slouched")]
    day = build_day(runs, fps=10.0, minutes=2.0, hold_s=30.0)
    kinds = [p.kind for p in day.pieces]
    assert kinds[:4] == ["hold", "play", "hold", "play"]
    assert day.duration_s >= 120.0
    # a hold stays within its stretch, going forwards then backwards
    seq = [day.frame_at(t / 10.0) for t in range(0, 40)]
    assert min(seq) == 0 and max(seq) == 9 and seq[:11] == list(range(10)) + [8]
    # the change from the first hold to the second plays frames 9 -> 20 once
    change = day.pieces[1]
    assert (change.a, change.b) == (9, 20) and change.duration_s == pytest.approx(1.1)
    assert day.frame_at(change.start_s + 0.55) in (14, 15)
    # and back: 20 -> 9
    back = day.pieces[3]
    assert (back.a, back.b) == (20, 9)
    assert [c[0] for c in day.changes()][:2] == [day.pieces[1].start_s, day.pieces[3].start_s]


def test_an_away_stretch_is_inserted_half_way_once():
    runs = [(0, 9, "upright"), (20, 29, "slouched")]
    day = build_day(runs, fps=10.0, minutes=10.0, hold_s=60.0, away=(40, 49), away_s=240.0)
    aways = [p for p in day.pieces if p.label == "away"]
    assert len(aways) == 1 and aways[0].duration_s == 240.0 and aways[0].start_s >= 300.0
    assert 40 <= day.frame_at(aways[0].start_s + 100.0) <= 49
    # back in the posture they left in, and the absence is not a posture change
    i = day.pieces.index(aways[0])
    assert day.pieces[i + 1].label == day.pieces[i - 1].label
    assert all(aways[0].start_s != c[0] for c in day.changes())


def test_a_clip_without_a_change_cannot_make_a_day():
    with pytest.raises(ValueError, match="no posture change"):
        build_day([(0, 30, "upright")], 10.0, 1.0, 30.0)


def test_detection_time_and_agreement_known_answers():
    day = DeskDay(
        [
            Piece("hold", 0.0, 10.0, 0, 5, "upright"),
            Piece("play", 10.0, 1.0, 5, 15, "change"),
            Piece("hold", 11.0, 20.0, 15, 20, "slouched"),
            Piece("play", 31.0, 1.0, 15, 5, "change"),
            Piece("hold", 32.0, 10.0, 0, 5, "upright"),
        ],
        fps=10.0,
    )
    reference = [(float(t), "upright" if t < 11 or t >= 33 else "slouched") for t in range(0, 42)]
    late = [(float(t), "upright" if t < 14 or t >= 35 else "slouched") for t in range(0, 42, 1)]
    assert detect_times(reference, day, reference) == [1.0, 2.0]
    assert detect_times(late, day, reference) == [4.0, 4.0]
    assert state_at(late, [-1.0, 13.5, 14.0]) == ["away", "upright", "slouched"]


def test_memory_bench_fields():
    poses = Track.load(FIXTURES / "squat_side_be.npz").poses()
    out = bench_memory(poses, frames=400, rate_hz=5.0)
    assert out["frames"] == 400 and out["simulated_s"] == pytest.approx(80.0)
    assert out["rula_results"] >= 10
    json.dumps(out)


def test_subcommands_are_registered():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_parser(sub)
    args = parser.parse_args(["bench-monitor", "--minutes", "2", "--hold-s", "40", "--json"])
    assert args.minutes == 2.0 and args.hold_s == 40.0 and args.json and args.rate == 4.0
    args = parser.parse_args(["bench-app", "--idle-s", "5", "--session-min", "1"])
    assert args.idle_s == 5.0 and args.session_min == 1.0


def test_bad_video_is_one_line_exit_2(capsys):
    from coach.cli import main

    assert main(["bench-monitor", "/nonexistent/clip.mp4"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such video" in err


@pytest.mark.footage
def test_fixed_vs_adaptive_on_the_shared_clip():
    if not DEFAULT_VIDEO.is_file():
        pytest.fail(f"Test footage {DEFAULT_VIDEO} is missing; restore the shared media folder.")
    out = bench(DEFAULT_VIDEO, minutes=1.5, hold_s=20.0)
    json.dumps(out)
    f, a = out["fixed"], out["adaptive"]
    for k in ("cpu_percent_of_core", "inferences_per_min", "detect_change_s_max", "agreement"):
        assert k in f and k in a
    assert f["inferences_per_min"] == pytest.approx(240.0, abs=2.0)
    assert a["inferences_per_min"] < f["inferences_per_min"] / 2
    assert f["agreement"] == 1.0 and 0.0 < a["agreement"] <= 1.0
    assert a["changes"] >= 2 and a["detect_change_s_max"] is not None
    assert a["frames_decoded"] == a["inferences"]  # only sampled frames are decoded
