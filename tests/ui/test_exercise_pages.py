"""Program and exercise pages: every one opens, shows its content, starts and links correctly."""

from __future__ import annotations

import pytest

from coach.ui.exercise_page import ExercisePage, ProgramPage, dose_words, learn_topics_for
from coach.ui.home import plan_for_program


@pytest.fixture
def calls(window, monkeypatch):
    """Record navigation that would leave the page (sessions, learn) instead of doing it."""
    win, _ctx = window
    log: list[tuple] = []
    monkeypatch.setattr(
        win, "start_session", lambda plan, title, *ids: log.append(("start", plan, title))
    )
    monkeypatch.setattr(win, "open_learn", lambda topic=None: log.append(("learn", topic)))
    return log


def test_every_program_page_opens(qtbot, window, calls) -> None:
    win, ctx = window
    assert ctx.catalogue.programs, "the programs come from exercises/programs/*.yaml"
    for pid, pdef in ctx.catalogue.programs.items():
        win.open_program(pid)
        page = win.current_page()
        assert isinstance(page, ProgramPage), pid
        assert win.title.text() == ProgramPage.title_for(pid) == pdef.name
        plan, title = plan_for_program(ctx, pid)
        assert [it.exercise.id for it in plan] == [i.exercise for i in pdef.items]
        assert set(page.rows) >= {it.exercise.id for it in plan}
        assert page.start_btn.isEnabled()
        page.start_btn.click()
        assert calls[-1][0] == "start" and calls[-1][2] == title
        assert [it.exercise.id for it in calls[-1][1]] == [it.exercise.id for it in plan]
        win.home()


def test_home_counts_match_the_program_page_and_the_cli(qtbot, window, capsys) -> None:
    """One source of truth: home's "Browse N exercises" = the page's "In this program (N)" =
    the "(N exercises)" of `coach exercises`."""
    from PySide6.QtWidgets import QLabel

    from coach.cli import main

    win, ctx = window
    assert main(["exercises"]) == 0
    cli = capsys.readouterr().out
    buttons = win.home_page.program_buttons
    assert set(buttons) == set(ctx.catalogue.programs)
    for pid, pdef in ctx.catalogue.programs.items():
        n = len(pdef.items)
        assert buttons[pid].text() == f"Browse {n} exercise{'s' if n != 1 else ''}", pid
        assert f"{pdef.name} ({n} exercise{'s' if n != 1 else ''})" in cli, pid
        win.open_program(pid)
        heads = [lab.text() for lab in win.current_page().findChildren(QLabel)]
        assert f"In this program ({n})" in heads, (pid, heads)
        win.home()
    assert buttons["lifting_school"].text() == "Browse 3 exercises"


def test_recent_back_surgery_leaves_out_restricted_exercises(qtbot, window, calls) -> None:
    win, ctx = window
    ctx.settings.surgery_when, ctx.settings.surgery_type = "under_6_weeks", "discectomy"
    plan, _ = plan_for_program(ctx, "flexibility")
    full = ctx.catalogue.programs["flexibility"].items
    tags = {"loads_flexion", "loads_rotation", "loads_extension", "lifting"}
    assert len(plan) < len(full)
    assert not any(set(it.exercise.tags) & tags for it in plan)
    locked = next(i.exercise for i in full if set(ctx.catalogue.exercises[i.exercise].tags) & tags)
    # the program page still lists (and counts) every exercise of the file, the restricted ones marked
    from PySide6.QtWidgets import QLabel

    win.open_program("flexibility")
    page = win.current_page()
    texts = [lab.text() for lab in page.findChildren(QLabel)]
    assert f"In this program ({len(full)})" in texts
    assert sum("Left out after your operation" in t for t in texts) == len(full) - len(plan)
    assert set(page.rows) >= {i.exercise for i in full}
    win.home()
    win.open_exercise(locked)
    page = win.current_page()
    assert not page.start_btn.isEnabled()
    win.home()
    assert "left out for now because of your back operation" in win.home_page.today_origin.text()
    ctx.settings.surgery_when = "over_a_year"
    assert len(plan_for_program(ctx, "flexibility")[0]) == len(full)
    win.home_page.refresh()
    assert "left out" not in win.home_page.today_origin.text()


