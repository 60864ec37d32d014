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
    assert any("at least 1 item" in p.message for p in page.errors)  # an empty routine is not ready
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
    assert any("over the per-item limit of 100" in m and "Glute bridge" in m for m in msgs), msgs
    page.f_sets.setValue(8)  # above the envelope's 6 sets
    page.validate_now()
    assert any("sets" in p.where and "at most 6" in p.text() for p in page.errors), [p.text() for p in page.errors]
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
def test_example_saved_unchanged_is_the_same_routine(page: RoutineEditorPage, tmp_path: Path, example: Path) -> None:
    copy = tmp_path / example.name
    shutil.copy(example, copy)
    assert page.load_file(copy)
    page.validate_now()
    assert page.errors == [], [p.text() for p in page.errors]
    assert page.save_to(copy), page.status.text()
    assert _load(copy) == _load(example)
    assert copy.read_text() == example.read_text()  # untouched: byte for byte


def test_editing_a_hand_written_file_keeps_its_comments(page: RoutineEditorPage, tmp_path: Path) -> None:
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
    for comment in ("# surgeon's review date", "# bump on every edit", "# 10 s x 8-10 [SpineHealth-microD]",
                    "# not in the catalogue: defined here, Exercise schema", "# Early home programme after"):
        assert comment in text
    r = _load(copy)
    assert r.version == _load(src).version + 1  # every edit is a new version
    assert r.safety.pain_rules.green_max == 3
    core = r.blocks[1].items
    assert [i.exercise_id for i in core[:2]] == ["abdominal_bracing", "pelvic_tilt"]
    assert core[1].reps == 9 and core[1].thresholds.faults["hips_lifting"].value == 8  # untouched keys kept
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
