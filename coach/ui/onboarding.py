"""The first run, one calm step at a time: what coach is (and is not), the health questions, the
red-flag questions, the camera, and done.

Steps (a ``QStackedWidget``)::

    welcome -> general -> back -> emergency -> urgent -> review -> camera -> done
                                      \\____________\\__ a "yes" here jumps straight to done

A blocking answer (emergency, urgent, or "see your clinician first") is saved at once — leaving
half-way never loses it — and sessions stay blocked until the screening is run again. Lifting a
block only happens when a full run is finished. The questions and the tier logic live in the
Qt-free :mod:`coach.core.screening`. Follow-up questions (the post-operative wound, numbness and
headache ones) are shown only after "yes" to the back-surgery question; after "no" they are
hidden, their answers cleared, and the result records them as not applicable.

Keyboard: a question step starts with the focus on the first question itself, never on an
answer, and after an answer it moves to the next question. **Y** / **N** answer the current
question; Tab moves between questions' answers, the arrow keys between the answers of one
question, and Space chooses the highlighted answer. Enter never chooses an answer (it could say
"yes" or "no" to a safety question by accident): on an answer it only says how to answer, and
on a finished step it goes on. Alt+N / Alt+P are Next and Previous.

The bar above the page names the step ("Welcome — step 3 of 8: Your back").
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from coach.core import screening
from coach.core.screening import ADVICE, BLOCKING, GROUPS, Tier
from coach.core.wording import PRIVACY
from coach.routines.today import SURGERY_TYPE, SURGERY_WHEN, post_op_rule
from coach.ui.context import AppContext
from coach.ui.screening_widgets import ChoiceButtons, QuestionRow, mark_urgent, text_label
from coach.ui.settings_page import Toggle, camera_choices, set_profile_camera

log = logging.getLogger(__name__)


DISCLAIMER = (
    "coach does not diagnose or treat any condition and is not a substitute for professional medical "
    "advice. Follow the programme your physiotherapist or doctor gave you.",
    "Before starting, check with your healthcare provider that you are cleared to exercise, especially "
    'after back surgery, if you are pregnant, or if you answer "yes" to any of the questions that follow.',
    "Stop and seek emergency care if you notice numbness around the groin or buttocks, new bladder or "
    "bowel problems, or new leg weakness.",
    "Stop the exercise if pain rises above 5 out of 10, spreads down your leg, or you feel dizzy, faint "
    "or have chest pain.",
    "Camera feedback is approximate. Lighting, clothing and camera position affect accuracy; coach cannot "
    "see your spine directly.",
    PRIVACY,
)

STEPS = ("welcome", *(g.id for g in GROUPS), "camera", "done")
#: What each step is called under the page (question steps: their group's title).
STEP_TITLES = {
    "welcome": "About coach and safety",
    **{g.id: g.title for g in GROUPS},
    "camera": "Camera",
    "done": "Done",
}
#: Its short name in the window's title bar, which must fit beside the buttons with large text.
STEP_SHORT = {
    "welcome": "About coach",
    "general": "Your health",
    "back": "Your back",
    "emergency": "Emergency signs",
    "urgent": "Signs for a doctor today",
    "review": "Things to check first",
    "camera": "Camera",
    "done": "Done",
}
QUESTION_STEPS = tuple(g.id for g in GROUPS)
#: After these steps, a blocking answer skips the rest: there is nothing more to set up today.
JUMP_TO_DONE_FROM = {"emergency": Tier.EMERGENCY, "urgent": Tier.URGENT}


class OnboardingPage(QWidget):
    """First-run walkthrough; also reopened from Settings to run the screening again."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.answers: dict[str, bool | None] = {q.id: None for q in screening.QUESTIONS}
        self.rows: dict[str, QuestionRow] = {}
        self.banners: dict[str, QLabel] = {}
        self.result = screening.evaluate({})
        self._trail: list[int] = []  # steps visited, for Previous
        self.finished = False
        # Checked Yes/No buttons are filled, urgent advice framed in red and the question in
        # focus outlined: the app's style sheet does it (coach.ui.theme), so a theme switch
        # recolours them at once.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self._build_welcome()
        for g in GROUPS:
            self._build_questions(g)
        self._build_camera()
        self._build_done()

        bar = QHBoxLayout()
        self.prev_btn = QPushButton("‹ &Previous step")
        self.prev_btn.clicked.connect(self.previous)
        self.step_label = text_label("", "muted")
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = text_label("", "muted")
        self.next_btn = QPushButton("&Next ›")
        self.next_btn.setProperty("role", "primary")
        self.next_btn.setMinimumHeight(52)
        self.next_btn.setMinimumWidth(200)
        self.next_btn.clicked.connect(self.next)
        bar.addWidget(self.prev_btn)
        bar.addWidget(self.step_label, 1)
        bar.addWidget(self.next_btn)
        outer.addWidget(self.hint)
        outer.addLayout(bar)
        self._go(0, remember=False)

    # -- building --------------------------------------------------------------------------------

    def _scroll_page(self) -> tuple[QScrollArea, QVBoxLayout, QVBoxLayout]:
        """A step: its content scrolls; a fixed row under it holds the step's banner or tick box,
        so nothing appearing there moves the questions under the pointer."""
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setSpacing(12)
        lay.setContentsMargins(4, 4, 12, 4)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(4, 0, 12, 0)
        outer.addLayout(bottom)
        self.stack.addWidget(page)
        return scroll, lay, bottom

    def _build_welcome(self) -> None:
        _, lay, bottom = self._scroll_page()
        lay.addWidget(text_label("Welcome to coach", "title"))
        lay.addWidget(
            text_label(
                "coach helps you do the exercises your physiotherapist or doctor prescribed, "
                "using your camera to count, time and guide you. Before you start, please read "
                "these points. It takes about five minutes to set up.",
                "subtitle",
            )
        )
        self.disclaimer_labels: list[QLabel] = []
        for i, text in enumerate(DISCLAIMER):
            row = QHBoxLayout()
            n = text_label(f"{i + 1}.")
            n.setStyleSheet("font-weight: 600;")
            n.setAlignment(Qt.AlignmentFlag.AlignTop)
            n.setFixedWidth(n.fontMetrics().horizontalAdvance("00.") + 12)
            t = text_label(text)
            self.disclaimer_labels.append(t)
            row.addWidget(n)
            row.addWidget(t, 1)
            lay.addLayout(row)
        lay.addStretch(1)
        # the tick box stays in view below the points, however small the window
        self.ack = Toggle(
            "I have read and understood these points",
            False,
            "✓  I have read and understood these points",
            "I have read and understood these points",
        )
        self.ack.setMinimumHeight(52)
        self.ack.toggled.connect(lambda _on: self._update_nav())
        row = QHBoxLayout()
        row.addWidget(self.ack)
        row.addStretch(1)
        bottom.addLayout(row)

    def _build_questions(self, group: screening.Group) -> None:
        scroll, lay, bottom = self._scroll_page()
        lay.addWidget(text_label(group.title, "title"))
        lay.addWidget(text_label(group.intro, "subtitle"))
        for q in screening.questions_in(group.id):
            row = QuestionRow(q, self._answered)
            self.rows[q.id] = row
            lay.addWidget(row)
        if group.id == "back":
            self._build_surgery_follow_up(lay)
            self.back_scroll = scroll
        lay.addWidget(
            text_label(
                "Press Y for yes or N for no to answer and move to the next question. "
                "Tab moves between questions; the arrow keys move between the answers.",
                "muted",
            )
        )
        lay.addStretch(1)
        banner = text_label("", "banner")
        banner.setAccessibleName("Important advice")
        banner.hide()
        self.banners[group.id] = banner
        bottom.addWidget(banner)

    def _build_surgery_follow_up(self, lay: QVBoxLayout) -> None:
        """After "yes, I had an operation on my back": when, and which operation (DOMAIN §5.4)."""
        self.surgery_card = QFrame()
        self.surgery_card.setProperty("role", "card")
        cl = QVBoxLayout(self.surgery_card)
        cl.setContentsMargins(16, 10, 12, 12)
        cl.addWidget(text_label("About your operation", "heading"))
        cl.addWidget(text_label("When was your operation?"))
        self.surgery_when = ChoiceButtons(list(SURGERY_WHEN), "When was your operation?", flow=True)
        cl.addWidget(self.surgery_when)
        cl.addWidget(text_label("Which operation was it?"))
        self.surgery_type = ChoiceButtons(list(SURGERY_TYPE), "Which operation was it?", flow=True)
        cl.addWidget(self.surgery_type)
        self.surgery_note = text_label("", "muted")
        cl.addWidget(self.surgery_note)
        for group in (self.surgery_when, self.surgery_type):
            group.on_choose(lambda _v: self._surgery_answered())
        self.surgery_card.hide()
        lay.addWidget(self.surgery_card)

    def show_surgery_questions(self) -> None:
        """Bring the questions about the operation into view and put the keyboard there."""
        self.back_scroll.ensureWidgetVisible(self.surgery_card, 0, 0)
        self.surgery_when.tab_stop().setFocus()

    def _surgery_answered(self) -> None:
        rule = post_op_rule(
            str(self.surgery_when.value() or ""), str(self.surgery_type.value() or "")
        )
        self.surgery_note.setText(rule.advice if self.surgery_type.value() is not None else "")
        self._update_nav()
        if self.surgery_when.value() is not None and self.surgery_type.value() is None:
            self.surgery_type.tab_stop().setFocus()
        elif self._complete():
            self.next_btn.setFocus()

    def surgery_answers(self) -> tuple[str, str]:
        """(when, which) as stored in settings; empty when no back operation was reported."""
        if self.answers.get("back_surgery") is not True:
            return "", ""
        return str(self.surgery_when.value() or ""), str(self.surgery_type.value() or "")

    def _build_camera(self) -> None:
        _, lay, _bottom = self._scroll_page()
        lay.addWidget(text_label("Your camera", "title"))
        lay.addWidget(
            text_label(
                "coach watches your movement through a camera. The camera picture is turned "
                "into body points on this computer and is never stored or sent anywhere.",
                "subtitle",
            )
        )
        self.cameras = camera_choices()
        self.camera_combo = QComboBox()
        self.camera_combo.setAccessibleName("Camera")
        current = self.ctx.settings.profile().camera
        if self.cameras:
            lay.addWidget(text_label("Which camera should coach use?"))
            for spec, text in self.cameras:
                self.camera_combo.addItem(text, spec)
            self.camera_combo.setCurrentIndex(max(0, self.camera_combo.findData(current)))
            self.camera_combo.setMaximumWidth(520)
            lay.addWidget(self.camera_combo)
            self.camera_note = text_label("You can change this later in Settings.", "muted")
        else:
            self.camera_combo.addItem("No camera found", current)
            self.camera_combo.setEnabled(False)
            self.camera_note = text_label(
                "No camera was found on this computer. That is fine: you can still use coach with a "
                'recorded video file (choose "Use a video file…" on the home screen), and the breathing '
                "exercise needs no camera. If you plug in a camera later, choose it in Settings."
            )
        lay.addWidget(self.camera_note)
        lay.addSpacing(12)
        lay.addWidget(text_label("Give this set-up a name"))
        self.profile_name = QLineEdit(self.ctx.settings.profile().name)
        self.profile_name.setMaxLength(40)
        self.profile_name.setAccessibleName("Set-up name")
        self.profile_name.setPlaceholderText("for example: kitchen table, laptop")
        self.profile_name.setMaximumWidth(520)  # a name, not a paragraph
        lay.addWidget(self.profile_name)
        lay.addWidget(
            text_label(
                "A set-up is where you exercise and how the camera is placed, for example "
                '"kitchen table". coach remembers your posture calibration for each set-up.',
                "muted",
            )
        )
        lay.addStretch(1)

    def _build_done(self) -> None:
        _, lay, _bottom = self._scroll_page()
        self.done_title = text_label("", "title")
        lay.addWidget(self.done_title)
        self.done_advice = text_label("", "banner")
        self.done_advice.setAccessibleName("What to do next")
        lay.addWidget(self.done_advice)
        self.done_more = text_label("")
        lay.addWidget(self.done_more)
        lay.addStretch(1)

    # -- answering -------------------------------------------------------------------------------

    def _answered(self, row: QuestionRow, value: bool) -> None:
        if not screening.applies(row.question, self.answers):
            row.choice.set_value(None)  # a question that is not asked takes no answer
            return
        self.answers[row.question.id] = value
        if row.question.id == "back_surgery":
            # the follow-up sits below the questions, so showing it moves nothing above it
            self.surgery_card.setVisible(value)
        self._sync_follow_ups()
        self._evaluate()
        self._update_nav()
        self._focus_next_after(row)

    def answer(self, qid: str, value: bool) -> None:
        """Answer a question as if its button were pressed (also used by keyboard shortcuts).

        Raises
        ------
        ValueError
            The question is not asked (it follows up an earlier question answered "no").
        """
        row = self.rows[qid]
        if not screening.applies(row.question, self.answers):
            raise ValueError(f"question {qid!r} is not asked after these answers")
        row.set_answer(value)
        self._answered(row, value)

    def _sync_follow_ups(self) -> None:
        """Show the follow-up questions that apply (e.g. the post-operative ones after "yes, I
        had an operation on my back") and hide the others, whose answers are cleared: they are
        not applicable, and asked afresh if the earlier answer changes back to "yes"."""
        for q in screening.QUESTIONS:
            if q.asked_if is None:
                continue
            on = screening.applies(q, self.answers)
            row = self.rows[q.id]
            if not on and self.answers.get(q.id) is not None:
                self.answers[q.id] = None
                row.choice.set_value(None)
            row.setVisible(on)

    def asked_questions(self, step: str | None = None) -> tuple[screening.Question, ...]:
        """The questions of a step (default: the current one) that are asked after the answers
        so far, in order: what the page shows."""
        return screening.asked(self.answers, step or self.step_id())

    def not_applicable(self) -> tuple[str, ...]:
        """The ids of the questions not asked because of an earlier "no" (recorded as such in
        :attr:`result`)."""
        return self.result.not_applicable

    def _evaluate(self) -> None:
        self.result = screening.evaluate({k: v for k, v in self.answers.items() if v is not None})
        for g in GROUPS:
            banner = self.banners[g.id]
            tiers = [
                screening.BY_ID[q].tier
                for q in self.result.flagged
                if screening.BY_ID[q].group == g.id
            ]
            if not tiers:
                banner.hide()
                continue
            top = max(tiers, key=lambda t: screening.RANK[t])
            banner.setText(ADVICE[top])
            mark_urgent(banner, top in BLOCKING)
            banner.show()
        if self.result.blocked:
            # Saved at once: a block must survive leaving the screening half-way.
            s = self.ctx.settings
            if not s.screening_blocked or s.screening_advice != self.result.advice:
                s.screening_blocked = True
                s.screening_advice = self.result.advice
                self.ctx.save()

    def _focus_next_after(self, row: QuestionRow) -> None:
        jump = JUMP_TO_DONE_FROM.get(self.step_id())
        if jump is not None and screening.RANK[self.result.tier] >= screening.RANK[jump]:
            self.next_btn.setFocus()  # what to do now comes first; the rest can wait
            return
        rows = self._step_rows()
        if row in rows:
            for r in rows[rows.index(row) + 1 :]:
                if r.answer() is None:
                    r.setFocus(Qt.FocusReason.OtherFocusReason)  # the question, not an answer
                    return
        if (
            self.step_id() == "back"
            and self.answers.get("back_surgery")
            and self.surgery_when.value() is None
        ):
            self.show_surgery_questions()
            return
        if self._complete():
            self.next_btn.setFocus()

    def _step_rows(self) -> list[QuestionRow]:
        step = self.step_id()
        if step not in QUESTION_STEPS:
            return []
        return [self.rows[q.id] for q in screening.asked(self.answers, step)]

    def _current_row(self) -> QuestionRow | None:
        w = self.focusWidget()
        for r in self._step_rows():
            if w is r or w is r.yes or w is r.no:
                return r
        return next((r for r in self._step_rows() if r.answer() is None), None)

    # -- stepping --------------------------------------------------------------------------------

    def step_id(self) -> str:
        return STEPS[self.stack.currentIndex()]

    def _complete(self) -> bool:
        step = self.step_id()
        if step == "welcome":
            return self.ack.isChecked()
        if step in QUESTION_STEPS:
            jump = JUMP_TO_DONE_FROM.get(step)
            if jump is not None and screening.RANK[self.result.tier] >= screening.RANK[jump]:
                return True  # the rest of this page cannot change what to do now
            if screening.unanswered(self.answers, step):
                return False
            if step == "back" and self.answers.get("back_surgery"):
                return (
                    self.surgery_when.value() is not None and self.surgery_type.value() is not None
                )
            return True
        return True

    def next(self) -> None:
        """Go on to the next step (or finish on the last)."""
        if not self._complete():
            self.hint.setText(
                "Please answer every question on this page (Y for yes, N for no)"
                + (
                    ", and say when and which operation you had."
                    if self.step_id() == "back" and self.answers.get("back_surgery")
                    else "."
                )
                if self.step_id() != "welcome"
                else "Please tick the box to say you have read this."
            )
            return
        step = self.step_id()
        if step == "done":
            self.finish()
            return
        jump = JUMP_TO_DONE_FROM.get(step)
        if jump is not None and screening.RANK[self.result.tier] >= screening.RANK[jump]:
            self._go(STEPS.index("done"))
            return
        self._go(self.stack.currentIndex() + 1)

    def previous(self) -> None:
        if self._trail:
            self._go(self._trail.pop(), remember=False)

    def _go(self, index: int, remember: bool = True) -> None:
        if remember:
            self._trail.append(self.stack.currentIndex())
        self.stack.setCurrentIndex(index)
        self.hint.setText("")
        if self.step_id() == "done":
            self._fill_done()
        self._update_nav()
        self._focus_first()

    def _focus_first(self) -> None:
        step = self.step_id()
        if step == "welcome":
            target: QWidget = self.ack
        elif step in QUESTION_STEPS:
            first = next((r for r in self._step_rows() if r.answer() is None), None)
            target = first if first is not None else self.next_btn  # the question, not "Yes"
        elif step == "camera":
            target = self.camera_combo if self.camera_combo.isEnabled() else self.profile_name
        else:
            target = self.next_btn
        self.setFocusProxy(target)
        target.setFocus()

    def _update_nav(self) -> None:
        i = self.stack.currentIndex()
        step = self.step_id()
        title = STEP_TITLES.get(step, step)
        self.step_label.setText(f"Step {i + 1} of {len(STEPS)}: {title}")
        self._show_title()
        self.prev_btn.setEnabled(bool(self._trail))
        self.next_btn.setText("&Finish" if step == "done" else "&Next ›")
        self.next_btn.setEnabled(self._complete())
        if self._complete():
            self.hint.setText("")

    def page_title(self) -> str:
        """The title bar's words for the current step, e.g. "Welcome — step 2 of 8: Your
        health"."""
        i = self.stack.currentIndex()
        return f"Welcome — step {i + 1} of {len(STEPS)}: {STEP_SHORT.get(self.step_id(), '')}"

    def _show_title(self) -> None:
        """Name the step in the main window's title bar (and for its Back) through the
        window's :meth:`~coach.ui.main_window.MainWindow.set_page_title`; the window opens this
        page with :meth:`page_title` too, so the step is named from the first moment."""
        text = self.page_title()
        self.setProperty("page_title", text)
        set_title = getattr(self.ctx.nav, "set_page_title", None)
        if callable(set_title):
            set_title(self, text)

    def _fill_done(self) -> None:
        r = self.result
        if r.blocked:
            self.done_title.setText("Please read this before anything else")
            self.done_more.setText(
                "Exercise sessions are paused until this has been done. When a clinician "
                "has checked you, run the screening again from Settings."
            )
        else:
            self.done_title.setText("You're set up" if r.parq_flagged else "You're ready")
            # A session asked for before the questions starts when they are done: say so.
            waiting = bool(getattr(self.ctx.nav, "session_waiting", False))
            self.done_more.setText(
                "Press Finish to start the session you chose."
                if waiting
                else "Press Finish to go to the home screen."
            )
        rule = post_op_rule(*self.surgery_answers())
        if rule.advice and not r.blocked:
            self.done_more.setText(rule.advice + "\n\n" + self.done_more.text())
        self.done_advice.setText(r.advice)
        mark_urgent(self.done_advice, r.tier in BLOCKING)

    # -- finishing -------------------------------------------------------------------------------

    def finish(self) -> None:
        """Store the answers' meaning, the camera and the set-up name, then go home."""
        s = self.ctx.settings
        r = self.result
        s.screening_blocked = r.blocked
        s.screening_advice = r.advice if r.blocked else ""
        s.parq_flagged = r.parq_flagged
        s.surgery_when, s.surgery_type = self.surgery_answers()  # type: ignore[assignment]
        s.screening_done_at = time.time()
        s.onboarded = True
        if STEPS.index("camera") in self._trail:
            name = self.profile_name.text().strip()[:40] or s.profile().name
            camera = self.camera_combo.currentData()
            try:
                set_profile_camera(
                    self.ctx, str(camera) if camera is not None else s.profile().camera, name
                )
            except ValueError as exc:  # a name the profile model refuses: keep the old one
                log.warning("set-up name not accepted: %s", exc)
        self.ctx.save()
        self.finished = True
        self.ctx.nav.home()

    # -- keyboard --------------------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        key = e.key()
        if key in (Qt.Key.Key_Y, Qt.Key.Key_N) and not isinstance(self.focusWidget(), QLineEdit):
            row = self._current_row()
            if row is not None:
                self.answer(row.question.id, key == Qt.Key.Key_Y)
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter never chooses an answer (Y, N, Space or a click do); it presses a focused
            # Previous button; elsewhere (like the tick box, where Space ticks) it means "go on",
            # as in a form, which waits until every question is answered.
            w = self.focusWidget()
            if isinstance(w, QPushButton) and w.property("answer") is True:
                self.hint.setText(
                    "To answer, press Y for yes or N for no, or Space to choose the highlighted "
                    "answer."
                )
                return
            if (
                isinstance(w, QAbstractButton)
                and not isinstance(w, Toggle)
                and w.isEnabled()
                and w is not self.next_btn
            ):
                w.click()
            else:
                self.next()
            return
        super().keyPressEvent(e)
