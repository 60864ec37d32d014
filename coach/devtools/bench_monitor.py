"""``coach bench-monitor``: what the background posture monitor costs, fixed 4 frames/s vs adaptive.

One run, the same recording, both modes side by side, each through the real
:class:`~coach.pipeline.sampled.SampledPipeline`, the real MediaPipe model and the real
:class:`~coach.core.posture.PostureMonitor`.

The recording: a desk day built from desk clips
-----------------------------------------------
A clip of a few seconds is not a working day. The clip is cut where the person holds one posture
(stretches of at least ``MIN_STRETCH_S`` with one per-frame verdict, found by a first pass of the
model over every frame: no times are typed in), and a day is played from it: each stretch is
held for ``--hold-s`` seconds (played forwards and backwards, so the small movements of a person
sitting still go on without a jump), then the frames between it and the next stretch are played
as they were recorded (forwards, or backwards on the way back) — a real posture change. The
person goes S0 → S1 → … → Sn → … → S0 and round again for ``--minutes``.

The camera: simulated, and honest about it
------------------------------------------
The frames are held JPEG-compressed in memory, as a webcam delivers MJPEG. A grab takes the
newest picture without decoding it (as ``VideoCapture.grab`` on a camera); a retrieve decodes the
JPEG and converts it to RGB. So each sample pays the decode, conversion, inference and monitor
step, and nothing else — what the monitor pays with a USB camera, minus the driver's own work
in the kernel (not in this process either way).

The clock: simulated, the CPU real
----------------------------------
Both modes run on a :class:`~coach.pipeline.sampled.SimClock`: the waiting between samples is
skipped (it costs nothing), everything done for a sample is done for real. CPU % of one core is
``process CPU seconds during the run / simulated seconds`` (all threads, MediaPipe's included;
the model is loaded and warmed up before the clock starts). A 30-minute day takes a few
minutes of wall time.

What is reported per mode
-------------------------
``cpu_percent_of_core``, ``inferences_per_min``, ``detect_change_s_max`` (for every posture
change of the day: from the first frame of the change to the first sample showing the state the
next hold settles in — the fixed monitor's majority verdict over that hold; the worst one),
``nudges`` (DOMAIN §3.4 alerts sent), ``agreement`` (fraction of the day's seconds on which the
mode shows the same verdict as the fixed-rate monitor), and camera figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coach.core.landmarks import PoseFrame
from coach.core.posture import MonitorConfig, PostureMonitor, PostureState, classify, measure_pose
from coach.devtools.media import media_dir

#: Default footage: the shared seated side-view clip, next to the repository.
MEDIA = media_dir()
DEFAULT_VIDEO = MEDIA / "sitting_upright_slouch_side.mp4"
#: An empty office: what the camera sees while the person is away (``--away-min``).
EMPTY_VIDEO = MEDIA / "no_person_office.mp4"
FIXED_RATE_HZ = 4.0


def _in_range(lo: float, hi: float, unit: str, whole: bool = False) -> Any:
    """An argparse type: a finite number from ``lo`` to ``hi`` (one line, exit 2 otherwise)."""

    def parse(text: str) -> float:
        try:
            v = (
                int(text)
                if whole and len(text) <= 30
                else float(text)
                if len(text) <= 64
                else math.nan
            )
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"'{text[:40]}' is not a {'whole ' if whole else ''}number"
            ) from None
        if not math.isfinite(v) or not lo <= v <= hi:
            raise argparse.ArgumentTypeError(
                f"{text[:40]} is out of range; use {lo:g} to {hi:g} {unit}"
            )
        return v

    return parse


#: A held posture: one per-frame verdict for at least this long.
MIN_STRETCH_S = 1.0
#: Longest side of the simulated camera's pictures (its 640 x 360 mode, see CameraSource).
CAMERA_MAX_SIDE = 640
JPEG_QUALITY = 85


def rss_bytes() -> int:
    """Resident set size of this process, from ``/proc/self/statm`` (Linux); 0 elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------
# The desk day


@dataclass(frozen=True)
class Piece:
    """A stretch of the day: ``hold`` plays frames a..b back and forth; ``play`` plays a→b once."""

    kind: str  # "hold" | "play"
    start_s: float
    duration_s: float
    a: int
    b: int
    label: str = ""


