"""The routine editor: building a routine, live problems, YAML round trips that keep comments,
and the patient handout."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QDialog, QMessageBox  # noqa: E402

from coach.routines.catalogue import exercises_dir, load_catalogue  # noqa: E402
from coach.routines.routine import Routine, check_routine_file, parse_routine  # noqa: E402
from coach.routines.yamlio import read_text  # noqa: E402
from coach.ui.routine_editor import RoutineEditorPage, render_routine_yaml  # noqa: E402

ROUTINES = exercises_dir() / "routines"
EXAMPLES = sorted(ROUTINES.glob("*.yaml"))


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))

    def modal(*_a, **_k):
        pytest.fail("a modal dialog was opened")

    monkeypatch.setattr(QDialog, "exec", modal)
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, modal)


@pytest.fixture
def page(qtbot):
    from coach.settings import Settings
    from coach.ui.context import AppContext

    ctx = AppContext(settings=Settings(), catalogue=load_catalogue(), nav=None)  # type: ignore[arg-type]
    p = RoutineEditorPage(ctx)
    qtbot.addWidget(p)
    p.today = date(2026, 11, 30)  # the examples are valid then
    return p


def _load(path: Path) -> Routine:
    routine, _ = parse_routine(read_text(path), str(path))
    return routine


def test_build_a_routine_from_the_catalogue(page: RoutineEditorPage, tmp_path: Path) -> None:
    page.new_routine()
    # an empty routine is not ready, and says so in a plain sentence, not validator jargon
    assert [p.message for p in page.errors] == [
        "blocks.0.items: this block has no exercises yet; add at least one exercise to it"
    ]
    page.add_exercise("pelvic_tilt")
    page.add_exercise("glute_bridge")
    page.add_exercise("cat_cow")
    page.select_item(0, 1)
    page.f_sets.setValue(2)
    page.f_reps.setValue(10)
    page.f_hold.setValue(5)
    page.f_side.setCurrentIndex(page.f_side.findData(None))
    page.move(-1)  # glute bridge first
    page.select_item(0, 2)
    page.remove_selected()  # cat-cow out again
    page.d_title.setText("Core week 1")
    page.d_title.textEdited.emit("Core week 1")
    page.d_patient.textEdited.emit("J. Doe")
    page.r_flex.setChecked(True)
    page.r_until.check.setChecked(True)
    page.validate_now()
    assert page.errors == [], [p.text() for p in page.problems]
    assert page.resolved is not None
    assert [i.exercise_id for i in page.resolved.items] == ["glute_bridge", "pelvic_tilt"]
    bridge = page.resolved.items[0]
    assert (bridge.dose.sets, bridge.dose.reps, bridge.dose.hold_s) == (2, 10, 5)
    assert "Locked" not in page.preview.toPlainText()  # neither exercise loads flexion
    out = tmp_path / "core.yaml"
    assert page.save_to(out), page.status.text()
    result = check_routine_file(out, page.catalogue, page.today)
    assert result.ok, result.errors
    assert result.routine == page.routine
    assert result.routine.patient.display_name == "J. Doe"
    assert result.routine.safety.restrictions.no_flexion is True
    assert out.read_text().startswith("# Routine written with coach's routine editor")


def test_locked_items_are_explained_in_the_preview(page: RoutineEditorPage) -> None:
    page.new_routine()
    page.add_exercise("knee_to_chest")  # tagged loads_flexion
    page.r_flex.setChecked(True)
    page.validate_now()
    assert page.resolved is not None and page.resolved.items[0].locked
    text = page.preview.toPlainText()
    assert "Locked:" in text and "bends the spine forward" in text
    assert page.tree.topLevelItem(0).child(0).text(2) == "locked"


def test_invalid_values_show_problems(page: RoutineEditorPage) -> None:
    page.new_routine()
    page.add_exercise("glute_bridge")
    page.select_item(0, 0)
    page.f_sets.setValue(4)
    page.f_reps.setValue(30)
    page.validate_now()
    msgs = [p.text() for p in page.errors]
    assert any(
        "over the per-item limit of 100" in p.text() and "Glute bridge" in p.where
        for p in page.errors
    ), msgs
    page.f_sets.setValue(8)  # above the envelope's 6 sets
    page.validate_now()
    assert any("sets" in p.where and "at most 6" in p.text() for p in page.errors), [
        p.text() for p in page.errors
    ]
    page.f_sets.setValue(2)
    page.f_reps.setValue(10)
    page.p_amber.setValue(7)  # would let exercise continue at 7/10
    page.validate_now()
    assert any("amber_max 7" in p.message for p in page.errors), [p.text() for p in page.errors]
    assert page.problem_list.count() == len(page.problems)
    assert "to fix" in page.problems_title.text()
    assert not page.save_to(Path("/nonexistent/never.yaml"))
    assert "fix the" in page.status.text()
    page.p_amber.setValue(5)
    page.validate_now()
    assert page.errors == []


def test_save_then_load_round_trip(page: RoutineEditorPage, tmp_path: Path) -> None:
    page.new_routine()
    for ex in ("marching_in_place", "bird_dog", "hamstring_stretch"):
        page.add_exercise(ex)
    page.select_item(0, 1)
    page.f_reps.setValue(6)
    page.f_rest.setValue(45)
    page.c_use_days.setChecked(True)
    for d in ("mon", "wed", "fri"):
        page.c_days[d].setChecked(True)
    page.c_times.setValue(2)
    page.s_surgery.setChecked(True)
    page.s_contact.textEdited.emit("Clinic 0123")
    out = tmp_path / "r.yaml"
    assert page.save_to(out), page.status.text()
    saved = page.routine
    page.new_routine()
    assert page.load_file(out)
    page.validate_now()
    assert page.errors == []
    assert page.routine == saved == _load(out)
    assert page.routine.schedule.days == ["mon", "wed", "fri"]
    assert page.routine.safety.surgery is not None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_saved_unchanged_is_the_same_routine(
    page: RoutineEditorPage, tmp_path: Path, example: Path
) -> None:
    copy = tmp_path / example.name
    shutil.copy(example, copy)
    assert page.load_file(copy)
    page.validate_now()
    assert page.errors == [], [p.text() for p in page.errors]
    assert page.save_to(copy), page.status.text()
    assert _load(copy) == _load(example)
    assert copy.read_text() == example.read_text()  # untouched: byte for byte


def test_editing_a_hand_written_file_keeps_its_comments(
    page: RoutineEditorPage, tmp_path: Path
) -> None:
    src = ROUTINES / "early_post_microdiscectomy.yaml"
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    assert page.load_file(copy)
    page.select_item(1, 0)  # Gentle core › pelvic tilt
    page.f_reps.setValue(9)
    page.move(1)  # after abdominal bracing
    page.add_exercise("chin_tuck", block=0)
    page.p_green.setValue(3)
    assert page.save_to(copy), page.status.text()
    text = copy.read_text()
    for comment in (
        "# surgeon's review date",
        "# bump on every edit",
        "# 10 s x 8-10 [SpineHealth-microD]",
        "# not in the catalogue: defined here, Exercise schema",
        "# Early home programme after",
    ):
        assert comment in text
    r = _load(copy)
    assert r.version == _load(src).version + 1  # every edit is a new version
    assert r.safety.pain_rules.green_max == 3
    core = r.blocks[1].items
    assert [i.exercise_id for i in core[:2]] == ["abdominal_bracing", "pelvic_tilt"]
    assert (
        core[1].reps == 9 and core[1].thresholds.faults["hips_lifting"].value == 8
    )  # untouched keys kept
    assert r.blocks[0].items[-1].exercise == "chin_tuck"
    assert r.blocks[1].items[2].custom is not None  # the custom exercise survived


def test_render_without_a_base_is_valid_yaml() -> None:
    data = _load(ROUTINES / "office_worker.yaml").dump()
    text, kept = render_routine_yaml(data)
    assert kept
    routine, _ = parse_routine(text, "x.yaml")
    assert routine == Routine.model_validate(data)


def test_patient_handout_pdf(page: RoutineEditorPage, tmp_path: Path) -> None:
    copy = tmp_path / "clbp.yaml"
    shutil.copy(ROUTINES / "clbp_starter.yaml", copy)
    page.load_file(copy)
    page.validate_now()
    pdf = tmp_path / "handout.pdf"
    assert page.make_handout(pdf), page.status.text()
    assert pdf.read_bytes().startswith(b"%PDF")


def _mistakes(tmp_path: Path) -> Path:
    """The starter routine with four typical mistakes: a misspelt key, an unknown exercise id,
    a negative count and a misspelt schedule key."""
    text = (ROUTINES / "clbp_starter.yaml").read_text()
    for old, new in (
        ("  times_per_day: 1", "  times_per_dya: 1"),
        ("- exercise: abdominal_bracing", "- exercize: abdominal_bracing"),
        ("- exercise: pelvic_tilt\n        reps: 5", "- exercise: pelvic_tlt\n        reps: 5"),
        ("        sets: 2\n        reps: 8", "        sets: 2\n        reps: -5"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    bad = tmp_path / "mistakes.yaml"
    bad.write_text(text)
    return bad


def test_editor_and_cli_list_the_same_problems(
    page: RoutineEditorPage, tmp_path: Path, capsys
) -> None:
    import argparse

    from coach.cli.routine import cmd_check

    bad = _mistakes(tmp_path)
    assert cmd_check(argparse.Namespace(files=[bad], today=page.today, quiet=False)) == 2
    cli = capsys.readouterr().err.splitlines()
    assert len(cli) == 4, cli
    assert any("did you mean 'exercise'?" in line for line in cli)
    assert any("did you mean 'pelvic_tilt'?" in line for line in cli)
    assert page.load_file(bad)

    # the same problems, in the same order and words, with the file's line numbers
    def as_editor(line: str) -> str:  # FILE:LINE:COL: message — hint  ->  line LINE: message — hint
        ln, _col, tail = line.removeprefix(f"{bad}:").split(":", 2)
        return f"line {ln}:{tail}"

    assert [p.text() for p in page.problems] == [as_editor(line) for line in cli]
    assert page.problem_list.count() == 4
    # the item with the misspelt key is not a nameless row, and is marked
    core = page.tree.topLevelItem(1)
    first = core.child(0).text(0)
    assert "exercize: abdominal_bracing" in first and first.startswith("✗")
    assert "'pelvic_tlt' (not in the catalogue)" in core.child(1).text(0)
    # the Reps field shows the file's -5, not the catalogue default
    page.select_item(1, 2)
    assert page.f_reps.text() == "not allowed: -5"
    # fix everything in the editor: choose the exercises, correct the reps; the schedule typo stays
    page.select_item(1, 0)
    page.set_item_exercise("abdominal_bracing")
    assert "replaced the misspelt key 'exercize'" in page.status.text()
    page.select_item(1, 1)
    page.f_exercise.setCurrentIndex(page.f_exercise.findData("pelvic_tilt"))
    page.f_exercise.activated.emit(page.f_exercise.currentIndex())
    page.select_item(1, 2)
    page.f_reps.setValue(8)
    page.validate_now()
    assert [p.text() for p in page.errors] == [
        "line 20: schedule.times_per_dya: unknown key — did you mean 'times_per_day'?"
    ]
    out = tmp_path / "fixed.yaml"
    page.rest["schedule"]["times_per_day"] = page.rest["schedule"].pop("times_per_dya")
    assert page.save_to(out), page.status.text()
    r = check_routine_file(out, page.catalogue, page.today)
    assert r.ok and [i.exercise_id for i in r.routine.blocks[1].items[:3]] == [
        "abdominal_bracing",
        "pelvic_tilt",
        "glute_bridge",
    ]
    assert r.routine.blocks[1].items[2].reps == 8


def test_a_patient_opening_a_bad_file_sees_one_sentence_and_details_on_request(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from coach.routines.routine import check_routine_file
    from coach.settings import Settings, save_settings
    from coach.ui.app import build_window

    save_settings(Settings(onboarded=True))
    win, ctx = build_window(history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(win)
    win.show()
    home = win.home_page
    bad = _mistakes(tmp_path)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), ""))
    )
    home._open_routine()
    notice = home.routine_notice
    assert notice.isVisible()
    sentence = notice.sentence.text()
    first = check_routine_file(bad, ctx.catalogue).errors[0]
    assert sentence == (
        f"This routine file has 4 mistakes in it, so coach cannot use it. "
        f"Ask your physiotherapist to check line {first.line}."
    )
    assert "blocks." not in sentence and "exercize" not in sentence  # no checker jargon
    assert not notice.details.isVisible()
    notice.details_btn.click()  # the therapist's detail, exactly as 'coach routine check' prints it
    assert notice.details.isVisible()
    assert notice.details.toPlainText().splitlines() == [
        str(p) for p in check_routine_file(bad, ctx.catalogue).errors
    ]
    assert ctx.settings.routine_path in (None, "")  # the bad file was not taken
    good = ROUTINES / "clbp_starter.yaml"
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(good), ""))
    )
    home._open_routine()
    assert not notice.isVisible() and ctx.settings.routine_path == str(good)
    win.close()
    if ctx.history is not None:
        ctx.history.close()


def test_patient_notice_words() -> None:
    from coach.routines.routine import patient_notice
    from coach.routines.yamlio import Problem

    expired = Problem(
        "r.yaml",
        5,
        14,
        "valid_until: this routine expired on 2025-01-01 (today is 2026-11-21)",
        "ask your therapist for an updated routine, or extend valid_until",
    )
    assert patient_notice([expired]).sentence == (
        "This routine ended on 2025-01-01, so coach will not run it. Ask your physiotherapist for an updated routine."
    )
    binary = Problem(
        "r.yaml", 1, 1, "this is a binary file, not YAML text", "open the .yaml file instead"
    )
    assert patient_notice([binary]).sentence.startswith("coach cannot read this file as a routine.")
    one = Problem(
        "r.yaml", 9, 3, "schedule.times_per_dya: unknown key", "did you mean 'times_per_day'?"
    )
    n = patient_notice([one])
    assert (
        n.sentence.endswith("Ask your physiotherapist to check line 9.")
        and "a mistake" in n.sentence
    )
    assert n.details == str(one)


def test_patient_identity_is_edited_and_saved(page: RoutineEditorPage, tmp_path: Path) -> None:
    page.new_routine()
    page.add_exercise("glute_bridge")
    page.d_patient.textEdited.emit("J. Doe")
    page.d_birth.setValue(1971)
    page.d_ids.textEdited.emit("clinic: 23-4543; nhs: 943 476 5919")
    page.validate_now()
    assert page.errors == [], [p.text() for p in page.errors]
    out = tmp_path / "p.yaml"
    assert page.save_to(out), page.status.text()
    p = _load(out).patient
    assert (p.display_name, p.birth_year, p.external_ids) == (
        "J. Doe",
        1971,
        {"clinic": "23-4543", "nhs": "943 476 5919"},
    )
    page.new_routine()
    assert page.load_file(out)
    assert (
        page.d_birth.value() == 1971 and page.d_ids.text() == "clinic: 23-4543; nhs: 943 476 5919"
    )


# -- unsaved changes, limits ------------------------------------------------------------------


class _Answer:
    """Stands in for the user at the "unsaved changes" message box: records what it was shown
    and presses ``button``."""

    def __init__(self, monkeypatch, button: QMessageBox.StandardButton) -> None:
        self.button = button
        self.asked: list[tuple[str, QMessageBox.StandardButton]] = []
        answer = self

        def exec_(box: QMessageBox) -> int:
            answer.asked.append((box.text(), box.standardButtons()))
            return answer.button.value

        monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_leaving_the_editor_with_unsaved_changes_asks_first(window, monkeypatch) -> None:
    win, _ctx = window
    win.open_routine_editor()
    page = win.current_page()
    assert isinstance(page, RoutineEditorPage)
    win.home()  # nothing changed: no question (a dialog here would fail the test)
    assert win.current_page() is win.home_page

    win.open_routine_editor()
    page = win.current_page()
    page.add_exercise("glute_bridge")
    assert page.has_unsaved_changes
    answer = _Answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    win.home()
    assert win.current_page() is page  # Cancel: still editing, nothing lost
    assert [i.exercise_id for b in page.blocks for i in b.items] == ["glute_bridge"]
    text, buttons = answer.asked[0]
    assert "unsaved changes" in text
    assert buttons == (
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    win.open_settings()  # any navigation away asks, not only Home
    assert win.current_page() is page and len(answer.asked) == 2
    win.close()  # closing coach asks too; Cancel keeps the window open
    assert win.isVisible() and len(answer.asked) == 3

    answer.button = QMessageBox.StandardButton.Discard
    win.back()
    assert win.current_page() is win.home_page


def test_save_in_the_unsaved_question_saves_then_leaves(window, monkeypatch, tmp_path) -> None:
    win, _ctx = window
    copy = tmp_path / "clbp.yaml"
    shutil.copy(ROUTINES / "clbp_starter.yaml", copy)
    win.open_routine_editor()
    page = win.current_page()
    page.today = date(2026, 11, 30)
    assert page.load_file(copy)
    assert not page.has_unsaved_changes
    page.select_item(1, 0)
    page.f_reps.setValue(7)
    answer = _Answer(monkeypatch, QMessageBox.StandardButton.Save)
    before = _load(copy).version
    win.home()
    assert len(answer.asked) == 1
    assert win.current_page() is win.home_page
    assert _load(copy).version == before + 1  # saved as a new version


def test_save_that_fails_keeps_the_editor_open(window, monkeypatch) -> None:
    win, _ctx = window
    win.open_routine_editor()
    page = win.current_page()
    page.add_exercise("glute_bridge")
    page.select_item(0, 0)
    page.f_sets.setValue(8)  # over the envelope: cannot be saved
    _Answer(monkeypatch, QMessageBox.StandardButton.Save)
    page.path = Path("/nonexistent/never.yaml")  # Save goes straight to the file, no dialog
    win.home()
    assert win.current_page() is page
    assert "Not saved" in page.status.text()


def test_new_and_open_ask_before_dropping_changes(page: RoutineEditorPage, monkeypatch) -> None:
    from PySide6.QtWidgets import QPushButton

    buttons = {b.text(): b for b in page.findChildren(QPushButton)}
    page.add_exercise("glute_bridge")
    answer = _Answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    buttons["New"].click()
    buttons["Open…"].click()  # Cancel: the file dialog never opens
    assert len(answer.asked) == 2
    assert [i.exercise_id for b in page.blocks for i in b.items] == ["glute_bridge"]
    answer.button = QMessageBox.StandardButton.Discard
    buttons["New"].click()
    assert page.blocks[0].items == [] and not page.has_unsaved_changes


def test_a_value_over_the_limit_is_explained_beside_the_field(window, qtbot) -> None:
    win, _ctx = window
    win.open_routine_editor()
    page = win.current_page()
    page.tabs.setCurrentIndex(2)  # Safety and pain
    box = page.r_lift
    assert box.maximum() == 50
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "500")
    assert box.value() == 50  # Qt refuses the last 0 ...
    assert box.note.isVisible()  # ... and now says why, beside the field
    assert box.note.text() == "The most allowed is 50 kg"
    assert box.note.parentWidget() is box.parentWidget()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "20")
    assert box.value() == 20 and not box.note.isVisible()
    # the dose fields and whole-number fields say it too
    page.add_exercise("glute_bridge")
    page.select_item(0, 0)
    page.tabs.setCurrentIndex(0)
    page.f_sets.setFocus()
    page.f_sets.lineEdit().selectAll()
    qtbot.keyClicks(page.f_sets, "12")
    assert page.f_sets.note.text() == "The most allowed is 10"
    assert page.f_sets.note.isVisible()
    page.tabs.setCurrentIndex(2)
    page.p_green.lineEdit().selectAll()
    qtbot.keyClicks(page.p_green, "50")
    assert page.p_green.note.text() == "The most allowed is 10" and page.p_green.note.isVisible()
    page.new_routine()  # leave it clean: closing the window must not ask


def test_problems_are_shown_as_plain_sentences(page: RoutineEditorPage, tmp_path: Path) -> None:
    """The list names the exercise and the field in words; the checker's wording (line, field
    path) stays in each row's tool tip and in ``coach routine check``."""
    bad = _mistakes(tmp_path)
    assert page.load_file(bad)
    rows = [page.problem_list.item(i) for i in range(page.problem_list.count())]
    shown = [r.text() for r in rows]
    assert shown == [
        "✗ The schedule has a setting coach does not know: 'times_per_dya'. "
        "Did you mean 'times_per_day'?",
        "✗ Exercise 1 in the block 'Core' has a setting coach does not know: 'exercize'. "
        "Did you mean 'exercise'?",
        "✗ Exercise 2 in the block 'Core': 'pelvic_tlt' is not an exercise in the catalogue. "
        "Did you mean Pelvic tilt? Choose one in the Exercise field.",
        "✗ Glute bridge in the block 'Core': the number of repetitions is -5, "
        "but the least allowed is 1.",
    ]
    for row, prob in zip(rows, page.problems, strict=True):
        assert prob.text() in row.toolTip()  # the checker's line and field path, on hover
        assert "blocks." not in row.text() and "line " not in row.text()
    page.new_routine()
    assert page.problem_list.item(0).text() == (
        "✗ The block 'Exercises' has no exercises yet; add at least one exercise to it."
    )
    page.add_exercise("glute_bridge")
    page.select_item(0, 0)
    page.f_sets.setValue(8)
    page.p_amber.setValue(7)
    page.r_lift.setValue(40)
    page.d_title.textEdited.emit("")
    page.validate_now()
    shown = [page.problem_list.item(i).text() for i in range(page.problem_list.count())]
    assert "✗ The title is empty; please fill it in." in shown
    assert (
        "✗ Glute bridge in the block 'Exercises': the number of sets is 8, "
        "but the most allowed is 6." in shown
    )
    assert "✗ The lifting limit is 40, but the most allowed is 25." in shown
    assert any(s.startswith("✗ The amber pain limit 7 would let exercise continue") for s in shown)
    assert not any(k in s for s in shown for k in ("amber_max", "no_lifting", "_s:", "String"))
    # the tree's tool tip on the item to fix uses the same sentence
    assert "the number of sets is 8" in page.tree.topLevelItem(0).child(0).toolTip(0)


