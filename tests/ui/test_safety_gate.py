"""No route starts a session before the disclaimer and screening (issue 11): the home button, its
keyboard shortcut, the top bar's Home then Start, a program, an exercise, ``--source --exercise``.
A red-flag block survives a settings reset."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from coach.core.session import plan_for_recording


def _is(page, name: str) -> bool:
    return type(page).__name__ == name


def _assert_gated(win, ctx) -> None:
    assert not _is(win.current_page(), "SessionPage")
    assert _is(win.current_page(), "OnboardingPage")
    assert ctx.history.sessions() == []


def test_every_route_leads_to_the_screening_first(qtbot, window):
    win, ctx = window
    assert not ctx.settings.onboarded
    # the home screen's button and its shortcut
    win.home()
    win.home_page.start_btn.click()
    _assert_gated(win, ctx)
    win.home()
    win.home_page.start_btn.setFocus()
    qtbot.keyClick(win.home_page.start_btn, Qt.Key.Key_Return)  # Enter on the focused button
    _assert_gated(win, ctx)
    # the top bar's Home, then the start button
    win.home_btn.click()
    win.home_page.start_btn.click()
    _assert_gated(win, ctx)
    # a program and an exercise page
    program = next(iter(ctx.catalogue.programs))
    win.open_program(program)
    win.current_page().start_btn.click()
    _assert_gated(win, ctx)
    win.open_exercise("glute_bridge")
    win.current_page().start_btn.click()
    _assert_gated(win, ctx)
    # what `coach --source FILE --exercise ID` does
    win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
    _assert_gated(win, ctx)
    assert "screening" in win.banner.text()


def test_the_asked_for_session_starts_once_screening_is_done(qtbot, window):
    win, ctx = window
    win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
    assert _is(win.current_page(), "OnboardingPage")
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0  # what finishing stores
    win.home()  # onboarding's Finish goes home
    assert _is(win.current_page(), "SessionPage")
    win.current_page().shutdown()


def test_a_red_flag_block_survives_a_settings_reset(qtbot, strict_ui, no_cameras):
    from coach.settings import settings_path
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=strict_ui / "data" / "history.sqlite3")
    qtbot.addWidget(win)
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
    ctx.settings.screening_blocked = True
    ctx.settings.screening_advice = "Call your doctor today about the numbness."
    ctx.save()
    win.close()
    ctx.history.close()
    # the settings file is deleted, or replaced by garbage, or by a "clean" one
    for content in (None, "{not json", json.dumps({"onboarded": True, "screening_done_at": 2.0})):
        p = settings_path()
        if content is None:
            p.unlink()
        else:
            p.write_text(content, encoding="utf-8")
        win2, ctx2 = build_window(history_path=strict_ui / "data" / "history.sqlite3")
        qtbot.addWidget(win2)
        assert ctx2.settings.screening_blocked
        win2.start_session([plan_for_recording(ctx2.catalogue.get("mini_squat"))], "Mini-squat")
        assert not _is(win2.current_page(), "SessionPage")
        assert "numbness" in win2.banner.text() or "clinician" in win2.banner.text()
        win2.close()
        ctx2.history.close()


def test_after_surgery_restrictions_hold_on_every_route(qtbot, window):
    from coach.core.session import plan_from_exercise

    win, ctx = window
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
    ctx.settings.surgery_when, ctx.settings.surgery_type = "under_6_weeks", "discectomy"
    bend = ctx.catalogue.get("knee_to_chest")
    assert "loads_flexion" in bend.tags
    # `coach --source FILE --exercise knee_to_chest`, or a session queued before the screening
    win.start_session([plan_for_recording(bend)], bend.name)
    assert not _is(win.current_page(), "SessionPage")
    assert "Left out after your operation" in win.banner.text()
    # a mixed plan runs without the locked exercise, and says so
    walk = ctx.catalogue.get("pelvic_tilt")
    win.start_session([plan_from_exercise(walk), plan_from_exercise(bend)], "Mixed", "program:test")
    page = win.current_page()
    assert _is(page, "SessionPage")
    assert [p.exercise.id for p in page.runner.plan] == ["pelvic_tilt"]
    assert bend.name in win.banner.text()
    page.shutdown()


def test_the_top_bar_does_not_leave_a_running_session_without_asking(qtbot, window):
    from pathlib import Path

    win, ctx = window
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0
    ctx.source = str(
        Path(__file__).resolve().parents[1] / "fixtures" / "tracks" / "squat_side_be.npz"
    )
    win.start_session([plan_for_recording(ctx.catalogue.get("mini_squat"))], "Mini-squat")
    page = win.current_page()
    page.pain_panel.buttons[0].click()
    page.start_btn.click()
    for go in (win.open_history, win.open_learn, win.open_settings, win.home):
        go()
        assert win.current_page() is page  # still in the session ...
        assert page.confirm_panel.isVisible()  # ... which asks "End the session now?"
        page.confirm_panel.keep_btn.click()
        assert not page.confirm_panel.isVisible()
    page.shutdown()
