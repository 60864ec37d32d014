"""``coach bench-monitor``: what the background desk monitor costs.

Two measurements:

(a) **CPU**: a video is paced at real time, as a webcam would deliver it, and sampled at the
    monitor's rate (default 5 frames/s, DOMAIN §3.4). Frames between samples are only
    ``grab()``-ed (decoded, not converted or copied); sampled frames are ``retrieve()``-d,
    converted to RGB, run through the real MediaPipe model and the
    :class:`~coach.core.posture.PostureMonitor`. CPU is the process's CPU seconds (every
    thread, MediaPipe's included) over wall seconds, as a percentage of one core. Model loading
    and the first (warm-up) inference are excluded.

(b) **Memory**: a recorded track replays through :class:`PostureMonitor` for >= 20,000 frames
    (looping, timestamps advancing at the sample rate, no model), reading the resident set size
    from ``/proc/self/statm`` after a warm-up and at the end. A bounded monitor shows no growth
    beyond allocator noise.

Both are plain functions (:func:`bench_cpu`, :func:`bench_memory`) so tests can run them for a
couple of seconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.core.landmarks import PoseFrame
from coach.core.posture import MonitorConfig, PostureMonitor

#: Default footage: the shared seated side-view clip, next to the repository.
DEFAULT_VIDEO = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "media"
    / "sitting_upright_slouch_side.mp4"
)
DEFAULT_RATE_HZ = MonitorConfig().eval_hz


def rss_bytes() -> int:
    """Resident set size of this process, from ``/proc/self/statm`` (Linux); 0 elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def _rgb(cv2: Any, bgr: Any) -> npt.NDArray[np.uint8]:
    """BGR (OpenCV) to RGB (what the model takes; never mirrored)."""
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def bench_cpu(
    video: str | Path = DEFAULT_VIDEO,
    seconds: float = 60.0,
    rate_hz: float = DEFAULT_RATE_HZ,
    variant: str = "full",
    poses_out: list[PoseFrame | None] | None = None,
) -> dict[str, Any]:
    """CPU use of the monitor on a real-time-paced video sampled at ``rate_hz``.

    Parameters
    ----------
    video : the clip (looped when shorter than ``seconds``).
    seconds : wall-clock length of the measurement.
    rate_hz : frames per second given to the model and the monitor.
    variant : pose model variant ("lite", "full", "heavy").
    poses_out : if given, the sampled poses are appended (for :func:`bench_memory`).

    Returns
    -------
    dict with ``cpu_percent`` (of one core), ``cpu_s``, ``wall_s``, ``frames_decoded``,
    ``frames_sampled``, ``sample_rate_hz`` (achieved), ``inference_ms_mean``, ``video``,
    ``video_fps``, ``model``, ``states`` (frames per posture state).
    """
    import cv2

    from coach.capture.base import Frame
    from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

    path = Path(video)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such video")
    if not (seconds > 0 and rate_hz > 0):
        raise ValueError("seconds and rate_hz must be positive")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise ValueError(f"{path}: not a video OpenCV can read")
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    fps = fps if 1.0 <= fps <= 1000.0 else 30.0
    est = MediaPipeEstimator(EstimatorOptions(variant=variant, live=False))
    monitor = PostureMonitor()
    states: dict[str, int] = {}
    decoded = sampled = 0
    infer_s = 0.0
    try:
        # Warm-up inference outside the measurement (graph set-up is a one-off cost).
        ok, bgr = cap.read()
        if not ok:
            raise ValueError(f"{path}: no frames could be decoded")
        est.detect(Frame(_rgb(cv2, bgr), 0.0, 0))
        cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        live_frame = -1  # index of the newest frame "the camera" has delivered
        loops = 0
        period = 1.0 / rate_hz
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        k = 0
        while True:
            due = t0 + k * period
            now = time.perf_counter()
            if due - t0 > seconds:
                break
            if due > now:
                time.sleep(due - now)
            # The frame a live camera would be showing now; frames in between are grabbed only.
            target = int((due - t0) * fps)
            have = False
            while live_frame < target:
                if not cap.grab():
                    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the clip
                    loops += 1
                    if loops > 1_000_000:
                        raise ValueError(f"{path}: cannot loop the video")
                    continue
                live_frame += 1
                decoded += 1
                have = True
            if have:
                ok, bgr = cap.retrieve()
                if ok and bgr is not None:
                    ts = due - t0
                    rgb = _rgb(cv2, bgr)
                    a = time.perf_counter()
                    pose = est.detect(Frame(rgb, ts, k))
                    infer_s += time.perf_counter() - a
                    st = monitor.update(pose, ts)
                    states[st.state.value] = states.get(st.state.value, 0) + 1
                    sampled += 1
                    if poses_out is not None:
                        poses_out.append(pose)
            k += 1
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    finally:
        cap.release()
        est.close()
    return {
        "video": str(path),
        "video_fps": round(fps, 3),
        "model": variant,
        "seconds_requested": seconds,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "cpu_percent": round(100.0 * cpu / wall, 1) if wall > 0 else None,
        "rate_hz_requested": rate_hz,
        "sample_rate_hz": round(sampled / wall, 2) if wall > 0 else None,
        "frames_decoded": decoded,
        "frames_sampled": sampled,
        "video_loops": loops,
        "inference_ms_mean": round(1000.0 * infer_s / sampled, 2) if sampled else None,
        "states": states,
    }