class DeskDay:
    """Which recorded frame the camera shows at each second of the simulated day."""

    def __init__(self, pieces: list[Piece], fps: float) -> None:
        self.pieces = pieces
        self.fps = fps
        self._starts = [p.start_s for p in pieces]

    @property
    def duration_s(self) -> float:
        last = self.pieces[-1]
        return last.start_s + last.duration_s

    def frame_at(self, t: float) -> int:
        import bisect

        i = max(0, bisect.bisect_right(self._starts, t) - 1)
        p = self.pieces[i]
        k = int((t - p.start_s) * self.fps)
        if p.kind == "play":
            n = abs(p.b - p.a)
            k = min(k, n)
            return p.a + k if p.b >= p.a else p.a - k
        n = p.b - p.a
        if n <= 0:
            return p.a
        k %= 2 * n  # forwards then backwards
        return p.a + (k if k <= n else 2 * n - k)

    def changes(self) -> list[tuple[float, Piece, Piece]]:
        """(start of the change, hold before, hold after) for each posture change."""
        out = []
        for i, p in enumerate(self.pieces):
            if p.kind == "play" and 0 < i < len(self.pieces) - 1:
                before, after = self.pieces[i - 1], self.pieces[i + 1]
                if before.label != after.label:
                    out.append((p.start_s, before, after))
        return out


def frame_labels(poses: Sequence[PoseFrame | None]) -> list[str]:
    """Per-frame verdict with the absolute defaults (no smoothing, no presence gate)."""
    out = []
    for p in poses:
        if p is None:
            out.append("none")
            continue
        out.append(classify(measure_pose(p)).state.value)
    # a 5-frame majority removes single-frame flicker
    sm = []
    for i in range(len(out)):
        win = out[max(0, i - 2) : i + 3]
        sm.append(Counter(win).most_common(1)[0][0])
    return sm


def stretches(
    labels: Sequence[str], fps: float, min_s: float = MIN_STRETCH_S
) -> list[tuple[int, int, str]]:
    """Maximal runs (first, last frame, label) of one verdict lasting at least ``min_s``."""
    out = []
    i = 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        if (j - i + 1) / fps >= min_s and labels[i] not in (
            "none",
            PostureState.NOT_TRACKING.value,
        ):
            out.append((i, j, labels[i]))
        i = j + 1
    return out


def build_day(
    runs: list[tuple[int, int, str]],
    fps: float,
    minutes: float,
    hold_s: float,
    away: tuple[int, int] | None = None,
    away_s: float = 0.0,
) -> DeskDay:
    """S0 → S1 → … → Sn → … → S1 → S0 …, each held ``hold_s``, joined by the recorded changes.

    With ``away`` (first, last frame of an empty desk) the person leaves for ``away_s`` once,
    half way through the day, and comes back in the posture they left in.
    """
    if len(runs) < 2 or len({r[2] for r in runs}) < 2:
        raise ValueError(
            "the clip shows no posture change (it needs two held postures that differ)"
        )
    order = list(range(len(runs))) + list(range(len(runs) - 2, 0, -1))
    pieces: list[Piece] = []
    t, total, k = 0.0, minutes * 60.0, 0
    cur = order[0]
    while t < total:
        a, b, lab = runs[cur]
        pieces.append(Piece("hold", t, hold_s, a, b, lab))
        t += hold_s
        if away is not None and away_s > 0 and t >= total / 2:
            pieces.append(Piece("hold", t, away_s, away[0], away[1], "away"))
            t += away_s
            pieces.append(Piece("hold", t, hold_s / 2, a, b, lab))
            t += hold_s / 2
            away = None
        k += 1
        nxt = order[k % len(order)]
        if nxt > cur:
            a0, b0 = runs[cur][1], runs[nxt][0]
        else:
            a0, b0 = runs[cur][0], runs[nxt][1]
        dur = abs(b0 - a0) / fps
        pieces.append(Piece("play", t, dur, a0, b0, "change"))
        t += dur
        cur = nxt
    return DeskDay(pieces, fps)


class DayCamera:
    """A simulated MJPEG webcam showing the desk day at the :class:`SimClock`'s time."""

    is_live = True
    buffered = 0
    name = "simulated desk camera"

    def __init__(self, jpegs: list[bytes], day: DeskDay, clock: Any) -> None:
        self.jpegs = jpegs
        self.day = day
        self.clock = clock
        self.fps = day.fps
        self.grabs = 0
        self.retrieves = 0
        self._grabbed = 0

    def grab(self) -> bool:
        self._grabbed = self.day.frame_at(self.clock())
        self.grabs += 1
        return True

    def retrieve(self) -> Any:
        import cv2

        from coach.capture.base import Frame

        self.retrieves += 1
        bgr = cv2.imdecode(np.frombuffer(self.jpegs[self._grabbed], np.uint8), cv2.IMREAD_COLOR)
        if bgr is None:
            return None
        rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        now = self.clock()
        return Frame(rgb, now, self.retrieves, now)

    def read(self) -> Any:
        self.grab()
        return self.retrieve()

    def close(self) -> None:
        pass


