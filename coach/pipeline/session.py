"""One guided session over one picture source: the object the app's player and ``coach session``
both drive. Qt-free.

A :class:`LiveSession` owns everything a session needs below the screen:

- the **source** (a camera, or a recording held on its frame until counting begins),
- the **estimator options** and the :class:`~coach.pipeline.live.LivePipeline` (capture thread
  -> latest-wins mailbox -> pose + scoring thread),
- the **clock** (monotonic for a camera or a paced recording; the recording's own time when it
  is played unpaced, so a headless run is scored exactly as ``coach analyze`` scores the file),
- the **scoring consumer** (the :class:`~coach.core.session.SessionRunner` state machine),
- the **recorder** (every rep, hold and pain rating written to the history as it happens).

The player widget only renders :meth:`snapshot` and forwards clicks; ``coach session`` answers
the questions itself. States::

    CREATED --start()--> RUNNING --(summary reached | finish())--> FINISHED
    CREATED --start() fails (no source)--> FAILED

Events (:meth:`poll`) are :class:`~coach.core.session.SessionEvent` from the runner plus
:class:`LiveEvent` from the source, the model and the history, each with a :class:`LiveEventKind`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from coach.capture.base import Frame, FrameSource, SourceError
from coach.core.camera_check import STEADY_S
from coach.core.engine import RECORDING_SETUP_S, EngineConfig, EngineStatus
from coach.core.landmarks import PoseFrame
from coach.core.session import (
    STOP_APP_CLOSED,
    STOP_NO_CAMERA,
    STOP_RECORDING_ENDED,
    STOP_SIGNAL,
    Phase,
    PlanItem,
    SessionRunner,
    SessionStatus,
    Snapshot,
)
from coach.core.session_events import (
    ExerciseDone,
    HoldDone,
    PainRated,
    PhaseChanged,
    RepCounted,
    SessionEvent,
)
from coach.pipeline.live import LivePipeline, LiveResult, PipelineEventKind
from coach.pose.estimator import EstimatorOptions, PoseEstimator

log = logging.getLogger(__name__)


class SessionState(str, Enum):
    CREATED = "created"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class LiveEventKind(str, Enum):
    SOURCE_FAILED = "source_failed"  # the source could not be opened (message says why)
    SOURCE_LOST = "source_lost"  # a camera stopped sending pictures or froze
    SOURCE_BACK = "source_back"
    SOURCE_ENDED = "source_ended"  # a recording reached its end
    MODEL_ERROR = "model_error"  # the pose model could not be loaded, or failed on frames
    SAVE_FAILED = "save_failed"  # a rep, hold or rating could not be written (message: reason)
    SAVE_OK = "save_ok"  # writing works again after a failure


@dataclass(frozen=True, slots=True)
class LiveEvent:
    kind: LiveEventKind
    message: str = ""
    t: float = field(default_factory=time.monotonic)


class SafetyGateError(Exception):
    """A session may not start: the disclaimer or the screening is not done, or it blocked."""


def safety_gate(settings: Any) -> str | None:
    """Why no session may start now, in one sentence for the person; None when it may.

    Every route into a session (the app's buttons, the top bar, keyboard, ``--source``, and
    ``coach session``) goes through :class:`LiveSession`, which calls this.
    """
    if getattr(settings, "screening_blocked", False):
        return str(
            getattr(settings, "screening_advice", "")
            or "Sessions are paused because of your screening answers. Please contact your clinician."
        )
    if (
        not getattr(settings, "onboarded", False)
        or getattr(settings, "screening_done_at", None) is None
    ):
        return (
            "Before your first session, please read the safety points and answer the "
            "screening questions."
        )
    return None


def _starts_record(ev: SessionEvent) -> bool:
    p = ev.payload
    return isinstance(p, PainRated | RepCounted | HoldDone | ExerciseDone) or (
        isinstance(p, PhaseChanged) and p.phase == Phase.INTRO.value
    )


def _is_live(spec: str) -> bool:
    return str(spec).isdigit() or str(spec).startswith("camera:")


class LiveSession:
    """One session: a plan, a source spec, and where to record it.

    Parameters
    ----------
    plan : the exercises with today's doses.
    title : the routine's id or title, stored with the session.
    source : a camera index (``"0"``), ``camera:NAME``, or a video file / image folder path;
        None when the plan needs no camera.
    settings : the person's settings (safety state; model choice; processing size).
    history : a :class:`~coach.store.history.History` or None (nothing is recorded).
    paced : play recordings in real time (the app); unpaced runs as fast as the model goes.
    estimator_factory : builds the estimator on the worker thread (tests pass a replay one).
    pain_rules, routine_id, routine_version : the routine's rules and identity.
    """

    def __init__(  # noqa: PLR0913
        self,
        plan: Sequence[PlanItem],
        title: str,
        *,
        source: str | None,
        settings: Any,
        history: Any = None,
        paced: bool = True,
        estimator_factory: Callable[[], PoseEstimator] | None = None,
        pain_rules: Any = None,
        routine_id: str | None = None,
        routine_version: int | None = None,
        open_source: Callable[[str], FrameSource] | None = None,
    ) -> None:
        """Check the safety gate and build the runner (nothing is opened or started yet).

        The many arguments stay: they are one session's independent options, keyword-only, so
        every caller (app, CLI, bench, tests) names what it sets and a wrapper object would only
        move the same list elsewhere.
        """
        why = safety_gate(settings)
        if why is not None:
            raise SafetyGateError(why)
        self.plan = list(plan)
        self.title = title
        self.source_spec = source
        self.settings = settings
        self.history = history
        self.paced = paced
        self.live = source is not None and _is_live(source)
        self._factory = estimator_factory
        self._open_source = open_source
        needs_camera = any(getattr(p.exercise, "needs_camera", True) for p in self.plan)
        self.needs_camera = needs_camera
        recording = source is not None and not self.live
        # A camera waits DOMAIN's full second in the start position before counting; a recording
        # is scored exactly as `coach analyze` scores the same file.
        config = EngineConfig(setup_s=RECORDING_SETUP_S) if recording else EngineConfig()
        self.runner = SessionRunner(
            self.plan,
            rules=pain_rules,
            engine_config=config,
            camera_available=True,
            check_steady_s=STEADY_S,
            camera_check=not recording,
        )
        self.pipeline: LivePipeline | None = None
        self.state = SessionState.CREATED
        self.recording: Any = None  # coach.store.recording.SessionRecording, once there is one
        self.save_error: str | None = None
        self.model_error: str | None = None
        self._events: list[LiveEvent] = []
        self._lock = threading.Lock()
        self._last_media_t = 0.0
        self._routine_id = routine_id or title
        self._routine_version = routine_version
        self._closed = False
        self._record_tried = self.history is None
        self._anchor = True  # the next recorded frame re-anchors the recording's clock
        self._offset = 0.0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open the source (if the plan needs one), start the pipeline and the record.

        A source that cannot be opened is reported as a :data:`LiveEventKind.SOURCE_FAILED`
        event (the app offers a video file); the session itself still starts, so breathing
        exercises and pain check-ins work without a camera.
        """
        if self.needs_camera and self.source_spec is not None:
            self.open(self.source_spec)
        self.state = SessionState.RUNNING

    def open(self, spec: str) -> bool:
        """(Re)open the picture source, e.g. a video the person chose after "no camera"."""
        self.close_source()
        self.source_spec = spec
        self.live = _is_live(spec)
        try:
            src = self._make_source(spec)
        except SourceError as exc:
            self._push(LiveEventKind.SOURCE_FAILED, str(exc))
            return False
        self.live = src.is_live
        self.runner.camera_check = self.live
        if not self.live:
            self.runner.begin_counting(self.now())
        pipe = LivePipeline(
            src,
            self._factory or self._default_factory(),
            paced=self.paced or self.live,
            lossless=not self.live,
        )
        if not self.live:
            pipe.hold()
        pipe.set_consumer(self._consume)
        self.pipeline = pipe
        pipe.start()
        return True

    def _make_source(self, spec: str) -> FrameSource:
        if self._open_source is not None:
            return self._open_source(spec)
        if spec.lower().endswith(".npz"):
            from coach.capture.track import TrackSource

            src = TrackSource(spec)
            if self._factory is None:  # the track carries the poses: no model needed
                from coach.pose.estimator import ReplayEstimator

                track = src.track
                self._factory = lambda: ReplayEstimator(track)
            return src
        from coach.capture.sources import open_source

        max_side = int(getattr(self.settings, "processing_max_side", 0) or 0) or None
        return open_source(spec, max_side=max_side)

    def _default_factory(self) -> Callable[[], PoseEstimator]:
        opts = EstimatorOptions(
            variant=getattr(self.settings, "model_variant", "full"),
            model_path=getattr(self.settings, "model_path", None),
        )

        def make() -> PoseEstimator:
            from coach.pose.estimator import MediaPipeEstimator

            return MediaPipeEstimator(opts)

        return make

    def _start_recording(self) -> None:
        if self.history is None:
            return
        try:
            from coach.store.recording import SessionRecording

            self.recording = SessionRecording(
                self.history, self._routine_id, self.runner, routine_version=self._routine_version
            )
        except Exception as exc:  # noqa: BLE001 -- any history failure (damaged file, full disk, a
            # fake in tests) is shown as a save error; it never stops a session
            log.warning("history unavailable: %s", exc)
            self.recording = None
            self._note_save_error(str(exc))
            return
        self._check_saves()

    def close_source(self) -> None:
        pipe, self.pipeline = self.pipeline, None
        if pipe is None:
            return
        pipe.stop()
        try:
            pipe.source.close()
        except Exception:  # closing a camera that already died
            log.debug("source close failed", exc_info=True)

    def finish(self, reason: str = STOP_APP_CLOSED, pain: int | None = None) -> None:
        """End the session now and write it down properly (window closed, SIGTERM, Ctrl-C).

        The open exercise is finished with every rep counted so far, the session is stored as
        stopped early with ``reason`` (or completed when it already was), and the source closed.
        """
        if self._closed:
            return
        now = self.now()
        r = self.runner
        if r.phase is not Phase.SUMMARY:
            r.stop(now, reason)
            if r.phase is Phase.PAIN_END:
                if pain is not None:
                    r.rate_pain(pain, now)
                else:
                    r.finish_without_answer(now)
        self._drain_runner()
        self.close_source()
        self._close_record()
        self.state = SessionState.FINISHED

    def _close_record(self) -> None:
        self._closed = True
        if self.recording is not None:
            status, reason = self.runner.outcome()
            try:
                self.recording.close(status, reason)
            except Exception as exc:  # the record could not be finished: say so, keep going
                log.exception("history close failed")
                self._note_save_error(str(exc))

    # -- the clock ---------------------------------------------------------------------------

    def now(self) -> float:
        """The session's clock: monotonic, or a recording's own time when played unpaced."""
        if self.pipeline is not None and not self.live and not self.paced:
            return self._last_media_t
        return time.monotonic()

    def _frame_time(self, frame: Frame) -> float:
        if self.live:
            return frame.captured_at or time.monotonic()
        if not self.paced:
            self._last_media_t = max(self._last_media_t, frame.timestamp)
            return frame.timestamp
        # A recording played for a person: its own time, so holds and tempo are measured exactly
        # even when the model lags, shifted onto the monotonic clock each time it starts playing
        # (after a hold or a pause) so the session's timers and the frames agree.
        if self._anchor:
            self._offset = time.monotonic() - frame.timestamp
            self._anchor = False
        return frame.timestamp + self._offset

    # -- the scoring consumer (pose worker thread) ---------------------------------------------

    def _consume(
        self, pose: PoseFrame | None, frame: Frame, brightness: float
    ) -> EngineStatus | None:
        t = self._frame_time(frame)
        if pose is not None and pose.timestamp != t:
            pose = replace(pose, timestamp=t)  # one time base for the engine and the timers
        st = self.runner.on_frame(pose, brightness, t)
        self._gate()
        return st

    def _gate(self) -> None:
        """Let a recording play only while a set is being counted."""
        pipe = self.pipeline
        if pipe is None or self.live:
            return
        counting = self.runner.phase is Phase.ACTIVE and not self.runner.paused
        if self.runner.phase is Phase.ACTIVE and self.runner.engine is None:
            counting = False  # a camera-free exercise (breathing) does not use the recording
        if counting and pipe.held:
            self._anchor = True
            pipe.release()
        elif not counting and not pipe.held:
            pipe.hold()

    # -- driving (GUI timer or the headless loop) ------------------------------------------------

    def poll(self) -> tuple[list[SessionEvent], list[LiveEvent]]:
        """Advance timers, gate the recording, record and return what happened since last time."""
        now = self.now()
        self.runner.tick(now)
        self._gate()
        live: list[LiveEvent] = []
        pipe = self.pipeline
        if pipe is not None:
            for pev in pipe.events():
                if pev.kind is PipelineEventKind.SOURCE_ENDED:
                    live.append(LiveEvent(LiveEventKind.SOURCE_ENDED, pev.message))
                    self.runner.end_of_source(self.now(), STOP_RECORDING_ENDED)
                elif pev.kind is PipelineEventKind.SOURCE_LOST:
                    live.append(LiveEvent(LiveEventKind.SOURCE_LOST, pev.message))
                    self.runner.pause(now)
                elif pev.kind is PipelineEventKind.SOURCE_BACK:
                    live.append(LiveEvent(LiveEventKind.SOURCE_BACK, pev.message))
                elif pev.kind is PipelineEventKind.ERROR:
                    live.append(LiveEvent(LiveEventKind.MODEL_ERROR, pev.message))
            if pipe.model_error:
                self.model_error = pipe.model_error
                if self.runner.phase in (Phase.INTRO, Phase.CAMERA_CHECK, Phase.ACTIVE):
                    self.runner.stop(now, pipe.model_error)
        events = self._drain_runner()
        with self._lock:
            live.extend(self._events)
            self._events.clear()
        if self.runner.phase is Phase.SUMMARY and not self._closed:
            self.close_source()
            self._close_record()
            self.state = SessionState.FINISHED
        return events, live

    def _drain_runner(self) -> list[SessionEvent]:
        events = self.runner.events()
        if (
            self.recording is None
            and not self._record_tried
            and any(_starts_record(ev) for ev in events)
        ):
            # Recorded from the first answer on: opening the player and leaving stores nothing.
            self._record_tried = True
            self._start_recording()
        if self.recording is not None:
            for ev in events:
                try:
                    self.recording.handle(ev)
                except Exception as exc:  # a history write error must not stop the session
                    log.exception("history write failed")
                    self._note_save_error(str(exc))
            self._check_saves()
        return events

    def _check_saves(self) -> None:
        rec = self.recording
        err = getattr(getattr(rec, "rec", None), "error", None) if rec is not None else None
        if err and err != self.save_error:
            self._note_save_error(err)
        elif not err and self.save_error and rec is not None:
            self.save_error = None
            lost = int(getattr(getattr(rec, "rec", None), "lost", 0))
            self._push(
                LiveEventKind.SAVE_OK,
                "Saving works again; what was counted while it failed "
                f"was not saved ({lost} item{'s' if lost != 1 else ''}).",
            )

    def _note_save_error(self, reason: str) -> None:
        self.save_error = reason
        self._push(LiveEventKind.SAVE_FAILED, f"This session is not being saved: {reason}")

    def _push(self, kind: LiveEventKind, message: str) -> None:
        with self._lock:
            self._events.append(LiveEvent(kind, message))

    # -- what the person does (any thread) -------------------------------------------------------

    def rate_pain(self, value: int, spreading: bool = False) -> Any:
        return self.runner.rate_pain(value, self.now(), spreading)

    def start_now(self) -> None:
        self.runner.start_now(self.now())

    def skip(self) -> None:
        self.runner.skip(self.now())

    def stop(self, reason: str | None = None) -> None:
        self.runner.stop(self.now(), *((reason,) if reason else ()))

    def pause(self) -> None:
        self.runner.pause(self.now())
        if self.pipeline is not None:
            self.pipeline.pause()

    def resume(self) -> None:
        self.runner.resume(self.now())
        if self.pipeline is not None:
            self._anchor = True
            self.pipeline.resume()

    def regress(self, catalogue_get: Callable[[str], Any]) -> bool:
        return self.runner.with_regression(catalogue_get, self.now())

    # -- what the screen shows ---------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return self.runner.snapshot(self.now())

    def latest(self) -> LiveResult | None:
        return self.pipeline.latest() if self.pipeline is not None else None

    @property
    def status(self) -> tuple[SessionStatus, str]:
        return self.runner.outcome()

    @property
    def session_id(self) -> str | None:
        return getattr(self.recording, "session_id", None)