def bench_memory(
    poses: Sequence[PoseFrame | None],
    frames: int = 20_000,
    rate_hz: float = DEFAULT_RATE_HZ,
    warmup_frames: int | None = None,
) -> dict[str, Any]:
    """Resident memory over a long simulated run of :class:`PostureMonitor` (no model).

    The poses replay in a loop with timestamps advancing by ``1 / rate_hz``, so 20,000 frames
    at 5 Hz are 66 simulated minutes (RULA windows, alerts, breaks reminders all happen).

    Returns
    -------
    dict with ``frames``, ``simulated_s``, ``rss_warmup_bytes``, ``rss_end_bytes``,
    ``rss_growth_bytes``, ``rss_growth_kib``, ``us_per_frame``, ``rula_results``, ``alerts``.
    """
    if not poses:
        raise ValueError("bench_memory needs at least one recorded frame")
    if frames < 2:
        raise ValueError("frames must be >= 2")
    warm = warmup_frames if warmup_frames is not None else max(1, min(2000, frames // 10))
    monitor = PostureMonitor()
    dt = 1.0 / rate_hz
    n = len(poses)
    rss_warm = 0
    rula = alerts = 0
    t_start = time.perf_counter()
    t_loop = t_start
    for i in range(frames):
        ts = i * dt
        p = poses[i % n]
        if p is not None:
            p = PoseFrame(p.image, ts, i, p.width, p.height, p.world)
        st = monitor.update(p, ts)
        rula += st.rula_new
        alerts += st.alert is not None
        if i + 1 == warm:
            gc.collect()
            rss_warm = rss_bytes()
            t_loop = time.perf_counter()
    gc.collect()
    rss_end = rss_bytes()
    elapsed = time.perf_counter() - t_loop
    measured = frames - warm
    return {
        "frames": frames,
        "warmup_frames": warm,
        "simulated_s": round(frames * dt, 1),
        "rate_hz": rate_hz,
        "rss_warmup_bytes": rss_warm,
        "rss_end_bytes": rss_end,
        "rss_growth_bytes": rss_end - rss_warm,
        "rss_growth_kib": round((rss_end - rss_warm) / 1024.0, 1),
        "us_per_frame": round(1e6 * elapsed / measured, 1) if measured > 0 else None,
        "rula_results": rula,
        "alerts": alerts,
        "daily_record": monitor.record.as_dict(),
    }


def _load_poses(
    track_path: Path | None, collected: list[PoseFrame | None]
) -> list[PoseFrame | None]:
    if track_path is not None:
        from coach.pose.estimator import Track

        return Track.load(track_path).poses()
    return collected


def _cmd(args: argparse.Namespace) -> int:
    video = Path(args.video) if args.video else DEFAULT_VIDEO
    collected: list[PoseFrame | None] = []
    out: dict[str, Any] = {}
    try:
        out["cpu"] = bench_cpu(video, args.seconds, args.rate, args.model, poses_out=collected)
    except (OSError, ValueError) as exc:
        print(f"coach: bench-monitor: {exc}", file=sys.stderr)
        return 2
    poses = _load_poses(args.track, collected)
    if not any(p is not None for p in poses):
        print(
            "coach: bench-monitor: no person found in the sampled frames; pass --track",
            file=sys.stderr,
        )
        return 2
    out["memory"] = bench_memory(poses, args.frames, args.rate)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    c, m = out["cpu"], out["memory"]
    rows = [
        ("video", f"{Path(c['video']).name} ({c['video_fps']} fps, looped {c['video_loops']}x)"),
        ("model", c["model"]),
        ("wall time", f"{c['wall_s']:.1f} s"),
        ("sample rate", f"{c['sample_rate_hz']} frames/s (asked {c['rate_hz_requested']})"),
        ("frames decoded / sampled", f"{c['frames_decoded']} / {c['frames_sampled']}"),
        ("inference", f"{c['inference_ms_mean']} ms per sampled frame"),
        ("CPU", f"{c['cpu_percent']} % of one core ({c['cpu_s']:.1f} s CPU)"),
        (
            "monitor frames (memory run)",
            f"{m['frames']} ({m['simulated_s'] / 60:.0f} simulated min)",
        ),
        ("monitor cost", f"{m['us_per_frame']} µs per frame"),
        ("RSS after warm-up", f"{m['rss_warmup_bytes'] / 2**20:.1f} MiB"),
        ("RSS at the end", f"{m['rss_end_bytes'] / 2**20:.1f} MiB"),
        ("RSS growth", f"{m['rss_growth_kib']} KiB"),
    ]
    width = max(len(k) for k, _ in rows)
    print("background posture monitor")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``coach bench-monitor``."""
    p = subparsers.add_parser(
        "bench-monitor",
        help="measure the background posture monitor's CPU and memory",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument(
        "video", nargs="?", help=f"video to pace at real time (default {DEFAULT_VIDEO.name})"
    )
    p.add_argument(
        "--seconds", type=float, default=60.0, help="wall seconds of the CPU run (default 60)"
    )
    p.add_argument(
        "--rate", type=float, default=DEFAULT_RATE_HZ, help="frames per second sampled (default 5)"
    )
    p.add_argument(
        "--frames", type=int, default=20_000, help="frames of the memory run (default 20000)"
    )
    p.add_argument("--track", type=Path, help="replay this .npz track in the memory run instead")
    p.add_argument(
        "--model", default="full", choices=("lite", "full", "heavy"), help="pose model variant"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd)
