"""The summary after a session: what each exercise shows."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from coach.core.session import SessionRunner, plan_from_exercise
from coach.ui.summary_page import SummaryPage


def test_an_exercise_the_session_never_reached_says_so(qtbot, window) -> None:
    _win, ctx = window
    plan = [
        plan_from_exercise(ctx.catalogue.get("mini_squat")),
        plan_from_exercise(ctx.catalogue.get("glute_bridge")),
    ]
    runner = SessionRunner(plan)
    runner.rate_pain(2, 0.0)
    runner.stop(1.0, "Stopped by you.")
    page = SummaryPage(ctx, runner, "Test session")
    qtbot.addWidget(page)
    texts = [lab.text() for lab in page.findChildren(QLabel)]
    assert texts.count("Not reached: the session ended before this exercise.") == 1
    assert not any(t.startswith("0 repetitions") for t in texts[texts.index("Glute bridge") :])
