"""The screening's advice that pauses sessions (e.g. the emergency advice) appears once per screen,
in the style of a stop message, on every screen that mentions it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from coach.core import screening
from coach.ui.screening_widgets import PAUSED, blocked_advice, blocked_note

EMERGENCY = screening.evaluate({screening.questions_in("emergency")[0].id: True}).advice


def _copies(win, text: str) -> list[QLabel]:
    """The labels on screen (window banner and current page) that show ``text``."""
    return [lab for lab in win.findChildren(QLabel) if lab.isVisible() and lab.text() == text]


def test_emergency_advice_is_shown_once_in_the_stop_style(window) -> None:
    win, ctx = window
    assert "emergency" in EMERGENCY
    s = ctx.settings
    s.onboarded = True
    s.screening_done_at = 1.0
    s.screening_blocked = True
    s.screening_advice = EMERGENCY
    ctx.save()
    for go in (
        win.home,
        lambda: win.open_program("core"),
        win.home,
        lambda: win.open_exercise("glute_bridge"),
        win.home,
        win.open_settings,
        win.back,  # back home: the window's banner says it again
    ):
        go()
        shown = _copies(win, EMERGENCY)
        where = win.title.text()
        assert len(shown) == 1, (where, shown)
        assert shown[0].property("urgent") == "true", where  # red frame, bold: a stop message
    # a session asked for anyway: the advice, still once
    win.home()
    win.open_program("core")
    win.start_session(win.current_page().plan, "Core")
    assert len(_copies(win, EMERGENCY)) == 1


def test_other_banners_keep_the_calm_style(window) -> None:
    win, _ctx = window
    win.show_banner("No camera was found.")
    assert win.banner.isVisible() and win.banner.property("urgent") == "false"
    win.open_settings()
    assert win.banner.isVisible()  # a different message is not hidden by a page


def test_blocked_note_words() -> None:
    class S:
        screening_blocked = False
        screening_advice = ""

    s = S()
    assert blocked_advice(s) == "" and blocked_note(s) is None
    s.screening_blocked = True
    assert blocked_advice(s) == PAUSED  # an old settings file without the advice
    s.screening_advice = EMERGENCY
    assert blocked_advice(s) == EMERGENCY