def test_the_list_stays_numbered_and_steady_after_a_removal(page: RoutineEditorPage) -> None:
    page.new_routine()
    top = page.tree.topLevelItem(0)
    assert top.text(1) == "no exercises yet"
    for ex in ("pelvic_tilt", "glute_bridge", "cat_cow", "bird_dog"):
        page.add_exercise(ex)

    def rows() -> list[str]:
        top = page.tree.topLevelItem(0)
        return [top.child(i).text(0) for i in range(top.childCount())]

    assert rows() == ["1. Pelvic tilt", "2. Glute bridge", "3. Cat-cow", "4. Bird-dog"]
    width = page.tree.columnWidth(0)
    page.select_item(0, 1)
    page.remove_selected()
    assert rows() == ["1. Pelvic tilt", "2. Cat-cow", "3. Bird-dog"]  # renumbered, no gap
    assert page.tree.topLevelItem(0).text(1) == "3 exercises"
    assert page.tree.columnWidth(0) == width  # the dose column does not jump left
    for _ in range(2):
        page.select_item(0, 0)
        page.remove_selected()
    assert rows() == ["1. Bird-dog"] and page.tree.topLevelItem(0).text(1) == "1 exercise"
    # numbering runs on across blocks, in the order the patient does them
    page.select_item(0, None)
    page.add_block()
    page.add_exercise("cat_cow", block=1)
    assert page.tree.topLevelItem(1).child(0).text(0) == "2. Cat-cow"
    # a block removed and another added: no two blocks share a name
    page.add_block()
    names = [b.name for b in page.blocks]
    assert names == ["Exercises", "Block 2", "Block 3"]
    page.select_item(1, 0)
    page.remove_selected()
    page.select_item(1, None)
    page.remove_selected()  # "Block 2", now empty, goes
    page.add_block()
    assert [b.name for b in page.blocks] == ["Exercises", "Block 2", "Block 3"]
    page.select_item(2, None)
    page.add_block()  # after the last: "Block 4", not a second "Block 3"
    assert [b.name for b in page.blocks] == ["Exercises", "Block 2", "Block 3", "Block 4"]
    page.validate_now()
    assert page.problems_title.text() == "Problems: 3 to fix"  # no "0 warning(s)"


def test_discard_on_the_way_to_another_page_drops_the_changes(window, monkeypatch) -> None:
    win, _ctx = window
    win.open_routine_editor()
    page = win.current_page()
    page.add_exercise("glute_bridge")
    _Answer(monkeypatch, QMessageBox.StandardButton.Discard)
    win.open_settings()  # the editor stays in Back's history ...
    win.back()
    assert win.current_page() is page
    assert page.blocks[0].items == [] and not page.has_unsaved_changes  # ... without the edit


def test_a_shutdown_signal_closes_without_asking_and_keeps_the_edits(
    window, monkeypatch, tmp_path
) -> None:
    """SIGTERM (logout, shutdown) closes coach with nobody to answer a question: the unsaved
    routine is written to a recovery file beside the history instead."""
    win, _ctx = window
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    win.open_routine_editor()
    page = win.current_page()
    page.add_exercise("glute_bridge")
    answer = _Answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    win.close_now()
    assert answer.asked == [] and not win.isVisible()
    (kept,) = (tmp_path / "data").glob("unsaved-routine-*.yaml")
    assert "glute_bridge" in kept.read_text(encoding="utf-8")
