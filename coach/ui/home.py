"""Home: today's routine, the programs to browse, the posture monitor switch, history."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coach.core.session import PlanItem, plan_from_exercise
from coach.routines.catalogue import Catalogue, ProgramDef
from coach.routines.plan import plan_item_from_resolved
from coach.routines.today import PostOpRule, post_op_rule, todays_schedule
from coach.ui.context import AppContext
from coach.ui.widgets import FlowLayout, ResponsiveGrid, wrapped_label

log = logging.getLogger(__name__)

DEFAULT_PROGRAM = "clbp_starter"


def programs_in_order(catalogue: Catalogue) -> list[ProgramDef]:
    """The programs of ``exercises/programs``, by name (the only list of programs there is)."""
    return sorted(catalogue.programs.values(), key=lambda p: p.name.lower())


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def post_op_rule_for(ctx: AppContext) -> PostOpRule:
    """The restriction the onboarding answers imply for the built-in programs (DOMAIN §5.4).
    A therapist's routine file carries its own restrictions instead."""
    s = ctx.settings
    return post_op_rule(getattr(s, "surgery_when", ""), getattr(s, "surgery_type", ""))


def plan_for_program(ctx: AppContext, program_id: str) -> tuple[list[PlanItem], str]:
    """The program's plan and name, from its file in ``exercises/programs`` (empty if unknown)."""
    cat = ctx.catalogue
    prog = cat.programs.get(program_id)
    if prog is None:
        return [], program_id.replace("_", " ").capitalize()
    plan = []
    rule = post_op_rule_for(ctx)
    for it in prog.items:
        ex = cat.exercises.get(it.exercise)
        if ex is None or not rule.allows(ex):
            continue
        plan.append(
            plan_from_exercise(
                ex, sets=it.sets, reps=it.reps, hold_s=it.hold_s, duration_s=it.duration_s
            )
        )
    return plan, prog.name


def todays_plan(ctx: AppContext) -> tuple[list[PlanItem], str, str]:
    """(plan, title, where it came from). A therapist's routine file wins over the built-in one."""
    path = ctx.settings.routine_path
    if path:
        from coach.routines.routine import load_routine
        from coach.routines.yamlio import FileProblems

        try:
            resolved = load_routine(Path(path), ctx.catalogue, dt.date.today())
        except FileProblems as exc:  # a broken routine never blocks the home screen
            from coach.routines.routine import patient_notice

            ctx.warnings.append(
                f"Your routine file {Path(path).name} could not be used. "
                f"{patient_notice(exc.problems).sentence}"
            )
        else:
            ctx.pain_rules = resolved.pain_rules
            ctx.resolved_routine = resolved
            doses = {}
            ctx.dose_changes = []
            if ctx.history is not None:
                # The progression rules decide today's doses from past sessions (DOMAIN §2.0,
                # §5.1); shown here, stored as progression events when the session starts.
                from coach.store.progression import plan_next_session

                try:
                    for d in plan_next_session(ctx.history, resolved, record=False):
                        doses[d.position] = d.after
                        if d.kind != "hold":
                            ctx.dose_changes.append(
                                f"{d.exercise_id.replace('_', ' ')}: {d.reason}"
                            )
                except Exception as exc:  # noqa: BLE001 -- any history trouble (damaged rows
                    # included) falls back to the prescribed doses; it never blocks today's routine
                    log.warning("progression unavailable: %s", exc)
            plan = [plan_item_from_resolved(r, doses.get(r.position)) for r in resolved.active]
            if plan:
                return (
                    plan,
                    resolved.routine.title,
                    f"from your therapist's routine ({Path(path).name})",
                )
    ctx.resolved_routine = None
    plan, title = plan_for_program(ctx, DEFAULT_PROGRAM)
    origin = "the built-in starter routine"
    prog = ctx.catalogue.programs.get(DEFAULT_PROGRAM)
    left_out = len(prog.items) - len(plan) if prog is not None else 0
    if left_out > 0 and post_op_rule_for(ctx).locked_tags:
        origin += (
            f". {left_out} of its exercises {'are' if left_out != 1 else 'is'} left out for now "
            "because of your back operation"
        )
    return plan, title, origin


def card() -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setProperty("role", "card")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(18, 16, 18, 16)
    return f, lay