def test_a_program_row_opens_its_exercise(qtbot, window) -> None:
    win, _ctx = window
    win.open_program("core")
    win.current_page().rows["glute_bridge"].click()
    page = win.current_page()
    assert isinstance(page, ExercisePage) and page.exercise.id == "glute_bridge"
    win.back()
    assert isinstance(win.current_page(), ProgramPage)


def test_every_exercise_page_opens_with_its_steps_visible(qtbot, window, calls) -> None:
    win, ctx = window
    for ex in ctx.catalogue.exercises.values():
        win.open_exercise(ex.id)
        page = win.current_page()
        assert isinstance(page, ExercisePage), ex.id
        assert [lab.text() for lab in page.step_labels] == list(ex.instructions)
        assert all(lab.isVisible() for lab in page.step_labels), ex.id
        assert page.dose_label.text() == dose_words(ex)
        for fault in ex.faults:
            assert any(fault.cue in lab.text() for lab in page.fault_labels), (ex.id, fault.id)
        for note in ex.safety:
            assert any(note in lab.text() for lab in page.safety_labels), ex.id
        assert any(
            "5 out of 10" in lab.text() or "5/10" in lab.text() for lab in page.safety_labels
        ), ex.id
        assert page.animation.is_running()

        page.start_btn.click()
        kind, plan, title = calls[-1]
        assert kind == "start" and title == ex.name
        assert len(plan) == 1 and plan[0].exercise.id == ex.id
        first_topic = learn_topics_for(ex)[0][0]
        page.learn_buttons[first_topic].click()
        assert calls[-1] == ("learn", first_topic)
        win.home()


def test_exercise_page_content_in_plain_words(qtbot, window) -> None:
    win, _ctx = window
    win.open_exercise("glute_bridge")
    page = win.current_page()
    assert (
        page.dose_label.text()
        == "2 sets of 5, hold each for 5 seconds, rest 45 seconds between sets"
    )
    assert set(page.learn_buttons) == {"why_exercise", "pain_rules", "how_coach_sees"}
    win.open_exercise("cat_cow")
    texts = " ".join(lab.text() for lab in win.current_page().safety_labels)
    assert "After back surgery" in texts  # a flexion exercise says so, calmly


@pytest.mark.parametrize(
    ("exercise_id", "words"),
    [
        ("mini_squat", "2 sets of 10, rest 75 seconds between sets"),
        ("abdominal_bracing", "10 holds of 10 seconds"),
        ("marching_in_place", "5 minutes, alternating sides"),
        ("side_bridge", "5 holds of 10 seconds on each side"),
        ("hip_hinge_drill", "2 sets of 8, rest 1 minute between sets"),
        (
            "relaxed_breathing",
            "5 minutes of slow breathing: breathe in for 4 seconds, out for 6 seconds",
        ),
    ],
)
def test_dose_in_plain_words(catalogue, exercise_id: str, words: str) -> None:
    assert dose_words(catalogue.get(exercise_id)) == words


def test_the_illustration_animates_and_stops_when_hidden(qtbot, window) -> None:
    win, _ctx = window
    win.open_exercise("glute_bridge")
    anim = win.current_page().animation
    qtbot.waitUntil(lambda: anim.frames > 0)
    first = anim.grab().toImage()
    frames = anim.frames
    qtbot.waitUntil(lambda: anim.frames >= frames + 10, timeout=3000)
    qtbot.wait(300)
    assert anim.grab().toImage() != first  # the drawing moved
    anim.hide()
    assert not anim.is_running()
    stopped = anim.frames
    qtbot.wait(200)
    assert anim.frames == stopped
    anim.show()
    assert anim.is_running()
    # another page on top hides the exercise page: the drawing rests; going back resumes it
    win.open_learn("pain_rules")
    assert not anim.is_running()
    win.back()
    assert anim.is_running()


def test_a_blocked_screening_disables_start_and_shows_the_advice(qtbot, window) -> None:
    win, ctx = window
    ctx.settings.screening_blocked = True
    ctx.settings.screening_advice = "Please contact your doctor today."
    win.open_exercise("glute_bridge")
    page = win.current_page()
    assert not page.start_btn.isEnabled()
    from PySide6.QtWidgets import QLabel

    assert any(
        lab.text() == "Please contact your doctor today." and lab.isVisible()
        for lab in page.findChildren(QLabel)
    )
    win.open_program("core")
    assert not win.current_page().start_btn.isEnabled()
