"""The posture monitor's pipeline: a camera looked at a few times a minute, not streamed.

Qt-free, shared by the app's background monitor (:mod:`coach.ui.posture_monitor` only renders
it), ``coach bench-monitor`` and the tests. One worker thread (or, for benchmarks and tests, the
calling thread on a simulated clock) does, per sample::

    grab (no decode) ... grab -> retrieve (decode + RGB) -> pose model -> consumer -> next interval

Adaptive sampling (:class:`AdaptiveSampler`)
--------------------------------------------
While the person sits still in the same posture the interval doubles from ``fast_s`` up to
``slow_s`` (0.25 -> 0.5 -> 1 -> 1.5 s). Any of these drops it back to ``fast_s`` at once:

* **movement**: head and shoulders moved (median over nose, ears, shoulders) more than
  ``move_fraction`` of the head-and-shoulders scale since the last sample (a third: far more
  than the 7° of a forward-head threshold, which the verdict catches, far less than a person
  shifting in the chair or leaning in), the apparent size changed by more than ``scale_fraction`` (the
  camera zoomed or the person moved nearer), or the person appeared or vanished;
* **an uncertain verdict**: the monitor is still confirming the person, its raw verdict differs
  from the one shown (a state change waiting for its dwell time), or the raw verdict changed;
* **a nudge is due**: an issue's 60 s clock will run out within ``nudge_lead_s`` (the nudge is
  confirmed on fresh frames, never on a 2-second-old one);
* **asked**: :meth:`SampledPipeline.hold_fast` (the guided calibration wants many frames).

The DOMAIN §3.4 rules live in :class:`~coach.core.posture.PostureMonitor` and do not change:
they are timestamp-based, so fewer frames change nothing but the resolution of the clocks.
:func:`monitor_config` widens only the presence gaps so that a 2-second interval is not taken
for the person leaving. A change of posture is seen at the next sample (<= ``slow_s``) and shown
after two or three fast ones (the state dwell), so within ``slow_s + 0.5`` s.

The camera is released (the light goes off)
-------------------------------------------
* when nobody has been there for ``away_release_s`` (3 min; somebody "there" for less than
  ``present_reset_s`` does not count: the model sees brief people in empty rooms): it is
  reopened every
  ``away_recheck_s`` (1 min), given ``reopen_warmup_s`` to settle its exposure, looked at once
  and closed again if the desk is still empty;
* when another program wants it, where the platform says so (``camera_busy``, checked every
  ``busy_check_s``; on Linux :func:`coach.capture.sources.camera_users`), until it lets go;
* by the owner (:meth:`SampledPipeline.stop`) for pause, snooze, screen lock and sleep.

Cheap frames
------------
A camera (:class:`~coach.capture.sources.CameraSource`) is only touched at sample time: the
buffered, stale pictures are ``grab``-bed (taken from the driver without decoding) and only the
fresh one is ``retrieve``-d. A video file standing in for a camera is played in real time by
media time; the frames between two samples are grabbed, not converted.

Shared with :mod:`coach.pipeline.live`: the frame sources and their grab/retrieve, the
estimator protocol and its errors, the latest-wins :class:`~coach.capture.base.Mailbox` through
which the owner reads the newest result, and the same stop discipline (an Event, joins with a
time-out). What differs is only when frames are read, which is what this module is for.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Protocol

import numpy as np

from coach.capture.base import Frame, Mailbox
from coach.core.landmarks import Landmark, PoseFrame
from coach.core.posture import MonitorConfig, PostureState, PostureStatus
from coach.pose.estimator import PoseError, PoseEstimator

log = logging.getLogger(__name__)

EVENT_QUEUE = 64
#: A camera that returns nothing this many samples in a row is reported lost.
LOST_AFTER_MISSES = 15

#: The consumer steps the posture monitor with one sample and returns its status.
Consumer = Callable[[PoseFrame | None, Frame], PostureStatus | None]


# ---------------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class SamplingPolicy:
    """When to look (see the module docstring). ``fixed_hz`` set: a constant rate, nothing else."""

    fixed_hz: float | None = None
    fast_s: float = 0.25
    slow_s: float = 1.5
    move_fraction: float = 0.3
    scale_fraction: float = 0.12
    nudge_lead_s: float = 3.0
    confirm_window_s: float = 3.0
    away_sample_s: float = 2.0
    away_release_s: float = 180.0
    present_reset_s: float = 10.0
    away_recheck_s: float = 60.0
    busy_check_s: float = 10.0
    reopen_warmup_s: float = 0.5

    def __post_init__(self) -> None:
        if self.fixed_hz is not None and not (0.05 <= self.fixed_hz <= 60.0):
            raise ValueError(f"fixed_hz must be within 0.05–60, got {self.fixed_hz!r}")
        if not (0.02 <= self.fast_s <= self.slow_s <= 10.0):
            raise ValueError("need 0.02 <= fast_s <= slow_s <= 10 seconds")

    @classmethod
    def fixed(cls, hz: float, **kw: Any) -> SamplingPolicy:
        """A constant ``hz`` frames per second (the pre-adaptive monitor; the benchmark's reference)."""
        return cls(fixed_hz=hz, **kw)

    @property
    def adaptive(self) -> bool:
        return self.fixed_hz is None

    @property
    def max_interval_s(self) -> float:
        if self.fixed_hz is not None:
            return 1.0 / self.fixed_hz
        return max(self.slow_s, self.away_sample_s)


def monitor_config(policy: SamplingPolicy, base: MonitorConfig | None = None) -> MonitorConfig:
    """``base`` with presence gaps wide enough for the policy's longest interval.

    The presence gate and the "away" test bridge gaps between detections; at a fixed 4 Hz the
    defaults (0.5 s, 1 s) already do, at a 2 s interval they must be wider or every sample would
    start the person over. Only a person already confirmed is kept across the wider gap: a new
    detection is still confirmed at the fast rate with the short gap, so a ghost in an empty
    room does not become a person. Nothing else changes: the nudge rules are the same.
    """
    base = base or MonitorConfig()
    longest = policy.max_interval_s
    return replace(
        base,
        eval_hz=(policy.fixed_hz if policy.fixed_hz is not None else 1.0 / policy.fast_s),
        presence_keep_s=max(base.presence_keep_s, 1.5 * longest),
        away_after_s=max(base.away_after_s, longest + 0.5),
    )


_KEY_POINTS = (
    int(Landmark.NOSE),
    int(Landmark.LEFT_EAR),
    int(Landmark.RIGHT_EAR),
    int(Landmark.LEFT_SHOULDER),
    int(Landmark.RIGHT_SHOULDER),
)
_LS, _RS = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LE, _RE = int(Landmark.LEFT_EAR), int(Landmark.RIGHT_EAR)


def head_shoulder_points(pose: PoseFrame) -> tuple[np.ndarray, float] | None:
    """Pixel positions of nose, ears and shoulders (NaN when unseen) and their scale.

    The scale is the larger of the shoulder width and the ear-to-shoulder height, so it holds
    in a side view (narrow shoulders) and a front view alike. None when too little is seen.
    """
    px = pose.pixels()[:, :2]
    vis = pose.image[:, 3]
    pts = np.where((vis[list(_KEY_POINTS)] >= 0.5)[:, None], px[list(_KEY_POINTS)], np.nan)
    width = float(np.hypot(*(px[_LS] - px[_RS]))) if min(vis[_LS], vis[_RS]) >= 0.5 else 0.0
    height = 0.0
    for ear, sh in ((_LE, _LS), (_RE, _RS)):
        if min(vis[ear], vis[sh]) >= 0.5:
            height = max(height, float(np.hypot(*(px[ear] - px[sh]))))
    scale = max(width, height)
    if scale <= 1e-6 or int(np.isfinite(pts[:, 0]).sum()) < 2:
        return None
    return pts, scale


class AdaptiveSampler:
    """Chooses the interval to the next sample from the last pose and status (see module doc).

    Pure and clock-free: the caller passes timestamps. ``reason`` says why the last interval
    was short ("" when calm), for statistics and tests.
    """

    def __init__(self, policy: SamplingPolicy | None = None) -> None:
        self.policy = policy or SamplingPolicy()
        self._prev: tuple[np.ndarray, float] | None = None
        self._prev_present: bool | None = None
        self._prev_raw: PostureState | None = None
        self._calm = 0
        self._fast_until = -math.inf
        self._untracked_since = math.nan
        #: A detection is being confirmed: the camera is not released in the middle of it.
        self.confirming = False
        self.reason = "start"
        self.interval_s = self.policy.fast_s if self.policy.adaptive else self.policy.max_interval_s

    def hold_fast(self, until: float) -> None:
        """Sample at the fast rate until the timestamp ``until``."""
        self._fast_until = max(self._fast_until, until)

    def moved(self, pose: PoseFrame | None) -> bool:
        """Did the head and shoulders move (or appear, vanish, or change size) since last time?"""
        cur = head_shoulder_points(pose) if pose is not None else None
        present = cur is not None
        prev, prev_present = self._prev, self._prev_present
        self._prev, self._prev_present = cur, present
        if prev_present is None:
            return True
        if present != prev_present:
            return True
        if cur is None or prev is None:
            return False
        (a, sa), (b, sb) = cur, prev
        if abs(sa / sb - 1.0) > self.policy.scale_fraction:
            return True
        d = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
        d = d[np.isfinite(d)]
        if d.size == 0:
            return True  # a different set of points is visible: something changed
        # The median over the points: one landmark's jitter is not movement, the head and
        # shoulders going somewhere together is.
        return bool(float(np.median(d)) / max(sa, sb) > self.policy.move_fraction)

    def next_interval(self, pose: PoseFrame | None, status: PostureStatus | None, t: float) -> float:
        """Seconds until the next sample, after the sample at ``t`` gave ``pose`` and ``status``."""
        p = self.policy
        if p.fixed_hz is not None:
            self.interval_s = 1.0 / p.fixed_hz
            self.reason = "fixed"
            return self.interval_s
        reasons: list[str] = []
        if self.moved(pose):
            reasons.append("movement")
        if status is None:
            reasons.append("no verdict")
        else:
            raw = status.raw_state
            untracked = PostureState.NOT_TRACKING in (status.state, raw)
            if untracked and self._untracked_since != self._untracked_since:
                self._untracked_since = t
            elif not untracked:
                self._untracked_since = math.nan
            if untracked:
                # A detection being confirmed, or a view settling: look closely for a while;
                # a person whose head stays out of view is looked at like an empty desk.
                if pose is not None and t - self._untracked_since < p.confirm_window_s:
                    reasons.append("confirming")
            elif raw is not status.state:
                reasons.append("verdict changing")
            elif self._prev_raw is not None and raw is not self._prev_raw:
                reasons.append("verdict changed")
            self._prev_raw = raw
            if status.alert_due_s <= p.nudge_lead_s:
                reasons.append("nudge due")
        self.confirming = "confirming" in reasons
        if t < self._fast_until:
            reasons.append("asked")
        away = status is not None and (
            (status.state is PostureState.AWAY and status.raw_state is PostureState.AWAY)
            or (self._untracked_since == self._untracked_since and "confirming" not in reasons)
        )
        if reasons and not (away and reasons == ["verdict changed"]):
            self._calm = 0
            self.interval_s = p.fast_s
        elif away:
            self.interval_s = p.away_sample_s
        else:
            self._calm += 1
            self.interval_s = min(p.slow_s, p.fast_s * 2.0 ** self._calm)
        self.reason = ", ".join(reasons)
        return self.interval_s


# ---------------------------------------------------------------------------------------------
# Reading frames cheaply


class GrabSource(Protocol):
    """A :class:`~coach.capture.base.FrameSource` that can also skip frames without decoding."""

    @property
    def name(self) -> str: ...
    @property
    def fps(self) -> float: ...
    @property
    def is_live(self) -> bool: ...
    def read(self) -> Frame | None: ...
    def grab(self) -> bool: ...
    def retrieve(self) -> Frame | None: ...
    def close(self) -> None: ...


class SampledReader:
    """A frame source read at sample times, frames stamped with ``clock()``.

    * A camera is untouched between samples; at a sample the frames the driver buffered are
      grabbed (taken, not decoded) and the fresh one is retrieved.
    * A file is played in real time from the first read: at a sample the frames due since the
      last one are grabbed and only the one due now is retrieved; it loops when ``loop``.
    * A source without ``grab``/``retrieve`` is simply ``read`` (older sources, fakes).

    ``grabs`` and ``retrieves`` count the work, for the benchmark.
    """

    def __init__(self, source: Any, loop: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.loop = loop
        self.clock = clock
        self.name = str(getattr(source, "name", "source"))
        self.is_live = bool(getattr(source, "is_live", False))
        self.cheap = callable(getattr(source, "grab", None)) and callable(getattr(source, "retrieve", None))
        self.ended = False
        self.loops = 0
        self.grabs = 0
        self.retrieves = 0
        self._wall0: float | None = None
        self._pos = -1  # media frame index grabbed last (files)
        self._id = 0

    def read(self) -> Frame | None:
        """The frame due now, or None (a camera hiccup, or the end of a non-looping file)."""
        now = self.clock()
        f = self._live_frame() if self.is_live else self._due_file_frame(now)
        if f is None:
            return None
        self._id += 1
        return Frame(f.rgb, now, self._id, now)

    def warm_up(self, seconds: float, wait: Callable[[float], bool]) -> None:
        """Let a just-opened camera settle its exposure: grab (never decode) for ``seconds``."""
        if not (self.is_live and self.cheap) or seconds <= 0:
            return
        step = 1.0 / max(1.0, float(getattr(self.source, "fps", 30.0) or 30.0))
        end = self.clock() + seconds
        while self.clock() < end:
            if self.source.grab():
                self.grabs += 1
            if wait(step):
                return

    def _live_frame(self) -> Frame | None:
        src = self.source
        if not self.cheap:
            self.retrieves += 1
            f: Frame | None = src.read()
            return f
        # Pictures the driver holds are old: take them without decoding, then one fresh one.
        stale = int(getattr(src, "buffered", 0) or 0)
        ok = False
        for _ in range(stale + 1):
            ok = bool(src.grab())
            self.grabs += ok
        if not ok:
            return None
        self.retrieves += 1
        fresh: Frame | None = src.retrieve()
        return fresh

    def _due_file_frame(self, now: float) -> Frame | None:
        if self.ended:
            return None
        if self._wall0 is None:
            self._wall0 = now
        fps = float(getattr(self.source, "fps", 30.0) or 30.0)
        target = max(int((now - self._wall0) * fps + 1e-6), self._pos + 1)  # never the same frame twice
        last: Frame | None = None
        while self._pos < target:
            if self.cheap:
                ok = bool(self.source.grab())
                self.grabs += ok
            else:
                last = self.source.read()  # no cheap skipping: every frame is read in full
                ok = last is not None
            if not ok:
                if not self.loop or not hasattr(self.source, "seek") or self._pos < 0:
                    self.ended = True
                    return None
                self.source.seek(0)
                self.loops += 1
                self._wall0, self._pos, target = now, -1, 0
                continue
            self._pos += 1
        if target > int((now - self._wall0) * fps + 1e-6):  # sampled faster than the file's rate
            self._wall0 = now - self._pos / fps
        if not self.cheap:
            return last
        self.retrieves += 1
        due: Frame | None = self.source.retrieve()
        return due

    def close(self) -> None:
        self.source.close()


# ---------------------------------------------------------------------------------------------
# Clocks


class SimClock:
    """A clock that only moves when told to: benchmarks and tests run hours in seconds.

    Everything that happens between two samples is waiting, so skipping the wait changes
    nothing but the wall time; the CPU spent on each sample is real.
    """

    def __init__(self, t0: float = 0.0) -> None:
        self.t = float(t0)

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        if dt > 0:
            self.t += dt


# ---------------------------------------------------------------------------------------------
# The pipeline


class SampledEventKind(str, Enum):
    """What happened that the owner must not miss (drained by :meth:`SampledPipeline.events`)."""

    ERROR = "error"  # the model or the camera failed; the pipeline stopped
    SOURCE_ENDED = "source_ended"  # a non-looping file ended
    SOURCE_LOST = "source_lost"  # a camera stopped sending pictures
    SOURCE_BACK = "source_back"
    CAMERA_RELEASED = "camera_released"  # nobody there, or another program wants it
    CAMERA_BACK = "camera_back"  # the other program let go


@dataclass(frozen=True, slots=True)
class SampledEvent:
    kind: SampledEventKind
    message: str
    t: float


class SampledState(str, Enum):
    """What the sampled pipeline is doing.

    ::

        LOADING ──model ready──► RUNNING ◄──────────────┐
                                   │ nobody for 3 min    │ someone there at a re-check /
                                   ▼                     │ the other program let go
                              AWAY_RELEASED ─────────────┤
                              CAMERA_BUSY ───────────────┘
        RUNNING ── file ended ──► ENDED;  model or camera failure ──► ERROR;  stop() ──► STOPPED
    """

    LOADING = "loading"
    RUNNING = "running"
    AWAY_RELEASED = "away_released"
    CAMERA_BUSY = "camera_busy"
    ENDED = "ended"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SampledStats:
    """Counters of one pipeline run (cheap to copy; safe to hand to another thread)."""

    state: SampledState
    inferences: int
    grabs: int
    retrieves: int
    errors: int
    releases: int
    reopens: int
    camera_open_s: float
    interval_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class SampledResult:
    """The newest sample: what was seen and what the consumer made of it."""

    frame: Frame
    pose: PoseFrame | None
    status: PostureStatus | None
    interval_s: float


class SampledPipeline:
    """Samples a source for the posture monitor; see the module docstring.

    Parameters
    ----------
    open_reader
        Opens the source (a :class:`SampledReader`); called again to reopen after a release.
        Raises :class:`~coach.capture.base.SourceError` (or OSError) when it cannot.
    estimator_factory
        Builds the pose estimator on the pipeline's thread.
    consumer
        ``consumer(pose, frame) -> PostureStatus | None`` on the pipeline's thread: steps the
        posture monitor (and anything else the owner needs per sample).
    policy
        :class:`SamplingPolicy` (adaptive by default; :meth:`SamplingPolicy.fixed` for a rate).
    clock
        ``time.monotonic`` for a thread; a :class:`SimClock` for :meth:`run_for`.
    camera_busy
        Returns True when another program wants the camera (checked every ``busy_check_s``
        on live sources only); None where the platform cannot tell.
    reader
        An already opened reader to start with (``open_reader`` is used for reopening).
    """

    def __init__(
        self,
        open_reader: Callable[[], SampledReader],
        estimator_factory: Callable[[], PoseEstimator],
        consumer: Consumer,
        policy: SamplingPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        camera_busy: Callable[[], bool] | None = None,
        reader: SampledReader | None = None,
        name: str = "coach-posture",
    ) -> None:
        self.policy = policy or SamplingPolicy()
        self.sampler = AdaptiveSampler(self.policy)
        self._open_reader = open_reader
        self._factory = estimator_factory
        self._consumer = consumer
        self.clock = clock
        self.camera_busy = camera_busy
        self.name = name
        self.state = SampledState.LOADING
        self.reader: SampledReader | None = None
        self.ready = threading.Event()
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._results: Mailbox[SampledResult] = Mailbox()
        self._latest: SampledResult | None = None
        self._events: collections.deque[SampledEvent] = collections.deque(maxlen=EVENT_QUEUE)
        self._events_lock = threading.Lock()
        self._inferences = 0
        self._errors = 0
        self._releases = 0
        self._reopens = 0
        self._grabs = 0
        self._retrieves = 0
        self._open_since = math.nan
        self._open_s = 0.0
        self._away_since = math.nan
        self._present_since = math.nan
        self._next_busy_check = -math.inf
        if reader is not None:  # opened by the owner (it reports a missing camera at once)
            self.reader = reader
            self._open_since = clock()

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Run on a daemon thread with the real clock."""
        self._thread = threading.Thread(target=self._loop, args=(self._stop.wait, None), name=self.name,
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop (cooperatively), close the source and the model; True when the thread ended."""
        self._stop.set()
        t = self._thread
        if t is not None and t.is_alive() and t is not threading.current_thread():
            t.join(timeout)
            if t.is_alive():
                log.warning("posture pipeline did not stop within %.1f s", timeout)
                return False
        return True

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_for(self, seconds: float) -> None:
        """Run on the calling thread for ``seconds`` of the :class:`SimClock` (no real waiting)."""
        clock = self.clock
        if not isinstance(clock, SimClock):
            raise TypeError("run_for needs a SimClock; use start() with a real clock")
        until = clock() + seconds

        def wait(dt: float) -> bool:
            clock.advance(min(dt, max(0.0, until - clock())))
            return self._stop.is_set() or clock() >= until

        self._loop(wait, until)

    def hold_fast(self, seconds: float) -> None:
        """Sample at the fast rate for the next ``seconds`` (calibration). Any thread."""
        self.sampler.hold_fast(self.clock() + seconds)

    # -- outputs ---------------------------------------------------------------------------------

    def latest(self) -> SampledResult | None:
        r = self._results.take()
        if r is not None:
            self._latest = r
        return self._latest

    def events(self) -> list[SampledEvent]:
        with self._events_lock:
            out = list(self._events)
            self._events.clear()
        return out

    def stats(self) -> SampledStats:
        open_s = self._open_s
        if self._open_since == self._open_since:
            open_s += self.clock() - self._open_since
        r = self.reader
        return SampledStats(
            state=self.state,
            inferences=self._inferences,
            grabs=self._grabs + (r.grabs if r else 0),
            retrieves=self._retrieves + (r.retrieves if r else 0),
            errors=self._errors,
            releases=self._releases,
            reopens=self._reopens,
            camera_open_s=open_s,
            interval_s=self.sampler.interval_s,
            reason=self.sampler.reason,
        )

    def _event(self, kind: SampledEventKind, message: str) -> None:
        with self._events_lock:
            self._events.append(SampledEvent(kind, message, self.clock()))

    # -- the loop --------------------------------------------------------------------------------

    def _open(self) -> bool:
        from coach.capture.base import SourceError

        try:
            self.reader = self._open_reader()
        except (SourceError, OSError) as exc:
            self.reader = None
            self.error = str(exc)
            return False
        self._open_since = self.clock()
        return True

    def _close(self) -> None:
        r, self.reader = self.reader, None
        if r is None:
            return
        self._grabs += r.grabs
        self._retrieves += r.retrieves
        if self._open_since == self._open_since:
            self._open_s += self.clock() - self._open_since
        self._open_since = math.nan
        try:
            r.close()
        except Exception:  # closing a camera that already died
            log.debug("source close failed", exc_info=True)

    def _release(self, state: SampledState, message: str) -> None:
        self._close()
        self._releases += 1
        self.state = state
        self._event(SampledEventKind.CAMERA_RELEASED, message)
        log.info("posture monitor: %s", message)

    def _loop(self, wait: Callable[[float], bool], until: float | None) -> None:
        try:
            estimator = self._factory()
        except PoseError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # a broken model install must not take the app down
            log.exception("pose model failed to load")
            self._fail(f"The pose model could not be loaded: {exc}")
            return
        self.ready.set()
        try:
            if self.reader is None and not self._open():
                self._fail(self.error or "The camera could not be opened.")
                return
            self.state = SampledState.RUNNING
            self._run(estimator, wait, until)
        except Exception as exc:  # a camera that dies mid-read: report, stop calmly
            log.exception("posture capture failed")
            self._fail(f"The camera stopped working: {exc}")
        finally:
            self._close()
            estimator.close()
            if self.state not in (SampledState.ERROR, SampledState.ENDED):
                self.state = SampledState.STOPPED

    def _fail(self, message: str) -> None:
        self.error = message
        self.state = SampledState.ERROR
        self._event(SampledEventKind.ERROR, message)
        self.ready.set()

    def _run(self, estimator: PoseEstimator, wait: Callable[[float], bool], until: float | None) -> None:
        p = self.policy
        clock = self.clock
        misses = 0
        next_t = clock()
        while True:
            now = clock()
            if until is not None and now >= until:
                return
            if next_t > now and wait(next_t - now):
                return
            now = clock()
            if self.reader is None:  # released: time to look again?
                if self.state is SampledState.CAMERA_BUSY and self.camera_busy is not None and self.camera_busy():
                    next_t = now + p.busy_check_s
                    continue
                if not self._open() or self.reader is None:
                    next_t = now + p.away_recheck_s
                    continue
                self._reopens += 1
                self.reader.warm_up(p.reopen_warmup_s, wait)
                if self.state is SampledState.CAMERA_BUSY:
                    self._event(SampledEventKind.CAMERA_BACK, "The other program let go of the camera; watching again.")
                self.state = SampledState.RUNNING
                now = clock()
            reader = self.reader
            assert reader is not None
            if reader.is_live and self.camera_busy is not None and now >= self._next_busy_check:
                self._next_busy_check = now + p.busy_check_s
                if self.camera_busy():
                    self._release(SampledState.CAMERA_BUSY, "Another program wants the camera: it is released "
                                  "until that program lets go.")
                    next_t = now + p.busy_check_s
                    continue
            frame = reader.read()
            if frame is None:
                if reader.ended:
                    self.state = SampledState.ENDED
                    self._event(SampledEventKind.SOURCE_ENDED, f"{reader.name} ended.")
                    return
                misses += 1
                if misses == LOST_AFTER_MISSES:
                    self._event(SampledEventKind.SOURCE_LOST, f"{reader.name} stopped sending pictures.")
                next_t = now + p.fast_s
                continue
            if misses >= LOST_AFTER_MISSES:
                self._event(SampledEventKind.SOURCE_BACK, f"{reader.name} is back.")
            misses = 0
            try:
                pose = estimator.detect(frame)
            except PoseError as exc:
                self._errors += 1
                log.warning("%s", exc)
                pose = None
            self._inferences += 1
            status = self._consumer(pose, frame)
            interval = self.sampler.next_interval(pose, status, frame.timestamp)
            self._results.put(SampledResult(frame, pose, status, interval))
            tracked = status is not None and status.raw_state not in (PostureState.AWAY, PostureState.NOT_TRACKING)
            if tracked:
                # Somebody is judged. Only a stay of present_reset_s ends the absence: the model's
                # false people in an empty room come and go within seconds.
                if self._present_since != self._present_since:
                    self._present_since = now
                if now - self._present_since >= p.present_reset_s:
                    self._away_since = math.nan
            else:
                # nobody, or nobody the monitor can judge (an unconfirmed ghost, no head in view)
                self._present_since = math.nan
                if self._away_since != self._away_since:
                    self._away_since = now
                if p.adaptive and not self.sampler.confirming and now - self._away_since >= p.away_release_s:
                    self._release(SampledState.AWAY_RELEASED, "Nobody at the desk for a while: the camera is off, "
                                  f"with a look every {p.away_recheck_s:.0f} s.")
                    next_t = now + p.away_recheck_s
                    continue
            next_t = now + interval


__all__ = [
    "AdaptiveSampler",
    "Consumer",
    "GrabSource",
    "SampledEvent",
    "SampledEventKind",
    "SampledPipeline",
    "SampledReader",
    "SampledResult",
    "SampledState",
    "SampledStats",
    "SamplingPolicy",
    "SimClock",
    "head_shoulder_points",
    "monitor_config",
]
