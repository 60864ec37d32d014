"""The real window, on every rep and hold clip of the shared manifest, shows on screen what
``coach analyze`` counts (issue 11): the route a person takes (``coach --source CLIP --exercise
ID``), the player's counter while the clip plays, and the summary page afterwards.

The clip plays as fast as the model goes (``paced_recordings`` off): the page renders the same
LiveSession either way; pacing changes only the clock.
"""

from __future__ import annotations

import re

import pytest

from coach.core.session import Phase
from tests.conftest import manifest_exercise_clips

pytestmark = pytest.mark.footage


def _run_window(qtbot, media, clip, exercise):
    from coach.core.session import plan_for_recording
    from coach.ui.app import build_window

    win, ctx = build_window(source=str(media / clip))
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
    ctx.paced_recordings = False
    qtbot.addWidget(win)
    win.show()
    ex = ctx.catalogue.get(exercise)
    win.start_session([plan_for_recording(ex)], ex.name)  # what `coach --source --exercise` does
    page = win.current_page()
    shown: list[str] = []
    page.pain_panel.buttons[1].click()
    qtbot.waitUntil(lambda: page.start_btn.isEnabled(), timeout=5000)
    page.start_btn.click()

    def ended() -> bool:
        text = page.counter.text()
        counting = page.runner.phase is Phase.ACTIVE
        if counting and page.counter.isVisible() and text and (not shown or shown[-1] != text):
            shown.append(text)
        return page.runner.phase in (Phase.PAIN_END, Phase.SUMMARY)

    qtbot.waitUntil(ended, timeout=180_000)
    page.pain_panel.buttons[1].click()  # the last question
    qtbot.waitUntil(lambda: type(win.current_page()).__name__ == "SummaryPage", timeout=5000)
    summary = " ".join(w.text() for w in win.current_page().findChildren(type(page.counter)))
    return win, ctx, shown, summary


@pytest.mark.parametrize(("clip", "exercise"), manifest_exercise_clips())
def test_the_window_shows_what_analyze_counts(
    qtbot, strict_ui, no_cameras, media, single_pass, clip, exercise
):
    expected = single_pass(clip, exercise)
    win, ctx, shown, summary = _run_window(qtbot, media, clip, exercise)
    try:
        kind = ctx.catalogue.get(exercise).kind
        if kind == "hold":
            holds = expected["holds"]
            n = len(holds)  # type: ignore[arg-type]
            if n:
                assert f"{n} hold{'s' if n != 1 else ''}: " in summary, summary
                for h in holds:  # type: ignore[union-attr]
                    assert f"{float(h):.0f} s" in summary, (summary, holds)
            else:
                assert "no holds recorded" in summary, summary
        else:
            reps = int(expected["reps"])  # type: ignore[arg-type]
            counts = [int(m.group(0)) for t in shown if (m := re.match(r"\d+", t))]
            # The counter climbs one by one while the clip plays; a rep that completes on the
            # clip's very last frames is counted as the recording ends, when the player has
            # already moved on to the last pain question, so the summary carries the total.
            assert counts == list(range(len(counts))), shown
            assert (max(counts) if counts else 0) in (reps, reps - 1), (shown, reps)
            assert f"{reps} repetition{'s' if reps != 1 else ''}" in summary, summary
    finally:
        win.close()