def load_clip(path: Path) -> tuple[list[bytes], list[Any], float]:
    """Every frame of ``path`` as camera-sized JPEG bytes and as RGB (for the first pass)."""
    import cv2

    from coach.capture.base import SourceError
    from coach.capture.sources import VideoFileSource

    try:
        src = VideoFileSource(path, max_side=CAMERA_MAX_SIDE)
    except SourceError as exc:
        raise ValueError(str(exc)) from exc
    jpegs, rgbs = [], []
    try:
        while (f := src.read()) is not None:
            rgbs.append(f.rgb)
            ok, buf = cv2.imencode(
                ".jpg",
                cv2.cvtColor(f.rgb, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY],
            )
            if not ok:
                raise ValueError(f"{path}: a frame could not be encoded")
            jpegs.append(buf.tobytes())
        fps = src.fps
    finally:
        src.close()
    if len(jpegs) < 2:
        raise ValueError(f"{path}: too few frames")
    return jpegs, rgbs, fps


# ---------------------------------------------------------------------------------------------
# One mode


def _estimator(variant: str, warm_rgb: Any) -> Any:
    from coach.capture.base import Frame
    from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

    est = MediaPipeEstimator(EstimatorOptions(variant=variant, live=False, people_look=False))
    est.detect(Frame(warm_rgb, -10.0, 0))  # graph set-up is a one-off cost, outside the clock
    return est


def run_mode(
    policy: Any, jpegs: list[bytes], day: DeskDay, variant: str, warm_rgb: Any
) -> dict[str, Any]:
    """Play the day through one :class:`SampledPipeline`; samples, alerts and costs."""
    from coach.pipeline.sampled import SampledPipeline, SampledReader, SimClock, monitor_config

    clock = SimClock(0.0)
    cam = DayCamera(jpegs, day, clock)
    monitor = PostureMonitor(config=monitor_config(policy, MonitorConfig()))
    samples: list[tuple[float, str]] = []
    alerts: list[tuple[float, str]] = []

    def consume(pose: PoseFrame | None, frame: Any) -> Any:
        st = monitor.update(pose, frame.timestamp)
        samples.append((frame.timestamp, st.state.value))
        if st.alert is not None:
            alerts.append((st.timestamp, st.alert.issue))
        return st

    est = _estimator(variant, warm_rgb)
    pipe = SampledPipeline(
        lambda: SampledReader(cam, clock=clock), lambda: est, consume, policy, clock=clock
    )
    gc.collect()
    rss0 = rss_bytes()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pipe.run_for(day.duration_s)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    st = pipe.stats()
    minutes = day.duration_s / 60.0
    return {
        "samples": samples,
        "alerts": alerts,
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_start_bytes": rss0,
        "rss_end_bytes": rss_bytes(),
        "inferences": st.inferences,
        "inferences_per_min": st.inferences / minutes,
        "grabs": cam.grabs,
        "retrieves": cam.retrieves,
        "camera_open_s": st.camera_open_s,
        "releases": st.releases,
        "errors": st.errors,
    }


def state_at(samples: Sequence[tuple[float, str]], times: Sequence[float]) -> list[str]:
    """The shown verdict at each time (the last sample at or before it)."""
    ts = np.array([s[0] for s in samples])
    idx = np.searchsorted(ts, np.asarray(times), side="right") - 1
    return ["away" if i < 0 else samples[int(i)][1] for i in idx]


def detect_times(
    samples: Sequence[tuple[float, str]], day: DeskDay, reference: Sequence[tuple[float, str]]
) -> list[float]:
    """Per posture change: seconds from its first frame to the first sample showing the state the
    next hold settles in (the reference's majority verdict over that hold)."""
    out = []
    ts = [s[0] for s in samples]
    import bisect

    for start, _before, after in day.changes():
        ref = [s for t, s in reference if after.start_s <= t < after.start_s + after.duration_s]
        if not ref:
            continue
        target, n = Counter(ref).most_common(1)[0]
        prev = state_at(reference, [start - 0.01])[0]
        if target == prev or n < 0.8 * len(ref):
            continue  # not a change of verdict, or no clear verdict to detect
        i = bisect.bisect_left(ts, start)
        hit = next(
            (samples[j][0] for j in range(i, len(samples)) if samples[j][1] == target), math.inf
        )
        out.append(hit - start)
    return out