def run_headless(
    session: LiveSession,
    pain: int = 0,
    timeout_s: float | None = None,
    on_event: Callable[[SessionEvent], None] | None = None,
    on_live: Callable[[LiveEvent], None] | None = None,
) -> None:
    """Drive a session to its end with no person: every pain question is answered with
    ``pain``, every introduction and rest is started at once, and it ends when the recording
    ends (or after ``timeout_s`` of wall time)."""
    session.start()
    t_end = None if timeout_s is None else time.monotonic() + timeout_s
    try:
        while session.state is SessionState.RUNNING:
            events, live = session.poll()
            if on_event is not None:
                for ev in events:
                    on_event(ev)
            if on_live is not None:
                for lev in live:
                    on_live(lev)
            ph = session.runner.phase
            if ph in (Phase.PAIN_BEFORE, Phase.PAIN_AFTER, Phase.PAIN_END):
                session.rate_pain(pain)
                continue
            if ph in (Phase.INTRO, Phase.REST, Phase.SWITCH_SIDE):
                session.start_now()
                continue
            if ph is Phase.REST_DAY:
                session.finish("Rest day: pain before the session was too high.")
                break
            if (
                session.pipeline is None
                and session.needs_camera
                and ph in (Phase.CAMERA_CHECK, Phase.ACTIVE)
            ):
                session.stop(STOP_NO_CAMERA)
                continue
            if t_end is not None and time.monotonic() > t_end:
                session.finish("The time limit was reached.", pain=pain)
                break
            time.sleep(0.01)
    except KeyboardInterrupt:  # SIGINT, or SIGTERM turned into one by the caller
        session.finish(STOP_SIGNAL, pain=pain)
        raise
    finally:
        if session.state is not SessionState.FINISHED:
            session.finish(pain=pain)
