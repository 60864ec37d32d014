"""The posture monitor's worker: one thread (or the calling thread on a :class:`SimClock`) that
samples a source, runs the pose model and hands the newest result to its owner.

Per sample: grab ... grab -> retrieve -> pose model -> consumer -> the next interval from the
:class:`~coach.pipeline.sampled.policy.AdaptiveSampler`. The worker also owns the camera: it
releases it when nobody is there or another program wants it, and reopens it to look again.
Results go through a latest-wins :class:`~coach.capture.base.Mailbox`; events (errors, the
camera released or back) through a bounded queue. The rules are in :mod:`coach.pipeline.sampled`.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from coach.capture.base import Frame, Mailbox
from coach.core.landmarks import PoseFrame
from coach.core.posture import PostureState, PostureStatus
from coach.pipeline.sampled.policy import AdaptiveSampler, SamplingPolicy
from coach.pipeline.sampled.reader import SampledReader, SimClock
from coach.pose.estimator import PoseError, PoseEstimator

log = logging.getLogger(__name__)

EVENT_QUEUE = 64
#: A camera that returns nothing this many samples in a row is reported lost.
LOST_AFTER_MISSES = 15

#: The consumer steps the posture monitor with one sample and returns its status.
Consumer = Callable[[PoseFrame | None, Frame], PostureStatus | None]


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
        self._misses = 0  # samples in a row the source gave nothing (reset by each run)
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
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop.wait, None), name=self.name, daemon=True
        )
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

    def _run(
        self, estimator: PoseEstimator, wait: Callable[[float], bool], until: float | None
    ) -> None:
        clock = self.clock
        self._misses = 0
        next_t = clock()
        while True:
            now = clock()
            if until is not None and now >= until:
                return
            if next_t > now and wait(next_t - now):
                return
            now = clock()
            if self.reader is None:  # released: time to look again?
                retry_at = self._reopen(now, wait)
                if retry_at is not None:
                    next_t = retry_at
                    continue
                now = clock()
            after = self._sample(estimator, now)
            if after is None:
                return
            next_t = after

    def _reopen(self, now: float, wait: Callable[[float], bool]) -> float | None:
        """Reopen a released camera; None when it is open again, else when to try next."""
        p = self.policy
        if (
            self.state is SampledState.CAMERA_BUSY
            and self.camera_busy is not None
            and self.camera_busy()
        ):
            return now + p.busy_check_s
        if not self._open() or self.reader is None:
            return now + p.away_recheck_s
        self._reopens += 1
        self.reader.warm_up(p.reopen_warmup_s, wait)
        if self.state is SampledState.CAMERA_BUSY:
            self._event(
                SampledEventKind.CAMERA_BACK,
                "The other program let go of the camera; watching again.",
            )
        self.state = SampledState.RUNNING
        return None

    def _sample(self, estimator: PoseEstimator, now: float) -> float | None:
        """One sample at ``now``: the time of the next one, or None when the source ended."""
        p = self.policy
        reader = self.reader
        assert reader is not None
        if reader.is_live and self.camera_busy is not None and now >= self._next_busy_check:
            self._next_busy_check = now + p.busy_check_s
            if self.camera_busy():
                self._release(
                    SampledState.CAMERA_BUSY,
                    "Another program wants the camera: it is released until that program lets go.",
                )
                return now + p.busy_check_s
        frame = reader.read()
        if frame is None:
            if reader.ended:
                self.state = SampledState.ENDED
                self._event(SampledEventKind.SOURCE_ENDED, f"{reader.name} ended.")
                return None
            self._misses += 1
            if self._misses == LOST_AFTER_MISSES:
                self._event(
                    SampledEventKind.SOURCE_LOST, f"{reader.name} stopped sending pictures."
                )
            return now + p.fast_s
        if self._misses >= LOST_AFTER_MISSES:
            self._event(SampledEventKind.SOURCE_BACK, f"{reader.name} is back.")
        self._misses = 0
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
        if self._away_too_long(status, now):
            self._release(
                SampledState.AWAY_RELEASED,
                "Nobody at the desk for a while: the camera is off, "
                f"with a look every {p.away_recheck_s:.0f} s.",
            )
            return now + p.away_recheck_s
        return now + interval

    def _away_too_long(self, status: PostureStatus | None, now: float) -> bool:
        """Track presence; True when nobody has been judged for ``away_release_s`` (release)."""
        p = self.policy
        tracked = status is not None and status.raw_state not in (
            PostureState.AWAY,
            PostureState.NOT_TRACKING,
        )
        if tracked:
            # Somebody is judged. Only a stay of present_reset_s ends the absence: the model's
            # false people in an empty room come and go within seconds.
            if self._present_since != self._present_since:
                self._present_since = now
            if now - self._present_since >= p.present_reset_s:
                self._away_since = math.nan
            return False
        # nobody, or nobody the monitor can judge (an unconfirmed ghost, no head in view)
        self._present_since = math.nan
        if self._away_since != self._away_since:
            self._away_since = now
        return (
            p.adaptive
            and not self.sampler.confirming
            and now - self._away_since >= p.away_release_s
        )


__all__ = [
    "EVENT_QUEUE",
    "LOST_AFTER_MISSES",
    "Consumer",
    "SampledEvent",
    "SampledEventKind",
    "SampledPipeline",
    "SampledResult",
    "SampledState",
    "SampledStats",
]
