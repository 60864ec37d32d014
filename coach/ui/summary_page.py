"""After a session: what was done, what to work on (each fault with the cue that fixes it), pain
before and after. Saved to history as it happened; this screen only shows it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coach.core.session import STOP_BY_PERSON, SessionStatus
from coach.ui.context import AppContext


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def holds_text(holds: list[float]) -> str:
    """Holds the same way everywhere: "2 holds: 9 s, 8 s" (summary, history, report)."""
    if not holds:
        return "no holds recorded"
    n = len(holds)
    return f"{n} hold{'s' if n != 1 else ''}: " + ", ".join(f"{h:.0f} s" for h in holds)


def _headline(runner: Any, title: str) -> str:
    """Well done, ended early by the person, or stopped (and why)."""
    status, reason = runner.outcome()
    if status is SessionStatus.COMPLETED:
        return f"{title}: well done"
    if reason == STOP_BY_PERSON:
        return f"{title}: you ended the session early"
    return f"Stopped: {_lower_first(reason)}" if reason else f"{title}: stopped early"


def _done_words(res: Any, item: Any) -> str:
    """What was done of one exercise, on one line: holds or reps, pain afterwards, time unseen."""
    parts = []
    if item.exercise.kind == "hold":
        parts.append(holds_text(res.holds))
    elif item.exercise.kind == "reps":
        n = res.reps
        sets = f" in {res.sets_done} sets" if res.sets_done > 1 else ""
        parts.append(f"{n} repetition{'s' if n != 1 else ''}{sets}")
        if res.partial_reps:
            parts.append(f"{res.partial_reps} not quite full")
    else:
        parts.append(f"{res.sets_done} round(s) completed")
    if res.pain_after is not None:
        parts.append(f"pain afterwards {res.pain_after}/10")
    if res.not_visible_s >= 1:
        parts.append(f"out of view for {res.not_visible_s:.0f} s (not counted)")
    return " · ".join(parts)


def _result_card(res: Any, item: Any, reached: bool = True) -> QFrame:
    """One exercise's card: its name, what was done, each fault with its cue, why it stopped.
    An exercise the session never reached says so instead of "0 repetitions"."""
    card = QFrame()
    card.setProperty("role", "card")
    cl = QVBoxLayout(card)
    name = QLabel(res.name)
    name.setStyleSheet("font-weight: 600;")
    cl.addWidget(name)
    if not reached:
        lab = QLabel("Not reached: the session ended before this exercise.")
        lab.setProperty("role", "muted")
        cl.addWidget(lab)
        return card
    if res.skipped:
        if "skip" not in res.stopped_reason.lower():  # "Skipped by you." says it already
            cl.addWidget(QLabel("Skipped."))
    else:
        cl.addWidget(QLabel(_done_words(res, item)))
    for fid, n in res.faults.items():
        cue = res.fault_cues.get(fid, "")
        lab = QLabel(f"To work on ({n}×): {cue}")
        lab.setWordWrap(True)
        cl.addWidget(lab)
    if res.stopped_reason:
        lab = QLabel(res.stopped_reason)
        lab.setWordWrap(True)
        lab.setProperty("role", "muted")
        cl.addWidget(lab)
    return card


class SummaryPage(QWidget):
    def __init__(self, ctx: AppContext, runner: Any, title: str, saved: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        outer = QVBoxLayout(self)
        head = QLabel(_headline(runner, title))
        head.setProperty("role", "title")
        head.setWordWrap(True)
        head.setAccessibleName("Session result")
        outer.addWidget(head)
        before = runner.pain_before
        after = runner.pain_end
        pain = QLabel(
            f"Pain before: {before if before is not None else '–'} / 10     "
            f"Pain at the end: {after if after is not None else '–'} / 10"
        )
        pain.setProperty("role", "subtitle")
        outer.addWidget(pain)
        if before is not None and after is not None and after - before >= 2:
            warn = QLabel(
                "Your pain went up by 2 points or more. Rest today, and if it has not settled by "
                "tomorrow morning, take it easier next time and tell your physiotherapist."
            )
            warn.setWordWrap(True)
            warn.setProperty("role", "banner")
            outer.addWidget(warn)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        for i, (res, item) in enumerate(zip(runner.results, runner.plan)):
            lay.addWidget(_result_card(res, item, reached=i <= runner.item))
        lay.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        note = QLabel(
            saved
            or "Saved to your history. Tomorrow morning coach will ask how your back "
            "feels: the next-day response matters most."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        outer.addWidget(note)
        row = QHBoxLayout()
        home = QPushButton("Done")
        home.setProperty("role", "primary")
        home.clicked.connect(ctx.nav.home)
        hist = QPushButton("See my progress")
        hist.clicked.connect(ctx.nav.open_history)
        learn = QPushButton("Why follow-up matters")
        learn.clicked.connect(lambda: ctx.nav.open_learn("follow_up"))
        for b in (home, hist, learn):
            b.setMinimumHeight(48)
            row.addWidget(b)
        outer.addLayout(row)
