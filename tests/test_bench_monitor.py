"""``coach bench-monitor``: the bench functions run briefly and report every field.

No timing assertions: only that the measurements exist and are plausible numbers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from coach.bench_monitor import (
    DEFAULT_RATE_HZ,
    DEFAULT_VIDEO,
    add_parser,
    bench_cpu,
    bench_memory,
    rss_bytes,
)
from coach.pose.estimator import Track

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tracks"

CPU_FIELDS = {
    "video",
    "video_fps",
    "model",
    "seconds_requested",
    "wall_s",
    "cpu_s",
    "cpu_percent",
    "rate_hz_requested",
    "sample_rate_hz",
    "frames_decoded",
    "frames_sampled",
    "video_loops",
    "inference_ms_mean",
    "states",
}
MEMORY_FIELDS = {
    "frames",
    "warmup_frames",
    "simulated_s",
    "rate_hz",
    "rss_warmup_bytes",
    "rss_end_bytes",
    "rss_growth_bytes",
    "rss_growth_kib",
    "us_per_frame",
    "rula_results",
    "alerts",
    "daily_record",
}


def test_rss_is_read_from_proc():
    assert rss_bytes() > 0


def test_memory_bench_fields():
    poses = Track.load(FIXTURES / "squat_side_be.npz").poses()
    out = bench_memory(poses, frames=400, rate_hz=5.0)
    assert CPU_FIELDS.isdisjoint(out) and set(out) >= MEMORY_FIELDS
    assert out["frames"] == 400 and out["simulated_s"] == pytest.approx(80.0)
    assert out["rula_results"] >= 10
    json.dumps(out)


def test_memory_bench_needs_frames():
    with pytest.raises(ValueError):
        bench_memory([], frames=100)


def test_cpu_bench_fields_with_the_real_model():
    if not DEFAULT_VIDEO.is_file():
        pytest.fail(f"Test footage {DEFAULT_VIDEO} is missing; restore the shared media folder.")
    poses: list = []
    out = bench_cpu(DEFAULT_VIDEO, seconds=2.0, rate_hz=5.0, poses_out=poses)
    assert set(out) >= CPU_FIELDS
    assert out["frames_sampled"] >= 5 and out["frames_decoded"] >= out["frames_sampled"]
    assert out["cpu_percent"] is not None and out["cpu_percent"] > 0
    assert len(poses) == out["frames_sampled"]
    json.dumps(out)


def test_subcommand_is_registered():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_parser(sub)
    args = parser.parse_args(["bench-monitor", "--seconds", "1", "--frames", "500", "--json"])
    assert args.seconds == 1.0 and args.frames == 500 and args.json and args.rate == DEFAULT_RATE_HZ
