"""Home: a therapist's routine becomes today's session; the next-morning question appears."""

from __future__ import annotations

import datetime as dt

from tests.conftest import REPO

ROUTINE = REPO / "exercises" / "routines" / "clbp_starter.yaml"


def test_routine_file_becomes_todays_session(qtbot, strict_ui, no_cameras):
    from coach.settings import Settings, save_settings
    from coach.ui.app import build_window

    save_settings(Settings(onboarded=True, routine_path=str(ROUTINE)))
    win, ctx = build_window()
    qtbot.addWidget(win)
    win.show()
    home = win.home_page
    assert home.today_title.text() == ctx.resolved_routine.routine.title
    assert "therapist's routine" in home.today_origin.text()
    assert home.schedule_label.text() == "How often: 5 days a week, once a day."
    assert ctx.resolved_routine is not None
    ids = [p.exercise.id for p in home._plan]
    assert ids == [r.exercise.id for r in ctx.resolved_routine.active]
    win.close()


def test_broken_routine_file_falls_back_with_a_clear_warning(
    qtbot, strict_ui, no_cameras, tmp_path
):
    from coach.settings import Settings, save_settings
    from coach.ui.app import build_window

    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: coach.routine/1\ntitle: [unclosed\n")
    save_settings(Settings(onboarded=True, routine_path=str(bad)))
    win, ctx = build_window()
    qtbot.addWidget(win)
    win.show()
    assert "built-in" in win.home_page.today_origin.text()
    assert any("bad.yaml" in w for w in ctx.warnings)
    win.close()


def test_next_morning_question_appears_the_day_after(qtbot, strict_ui, no_cameras):
    from coach.settings import Settings, save_settings
    from coach.store.history import open_history
    from coach.ui.app import build_window

    save_settings(Settings(onboarded=True))
    hist, _ = open_history()
    rec = hist.recorder()
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    rec.start_session("test", when=yesterday)
    rec.record_pain(2, "before", when=yesterday)
    rec.record_pain(3, "end", when=yesterday + dt.timedelta(minutes=20))
    rec.end_session("completed", when=yesterday + dt.timedelta(minutes=20))
    hist.close()
    win, ctx = build_window()
    qtbot.addWidget(win)
    win.show()
    now = dt.datetime.now()
    due = ctx.history.pending_next_morning_check(dt.datetime.now(dt.timezone.utc)) is not None
    assert win.home_page.morning.isVisible() == due
    if now.hour >= 4:
        assert due and "the morning after your last session" in win.home_page.morning_text.text()
    win.close()
