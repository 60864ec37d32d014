"""The Sessions table's "Result" column: how each session ended, in words, readable at 1366x768
with normal and large text (it once shrank to a coloured dot with large text)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coach.core.session import (
    STOP_APP_CLOSED,
    STOP_BY_PERSON,
    STOP_NO_CAMERA,
    STOP_NOTHING_COUNTED,
)
from coach.ui.history.data import result_words

NOW = datetime.now(timezone.utc)


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        ("completed", "", "Completed"),
        ("interrupted", "", "Interrupted"),
        ("in_progress", "", "In progress"),
        ("stopped_early", "Pain 7/10 is above your limit of 5.", "Stopped: pain"),
        ("stopped_early", "Pain spreading down your leg.", "Stopped: pain"),
        ("stopped_early", "Rest day: pain 8/10 before the session.", "Rest day"),
        ("stopped_early", STOP_BY_PERSON, "Stopped by you"),
        ("stopped_early", STOP_NO_CAMERA, "Stopped: no camera"),
        ("stopped_early", STOP_NOTHING_COUNTED, "Nothing counted"),
        ("stopped_early", STOP_APP_CLOSED, "Stopped: app closed"),
        ("stopped_early", "", "Stopped early"),
    ],
)
def test_result_words(status: str, reason: str, words: str) -> None:
    assert result_words(status, reason) == words


def _write(history) -> list[str]:  # noqa: ANN001
    """Four sessions, newest first in the table: completed, stopped for pain, stopped by the
    person, interrupted. Returns the Result words the table must show, newest first."""
    rec = history.recorder()
    rec.start_session("clbp_starter", 1, when=NOW - timedelta(days=4))
    rec.record_pain(2, "before", when=NOW - timedelta(days=4))
    rec.record_pain(2, "end", when=NOW - timedelta(days=4) + timedelta(minutes=9))
    rec.end_session("completed", when=NOW - timedelta(days=4) + timedelta(minutes=10))
    rec = history.recorder()
    rec.start_session("clbp_starter", 1, when=NOW - timedelta(days=3))
    rec.record_pain(3, "before", when=NOW - timedelta(days=3))
    rec.record_pain(7, "on_demand", when=NOW - timedelta(days=3) + timedelta(minutes=2))
    rec.end_session(
        "stopped_early",
        stop_reason="Pain 7/10 is above your limit of 5, for the second time today.",
        when=NOW - timedelta(days=3) + timedelta(minutes=3),
    )
    rec = history.recorder()
    rec.start_session("clbp_starter", 1, when=NOW - timedelta(days=2))
    rec.end_session(
        "stopped_early", stop_reason=STOP_BY_PERSON, when=NOW - timedelta(days=2, minutes=-4)
    )
    rec = history.recorder()
    sid = rec.start_session("clbp_starter", 1, when=NOW - timedelta(days=1))
    with history._tx() as c:  # as if the process that recorded it had died
        c.execute("UPDATE sessions SET owner_pid = ? WHERE id = ?", (2**31 - 2, sid))
    assert history.mark_interrupted(now=NOW) == 1
    return ["Interrupted", "Stopped by you", "Stopped: pain", "Completed"]


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_result_words_are_readable_at_1366x768(qtbot, window, large: bool) -> None:
    from coach.ui.history_page import HistoryPage
    from coach.ui.tour import apply_size

    win, ctx = window
    expected = _write(ctx.history)
    ctx.settings.large_text = large
    win.apply_theme()
    apply_size(win, 1366, 768)
    win.open_history()
    page = win.current_page()
    assert isinstance(page, HistoryPage)
    apply_size(win, 1366, 768)
    table = page.table
    col = page.COLUMNS.index("Result")
    assert table.horizontalHeaderItem(col).text() == "Result"
    shown = [table.item(r, col).text() for r in range(table.rowCount())]
    assert shown == expected
    hh = table.horizontalHeader()
    # the whole column is in view without scrolling sideways...
    assert table.horizontalScrollBar().maximum() == 0
    left = hh.sectionViewportPosition(col)
    assert left >= 0 and left + hh.sectionSize(col) <= table.viewport().width()
    # ...and wide enough for its longest word in the table's font
    fm = table.fontMetrics()
    assert hh.sectionSize(col) >= max(fm.horizontalAdvance(t) for t in shown)
    # the date and the pain numbers are not cut either
    for c in (0, 3, 4):
        assert hh.sectionSize(c) >= max(
            fm.horizontalAdvance(table.item(r, c).text()) for r in range(table.rowCount())
        )
