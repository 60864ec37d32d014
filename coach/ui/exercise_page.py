"""Browsing: a program's exercises, and one exercise explained before you do it.

``ProgramPage`` lists a program's exercises (each opens its detail page) and starts the whole
program. ``ExercisePage`` shows what the exercise is for, the steps, how to place the camera, the
dose in plain words, the cautions, what coach watches for, a moving drawing of the movement, and
a button to start it. Both only read the catalogue and call ``ctx.nav``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coach.core.session import plan_from_exercise
from coach.routines.catalogue import load_catalogue
from coach.ui.context import AppContext
from coach.ui.home import card, plan_for_program, post_op_rule_for
from coach.ui.illustration import SkeletonAnimation
from coach.ui.screening_widgets import blocked_note

KIND_WORDS = {"reps": "Repetitions", "hold": "Holds", "timed": "Timed", "breathing": "Breathing"}
LEVEL_WORDS = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}
#: What kind of exercise it is, in words (the exercise's ``program`` field names a category).
PROGRAM_WORDS = {
    "aerobic": "Aerobic",
    "core": "Core strength",
    "flexibility": "Flexibility",
    "posture": "Posture",
    "lifting": "Lifting",
    "breathing": "Breathing",
}
VIEW_WORDS = {
    "side": "from the side",
    "front": "from the front",
    "any": "from the side or the front",
    "none": "",
}
#: Gentle notes for the movements that surgeons often restrict for a while (DOMAIN §5.4).
POST_OP_NOTES = {
    "loads_flexion": "bends your back forward",
    "loads_rotation": "twists your back",
    "loads_extension": "arches your back",
    "lifting": "involves lifting",
}
GENERAL_STOP = (
    "Stop if pain rises above 5 out of 10, spreads down your leg, or you feel dizzy, "
    "faint or have chest pain."
)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _seconds(s: float) -> str:
    if s >= 60 and s % 60 == 0:
        m = int(s // 60)
        return f"{m} minute{'s' if m != 1 else ''}"
    return f"{_num(s)} second{'s' if s != 1 else ''}"


def _tempo_words(tempo: str | None) -> str:
    if not tempo:
        return ""
    a, pause, b = (float(x) for x in tempo.split("-"))
    if a == b:
        text = f"Move slowly: about {_seconds(a)} each way"
    else:
        text = f"Move slowly: about {_seconds(a)} one way and {_seconds(b)} back"
    if pause:
        text += f", with a {_seconds(pause)} pause"
    return text + "."


def dose_words(ex: Any, item: Any = None) -> str:
    """The dose in plain words, e.g. "2 sets of 10, rest 45 seconds between sets".

    ``item`` (a :class:`coach.core.session.PlanItem`) overrides the exercise's default dose, as a
    program or routine may.
    """
    d = ex.dose
    sets = getattr(item, "sets", None) or d.sets
    reps = getattr(item, "reps", None) if item is not None else d.reps
    hold = getattr(item, "hold_s", None) if item is not None else d.hold_s
    rest = getattr(item, "rest_s", None) if item is not None else d.rest_s
    duration = (getattr(item, "duration_s", None) if item is not None else None) or d.duration_s
    sides = {
        "both": " on each side",
        "alternate": ", alternating sides",
        "left": " on your left side",
        "right": " on your right side",
    }.get(ex.sides, "")
    if ex.kind == "breathing":
        text = f"{_seconds(duration or 300)} of slow breathing"
        b = ex.breathing
        if b is not None:
            text += (
                f": breathe in for {_num(b.inhale_s)} seconds, out for {_num(b.exhale_s)} seconds"
            )
        return text
    if ex.kind == "timed":
        text = f"{_seconds(duration or 60)}{sides}"
        if sets and sets > 1:
            text = f"{sets} rounds of {text}, rest {_seconds(rest or 0)} between rounds"
        return text
    parts: list[str] = []
    if ex.kind == "hold":
        count = reps or 1
        what = f"{count} hold{'s' if count != 1 else ''} of {_seconds(hold or 0)}"
        parts.append(f"{sets} sets of {what}" if sets > 1 else what)
    else:
        count = reps or 1
        parts.append(f"{sets} sets of {count}" if sets > 1 else f"{count} repetitions")
        if hold:
            parts.append(f"hold each for {_seconds(hold)}")
    text = ", ".join(parts) + sides
    if sets > 1 and rest:
        text += f", rest {_seconds(rest)} between sets"
    return text


def view_words(ex: Any) -> str:
    if not ex.needs_camera or ex.camera.view == "none":
        return "No camera needed."
    return f"The camera should see you {VIEW_WORDS.get(ex.camera.view, '')}."


def learn_topics_for(ex: Any) -> list[tuple[str, str]]:
    """(topic id, button text) for the Learn pages that matter for this exercise, most relevant first."""
    topics: list[tuple[str, str]] = []
    if ex.program == "lifting" or "lifting" in ex.tags:
        topics.append(("lifting", "Lifting with your legs"))
    elif ex.program == "posture":
        topics.append(("posture", "Posture and your desk"))
    else:
        topics.append(("why_exercise", "Why this exercise helps"))
    topics.append(("pain_rules", "When to stop: pain traffic lights"))
    if ex.needs_camera:
        topics.append(("how_coach_sees", "How coach sees you"))
    return topics


def _label(text: str, role: str | None = None, wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setProperty("role", role)
    lab.setWordWrap(wrap)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def _scroller(page: QWidget) -> QVBoxLayout:
    """Put a scroll area on ``page`` and return the layout of its content."""
    scroll = QScrollArea(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    inner = QWidget()
    lay = QVBoxLayout(inner)
    lay.setSpacing(16)
    lay.setContentsMargins(4, 4, 12, 4)
    scroll.setWidget(inner)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return lay


class _KeyboardPage(QWidget):
    """Enter activates the focused button (Qt only does that inside dialogs)."""

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        w = self.focusWidget()
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(w, QAbstractButton):
            w.click()
            return
        super().keyPressEvent(e)


def _blocked_note(ctx: AppContext) -> QLabel | None:
    return blocked_note(ctx.settings)


class ProgramPage(_KeyboardPage):
    """One program: why it helps, its exercises (each opens its page), and a start button."""

    def __init__(self, ctx: AppContext, program: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.program = program
        cat = ctx.catalogue
        lay = _scroller(self)
        pdef = cat.programs.get(program)
        lay.addWidget(_label(self.title_for(program), "title"))
        lay.addWidget(
            _label(
                pdef.purpose if pdef is not None else "There is no program with this name.",
                "subtitle",
            )
        )
        if pdef is not None and pdef.why:
            lay.addWidget(_label(pdef.why, "muted"))
        self.plan, self.plan_title = plan_for_program(ctx, program)
        row = QHBoxLayout()
        self.start_btn = QPushButton("Start this program")
        self.start_btn.setProperty("role", "primary")
        self.start_btn.setMinimumHeight(56)
        self.start_btn.setEnabled(bool(self.plan) and not ctx.settings.screening_blocked)
        self.start_btn.clicked.connect(self._start)
        row.addWidget(self.start_btn, 2)
        why = QPushButton("Why exercise helps")
        why.clicked.connect(lambda: self.ctx.nav.open_learn("why_exercise"))
        row.addWidget(why, 1)
        lay.addLayout(row)
        note = _blocked_note(ctx)
        if note is not None:
            lay.addWidget(note)

        self.rows: dict[str, QPushButton] = {}
        rule = post_op_rule_for(ctx)
        # every exercise of the program file, in its order; those restricted after a back operation
        # are shown (and counted) but marked, and "Start" leaves them out
        listed = [
            cat.exercises[i.exercise]
            for i in (pdef.items if pdef is not None else ())
            if i.exercise in cat.exercises
        ]
        planned = list(self.plan)
        left_out = [e for e in listed if not rule.allows(e)]
        if listed:
            lay.addWidget(_label(f"In this program ({len(listed)})", "heading"))
            if left_out:
                lay.addWidget(
                    _label(
                        f"{len(left_out)} of them {'are' if len(left_out) != 1 else 'is'} left out for now because "
                        'of your back operation (marked below); "Start this program" does the others. A routine '
                        "file from your physiotherapist can include them.",
                        "muted",
                    )
                )
            for n, ex in enumerate(listed, start=1):
                if rule.allows(ex) and planned and planned[0].exercise.id == ex.id:
                    lay.addWidget(self._row(ex, planned.pop(0), n))
                else:
                    lay.addWidget(self._row(ex, None, n, note=rule.why_locked(ex)))
        in_plan = [e.id for e in listed]
        kind = pdef.program if pdef is not None else None
        more = [e for e in cat.by_program(kind) if e.id not in in_plan] if kind else []
        if more:
            lay.addWidget(
                _label("Not part of this program: other exercises of the same kind", "heading")
            )
            for ex in more:
                lay.addWidget(self._row(ex, None, None))
        if not listed and not more:
            lay.addWidget(_label("There are no exercises in this program yet.", "muted"))
        lay.addStretch(1)

    @staticmethod
    def title_for(program: str) -> str:
        """The program's name from its file in ``exercises/programs``."""
        pdef = load_catalogue().programs.get(program)
        return pdef.name if pdef is not None else program.replace("_", " ").capitalize()

    def _row(self, ex: Any, item: Any, number: int | None, note: str = "") -> QFrame:
        f, cl = card()
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        name = _label(f"{number}. {ex.name}" if number else ex.name)
        name.setStyleSheet("font-weight: 600;")
        facts = " · ".join(
            (
                LEVEL_WORDS.get(ex.level, ex.level),
                KIND_WORDS.get(ex.kind, ex.kind),
                dose_words(ex, item),
            )
        )
        grid.addWidget(name, 0, 0)
        grid.addWidget(_label(facts, "muted"), 1, 0)
        grid.addWidget(_label(ex.purpose), 2, 0)
        if note:
            grid.addWidget(_label(note, "banner"), 3, 0)
        btn = QPushButton("See how ›")
        btn.setAccessibleName(f"See how to do {ex.name}")
        btn.setMinimumHeight(48)
        btn.clicked.connect(lambda _=False, eid=ex.id: self.ctx.nav.open_exercise(eid))
        grid.addWidget(btn, 0, 1, 4 if note else 3, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(0, 1)
        cl.addLayout(grid)
        self.rows[ex.id] = btn
        return f

    def _start(self) -> None:
        if self.plan:
            self.ctx.nav.start_session(self.plan, self.plan_title, f"program:{self.program}")


class ExercisePage(_KeyboardPage):
    """One exercise, explained: purpose, steps, camera, dose, cautions, faults, a drawing, start."""

    def __init__(self, ctx: AppContext, exercise: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.exercise = ex = exercise
        lay = _scroller(self)
        lay.addWidget(_label(ex.name, "title"))
        facts = " · ".join(
            (
                PROGRAM_WORDS.get(ex.program, ex.program.capitalize()),
                LEVEL_WORDS.get(ex.level, ex.level),
                KIND_WORDS.get(ex.kind, ex.kind),
            )
        )
        lay.addWidget(_label(facts, "muted"))
        lay.addWidget(_label(ex.purpose, "subtitle"))

        cols = QHBoxLayout()
        cols.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(16)
        right = QVBoxLayout()
        right.setSpacing(12)
        cols.addLayout(left, 3)
        cols.addLayout(right, 2)
        lay.addLayout(cols)

        left.addWidget(self._steps_card())
        left.addWidget(self._dose_card())
        left.addWidget(self._camera_card())
        left.addWidget(self._cautions_card())
        left.addWidget(self._faults_card())
        left.addStretch(1)

        # Right column: start first (in view without scrolling), then the drawing and links
        self.start_btn = QPushButton("Start this exercise")
        self.start_btn.setProperty("role", "primary")
        self.start_btn.setMinimumHeight(56)
        why_locked = post_op_rule_for(ctx).why_locked(ex)
        self.start_btn.setEnabled(not ctx.settings.screening_blocked and not why_locked)
        self.start_btn.clicked.connect(self._start)
        right.addWidget(self.start_btn)
        if why_locked:
            lock = _label(why_locked, "banner")
            lock.setAccessibleName("Left out after your operation")
            right.addWidget(lock)
        note = _blocked_note(ctx)
        if note is not None:
            right.addWidget(note)
        c, cl = card()
        self.animation = SkeletonAnimation(ex, high_contrast=ctx.settings.high_contrast)
        self.animation.setMinimumSize(300, 260)
        cl.addWidget(self.animation, 1)
        cap = _label(
            "A simple moving drawing of the movement. The ringed joint is the one that moves.",
            "muted",
        )
        cl.addWidget(cap)
        right.addWidget(c)
        self.learn_buttons: dict[str, QPushButton] = {}
        for topic, text in learn_topics_for(ex):
            b = QPushButton(f"Learn: {text}")
            b.setAccessibleName(f"Learn about {text}")
            b.clicked.connect(lambda _=False, t=topic: self.ctx.nav.open_learn(t))
            right.addWidget(b)
            self.learn_buttons[topic] = b
        for label, other in (("Easier version", ex.regression), ("Harder version", ex.progression)):
            if other and other in ctx.catalogue.exercises:
                b = QPushButton(f"{label}: {ctx.catalogue.exercises[other].name}")
                b.clicked.connect(lambda _=False, eid=other: self.ctx.nav.open_exercise(eid))
                right.addWidget(b)
        right.addStretch(1)

    def _steps_card(self) -> QFrame:
        """How to do it: the numbered steps."""
        ex = self.exercise
        c, cl = card()
        cl.addWidget(_label("How to do it", "heading"))
        self.step_labels: list[QLabel] = []
        steps = QGridLayout()
        steps.setHorizontalSpacing(12)
        steps.setVerticalSpacing(10)
        for i, text in enumerate(ex.instructions):
            n = _label(f"{i + 1}.", wrap=False)
            n.setStyleSheet("font-weight: 600;")
            n.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            s = _label(text)
            steps.addWidget(n, i, 0)
            steps.addWidget(s, i, 1)
            self.step_labels.append(s)
        steps.setColumnStretch(1, 1)
        cl.addLayout(steps)
        return c

    def _dose_card(self) -> QFrame:
        """How much: the dose, the tempo, and breathing for a hold."""
        ex = self.exercise
        c, cl = card()
        cl.addWidget(_label("How much", "heading"))
        self.dose_label = _label(dose_words(ex))
        self.dose_label.setStyleSheet("font-weight: 600;")
        cl.addWidget(self.dose_label)
        tempo = _tempo_words(ex.dose.tempo)
        if tempo:
            cl.addWidget(_label(tempo))
        if ex.kind == "hold":
            cl.addWidget(
                _label("Breathe normally while you hold; do not hold your breath.", "muted")
            )
        return c

    def _camera_card(self) -> QFrame:
        """Setting up the camera: the view and where to put it."""
        ex = self.exercise
        c, cl = card()
        cl.addWidget(_label("Setting up the camera", "heading"))
        cl.addWidget(_label(view_words(ex)))
        if ex.needs_camera:
            cl.addWidget(_label(ex.camera.placement))
            if ex.camera.whole_body:
                cl.addWidget(
                    _label("Your whole body should be in the picture, head to feet.", "muted")
                )
        return c

    def _cautions_card(self) -> QFrame:
        """Take care: the exercise's cautions, the general stop rule and post-operative notes."""
        ex = self.exercise
        c, cl = card()
        cl.addWidget(_label("Take care", "heading"))
        safety = list(ex.safety)
        if not any("5 out of 10" in s or "5/10" in s for s in safety):
            safety.append(GENERAL_STOP)
        for tag, what in POST_OP_NOTES.items():
            if tag in ex.tags:
                safety.append(
                    f"This exercise {what}. After back surgery, do it only when your surgeon or "
                    "physiotherapist has said you can."
                )
        self.safety_labels = [_label(f"•  {s}") for s in safety]
        for lab in self.safety_labels:
            cl.addWidget(lab)
        return c

    def _faults_card(self) -> QFrame:
        """What coach watches for: the fault cues (or what it does without them)."""
        ex = self.exercise
        c, cl = card()
        cl.addWidget(_label("What coach watches for", "heading"))
        cues = list(dict.fromkeys(f.cue for f in ex.faults))
        if cues:
            cl.addWidget(_label("If it sees one of these, coach will say:", "muted"))
            self.fault_labels = [_label(f"•  “{cue}”") for cue in cues]
        elif ex.needs_camera:
            self.fault_labels = [
                _label(
                    "coach counts your repetitions and times your holds. It does not "
                    "check your form for this exercise, so go by how it feels."
                )
            ]
        else:
            self.fault_labels = [
                _label("No camera is used: coach guides the timing with words and sounds.")
            ]
        for lab in self.fault_labels:
            cl.addWidget(lab)
        return c

    def _start(self) -> None:
        ex = self.exercise
        self.ctx.nav.start_session([plan_from_exercise(ex)], ex.name)

    def shutdown(self) -> None:
        """Stop the drawing's timer (the router calls this when the window closes)."""
        self.animation.hide()