def summarise(
    run: dict[str, Any], day: DeskDay, reference: dict[str, Any], warmup_s: float = 5.0
) -> dict[str, Any]:
    seconds = [float(s) for s in range(math.ceil(warmup_s), math.floor(day.duration_s))]
    mine = state_at(run["samples"], seconds)
    ref = state_at(reference["samples"], seconds)
    agree = (
        sum(a == b for a, b in zip(mine, ref, strict=True)) / len(seconds) if len(seconds) else 1.0
    )
    det = detect_times(run["samples"], day, reference["samples"])
    shown = Counter(mine)
    return {
        "cpu_percent_of_core": round(100.0 * run["cpu_s"] / day.duration_s, 2),
        "cpu_s": round(run["cpu_s"], 2),
        "wall_s": round(run["wall_s"], 1),
        "inferences": run["inferences"],
        "inferences_per_min": round(run["inferences_per_min"], 1),
        "detect_change_s_max": round(max(det), 2) if det else None,
        "detect_change_s_mean": round(float(np.mean(det)), 2) if det else None,
        "changes": len(det),
        "detect_change_s": [round(x, 2) for x in det],
        "nudges": len(run["alerts"]),
        "nudge_issues": dict(Counter(i for _, i in run["alerts"])),
        "agreement": round(agree, 4),
        "frames_grabbed": run["grabs"],
        "frames_decoded": run["retrieves"],
        "camera_open_fraction": round(run["camera_open_s"] / day.duration_s, 3),
        "camera_releases": run["releases"],
        "model_errors": run["errors"],
        "seconds_shown": {k: int(v) for k, v in shown.items()},
        "rss_end_mib": round(run["rss_end_bytes"] / 2**20, 1),
    }


def bench(
    video: Path = DEFAULT_VIDEO,
    minutes: float = 30.0,
    hold_s: float = 150.0,
    rate_hz: float = FIXED_RATE_HZ,
    variant: str = "full",
    policy: Any = None,
    away_min: float = 0.0,
    empty_video: Path | None = None,
) -> dict[str, Any]:
    """Fixed ``rate_hz`` vs adaptive over one simulated desk day; the ``--json`` document."""
    from coach.capture.base import Frame
    from coach.pipeline.sampled import SamplingPolicy

    if not (minutes > 0 and hold_s > 0 and rate_hz > 0):
        raise ValueError("--minutes, --hold-s and --rate must be positive")
    jpegs, rgbs, fps = load_clip(Path(video))
    est = _estimator(variant, rgbs[0])
    try:
        poses = [est.detect(Frame(rgb, i / fps, i)) for i, rgb in enumerate(rgbs)]
    finally:
        est.close()
    if not any(p is not None for p in poses):
        raise ValueError(f"{video}: no person found in any frame")
    runs = stretches(frame_labels(poses), fps)
    away = None
    if away_min > 0:
        empty, _rgb_empty, _fps = load_clip(Path(empty_video or EMPTY_VIDEO))
        away = (len(jpegs), len(jpegs) + len(empty) - 1)
        jpegs = jpegs + empty
    day = build_day(runs, fps, minutes, hold_s, away, away_min * 60.0)
    del rgbs[1:]
    fixed = run_mode(SamplingPolicy.fixed(rate_hz), jpegs, day, variant, rgbs[0])
    adaptive_policy = policy or SamplingPolicy()
    adaptive = run_mode(adaptive_policy, jpegs, day, variant, rgbs[0])
    out = {
        "fixed": summarise(fixed, day, fixed),
        "adaptive": summarise(adaptive, day, fixed),
        "recording": {
            "video": str(video),
            "fps": round(fps, 3),
            "frames": len(jpegs),
            "held_postures": [{"frames": [a, b], "verdict": lab} for a, b, lab in runs],
            "simulated_minutes": round(day.duration_s / 60.0, 2),
            "hold_s": hold_s,
            "away_min": away_min,
            "posture_changes": len(day.changes()),
        },
        "settings": {
            "fixed_rate_hz": rate_hz,
            "model": variant,
            "adaptive": {
                k: getattr(adaptive_policy, k)
                for k in ("fast_s", "slow_s", "move_fraction", "nudge_lead_s", "away_release_s")
            },
        },
        "method": (
            "simulated clock (waiting skipped, per-sample work real); CPU = process CPU seconds / simulated "
            "seconds; camera = recorded frames held as JPEG, grab = no decode, retrieve = JPEG decode + RGB"
        ),
    }
    return out