class HomePage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )  # reflow, never sideways
        inner = QWidget()
        self.lay = QVBoxLayout(inner)
        self.lay.setSpacing(16)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._build()

    def _build(self) -> None:
        lay = self.lay
        hour = dt.datetime.now().hour
        greet = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
        title = QLabel(greet)
        title.setProperty("role", "title")
        lay.addWidget(title)
        note = wrapped_label(
            "coach helps you do the exercises your physiotherapist prescribed. It does not "
            "diagnose or treat any condition. Stop if pain rises above 5 out of 10.",
            "muted",
        )
        lay.addWidget(note)
        self._build_today()
        self._build_morning()
        self._build_source()
        self._build_programs()
        self._build_tools()
        lay.addStretch(1)
        self.refresh()

    def _build_today(self) -> None:
        """Today's routine: its title, origin, schedule, exercises, dose changes and Start."""
        lay = self.lay
        c, cl = card()
        self.today_title = wrapped_label("", "heading")
        self.today_list = wrapped_label()
        self.start_btn = QPushButton("Start today's session")
        self.start_btn.setProperty("role", "primary")
        self.start_btn.setMinimumHeight(56)
        self.start_btn.clicked.connect(self._start_today)
        self.start_btn.setShortcut("Ctrl+Return")
        cl.addWidget(wrapped_label("Today's routine", "muted"))
        cl.addWidget(self.today_title)
        self.today_origin = wrapped_label("", "muted")
        cl.addWidget(self.today_origin)
        self.schedule_label = wrapped_label("")
        self.schedule_label.setAccessibleName("How often")
        cl.addWidget(self.schedule_label)
        cl.addWidget(self.today_list)
        self.changes = wrapped_label("", "muted")
        cl.addWidget(self.changes)
        row = QHBoxLayout()
        row.addWidget(self.start_btn, 2)
        open_routine = QPushButton("Open a routine file…")
        open_routine.clicked.connect(self._open_routine)
        row.addWidget(open_routine, 1)
        cl.addLayout(row)
        from coach.ui.routine_notice import RoutineFileNotice

        self.routine_notice = RoutineFileNotice()  # a bad file: one sentence, details on request
        cl.addWidget(self.routine_notice)
        lay.addWidget(c)

    def _build_morning(self) -> None:
        """Next-morning check (DOMAIN §5.1: the 24-hour response matters most)."""
        lay = self.lay
        self.morning, ml = card()
        self.morning_text = wrapped_label("")
        mb = QPushButton("Answer now")
        mb.setProperty("role", "primary")
        mb.clicked.connect(self.ctx.nav.open_history)
        row = QHBoxLayout()
        row.addWidget(self.morning_text, 1)
        row.addWidget(mb)
        ml.addLayout(row)
        lay.addWidget(self.morning)

    def _build_source(self) -> None:
        """Source: the camera or a video file."""
        lay = self.lay
        c, cl = card()
        self.source_label = wrapped_label()
        row = QHBoxLayout()
        row.addWidget(self.source_label, 1)
        b = QPushButton("Use a video file…")
        b.setToolTip("Replay a recorded session through the same coach")
        b.clicked.connect(self._choose_video)
        row.addWidget(b)
        b2 = QPushButton("Use the camera")
        b2.clicked.connect(self._use_camera)
        row.addWidget(b2)
        cl.addLayout(row)
        lay.addWidget(c)

    def _build_programs(self) -> None:
        """Programs: each file in exercises/programs is one card; its count is its own list."""
        lay = self.lay
        head = QLabel("Programs")
        head.setProperty("role", "heading")
        lay.addWidget(head)
        self.program_grid = ResponsiveGrid(min_column=320)
        self.program_buttons: dict[str, QPushButton] = {}
        for prog in programs_in_order(self.ctx.catalogue):
            c, cl = card()
            t = wrapped_label(prog.name)
            t.setStyleSheet("font-weight: 600;")
            d = wrapped_label(first_sentence(prog.purpose), "muted")
            n = len(prog.items)  # the program file's count, as on its page and in `coach exercises`
            b = QPushButton(f"Browse {n} exercise{'s' if n != 1 else ''}")
            b.setAccessibleName(f"Browse {prog.name}")
            b.clicked.connect(lambda _=False, p=prog.id: self.ctx.nav.open_program(p))
            self.program_buttons[prog.id] = b
            cl.addWidget(t)
            cl.addWidget(d, 1)
            locked = n - len(plan_for_program(self.ctx, prog.id)[0])
            if locked > 0:
                cl.addWidget(
                    wrapped_label(f"{locked} left out for now after your back operation", "muted")
                )
            cl.addWidget(b)
            self.program_grid.add(c)
        lay.addWidget(self.program_grid)

    def _build_tools(self) -> None:
        """Posture monitor switch and the tool buttons."""
        lay = self.lay
        c, cl = card()
        self.monitor = QCheckBox("Posture monitor: check how I sit at my desk, and nudge me gently")
        self.monitor.setChecked(self.ctx.settings.posture_monitor)
        self.monitor.toggled.connect(self._toggle_monitor)
        cl.addWidget(self.monitor)
        tools = QWidget()
        tools.setProperty("role", "transparent")  # the card's colour shows through
        tool_row = FlowLayout(tools)
        for text, slot in (
            ("History and progress", self.ctx.nav.open_history),
            ("Ergonomics calculators", self.ctx.nav.open_calculators),
            ("Routine editor (for therapists)", self.ctx.nav.open_routine_editor),
            ("About and safety", lambda: self.ctx.nav.open_learn("safety")),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            tool_row.addWidget(b)
        cl.addWidget(tools)
        lay.addWidget(c)

    def refresh(self) -> None:
        pending = None
        if self.ctx.history is not None:
            try:
                pending = self.ctx.history.pending_next_morning_check(
                    dt.datetime.now(dt.timezone.utc)
                )
            except Exception as exc:  # noqa: BLE001 -- a damaged history never blocks home
                log.warning("next-morning check unavailable: %s", exc)
        self.morning.setVisible(pending is not None)
        if pending is not None:
            self.morning_text.setText(
                "How is your back today, the morning after your last session? "
                "Your answer decides whether the next session steps up or eases off."
            )
        self.ctx.dose_changes = []
        plan, title, origin = todays_plan(self.ctx)
        changes = getattr(self.ctx, "dose_changes", [])
        self.changes.setText("\n".join(changes[:4]))
        self.changes.setVisible(bool(changes))
        self._plan, self._title = plan, title
        self.today_title.setText(title)
        self.today_origin.setText(origin[0].upper() + origin[1:] + ".")
        resolved = self.ctx.resolved_routine if self.ctx.settings.routine_path else None
        sched = todays_schedule(getattr(resolved, "routine", None), self.ctx.catalogue)
        self.schedule_label.setText(
            f"How often: {sched.words[0].lower() + sched.words[1:]}." if sched.words else ""
        )
        self.schedule_label.setVisible(bool(sched.words))
        # no line break inside one exercise's name
        names = [
            f"{i + 1}.\u00a0{p.exercise.name}".replace(" ", "\u00a0").replace("-", "\u2011")
            for i, p in enumerate(plan)
        ]
        self.today_list.setText("  ·  ".join(names))
        src = self.ctx.source
        if src and not str(src).isdigit():
            self.source_label.setText(
                f"Sessions will play the video file {Path(src).name} instead of the camera."
            )
        else:
            self.source_label.setText(
                "Sessions use your camera. No camera? Use a recorded video instead."
            )
        self.start_btn.setEnabled(bool(plan) and not self.ctx.settings.screening_blocked)
        if self.ctx.settings.screening_blocked:
            self.start_btn.setToolTip(self.ctx.settings.screening_advice)

    def _start_today(self) -> None:
        if not self._plan:
            return
        resolved = getattr(self.ctx, "resolved_routine", None)
        if resolved is not None and self.ctx.history is not None and self.ctx.settings.routine_path:
            from coach.store.progression import plan_next_session

            try:  # record today's dose decisions (and their reasons) for the clinician's report
                plan_next_session(self.ctx.history, resolved, record=True)
            except Exception as exc:  # noqa: BLE001 -- not storing them must never stop the session
                log.warning("progression events not stored: %s", exc)
        r = getattr(resolved, "routine", None) if self.ctx.settings.routine_path else None
        if r is not None:
            self.ctx.nav.start_session(self._plan, self._title, r.id, getattr(r, "version", None))
        else:
            self.ctx.nav.start_session(self._plan, self._title, f"program:{DEFAULT_PROGRAM}")

    def _open_routine(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a routine file", str(Path.home()), "Routine files (*.yaml *.yml)"
        )
        if not path:
            return
        from coach.routines.routine import load_routine
        from coach.routines.yamlio import FileProblems

        try:
            load_routine(Path(path), self.ctx.catalogue, dt.date.today())
        except FileProblems as exc:
            self.routine_notice.show_problems(exc.problems)
            return
        self.routine_notice.clear()
        self.ctx.settings.routine_path = path
        self.ctx.save()
        self.refresh()

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a video", str(Path.home()), "Videos (*.mp4 *.avi *.mov *.mkv *.webm)"
        )
        if path:
            self.ctx.source = path
            self.refresh()

    def _use_camera(self) -> None:
        self.ctx.source = self.ctx.settings.profile().camera
        self.refresh()

    def _toggle_monitor(self, on: bool) -> None:
        self.ctx.settings.posture_monitor = on
        self.ctx.save()
        toggle = getattr(self.ctx.nav, "set_posture_monitor", None)
        if callable(toggle):
            toggle(on)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.start_btn.hasFocus():
            self._start_today()
        super().keyPressEvent(e)
