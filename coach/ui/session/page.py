"""The session player: live view with the skeleton coloured by form, a big counter, hold ring,
countdowns, the current cue in large text, spoken cues, pain check-ins, pause/skip/stop.

The page only renders a :class:`~coach.pipeline.session.LiveSession` (the same object
``coach session`` drives headless): the session owns the source, the clock, the scoring and the
recording. A 30 Hz repaint timer takes the newest frame and the session's snapshot and drains its
events (cues to speak, banners). Keyboard: Space pause/resume, S skip, Esc end (asks first),
P pain, Enter start now, V voice on/off, K skeleton-only view. On a rest day (pain too high
before the session) Enter and Esc go home. The side panels it shows are in
:mod:`coach.ui.session.panels`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coach.core.pain import Action
from coach.core.session import (
    STOP_BY_PERSON,
    Phase,
    PlanItem,
    SessionEvent,
    SessionStatus,
    Snapshot,
)
from coach.core.session_events import CueShown, PainRated, RepCounted, Say, SetDone
from coach.ui.context import AppContext
from coach.ui.session.column import COUNTER_SCALE, CUE_SCALE, counter_text, fitted_sizes
from coach.ui.session.panels import ConfirmPanel, HoldRing, PainPanel, RestDayPanel
from coach.ui.theme import base_px
from coach.ui.video_view import VideoView, landmarks_for_metric

if TYPE_CHECKING:  # the pipeline is imported when a session starts, not with the page
    from coach.pipeline.live import LivePipeline
    from coach.pipeline.session import LiveEvent

log = logging.getLogger(__name__)


class SessionPage(QWidget):
    """Renders one :class:`LiveSession` and forwards what the person does."""

    def __init__(
        self,
        ctx: AppContext,
        plan: list[PlanItem],
        title: str,
        routine_id: str | None = None,
        routine_version: int | None = None,
    ) -> None:
        super().__init__()
        from coach.pipeline.session import LiveSession

        self.ctx = ctx
        self.title = title
        s = ctx.settings
        needs_camera = any(getattr(p.exercise, "needs_camera", True) for p in plan)
        spec = ctx.source if ctx.source is not None else s.profile().camera
        if routine_id is None and len(plan) == 1:
            routine_id = f"exercise:{plan[0].exercise.id}"
        self.session = LiveSession(
            plan,
            title,
            source=spec if needs_camera else None,
            settings=s,
            history=ctx.history,
            paced=ctx.paced_recordings,
            pain_rules=ctx.pain_rules,
            routine_id=routine_id or title,
            routine_version=routine_version,
        )
        self.runner = self.session.runner
        self._banners: dict[str, str] = {}
        self._summarised = False
        self._on_demand_pain = False
        self._build()
        # The page's keys (Space, Esc, P, 0-9) work wherever the pointer last clicked in it.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.video.mirror = s.mirror and self.session.live
        self.video.skeleton_only = s.skeleton_only
        self.video.high_contrast = s.high_contrast
        self.ring.high_contrast = s.high_contrast
        self.session.start()
        self.video.mirror = s.mirror and self.session.live
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._shortcuts()
        self._tick()

    @property
    def pipeline(self) -> LivePipeline | None:
        return self.session.pipeline

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # Banners (camera trouble, saving trouble) take their own row above everything.
        self.banner = QLabel("")
        self.banner.setProperty("role", "banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        lay = QHBoxLayout()
        outer.addLayout(lay, 1)
        left = QVBoxLayout()
        self.video = VideoView()
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        left.addWidget(self.video, 1)
        self.status_line = QLabel("")
        self.status_line.setWordWrap(True)
        self.status_line.setProperty("role", "muted")
        left.addWidget(self.status_line)
        self.stats_label = QLabel("")
        self.stats_label.setProperty("role", "muted")
        self.stats_label.setVisible(self.ctx.settings.show_performance)
        left.addWidget(self.stats_label)
        lay.addLayout(left, 1)

        side = QWidget()
        side.setObjectName("session_side")
        side.setMinimumWidth(340)
        side.setMaximumWidth(460)
        side.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(8, 0, 0, 0)
        # Everything but the controls scrolls (vertically only) when a small screen or large
        # text needs it; the controls stay in view.
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setProperty("role", "transparent")
        right = QVBoxLayout(content)
        right.setContentsMargins(0, 0, 4, 0)
        self.side_scroll.setWidget(content)
        side_lay.addWidget(self.side_scroll, 1)
        # the cue's and the counter's font sizes when made smaller to fit (0: the theme's)
        self._cue_px = self._counter_px = 0
        self._fit_key: tuple[object, ...] = ()
        self._build_side_panels(right)
        self.side_scroll.installEventFilter(self)  # a new size may change what fits

        self._build_controls(side_lay)
        lay.addWidget(side)

    def _build_side_panels(self, right: QVBoxLayout) -> None:
        """The side column's content: exercise and set, counter, hold ring, cue, the pain,
        confirm and source panels, and the easier-version button."""
        self.ex_name = QLabel("")
        self.ex_name.setProperty("role", "title")
        self.ex_name.setWordWrap(True)
        self.set_label = QLabel("")
        self.set_label.setProperty("role", "subtitle")
        self.set_label.setWordWrap(True)
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
        self.cue.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.cue.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.cue)
        self.pain_panel = PainPanel(self._rate_pain)
        right.addWidget(self.pain_panel)
        self.confirm_panel = ConfirmPanel(self._confirm_end, self._keep_going)
        self.confirm_panel.hide()
        right.addWidget(self.confirm_panel)
        self.rest_day_panel = RestDayPanel(self.go_home, self.open_reports)
        self.rest_day_panel.hide()
        right.addWidget(self.rest_day_panel)
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
        right.addStretch(1)

    def _build_controls(self, side_lay: QVBoxLayout) -> None:
        """The session controls, two to a row, below the scrolling side column."""
        grid = QGridLayout()
        self.start_btn = QPushButton("Start (Enter)")
        self.start_btn.setProperty("role", "primary")
        self.start_btn.clicked.connect(self.session.start_now)
        self.pause_btn = QPushButton("Pause (Space)")
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.skip_btn = QPushButton("Skip (S)")
        self.skip_btn.setToolTip("Skip this exercise")
        self.skip_btn.clicked.connect(self.session.skip)
        self.pain_btn = QPushButton("Pain (P)")
        self.pain_btn.setToolTip("Tell coach about pain at any time")
        self.pain_btn.clicked.connect(self.ask_pain)
        self.stop_btn = QPushButton("End session (Esc)")
        self.stop_btn.setProperty("role", "danger")
        self.stop_btn.clicked.connect(self.request_stop)
        for i, b in enumerate(
            (self.start_btn, self.pause_btn, self.skip_btn, self.pain_btn, self.stop_btn)
        ):
            b.setMinimumHeight(44)
            grid.addWidget(b, i // 2, i % 2)
        self.controls = QWidget()
        self.controls.setProperty("role", "transparent")
        self.controls.setLayout(grid)
        grid.setContentsMargins(0, 6, 0, 0)
        side_lay.addWidget(self.controls)

    def _shortcuts(self) -> None:
        keys = {
            "Space": self.toggle_pause,
            "S": self.session.skip,
            "Escape": self.request_stop,
            "P": self.ask_pain,
            "Return": self._enter_key,
            "Enter": self._enter_key,
            "V": self._toggle_voice,
            "K": self._toggle_skeleton,
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

    # -- banners ---------------------------------------------------------------------------------

    def _set_banner(self, key: str, text: str | None) -> None:
        """One banner per cause; it goes away when its cause does."""
        if text:
            self._banners[key] = text
        else:
            self._banners.pop(key, None)
        self.banner.setText("\n".join(self._banners.values()))
        self.banner.setVisible(bool(self._banners))

    def _show_source_problem(self, message: str) -> None:
        self.source_msg.setText(f"{message}\nYou can open a recorded video instead.")
        self.source_panel.show()
        self.video.message = "No camera picture."

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a video", str(Path.home()), "Videos (*.mp4 *.avi *.mov *.mkv *.webm)"
        )
        if path:
            self.open_video(path)

    def open_video(self, path: str) -> bool:
        """Use a recorded video as the picture source (after "no camera", or any time)."""
        self.ctx.source = path
        if not self.session.open(path):
            return False
        self.source_panel.hide()
        self.video.message = ""
        self.video.mirror = False
        self._set_banner("source", None)
        clear = getattr(self.ctx.nav, "clear_banner", None)
        if callable(clear):
            clear()  # "No camera was found" no longer applies
        return True

    # -- the 30 Hz loop --------------------------------------------------------------------------

    def _tick(self) -> None:
        events, live = self.session.poll()
        res = self.session.latest()
        if res is not None:
            pts = res.pose.image[:, :2] if res.pose is not None else None
            vis = res.pose.image[:, 3] if res.pose is not None else None
            self.video.set_frame(res.frame.rgb, pts, vis)
        for ev in events:
            self._handle(ev)
        for lev in live:
            self._handle_live(lev)
        self._show_pipeline_state()
        self._render(self.session.snapshot())
        self.video.update()

    def _handle_live(self, lev: LiveEvent) -> None:
        """Show one live event: source trouble, model error, saving trouble or success."""
        from coach.pipeline.session import LiveEventKind

        k = lev.kind
        if k is LiveEventKind.SOURCE_FAILED:
            self._show_source_problem(lev.message)
        elif k is LiveEventKind.SOURCE_LOST:
            self._set_banner("source", lev.message + " Press Space to carry on when it is back.")
        elif k is LiveEventKind.SOURCE_BACK:
            self._set_banner("source", None)
            self.status_line.setText(lev.message + " Press Space to carry on.")
        elif k is LiveEventKind.SOURCE_ENDED:
            self.status_line.setText("The video has ended.")
        elif k is LiveEventKind.MODEL_ERROR:
            self._set_banner("model", lev.message)
        elif k is LiveEventKind.SAVE_FAILED:
            self._set_banner("save", lev.message)
        elif k is LiveEventKind.SAVE_OK:
            self._set_banner("save", None)
            self.status_line.setText(lev.message)

    def _show_pipeline_state(self) -> None:
        """The video's loading or model-error message, and the performance line."""
        pipe = self.session.pipeline
        if pipe is not None:
            if not pipe.ready.is_set():
                self.video.message = "Starting the camera coach…"
            elif pipe.model_error:
                self.video.message = pipe.model_error
            elif self.video.message.startswith("Starting"):
                self.video.message = ""
            if pipe.ready.is_set() and self.stats_label.isVisible():
                st = pipe.stats()
                self.stats_label.setText(
                    f"{st.fps:.0f} frames/s · delay {st.latency_ms_median:.0f} ms · dropped {st.frames_dropped}"
                )

    def _render(self, s: Snapshot) -> None:
        # A pain answer that stands for the question that would follow (the exercise's, or the
        # session's last) is not asked for again: say so where the answer's reason is shown.
        note = self.runner.take_pain_note()
        if note:
            self.status_line.setText(note)
        self.ex_name.setText(s.exercise_name)
        side = f" · {s.side} side" if s.side else ""
        self.set_label.setText(
            f"Exercise {s.item_index + 1} of {s.items} · set {s.set_index + 1} of {s.sets}{side}"
        )
        phase = s.phase
        pain_phase = (
            phase in (Phase.PAIN_BEFORE, Phase.PAIN_AFTER, Phase.PAIN_END) or self._on_demand_pain
        )
        confirming = self.confirm_panel.isVisible()
        was_asking = self.pain_panel.isVisible()
        rest_day = phase is Phase.REST_DAY
        self.pain_panel.setVisible(pain_phase and not confirming)
        # A question takes the whole column: the controls make room (Esc and the number keys
        # still work), so the answers and the leg question are always in view. On a rest day
        # no control applies: the rest-day card has the way out instead.
        self.controls.setVisible(not (pain_phase or confirming or rest_day))
        self._show_rest_day(rest_day)
        if self.pain_panel.isVisible() and not was_asking:
            QTimer.singleShot(
                0, lambda: self.side_scroll.ensureWidgetVisible(self.pain_panel, 0, 0)
            )
        if phase is Phase.PAIN_BEFORE:
            self.pain_panel.question.setText(
                "Before we start: how much pain do you have right now?"
            )
        elif phase is Phase.PAIN_AFTER:
            self.pain_panel.question.setText(
                f"After {s.exercise_name}: how much pain do you have now?"
            )
        elif phase is Phase.PAIN_END:
            self.pain_panel.question.setText("Last question: how much pain do you have now?")
        elif self._on_demand_pain:
            self.pain_panel.question.setText("How much pain do you have right now?")
        kind = self.runner.current.exercise.kind
        self.counter.setText(counter_text(s, kind))
        # The counter and ring make room for a question.
        self.counter.setVisible(not pain_phase and not confirming and bool(self.counter.text()))
        self.ring.setVisible(
            phase is Phase.ACTIVE and kind == "hold" and not pain_phase and not confirming
        )
        self.ring.set(s.hold_s, s.hold_target or 10.0)
        msg = s.message
        if s.paused and not confirming:
            msg = "Paused. Press Space or Resume to carry on."
        ended = phase in (Phase.PAIN_END, Phase.SUMMARY)
        stop = self._stop_message() if ended else ""
        by_person = stop == STOP_BY_PERSON
        if stop and ended:
            # A stop is said in the main cue area in large text (in red when pain or a problem
            # stopped it), never in a corner.
            msg = "You ended the session." if by_person else stop
        elif pain_phase:
            msg = ""  # the question is in the pain panel; never ask it twice
        self._set_cue(msg, "stop" if stop and ended and not by_person else "")
        self._render_controls(s)
        amber: set[int] = set()
        red: set[int] = set()
        for fid in s.active_faults:
            spec = next((f for f in self.runner.current.exercise.faults if f.id == fid), None)
            if spec is not None:
                (red if spec.severity == "red" else amber).update(
                    landmarks_for_metric(spec.when.metric)
                )
        self.video.set_fault_joints(amber, red)
        if phase is Phase.SUMMARY and not self._summarised:
            self._summarised = True
            QTimer.singleShot(0, self._show_summary)

    def _show_rest_day(self, rest_day: bool) -> None:
        """The rest-day card instead of the exercise's set line, once, with the focus on home;
        the camera is closed."""
        self.set_label.setVisible(not rest_day)
        if rest_day:
            self.ex_name.setText("Rest today")
        if rest_day and self.rest_day_panel.isHidden():
            self.rest_day_panel.show()
            self.rest_day_panel.home_btn.setFocus()
            # No exercise today: the camera goes off at once, not when the page is left.
            self.session.close_source()
            self.source_panel.hide()  # no "open a video instead" either
            self._set_banner("source", None)
            self.video.clear()
            self.video.message = "No exercises today. The camera is off."
        elif not rest_day:
            self.rest_day_panel.hide()

    def _render_controls(self, s: Snapshot) -> None:
        """Which controls work in this phase, Pause or Resume, and the easier-version offer."""
        phase = s.phase
        in_set = phase in (
            Phase.INTRO,
            Phase.CAMERA_CHECK,
            Phase.ACTIVE,
            Phase.REST,
            Phase.SWITCH_SIDE,
        )
        self.start_btn.setEnabled(phase in (Phase.INTRO, Phase.REST, Phase.SWITCH_SIDE))
        self.pause_btn.setEnabled(in_set)
        self.skip_btn.setEnabled(in_set)
        self.pain_btn.setEnabled(in_set)
        self.stop_btn.setEnabled(in_set or phase is Phase.PAIN_AFTER)
        self.pause_btn.setText("Resume (Space)" if s.paused else "Pause (Space)")
        self.regress_btn.setVisible(
            s.decision is not None
            and s.decision.action is Action.OFFER_REGRESSION
            and bool(self.runner.current.regression)
            and phase in (Phase.INTRO, Phase.CAMERA_CHECK, Phase.ACTIVE, Phase.REST)
        )

    def _set_cue(self, text: str, tone: str) -> None:
        """The cue in large text; a long instruction one size smaller so it fits beside the video."""
        role = "cue_long" if len(text) > 70 else "cue"
        if (
            text != self.cue.text()
            or role != self.cue.property("role")
            or tone != self.cue.property("tone")
        ):
            self.cue.setText(text)
            self.cue.setVisible(bool(text))
            if role != self.cue.property("role") or tone != self.cue.property("tone"):
                self.cue.setProperty("role", role)
                self.cue.setProperty("tone", tone)
                self.cue.style().unpolish(self.cue)
                self.cue.style().polish(self.cue)
        self._fit_cue()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.side_scroll and event.type() == QEvent.Type.Resize:
            self._fit_cue()
        return False

    def _fit_cue(self) -> None:
        """Keep the side column from scrolling when the cue is what is too long (a long
        introduction with large text): the cue steps down from its role's size, never below
        body text, and then the big counter (a countdown or the count) down to 3x body text.
        Only what does not fit even then scrolls."""
        cue, counter = self.cue, self.counter
        base = base_px(self.ctx.settings.large_text)
        cue_top = round(base * CUE_SCALE.get(str(cue.property("role") or "cue"), 1.0))
        counter_top, counter_min = base * COUNTER_SCALE, base * 3
        content = self.side_scroll.widget()
        layout = content.layout() if content is not None else None
        # what the sizes depend on: the same as last time (most repaints) changes nothing
        key = (
            cue.text(),
            cue_top,
            self.side_scroll.size().toTuple(),
            self.ex_name.text(),
            self.set_label.text(),
            tuple(w.isVisibleTo(self) for w in content.findChildren(QWidget))
            if content is not None
            else (),
        )
        if key == self._fit_key:
            return
        self._fit_key = key
        cue_px, counter_px = cue_top, counter_top
        if cue.text() and cue.isVisibleTo(self) and layout is not None:
            cue_px, counter_px = fitted_sizes(
                self,
                self.side_scroll,
                layout,
                (cue, cue_top, base),
                (counter, round(counter_top), round(counter_min)),
            )
        if cue_px != (self._cue_px or cue_top):
            self._cue_px = 0 if cue_px == cue_top else cue_px
            cue.setStyleSheet(f"font-size: {cue_px}px;" if self._cue_px else "")
        if counter_px != (self._counter_px or counter_top):
            self._counter_px = 0 if counter_px == counter_top else counter_px
            counter.setStyleSheet(f"font-size: {counter_px}px;" if self._counter_px else "")

    def _stop_message(self) -> str:
        """Why the session stopped early, from the runner's own outcome ("" when it did not)."""
        status, reason = self.runner.outcome()
        return reason if status is SessionStatus.STOPPED_EARLY else ""

    def _handle(self, ev: SessionEvent) -> None:
        sp = self.ctx.speaker
        if sp is None:
            return
        p = ev.payload
        if isinstance(p, Say | CueShown):
            sp.say(p.text)
        elif isinstance(p, RepCounted):
            sp.play("rep")
        elif isinstance(p, SetDone):
            sp.play("done")
        elif isinstance(p, PainRated) and p.level == "red":
            sp.play("attention")

    # -- actions ---------------------------------------------------------------------------------

    def _rate_pain(self, value: int, spreading: bool) -> None:
        self._on_demand_pain = False
        self.setFocus()  # the answer button hides: keep the keys with the page
        d = self.session.rate_pain(value, spreading)
        # On a rest day the reason is the cue itself: never say it twice.
        self.status_line.setText("" if self.runner.phase is Phase.REST_DAY else d.reason)
        self._render(self.session.snapshot())  # the next step's buttons work at once

    def _key_pain(self, v: int) -> None:
        if self.pain_panel.isVisible():
            self._rate_pain(v, self.pain_panel.spreading.isChecked())
            self.pain_panel.spreading.setChecked(False)

    def _enter_key(self) -> None:
        if self.confirm_panel.isVisible():
            # Enter presses the highlighted answer: "Keep going" unless End session has focus.
            if self.confirm_panel.end_btn.hasFocus():
                self._confirm_end()
            else:
                self._keep_going()
        elif self.runner.phase is Phase.REST_DAY:
            self.go_home()
        else:
            self.session.start_now()

    def ask_pain(self) -> None:
        if self.runner.phase in (Phase.REST_DAY, Phase.SUMMARY):
            return  # no exercise today, or already asked at the end
        self._on_demand_pain = True
        self.pain_panel.setVisible(True)
        self.pain_panel.buttons[0].setFocus()

    def toggle_pause(self) -> None:
        if self.confirm_panel.isVisible():
            self._keep_going()
            return
        if self.runner.paused:
            self.session.resume()
        else:
            self.session.pause()

    def request_stop(self) -> None:
        """Esc / End session: ask first (pausing meanwhile); a second Esc confirms."""
        if self.runner.phase in (Phase.SUMMARY, Phase.PAIN_END):
            return
        if self.runner.phase is Phase.REST_DAY:
            self.go_home()  # nothing to end: the session never started
            return
        if self.confirm_panel.isVisible():
            self._confirm_end()
            return
        self._was_paused = self.runner.paused
        if not self.runner.paused:
            self.session.pause()
        self.confirm_panel.show()
        self.confirm_panel.keep_btn.setFocus()
        self._render(self.session.snapshot())

    def _confirm_end(self) -> None:
        self.confirm_panel.hide()
        self.setFocus()
        if self.runner.paused:
            self.session.resume()
        self.session.stop()
        self._render(self.session.snapshot())

    def _keep_going(self) -> None:
        self.confirm_panel.hide()
        self.setFocus()
        if self.runner.paused and not getattr(self, "_was_paused", False):
            self.session.resume()
        self._render(self.session.snapshot())

    def stop(self) -> None:
        """End the session early without asking (used by the window's own stop paths)."""
        self.confirm_panel.hide()
        if self.runner.paused:
            self.session.resume()
        self.session.stop()

    def go_home(self) -> None:
        """Leave for home (a rest day's way out; the record is finished as the page is left)."""
        self.ctx.nav.home()

    def open_reports(self) -> None:
        """History's Reports, where the report for the physiotherapist is made (a rest day)."""
        reports = getattr(self.ctx.nav, "open_reports", None)
        if callable(reports):
            reports()
        else:
            self.ctx.nav.open_history()

    def _regress(self) -> None:
        self.session.regress(self.ctx.catalogue.get)

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
            summary(self.runner, self.title, self._saved_note())

    def _saved_note(self) -> str | None:
        """What the summary says about saving (None: saved, the usual sentence)."""
        if self.session.session_id is None:
            return (
                "Nothing from this session was saved: it ended before the first question was "
                "answered, or your history could not be opened."
            )
        if self.session.save_error:
            return f"Part of this session could not be saved ({self.session.save_error})."
        return None

    # -- lifecycle -------------------------------------------------------------------------------

    def can_leave(self) -> bool:
        if self.runner.phase in (Phase.SUMMARY, Phase.REST_DAY, Phase.PAIN_BEFORE):
            self.shutdown()
            return True
        # Leaving mid-session asks first, then ends it properly (pain question, then the summary).
        self.request_stop()
        return False

    def shutdown(self, reason: str | None = None) -> None:
        """Stop the timer and finish the session record (window closed, app quitting, SIGTERM)."""
        self._timer.stop()
        from coach.core.session import STOP_APP_CLOSED

        self.session.finish(reason or STOP_APP_CLOSED)