# ---------------------------------------------------------------------------------------------
# Memory of a long monitor run (no model)


def bench_memory(
    poses: Sequence[PoseFrame | None],
    frames: int = 20_000,
    rate_hz: float = FIXED_RATE_HZ,
    warmup_frames: int | None = None,
) -> dict[str, Any]:
    """Resident memory over a long simulated run of :class:`PostureMonitor` (no model).

    The poses replay in a loop with timestamps advancing by ``1 / rate_hz``.
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
    gc.collect()
    rss_end = rss_bytes()
    return {
        "frames": frames,
        "simulated_s": round(frames * dt, 1),
        "rss_warmup_bytes": rss_warm,
        "rss_end_bytes": rss_end,
        "rss_growth_kib": round((rss_end - rss_warm) / 1024.0, 1),
        "rula_results": rula,
        "alerts": alerts,
    }


# ---------------------------------------------------------------------------------------------
# The command


def _print(out: dict[str, Any]) -> None:
    r = out["recording"]
    print(
        f"desk day: {Path(r['video']).name} ({r['frames']} frames), {len(r['held_postures'])} held postures, "
        f"{r['simulated_minutes']:.0f} simulated min, {r['posture_changes']} posture changes, holds of {r['hold_s']:.0f} s"
    )
    rows = [
        ("CPU, % of one core", "cpu_percent_of_core", "{}"),
        ("inferences / min", "inferences_per_min", "{}"),
        ("posture change seen, worst (s)", "detect_change_s_max", "{}"),
        ("posture change seen, mean (s)", "detect_change_s_mean", "{}"),
        ("nudges sent", "nudges", "{}"),
        ("agreement with fixed (of seconds)", "agreement", "{:.1%}"),
        ("frames grabbed / decoded", None, ""),
        ("camera open (of the day)", "camera_open_fraction", "{:.0%}"),
        ("camera releases", "camera_releases", "{}"),
        ("wall time of the run (s)", "wall_s", "{}"),
    ]
    f, a = out["fixed"], out["adaptive"]
    print(
        f"  {'':<36} {'fixed ' + str(out['settings']['fixed_rate_hz']) + ' fps':>16} {'adaptive':>16}"
    )
    for label, key, fmt in rows:
        if key is None:
            fv, av = (
                f"{f['frames_grabbed']} / {f['frames_decoded']}",
                f"{a['frames_grabbed']} / {a['frames_decoded']}",
            )
        else:
            fv = "—" if f[key] is None else fmt.format(f[key])
            av = "—" if a[key] is None else fmt.format(a[key])
        print(f"  {label:<36} {fv:>16} {av:>16}")
    print(f"  method: {out['method']}")


def _cmd(args: argparse.Namespace) -> int:
    video = Path(args.video) if args.video else DEFAULT_VIDEO
    if not video.is_file():
        print(f"coach: bench-monitor: {video}: no such video", file=sys.stderr)
        return 2
    try:
        out = bench(video, args.minutes, args.hold_s, args.rate, args.model, away_min=args.away_min)
    except (OSError, ValueError) as exc:
        print(f"coach: bench-monitor: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print(out)
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``coach bench-monitor`` (and ``coach bench-app``)."""
    p = subparsers.add_parser(
        "bench-monitor",
        help="the background posture monitor's cost: fixed 4 frames/s vs adaptive, one desk day",
        description=(__doc__ or "").split("\n\n")[0],
    )
    p.add_argument(
        "video", nargs="?", help=f"a desk clip with posture changes (default {DEFAULT_VIDEO.name})"
    )
    p.add_argument(
        "--minutes",
        type=_in_range(0.1, 24 * 60.0, "minutes"),
        default=30.0,
        help="simulated length of the day (default 30)",
    )
    p.add_argument(
        "--hold-s",
        type=_in_range(1.0, 3600.0, "seconds"),
        default=150.0,
        help="seconds each posture is held (default 150)",
    )
    p.add_argument(
        "--rate",
        type=_in_range(0.1, 30.0, "frames/s"),
        default=FIXED_RATE_HZ,
        help="the fixed mode's frames/s (default 4)",
    )
    p.add_argument(
        "--away-min",
        type=_in_range(0.0, 24 * 60.0, "minutes"),
        default=0.0,
        help=f"minutes the person is away half way through ({EMPTY_VIDEO.name}; default 0)",
    )
    p.add_argument(
        "--model", default="full", choices=("lite", "full", "heavy"), help="pose model variant"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd)
    from coach.devtools import bench_app  # Qt is imported only when it runs

    bench_app.add_parser(subparsers)
