"""The session player: live view with the skeleton coloured by form, a big counter, hold ring,
countdowns, the current cue in large text, spoken cues, pain check-ins, pause/skip/stop.

All scoring runs on the pipeline's worker thread (the SessionRunner is the pipeline's consumer).
The page only polls: a 30 Hz repaint timer takes the newest frame and the runner's snapshot and
drains events (cues to speak, reps to record). Keyboard: Space pause/resume, S skip, Esc stop,
P pain, Enter start now, V voice on/off, K skeleton-only view.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coach.capture.base import SourceError
from coach.core.pain import Action
from coach.core.session import Phase, SessionRunner
from coach.ui.context import AppContext
from coach.ui.theme import palette
from coach.ui.video_view import VideoView, landmarks_for_metric

log = logging.getLogger(__name__)


class HoldRing(QWidget):
    """A ring that fills as the hold time reaches its target, with the seconds in the middle."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(120, 120)
        self.seconds = 0.0
        self.target = 0.0
        self.high_contrast = False
        self.setAccessibleName("Hold timer")

    def set(self, seconds: float, target: float) -> None:
        self.seconds, self.target = seconds, target
        self.setAccessibleDescription(f"{int(seconds)} of {int(target)} seconds")
        self.update()

    def paintEvent(self, _e) -> None:  # noqa: N802, ANN001
        pal = palette(self.high_contrast)
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 12
        r = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        qp.setPen(QPen(QColor(pal.border), 12))
        qp.drawEllipse(r)
        frac = 0.0 if self.target <= 0 else min(1.0, self.seconds / self.target)
        qp.setPen(QPen(QColor(pal.good if frac >= 1 else pal.accent), 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        qp.drawArc(r, 90 * 16, -int(frac * 360 * 16))
        qp.setPen(QColor(pal.text))
        f = QFont(self.font())
        f.setPointSizeF(side / 5)
        f.setBold(True)
        qp.setFont(f)
        qp.drawText(r, Qt.AlignmentFlag.AlignCenter, f"{int(self.seconds)} s")
        qp.end()


class PainPanel(QFrame):
    """0–10 buttons plus the leg question; keyboard 0-9 and T for 10."""

    def __init__(self, on_rate) -> None:  # noqa: ANN001
        super().__init__()
        self.setProperty("role", "card")
        self._on_rate = on_rate
        lay = QVBoxLayout(self)
        self.question = QLabel("How much pain do you have right now?")
        self.question.setProperty("role", "cue")
        self.question.setWordWrap(True)
        lay.addWidget(self.question)
        hint = QLabel("0 = no pain, 10 = the worst pain imaginable")
        hint.setProperty("role", "muted")
        lay.addWidget(hint)
        row = QHBoxLayout()
        self.buttons = []
        for v in range(11):
            b = QPushButton(str(v))
            b.setProperty("role", "pain")
            b.setAccessibleName(f"Pain {v} out of 10")
            b.clicked.connect(lambda _=False, x=v: self._rate(x))
            row.addWidget(b)
            self.buttons.append(b)
        lay.addLayout(row)
        self.spreading = QCheckBox("The pain is spreading down my leg, or I have new numbness or tingling")
        lay.addWidget(self.spreading)

    def _rate(self, v: int) -> None:
        spreading = self.spreading.isChecked()
        self.spreading.setChecked(False)
        self._on_rate(v, spreading)


class SessionPage(QWidget):
    def __init__(self, ctx: AppContext, plan: list[Any], title: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = title
        self.pipeline = None
        self._recorder = None
        self._error = ""
        s = ctx.settings
        needs_camera = any(getattr(p.exercise, "needs_camera", True) for p in plan)
        spec = ctx.source if ctx.source is not None else s.profile().camera
        self._live = str(spec).isdigit() or str(spec).startswith("camera:")
        # A replayed recording is scored exactly as `coach analyze` scores the same file; a live
        # camera waits DOMAIN's full second in the start position before counting.
        from coach.analysis import RECORDING_SETUP_S
        from coach.core.camera_check import STEADY_S
        from coach.core.engine import EngineConfig

        config = EngineConfig() if self._live else EngineConfig(setup_s=RECORDING_SETUP_S)
        self.runner = SessionRunner(plan, rules=self._pain_rules(), engine_config=config,
                                    camera_available=True, check_steady_s=STEADY_S if self._live else 0.3)
        self._t0 = time.monotonic()
        self._build()
        self.video.mirror = s.mirror
        self.video.skeleton_only = s.skeleton_only
        self.video.high_contrast = s.high_contrast
        self.ring.high_contrast = s.high_contrast
        if needs_camera:
            self._open_source()
        self._recorder = self._open_recorder(title)
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._shortcuts()

    # -- construction ----------------------------------------------------------------------------

    def _pain_rules(self) -> Any:
        return self.ctx.pain_rules  # a therapist's thresholds, within the safety envelope

    def _build(self) -> None:
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        self.video = VideoView()
        left.addWidget(self.video, 1)
        row = QHBoxLayout()
        self.status_line = QLabel("")
        self.status_line.setWordWrap(True)
        self.stats_label = QLabel("")
        self.stats_label.setProperty("role", "muted")
        row.addWidget(self.status_line, 1)
        row.addWidget(self.stats_label)
        left.addLayout(row)
        lay.addLayout(left, 3)

        right = QVBoxLayout()
        self.ex_name = QLabel("")
        self.ex_name.setProperty("role", "title")
        self.ex_name.setWordWrap(True)
        self.set_label = QLabel("")
        self.set_label.setProperty("role", "subtitle")
        right.addWidget(self.ex_name)
        right.addWidget(self.set_label)
        self.counter = QLabel("")
        self.counter.setProperty("role", "counter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter.setAccessibleName("Repetitions")
        right.addWidget(self.counter)
        self.ring = HoldRing()
        right.addWidget(self.ring, 0, Qt.AlignmentFlag.AlignHCenter)
        self.cue = QLabel("")
        self.cue.setProperty("role", "cue")
        self.cue.setWordWrap(True)
        self.cue.setMinimumHeight(90)
        self.cue.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.cue.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.cue, 1)
        self.pain_panel = PainPanel(self._rate_pain)
        right.addWidget(self.pain_panel)
        self.source_panel = QFrame()
        self.source_panel.setProperty("role", "card")
        sp = QVBoxLayout(self.source_panel)
        self.source_msg = QLabel("")
        self.source_msg.setWordWrap(True)
        sp.addWidget(self.source_msg)
        ob = QPushButton("Open video…")
        ob.clicked.connect(self._choose_video)
        sp.addWidget(ob)
        self.source_panel.hide()
        right.addWidget(self.source_panel)
        self.regress_btn = QPushButton("Try the easier version")
        self.regress_btn.clicked.connect(self._regress)
        self.regress_btn.hide()
        right.addWidget(self.regress_btn)

        grid = QGridLayout()
        self.start_btn = QPushButton("Start now (Enter)")
        self.start_btn.setProperty("role", "primary")
        self.start_btn.clicked.connect(lambda: self.runner.start_now(self._now()))
        self.pause_btn = QPushButton("Pause (Space)")
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.skip_btn = QPushButton("Skip exercise (S)")
        self.skip_btn.clicked.connect(lambda: self.runner.skip(self._now()))
        self.pain_btn = QPushButton("Pain (P)")
        self.pain_btn.setToolTip("Tell coach about pain at any time")
        self.pain_btn.clicked.connect(self.ask_pain)
        self.stop_btn = QPushButton("Stop session (Esc)")
        self.stop_btn.setProperty("role", "danger")
        self.stop_btn.clicked.connect(self.stop)
        for i, b in enumerate((self.start_btn, self.pause_btn, self.skip_btn, self.pain_btn, self.stop_btn)):
            b.setMinimumHeight(48)
            grid.addWidget(b, i // 2, i % 2)
        right.addLayout(grid)
        lay.addLayout(right, 2)
        self._on_demand_pain = False

    def _shortcuts(self) -> None:
        keys = {
            "Space": self.toggle_pause, "S": lambda: self.runner.skip(self._now()), "Escape": self.stop,
            "P": self.ask_pain, "Return": lambda: self.runner.start_now(self._now()),
            "Enter": lambda: self.runner.start_now(self._now()), "V": self._toggle_voice, "K": self._toggle_skeleton,
        }
        for k, fn in keys.items():
            sc = QShortcut(QKeySequence(k), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        for v in range(10):
            sc = QShortcut(QKeySequence(str(v)), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda x=v: self._key_pain(x))
        sc = QShortcut(QKeySequence("T"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: self._key_pain(10))

    # -- source and pipeline ---------------------------------------------------------------------

    def _open_source(self) -> None:
        from coach.capture.sources import CameraSource, open_source
        from coach.pipeline import LivePipeline
        from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

        spec = self.ctx.source if self.ctx.source is not None else self.ctx.settings.profile().camera
        try:
            src = open_source(spec, max_side=self.ctx.settings.processing_max_side or None)
        except SourceError as exc:
            self._show_source_problem(str(exc))
            return
        live = isinstance(src, CameraSource)
        self.video.mirror = self.ctx.settings.mirror and live
        opts = EstimatorOptions(variant=self.ctx.settings.model_variant, model_path=self.ctx.settings.model_path)
        self.pipeline = LivePipeline(src, lambda: MediaPipeEstimator(opts), paced=True)
        runner = self.runner
        self.pipeline.set_consumer(lambda pose, frame, b: runner.on_frame(pose, b, frame.timestamp if not live else frame.captured_at))
        self._live = live
        self.pipeline.start()

    def _show_source_problem(self, message: str) -> None:
        self.source_msg.setText(f"{message}\nYou can open a recorded video instead.")
        self.source_panel.show()
        self.video.message = "No camera picture."

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", str(Path.home()), "Videos (*.mp4 *.avi *.mov *.mkv *.webm)")
        if not path:
            return
        self.ctx.source = path
        self._stop_pipeline()
        self.source_panel.hide()
        self.video.message = ""
        self._open_source()

    def _stop_pipeline(self) -> None:
        if self.pipeline is not None:
            self.pipeline.stop()
            try:
                self.pipeline.source.close()
            except Exception:  # closing a dead camera
                log.debug("source close failed", exc_info=True)
            self.pipeline = None

    def _open_recorder(self, title: str) -> Any:
        hist = self.ctx.history
        if hist is None:
            return None
        try:
            from coach.store.recording import SessionRecording

            return SessionRecording(hist, title, self.runner)
        except Exception as exc:  # history problems never stop a session
            log.warning("history unavailable: %s", exc)
            return None

    # -- clock -----------------------------------------------------------------------------------

    def _now(self) -> float:
        # The runner's clock is the frame clock: media time for files, monotonic for cameras.
        if self.pipeline is not None and not getattr(self, "_live", True):
            latest = self.pipeline.latest()
            if latest is not None:
                return latest.frame.timestamp + (time.monotonic() - latest.frame.captured_at)
        return time.monotonic() - (0.0 if getattr(self, "_live", True) or self.pipeline is None else self._t0)

    # -- the 30 Hz loop --------------------------------------------------------------------------

    def _tick(self) -> None:
        now = self._now()
        self.runner.tick(now)
        res = self.pipeline.latest() if self.pipeline is not None else None
        if res is not None:
            pts = res.pose.image[:, :2] if res.pose is not None else None
            vis = res.pose.image[:, 3] if res.pose is not None else None
            self.video.set_frame(res.frame.rgb, pts, vis)
        snap = self.runner.snapshot(now)
        self._render(snap)
        for ev in self.runner.events():
            self._handle(ev)
        if self.pipeline is not None:
            for pev in self.pipeline.events():
                if pev.kind in ("error", "source_lost"):
                    self.status_line.setText(pev.message)
                    if pev.kind == "source_lost":
                        self.runner.pause(now)
                elif pev.kind == "source_back":
                    self.status_line.setText(pev.message + " Press Space to carry on.")
                elif pev.kind == "source_ended":
                    self.status_line.setText("The video has ended.")
            st = self.pipeline.stats()
            if not self.pipeline.ready.is_set():
                self.video.message = "Starting the camera coach…"
            elif self.pipeline.model_error:
                self.video.message = self.pipeline.model_error
            elif self.video.message.startswith("Starting"):
                self.video.message = ""
            if self.pipeline.ready.is_set():
                self.stats_label.setText(
                    f"{st.fps:.0f} frames/s · delay {st.latency_ms_median:.0f} ms · dropped {st.frames_dropped}")
        self.video.update()

    def _render(self, s) -> None:  # noqa: ANN001
        self.ex_name.setText(s.exercise_name)
        side = f" · {s.side} side" if s.side else ""
        self.set_label.setText(f"Exercise {s.item_index + 1} of {s.items} · set {s.set_index + 1} of {s.sets}{side}")
        phase = s.phase
        pain_phase = phase in (Phase.PAIN_BEFORE, Phase.PAIN_AFTER, Phase.PAIN_END) or self._on_demand_pain
        self.pain_panel.setVisible(pain_phase)
        if phase is Phase.PAIN_BEFORE:
            self.pain_panel.question.setText("Before we start: how much pain do you have right now?")
        elif phase is Phase.PAIN_AFTER:
            self.pain_panel.question.setText(f"After {s.exercise_name}: how much pain do you have now?")
        elif phase is Phase.PAIN_END:
            self.pain_panel.question.setText("Last question: how much pain do you have now?")
        elif self._on_demand_pain:
            self.pain_panel.question.setText("How much pain do you have right now?")
        kind = self.runner.current.exercise.kind
        if phase is Phase.ACTIVE and kind in ("reps", "timed"):
            target = f" / {s.target}" if s.target else ""
            self.counter.setText(f"{s.count}{target}")
        elif phase is Phase.ACTIVE and kind == "hold":
            self.counter.setText(f"{s.count} / {s.target}" if s.target else "")
        elif phase in (Phase.REST, Phase.INTRO, Phase.SWITCH_SIDE):
            self.counter.setText(f"{math.ceil(s.remaining_s)} s")
        else:
            self.counter.setText("")
        self.ring.setVisible(phase is Phase.ACTIVE and kind == "hold")
        self.ring.set(s.hold_s, s.hold_target or 10.0)
        msg = s.message
        if s.paused:
            msg = "Paused. Press Space or Pause to carry on."
        self.cue.setText(msg)
        self.start_btn.setEnabled(phase in (Phase.INTRO, Phase.REST, Phase.SWITCH_SIDE))
        self.pause_btn.setText("Resume (Space)" if s.paused else "Pause (Space)")
        self.regress_btn.setVisible(
            s.decision is not None and s.decision.action is Action.OFFER_REGRESSION and bool(self.runner.current.regression)
            and phase in (Phase.INTRO, Phase.CAMERA_CHECK, Phase.ACTIVE, Phase.REST)
        )
        amber, red = set(), set()
        for fid in s.active_faults:
            spec = next((f for f in self.runner.current.exercise.faults if f.id == fid), None)
            if spec is not None:
                (red if spec.severity == "red" else amber).update(landmarks_for_metric(spec.when.metric))
        self.video.set_fault_joints(amber, red)
        if phase is Phase.SUMMARY and not getattr(self, "_summarised", False):
            self._summarised = True
            QTimer.singleShot(0, self._show_summary)

    def _handle(self, ev) -> None:  # noqa: ANN001
        sp = self.ctx.speaker
        if ev.kind in ("say", "cue") and sp is not None:
            sp.say(ev.data.get("text", ""))
        if ev.kind == "rep" and sp is not None:
            sp.play("rep")
        if ev.kind == "set_done" and sp is not None:
            sp.play("done")
        if ev.kind == "pain" and ev.data.get("level") == "red" and sp is not None:
            sp.play("attention")
        if self._recorder is not None:
            try:
                self._recorder.handle(ev)
            except Exception:  # a history write error must not stop the session
                log.exception("history write failed")

    # -- actions ---------------------------------------------------------------------------------

    def _rate_pain(self, value: int, spreading: bool) -> None:
        self._on_demand_pain = False
        d = self.runner.rate_pain(value, self._now(), spreading)
        self.status_line.setText(d.reason)

    def _key_pain(self, v: int) -> None:
        if self.pain_panel.isVisible():
            self._rate_pain(v, self.pain_panel.spreading.isChecked())
            self.pain_panel.spreading.setChecked(False)

    def ask_pain(self) -> None:
        self._on_demand_pain = True
        self.pain_panel.setVisible(True)
        self.pain_panel.buttons[0].setFocus()

    def toggle_pause(self) -> None:
        now = self._now()
        if self.runner.paused:
            self.runner.resume(now)
            if self.pipeline is not None:
                self.pipeline.resume()
        else:
            self.runner.pause(now)
            if self.pipeline is not None:
                self.pipeline.pause()

    def stop(self) -> None:
        self.runner.stop(self._now())

    def _regress(self) -> None:
        self.runner.with_regression(self.ctx.catalogue.get, self._now())

    def _toggle_voice(self) -> None:
        s = self.ctx.settings
        s.voice = not s.voice
        if self.ctx.speaker is not None:
            self.ctx.speaker.enabled = s.voice
        self.status_line.setText("Spoken cues on." if s.voice else "Spoken cues off.")
        self.ctx.save()

    def _toggle_skeleton(self) -> None:
        self.video.skeleton_only = not self.video.skeleton_only

    def _show_summary(self) -> None:
        self.shutdown()
        summary = getattr(self.ctx.nav, "summary", None)
        if callable(summary):
            summary(self.runner, self.title)

    # -- lifecycle -------------------------------------------------------------------------------

    def can_leave(self) -> bool:
        if self.runner.phase in (Phase.SUMMARY, Phase.REST_DAY, Phase.PAIN_BEFORE):
            self.shutdown()
            return True
        # Leaving mid-session ends it properly (pain question, then the summary).
        self.stop()
        return False

    def shutdown(self) -> None:
        self._timer.stop()
        self._stop_pipeline()
        if self._recorder is not None:
            try:
                self._recorder.close()
            except Exception:
                log.exception("history close failed")
            self._recorder = None
