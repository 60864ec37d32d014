"""The live path: capture thread -> latest-wins mailbox -> pose + scoring thread -> results.

Qt-free so the app and ``coach bench`` run exactly the same code. The app's view polls
:meth:`LivePipeline.latest` from a ``QTimer`` (display at its own pace) and drains
:meth:`LivePipeline.events` for things that must not be dropped (reps, cues, state changes).

Threads stop cooperatively (an Event, joins with a time-out); nothing is ever terminated.
"""

from __future__ import annotations

import collections
import logging
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from coach.capture.base import Frame, FrameSource, Mailbox
from coach.core.engine import EngineStatus, ExerciseEngine
from coach.core.landmarks import PoseFrame
from coach.core.presence import ConfirmingBuffer
from coach.pose.estimator import PoseError, PoseEstimator

log = logging.getLogger(__name__)

LATENCY_WINDOW = 300  # recent frames kept for latency statistics (bounded)
EVENT_QUEUE = 256
FROZEN_AFTER_S = 3.0  # a live picture that does not change at all for this long is frozen


@dataclass(frozen=True, slots=True)
class PipelineStats:
    """Counters for the UI's status line and for the benchmark."""

    frames_captured: int
    frames_processed: int
    frames_dropped: int
    fps: float
    latency_ms_median: float
    latency_ms_p95: float
    errors: int
    source_ended: bool


def _drawn(shown: PoseFrame | None, status: EngineStatus | None) -> PoseFrame | None:
    """The skeleton to draw: with several people in view, the one the engine follows."""
    if shown is not None and status is not None and status.person is not None:
        return status.person
    return shown


@dataclass(frozen=True, slots=True)
class LiveResult:
    frame: Frame
    pose: PoseFrame | None
    status: EngineStatus | None
    latency_ms: float
    brightness: float = 128.0


#: What scores each processed frame on the worker thread: an engine, or a whole session runner.
Consumer = Callable[[PoseFrame | None, Frame, float], EngineStatus | None]


class PipelineEventKind(str, Enum):
    """What a :class:`PipelineEvent` reports."""

    STATUS = "status"  # carries the engine status (a rep, a cue)
    ERROR = "error"  # the source or the model failed (message)
    SOURCE_ENDED = "source_ended"  # a file's last frame was scored
    SOURCE_LOST = "source_lost"  # a camera stopped sending pictures, or froze
    SOURCE_BACK = "source_back"


@dataclass(frozen=True, slots=True)
class PipelineEvent:
    """One thing the pipeline reports: its kind, and the engine status (STATUS) or a message."""

    kind: PipelineEventKind
    status: EngineStatus | None = None
    message: str = ""
    t: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class _CaptureState:
    """What the capture thread remembers from one frame to the next."""

    start_wall: float | None = None  # wall clock of the first paced frame (None: re-anchor)
    first_ts: float = 0.0  # that frame's timestamp
    misses: int = 0  # reads in a row that gave no frame (live)
    last_sig: bytes | None = None  # sparse sample of the last live picture
    same_since: float | None = None  # when the live picture stopped changing
    frozen: bool = False
    waiting: Frame | None = None  # the frame a held recording shows, delivered on release


