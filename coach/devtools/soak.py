"""Memory over hours: a live session and the posture monitor, run for an hour of (accelerated)
time each, with the process's resident memory (RSS) sampled throughout.

::

    python -m coach.devtools.soak [--hours 1] [--only live|posture] [--json]

**Live session.** The real :class:`~coach.pipeline.session.LiveSession` — capture thread,
latest-wins mailbox, pose + scoring thread, :class:`~coach.core.session.SessionRunner`, and the
recorder writing every rep to a real SQLite history (in a temporary folder) — fed a recorded
landmark track played in a loop, unpaced, for ``hours`` of media time. The pose "model" replays
the track's landmarks (no MediaPipe: its own memory is MediaPipe's business, and one hour of
real inference would take an hour). The plan never runs out (hundreds of sets), so scoring,
rests and recording go on for the whole hour.

**Posture monitor.** The real :class:`~coach.pipeline.sampled.SampledPipeline` with the real
:class:`~coach.core.posture.PostureMonitor` on a simulated clock, sampling at a fixed 5 frames/s
(the most work the monitor ever does), then with the app's adaptive policy, with the person away
for 4 minutes every 20 (so the adaptive run releases and reopens the camera) — the same replayed
poses.

For each run the RSS is sampled (``/proc/self/statm``) against media time; the growth is the
least-squares slope after a warm-up (the first tenth), in MB per hour, and the plain difference
between the last sample and the first after warm-up. The limit is 5 MB per hour. Results and the
command are written down in ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coach.capture.base import Frame
from coach.core.landmarks import PoseFrame

#: The recorded track replayed by both runs (a real person doing mini squats, side view).
DEFAULT_TRACK = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "tracks" / "squat_side_be.npz"
)
LIMIT_MB_PER_HOUR = 5.0
WARM_UP_FRACTION = 0.1


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux ``/proc``; else the peak from ``resource``)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):  # not Linux: the peak is the best we can do
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1e6 if sys.platform == "darwin" else 1e3)


@dataclass
class SoakResult:
    """One run: RSS samples against media time and the growth computed from them."""

    name: str
    media_hours: float
    wall_s: float
    frames: int
    samples: list[tuple[float, float]] = field(default_factory=list)  # (media s, RSS MB)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def slope_mb_per_hour(self) -> float:
        pts = self._after_warm_up()
        if len(pts) < 3:
            return float("nan")
        t = np.array([p[0] for p in pts]) / 3600.0
        m = np.array([p[1] for p in pts])
        return float(np.polyfit(t, m, 1)[0])

    @property
    def growth_mb(self) -> float:
        pts = self._after_warm_up()
        return pts[-1][1] - pts[0][1] if pts else float("nan")

    @property
    def ok(self) -> bool:
        per_hour = self.growth_mb / max(self.media_hours * (1 - WARM_UP_FRACTION), 1e-9)
        return self.slope_mb_per_hour < LIMIT_MB_PER_HOUR and per_hour < LIMIT_MB_PER_HOUR

    def _after_warm_up(self) -> list[tuple[float, float]]:
        start = self.media_hours * 3600.0 * WARM_UP_FRACTION
        return [p for p in self.samples if p[0] >= start]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            slope_mb_per_hour=round(self.slope_mb_per_hour, 3),
            growth_mb=round(self.growth_mb, 3),
            ok=self.ok,
            rss_first_mb=round(self.samples[0][1], 1) if self.samples else None,
            rss_last_mb=round(self.samples[-1][1], 1) if self.samples else None,
        )
        d["samples"] = [(round(t, 1), round(m, 2)) for t, m in self.samples]
        return d

    def line(self) -> str:
        return (
            f"{self.name}: {self.media_hours:g} h of media ({self.frames} frames) in {self.wall_s:.0f} s; "
            f"RSS {self.samples[0][1]:.1f} -> {self.samples[-1][1]:.1f} MB; after warm-up "
            f"{self.growth_mb:+.2f} MB, slope {self.slope_mb_per_hour:+.2f} MB/hour "
            f"({'ok' if self.ok else 'OVER'} the {LIMIT_MB_PER_HOUR:g} MB/hour limit)"
        )


# -- a recorded track, looped --------------------------------------------------------------------


class LoopedTrack:
    """A landmark track played over and over with ever-increasing timestamps and frame ids."""

    is_live = False

    def __init__(self, track: Any, seconds: float) -> None:
        self.track = track
        self.poses = track.poses()
        self.fps = float(track.fps) or 30.0
        self.name = "looped track"
        self.frame_count = int(seconds * self.fps)
        h = max(1, round(64 * track.height / max(1, track.width)))
        self._blank = np.full((h, 64, 3), 128, np.uint8)
        self._i = 0

    def read(self) -> Frame | None:
        if self._i >= self.frame_count:
            return None
        i = self._i
        self._i += 1
        return Frame(self._blank, i / self.fps, i, time.monotonic())

    def pose(self, frame: Frame) -> PoseFrame | None:
        p = self.poses[frame.frame_id % len(self.poses)]
        if p is None:
            return None
        return PoseFrame(p.image, frame.timestamp, frame.frame_id, p.width, p.height, p.world)

    def close(self) -> None:
        self._i = self.frame_count


class _Replay:
    def __init__(self, source: LoopedTrack) -> None:
        self.source = source

    def detect(self, frame: Frame) -> PoseFrame | None:
        return self.source.pose(frame)

    def close(self) -> None:
        pass


# -- the two runs ----------------------------------------------------------------------------------


def soak_live_session(
    hours: float = 1.0, track_path: Path = DEFAULT_TRACK, sample_every_s: float = 0.5
) -> SoakResult:
    """An unpaced :class:`LiveSession` over ``hours`` of looped footage, recording to SQLite."""
    from coach.core.session import plan_from_exercise
    from coach.pipeline.session import LiveSession, SessionState, run_headless
    from coach.pose.estimator import Track
    from coach.routines.catalogue import load_catalogue
    from coach.settings import Settings
    from coach.store.history import History

    track = Track.load(track_path)
    source = LoopedTrack(track, hours * 3600.0)
    plan = [plan_from_exercise(load_catalogue().get("mini_squat"), sets=500, reps=10, rest_s=1.0)]
    settings = Settings(onboarded=True, screening_done_at=time.time())
    result = SoakResult("live session", hours, 0.0, 0)
    with tempfile.TemporaryDirectory(prefix="coach-soak-") as tmp:
        history = History.open(Path(tmp) / "history.sqlite3")
        session = LiveSession(
            plan,
            "soak",
            source="soak-track",
            settings=settings,
            history=history,
            paced=False,
            estimator_factory=lambda: _Replay(source),
            open_source=lambda _spec: source,
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(sample_every_s):
                result.samples.append((source._i / source.fps, rss_mb()))

        sampler = threading.Thread(target=sample, name="coach-soak-rss", daemon=True)
        t0 = time.perf_counter()
        result.samples.append((0.0, rss_mb()))
        sampler.start()
        try:
            run_headless(session, pain=1)
        finally:
            done.set()
            sampler.join(5.0)
        result.wall_s = time.perf_counter() - t0
        result.frames = source._i
        reps = sum(len(history.reps(session_id=s.id)) for s in history.sessions())
        # After the end: the summary, the record's last writes; a one-off, not growth with time.
        result.detail = {
            "reps_recorded": reps,
            "state": session.state.value,
            "rss_after_finish_mb": round(rss_mb(), 1),
            "finished": session.state is SessionState.FINISHED,
            "threads_after": threading.active_count(),
        }
        history.close()
    return result


def soak_posture_monitor(
    hours: float = 1.0, track_path: Path = DEFAULT_TRACK, rate_hz: float | None = 5.0
) -> SoakResult:
    """The sampled posture pipeline for ``hours`` of simulated time: at a fixed ``rate_hz``, or
    with the app's adaptive policy (``rate_hz=None``: slows down when calm, releases the camera
    while the person is away)."""
    from coach.core.posture import PostureMonitor
    from coach.pipeline.sampled import (
        SampledPipeline,
        SampledReader,
        SamplingPolicy,
        SimClock,
        monitor_config,
    )
    from coach.pose.estimator import Track

    track = Track.load(track_path)
    poses = [p for p in track.poses() if p is not None]
    clock = SimClock()
    policy = SamplingPolicy.fixed(rate_hz) if rate_hz else SamplingPolicy()
    monitor = PostureMonitor(config=monitor_config(policy))
    name = f"posture monitor ({f'fixed {rate_hz:g} Hz' if rate_hz else 'adaptive'})"
    result = SoakResult(name, hours, 0.0, 0)
    state = {"n": 0, "next_sample": 0.0}

    class Camera:
        is_live = True
        fps = 30.0
        name = "soak camera"
        buffered = 1

        def __init__(self) -> None:
            self.n = 0

        def grab(self) -> bool:
            return True

        def retrieve(self) -> Frame:
            self.n += 1
            return Frame(np.full((48, 64, 3), 128, np.uint8), clock(), self.n)

        def read(self) -> Frame:
            return self.retrieve()

        def close(self) -> None:
            pass

    class Model:
        def detect(self, frame: Frame) -> PoseFrame | None:
            if frame.timestamp % 1200.0 >= 960.0:  # away 4 minutes in every 20
                return None
            p = poses[int(state["n"]) % len(poses)]
            return PoseFrame(p.image, frame.timestamp, frame.frame_id, p.width, p.height)

        def close(self) -> None:
            pass

    def consume(pose: PoseFrame | None, frame: Frame) -> Any:
        state["n"] += 1
        st = monitor.update(pose, frame.timestamp)
        if frame.timestamp >= state["next_sample"]:
            result.samples.append((frame.timestamp, rss_mb()))
            state["next_sample"] = frame.timestamp + 10.0
        return st

    pipe = SampledPipeline(
        lambda: SampledReader(Camera(), clock=clock), Model, consume, policy, clock=clock
    )
    t0 = time.perf_counter()
    pipe.run_for(hours * 3600.0)
    result.wall_s = time.perf_counter() - t0
    result.samples.append((clock(), rss_mb()))
    result.frames = int(state["n"])
    st = pipe.stats()
    result.detail = {"inferences": st.inferences, "releases": st.releases, "reopens": st.reopens}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m coach.devtools.soak", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--hours", type=float, default=1.0, help="media hours per run (default 1)")
    ap.add_argument("--only", choices=("live", "posture"), help="run one of the two")
    ap.add_argument(
        "--json", action="store_true", help="print the results (with every RSS sample) as JSON"
    )
    args = ap.parse_args(argv)
    if not 0.01 <= args.hours <= 24:
        ap.error("--hours must be between 0.01 and 24")
    results = []
    if args.only in (None, "live"):
        results.append(soak_live_session(args.hours))
    if args.only in (None, "posture"):
        results.append(soak_posture_monitor(args.hours, rate_hz=5.0))
        results.append(soak_posture_monitor(args.hours, rate_hz=None))
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for r in results:
            print(r.line())
            print(f"  {r.detail}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
