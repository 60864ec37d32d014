"""``coach bench-app``: the desktop app at rest and in a long session.

Two measurements in one process, with the real main window:

1. **At rest**: the home screen is shown (an empty profile that has done onboarding, posture
   monitor off) and left alone for ``--idle-s`` seconds after a short settle. CPU is this
   process's CPU seconds over wall seconds (% of one core). The timers running in the window are
   listed with their intervals: at rest there should be none without a reason.
2. **In a session**: a session of ``--exercise`` is started on ``--clip`` played as a camera
   (looped, paced at its frame rate, stamped with the monotonic clock; so the session runs its
   camera check and counts as with a webcam, for as long as asked), and the resident set size
   of the process is read from ``/proc/self/statm`` every ``--every-s`` for ``--session-min``
   minutes. Reported: RSS at the start of counting, the peak, the end, and the growth over the
   second half (a leak shows as growth; a flat line is what we want).

Needs a Qt platform: ``QT_QPA_PLATFORM=offscreen`` (set automatically when there is no display)
or a real/virtual display (``xvfb-run``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.devtools.bench_monitor import MEDIA, rss_bytes

if TYPE_CHECKING:
    from coach.ui.context import AppContext
    from coach.ui.main_window import MainWindow

DEFAULT_CLIP = MEDIA / "squat_side_be.mp4"
DEFAULT_EXERCISE = "mini_squat"


class LoopingClipCamera:
    """A video file that behaves like a webcam: live, looped, paced at its frame rate."""

    is_live = True

    def __init__(self, path: str | Path, max_side: int | None = None) -> None:
        from coach.capture.sources import VideoFileSource

        self._src = VideoFileSource(path, max_side=max_side)
        self.name = f"{Path(path).name} (as a camera)"
        self._period = 1.0 / self._src.fps
        self._next = time.monotonic()
        self._id = 0
        self.loops = 0

    @property
    def fps(self) -> float:
        return self._src.fps

    def read(self) -> Any:
        from coach.capture.base import Frame

        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + self._period, time.monotonic() - self._period)
        f = self._src.read()
        if f is None:
            self._src.seek(0)
            self.loops += 1
            f = self._src.read()
            if f is None:
                return None
        now = time.monotonic()
        self._id += 1
        return Frame(f.rgb, now, self._id, now)

    def close(self) -> None:
        self._src.close()


def _pump(app: Any, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _timers(root: Any) -> list[dict[str, Any]]:
    from PySide6.QtCore import QTimer

    out = []
    for t in root.findChildren(QTimer):
        if t.isActive():
            parent = t.parent()
            out.append(
                {
                    "owner": type(parent).__name__ if parent is not None else "-",
                    "interval_ms": t.interval(),
                    "single_shot": t.isSingleShot(),
                }
            )
    return out


def bench_app(
    clip: Path = DEFAULT_CLIP,
    exercise: str = DEFAULT_EXERCISE,
    idle_s: float = 60.0,
    session_min: float = 10.0,
    every_s: float = 5.0,
) -> dict[str, Any]:
    """Run both measurements; returns the ``--json`` document."""
    if not clip.is_file():
        raise ValueError(f"{clip}: no such video")
    if not (idle_s > 0 and session_min > 0 and every_s > 0):
        raise ValueError("--idle-s, --session-min and --every-s must be positive")
    tmp = tempfile.mkdtemp(prefix="coach-bench-app-")
    for var, sub in (
        ("COACH_CONFIG_DIR", "config"),
        ("COACH_DATA_DIR", "data"),
        ("COACH_LOG_DIR", "logs"),
    ):
        os.environ[var] = str(Path(tmp) / sub)
    os.environ.setdefault("COACH_TTS", "mock")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import coach.capture.sources as sources
    from coach.ui.app import build_window

    app = QApplication.instance() or QApplication([])
    sources.list_cameras = lambda *a, **k: [(0, "bench camera")]  # the clip stands in for it
    opened: list[LoopingClipCamera] = []

    def open_as_camera(spec: Any, max_side: int | None = None) -> LoopingClipCamera:
        cam = LoopingClipCamera(clip, max_side)
        opened.append(cam)
        return cam

    sources.open_source = open_as_camera  # type: ignore[assignment]
    win, ctx = build_window(source="0", history_path=Path(tmp) / "history.sqlite3")
    ctx.settings.onboarded = True
    ctx.settings.screening_done_at = 1.0
    ctx.settings.posture_monitor = False
    win.resize(1366, 768)
    win.show()
    _pump(app, 5.0)  # settle: first paint, deferred loads
    idle = _measure_idle(app, win, idle_s)
    session = _measure_session(app, win, ctx, clip, exercise, session_min, every_s, opened)
    return {"idle": idle, "session": session, "platform": QApplication.platformName()}


def _measure_idle(app: Any, win: MainWindow, idle_s: float) -> dict[str, Any]:
    """The home screen left alone for ``idle_s``: CPU, the timers running, RSS."""
    timers = _timers(win)
    cpu0, wall0 = time.process_time(), time.monotonic()
    _pump_idle(app, idle_s)
    idle_cpu = time.process_time() - cpu0
    idle_wall = time.monotonic() - wall0
    return {
        "seconds": round(idle_wall, 1),
        "cpu_percent_of_core": round(100.0 * idle_cpu / idle_wall, 3),
        "active_timers": timers,
        "rss_mib": round(rss_bytes() / 2**20, 1),
    }


def _measure_session(
    app: Any,
    win: MainWindow,
    ctx: AppContext,
    clip: Path,
    exercise: str,
    session_min: float,
    every_s: float,
    opened: list[LoopingClipCamera],
) -> dict[str, Any]:
    """A session of ``exercise`` run for ``session_min`` minutes, RSS sampled every ``every_s``;
    the window is closed at the end."""
    from PySide6.QtCore import QEventLoop, QTimer

    from coach.core.session import plan_from_exercise
    from coach.ui.session_page import SessionPage

    ex = ctx.catalogue.get(exercise)
    win.start_session([plan_from_exercise(ex, sets=1, reps=100_000)], "bench session")
    page = win.current_page()
    if not isinstance(page, SessionPage):
        raise RuntimeError(f"the bench session did not start ({type(page).__name__} is shown)")
    page.pain_panel.buttons[2].click()  # pain before: 2
    page.start_btn.click()  # skip the introduction

    samples: list[tuple[float, float]] = []
    t0 = time.monotonic()
    cpu0 = time.process_time()

    phases: list[str] = []

    def sample() -> None:
        samples.append((time.monotonic() - t0, rss_bytes() / 2**20))
        ph = getattr(page.runner.phase, "value", str(page.runner.phase))
        if not phases or phases[-1] != ph:
            phases.append(ph)

    sample()
    sampler = QTimer()
    sampler.setInterval(int(every_s * 1000))
    sampler.timeout.connect(sample)
    sampler.start()
    loop = QEventLoop()
    QTimer.singleShot(int(session_min * 60_000), loop.quit)
    loop.exec()  # the app's own event loop runs the session; we only read /proc now and then
    sampler.stop()
    sample()
    cpu = time.process_time() - cpu0
    wall = time.monotonic() - t0
    reps = page.runner.snapshot().count + sum(r.reps for r in page.runner.results)
    if hasattr(page, "shutdown"):
        page.shutdown()
    win.close()
    _pump(app, 1.0)
    mib = [m for _, m in samples]
    half = [(t, m) for t, m in samples if t >= wall / 2]
    growth = (half[-1][1] - half[0][1]) if len(half) >= 2 else 0.0
    return {
        "clip": str(clip),
        "exercise": exercise,
        "minutes": round(wall / 60.0, 2),
        "reps_counted": reps,
        "clip_loops": sum(c.loops for c in opened),
        "phases": phases,
        "cpu_percent_of_core": round(100.0 * cpu / wall, 1),
        "rss_mib_start": round(mib[0], 1) if mib else None,
        "rss_mib_peak": round(max(mib), 1) if mib else None,
        "rss_mib_end": round(mib[-1], 1) if mib else None,
        "rss_mib_growth_second_half": round(growth, 1),
        "rss_mib_samples": [[round(t, 1), round(m, 1)] for t, m in samples],
    }


def _pump_idle(app: Any, seconds: float) -> None:
    """Let the event loop run as the app's would (blocking waits, no polling of our own)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _cmd(args: argparse.Namespace) -> int:
    try:
        out = bench_app(
            Path(args.clip) if args.clip else DEFAULT_CLIP,
            args.exercise,
            args.idle_s,
            args.session_min,
            args.every_s,
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"coach: bench-app: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    i, s = out["idle"], out["session"]
    print(
        f"app at rest ({out['platform']}): {i['cpu_percent_of_core']} % of one core over {i['seconds']} s; "
        f"RSS {i['rss_mib']} MiB; active timers: {len(i['active_timers'])}"
    )
    for t in i["active_timers"]:
        print(
            f"  timer in {t['owner']}: every {t['interval_ms']} ms{' (single shot)' if t['single_shot'] else ''}"
        )
    print(
        f"session: {s['exercise']} on {Path(s['clip']).name} as a camera for {s['minutes']} min, "
        f"{s['reps_counted']} reps counted, CPU {s['cpu_percent_of_core']} % of one core"
    )
    print(
        f"  RSS: start {s['rss_mib_start']} MiB, peak {s['rss_mib_peak']} MiB, end {s['rss_mib_end']} MiB, "
        f"growth over the second half {s['rss_mib_growth_second_half']} MiB"
    )
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``coach bench-app``."""
    p = subparsers.add_parser(
        "bench-app",
        help="the desktop app's CPU at rest and memory during a long session",
        description=(__doc__ or "").split("\n\n")[0],
    )
    p.add_argument("--clip", help=f"video played as the camera (default {DEFAULT_CLIP.name})")
    p.add_argument(
        "--exercise",
        default=DEFAULT_EXERCISE,
        help=f"exercise of the session (default {DEFAULT_EXERCISE})",
    )
    p.add_argument(
        "--idle-s", type=float, default=60.0, help="seconds at rest on the home screen (default 60)"
    )
    p.add_argument(
        "--session-min", type=float, default=10.0, help="minutes of the session (default 10)"
    )
    p.add_argument("--every-s", type=float, default=5.0, help="RSS sample interval (default 5 s)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd)