class LivePipeline:
    """Runs one source through one pose estimator and (optionally) one scoring engine.

    Parameters
    ----------
    source : a FrameSource. A file source is paced at its own frame rate when ``paced``.
    estimator_factory : builds the estimator on the worker thread (the model loads there, so
        opening a window never waits for it).
    paced : play files in real time (as a camera would deliver them); unpaced feeds frames as fast
        as the model takes them.
    on_result : optional callback on the worker thread after each processed frame (benchmarks).
    """

    def __init__(
        self,
        source: FrameSource,
        estimator_factory: Callable[[], PoseEstimator],
        paced: bool = True,
        on_result: Callable[[LiveResult], None] | None = None,
        loop: bool = False,
        lossless: bool = False,
    ) -> None:
        self.source = source
        self._factory = estimator_factory
        self.paced = paced
        self.loop = loop
        # A recording scored for a session never drops a frame: when the model is slower than
        # the video, the video plays slower (the count must not depend on the computer's speed).
        self.lossless = lossless
        self._on_result = on_result
        self._frames: Mailbox[Frame] = Mailbox()
        self._results: Mailbox[LiveResult] = Mailbox()
        self._latest: LiveResult | None = None
        self._events: collections.deque[PipelineEvent] = collections.deque(maxlen=EVENT_QUEUE)
        self._events_lock = threading.Lock()
        self._consumer: Consumer | None = None
        self._engine_lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = threading.Event()
        # A recording is held on its current frame (shown, not scored) until counting begins, so
        # nothing that happens before (model loading, questions, introductions) uses it up.
        self._held = threading.Event()
        self._threads: list[threading.Thread] = []
        self._captured = 0
        self._processed = 0
        self._errors = 0
        self._latencies: collections.deque[float] = collections.deque(maxlen=LATENCY_WINDOW)
        self._proc_times: collections.deque[float] = collections.deque(maxlen=60)
        self._source_ended = False
        self.ready = threading.Event()  # set once the model is loaded
        self.model_error: str | None = None
        # Detections wait (at most 0.5 s) until the person is confirmed, then all are scored,
        # so live scoring decides exactly as `coach analyze` does on the same frames.
        self._presence: ConfirmingBuffer[tuple[Frame, PoseFrame | None, float]] = ConfirmingBuffer()

    # -- control (any thread) --------------------------------------------------------------------

    def start(self) -> None:
        cap = threading.Thread(target=self._capture_loop, name="coach-capture", daemon=True)
        work = threading.Thread(target=self._work_loop, name="coach-pose", daemon=True)
        self._threads = [cap, work]
        work.start()
        cap.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Ask both threads to finish and wait; True when they did."""
        self._stop.set()
        self._frames.close()
        for t in self._threads:
            t.join(timeout)
        alive = any(t.is_alive() for t in self._threads)
        if alive:
            log.warning("pipeline threads did not stop within %.1f s", timeout)
        return not alive

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def hold(self) -> None:
        """Hold a recording on its current frame (no effect on a camera). Any thread."""
        self._held.set()

    def release(self) -> None:
        """Let a held recording play on from the frame it was held on. Any thread."""
        self._held.clear()

    @property
    def held(self) -> bool:
        return self._held.is_set()

    def set_consumer(self, consumer: Consumer | None) -> None:
        """Score frames with ``consumer(pose, frame, brightness)`` on the worker thread."""
        with self._engine_lock:
            self._consumer = consumer

    def set_engine(self, engine: ExerciseEngine | None) -> None:
        self.set_consumer(
            None
            if engine is None
            else (lambda pose, frame, _b: engine.update(pose, frame.timestamp))
        )

    # -- outputs (UI thread) ---------------------------------------------------------------------

    def latest(self) -> LiveResult | None:
        """The newest result (kept until a newer one arrives)."""
        r = self._results.take()
        if r is not None:
            self._latest = r
        return self._latest

    def events(self) -> list[PipelineEvent]:
        with self._events_lock:
            out = list(self._events)
            self._events.clear()
        return out

    def stats(self) -> PipelineStats:
        lat = sorted(self._latencies)
        pt = list(self._proc_times)
        fps = (len(pt) - 1) / (pt[-1] - pt[0]) if len(pt) > 1 and pt[-1] > pt[0] else 0.0
        return PipelineStats(
            frames_captured=self._captured,
            frames_processed=self._processed,
            frames_dropped=self._frames.dropped,
            fps=fps,
            latency_ms_median=statistics.median(lat) if lat else 0.0,
            latency_ms_p95=lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0.0,
            errors=self._errors,
            source_ended=self._source_ended,
        )

    def _event(self, ev: PipelineEvent) -> None:
        with self._events_lock:
            self._events.append(ev)

    # -- threads ---------------------------------------------------------------------------------

    def _capture_loop(self) -> None:
        """Read frames from the source into the mailbox until stopped or the source ends."""
        src = self.source
        st = _CaptureState()
        try:
            while not self._stop.is_set():
                if not src.is_live and (self._paused.is_set() or self._held.is_set()):
                    self._wait_while_held(st)
                    continue
                frame: Frame | None
                if st.waiting is not None:
                    frame, st.waiting = st.waiting, None
                else:
                    frame = src.read()
                if frame is None:
                    if self._source_gave_nothing(st):
                        continue
                    break
                self._note_frame(st, frame)
                if self.paced and not src.is_live:
                    paced = self._pace(st, frame)
                    if paced is None:
                        break
                    frame = paced
                self._deliver(frame)
        except Exception as exc:  # a camera that dies mid-read: report, never crash the app
            log.exception("capture failed")
            self._event(
                PipelineEvent(PipelineEventKind.ERROR, message=f"The video source failed: {exc}")
            )
        finally:
            self._frames.close()

    def _wait_while_held(self, st: _CaptureState) -> None:
        """A paused or held recording: show the frame it is held on once, then wait a moment."""
        src = self.source
        if st.waiting is None and self._held.is_set() and not self._source_ended:
            st.waiting = src.read()
            if st.waiting is not None:  # shown at once, scored only when released
                self._results.put(
                    LiveResult(
                        st.waiting,
                        None,
                        None,
                        0.0,
                        float(st.waiting.rgb[::16, ::16, 1].mean()),
                    )
                )
        self._stop.wait(0.02)
        st.start_wall = None  # re-anchor the pacing clock after a pause or a hold

    def _source_gave_nothing(self, st: _CaptureState) -> bool:
        """Handle a read that returned no frame; True to keep reading, False when the file ended."""
        src = self.source
        if src.is_live:
            st.misses += 1
            if st.misses == 15:
                self._event(
                    PipelineEvent(
                        PipelineEventKind.SOURCE_LOST,
                        message=f"{src.name} stopped sending pictures.",
                    )
                )
            time.sleep(0.05)
            return True
        if self.loop and hasattr(src, "seek"):
            src.seek(0)
            st.start_wall = None
            return True
        # Reported by the worker once it has scored the last frame (see _work_loop).
        self._source_ended = True
        return False

    def _note_frame(self, st: _CaptureState, frame: Frame) -> None:
        """A frame arrived: say a lost camera is back, and watch a live picture for freezing."""
        src = self.source
        if st.misses >= 15:
            self._event(
                PipelineEvent(PipelineEventKind.SOURCE_BACK, message=f"{src.name} is back.")
            )
        st.misses = 0
        if not src.is_live:
            return
        # A camera that keeps sending the very same picture has frozen. Real sensors
        # always have some noise, so an exact match of a sparse sample is telling.
        sig = frame.rgb[::24, ::24].tobytes()
        now = time.monotonic()
        if sig == st.last_sig:
            st.same_since = st.same_since or now
            if not st.frozen and now - st.same_since >= FROZEN_AFTER_S:
                st.frozen = True
                self._event(
                    PipelineEvent(
                        PipelineEventKind.SOURCE_LOST,
                        message=f"The picture from {src.name} has frozen.",
                    )
                )
        else:
            if st.frozen:
                self._event(
                    PipelineEvent(
                        PipelineEventKind.SOURCE_BACK,
                        message=f"{src.name} is moving again.",
                    )
                )
            st.frozen, st.same_since = False, None
        st.last_sig = sig

    def _pace(self, st: _CaptureState, frame: Frame) -> Frame | None:
        """Wait until a recording's frame is due; the frame restamped, or None when stopped."""
        now = time.monotonic()
        if st.start_wall is None:
            st.start_wall, st.first_ts = now - 0.0, frame.timestamp
        due = st.start_wall + (frame.timestamp - st.first_ts)
        if due > now and self._stop.wait(due - now):
            return None
        # stamp with the time it was "captured", like a camera would
        return Frame(frame.rgb, frame.timestamp, frame.frame_id, time.monotonic())

    def _deliver(self, frame: Frame) -> None:
        """Hand ``frame`` to the worker; an unpaced file waits until the worker has taken it."""
        self._captured += 1
        self._frames.put(frame)
        if (not self.paced or self.lossless) and not self.source.is_live:
            # Unpaced: decode the next frame while the model works on this one, but never
            # replace a frame the model has not taken yet (a file must not drop frames).
            while not self._stop.is_set() and not self._frames.wait_taken(0.1):
                pass

    def _work_loop(self) -> None:
        try:
            estimator = self._factory()
        except PoseError as exc:
            self.model_error = str(exc)
            self._event(PipelineEvent(PipelineEventKind.ERROR, message=str(exc)))
            self.ready.set()
            return
        self.ready.set()
        try:
            while not self._stop.is_set():
                frame = self._frames.get(timeout=0.1)
                if frame is None:
                    if self._frames.closed:
                        if self._source_ended:  # only now: every frame of the file was scored
                            self._event(
                                PipelineEvent(
                                    PipelineEventKind.SOURCE_ENDED,
                                    message=f"{self.source.name} ended.",
                                )
                            )
                        break
                    continue
                if self._paused.is_set():
                    continue
                try:
                    pose = estimator.detect(frame)
                except PoseError as exc:
                    # The model raised on one frame: log it, count it, keep the session alive.
                    self._errors += 1
                    log.warning("%s", exc)
                    if self._errors in (1, 10, 100):
                        self._event(
                            PipelineEvent(
                                PipelineEventKind.ERROR,
                                message="The pose model failed on a frame; carrying on.",
                            )
                        )
                    pose = None
                # Mean brightness of a sparse grid of green values: enough for "too dark", ~10 µs.
                brightness = float(frame.rgb[::16, ::16, 1].mean())
                decided = self._presence.push(
                    pose is not None, frame.timestamp, (frame, pose, brightness)
                )
                shown = None  # no skeleton until the person is confirmed
                status = None
                with self._engine_lock:
                    consumer = self._consumer
                for (f, p, b), counts in decided:
                    if f is frame and counts:
                        shown = p
                    if consumer is None:
                        continue
                    try:
                        status = consumer(p if counts else None, f, b)
                    except Exception:  # scoring must never kill the camera loop
                        self._errors += 1
                        log.exception("scoring failed on frame %d", f.frame_id)
                done = time.monotonic()
                latency = (done - frame.captured_at) * 1000.0 if frame.captured_at else 0.0
                self._latencies.append(latency)
                self._proc_times.append(done)
                self._processed += 1
                result = LiveResult(frame, _drawn(shown, status), status, latency, brightness)
                self._results.put(result)
                if status is not None and (status.event or status.cue):
                    self._event(PipelineEvent(PipelineEventKind.STATUS, status=status))
                if self._on_result is not None:
                    self._on_result(result)
        finally:
            estimator.close()
