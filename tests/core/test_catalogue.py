"""The exercise catalogue as data: every YAML file under ``exercises/`` loads, round-trips, names
only real metrics and exercises, and carries the safety tags DOMAIN §5.4 / §2.1 require."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from coach.core.metrics import METRICS, parse_metric
from coach.routines.catalogue import ProgramDef, exercises_dir, load_catalogue
from coach.routines.exercise import Condition, Exercise
from coach.routines.yamlio import FileProblems, load_yaml_file

EXERCISES = exercises_dir()
EXERCISE_FILES = sorted(EXERCISES.glob("*.yaml"))
PROGRAM_FILES = sorted((EXERCISES / "programs").glob("*.yaml"))

# Post-op lock tags (DOMAIN §5.4) by catalogue entry (§2.1 templates): flexion C1, C3, C4, C5;
# rotation C7; extension D4; lifting D5. Every other DOMAIN entry carries none of them.
LOCK_TAGS = {"loads_flexion", "loads_rotation", "loads_extension", "lifting"}
EXPECTED_LOCK_TAGS = {
    "C1": {"loads_flexion"},
    "C3": {"loads_flexion"},
    "C4": {"loads_flexion"},
    "C5": {"loads_flexion"},
    "C7": {"loads_rotation"},
    "D4": {"loads_extension"},
    "D5": {"lifting"},
}
DOMAIN_REFS = [f"A{i}" for i in range(1, 5)] + [f"B{i}" for i in range(1, 8)]
DOMAIN_REFS += [f"C{i}" for i in range(1, 8)] + [f"D{i}" for i in range(1, 6)]


def _load(path: Path) -> Exercise:
    return load_yaml_file(path, Exercise)


@pytest.fixture(scope="module")
def exercises() -> dict[str, Exercise]:
    return {p.stem: _load(p) for p in EXERCISE_FILES}


def _conditions(ex: Exercise) -> list[Condition]:
    return [*ex.start, *ex.in_position, *(f.when for f in ex.faults)]


def _metric_names(ex: Exercise) -> list[str]:
    names = [c.metric for c in _conditions(ex)]
    if ex.signal is not None:
        names.append(ex.signal.metric)
        names.extend(v.metric for v in ex.signal.views.values())
    return names


def test_catalogue_is_not_empty() -> None:
    assert EXERCISE_FILES, f"no exercise files under {EXERCISES}"
    assert PROGRAM_FILES, f"no program files under {EXERCISES / 'programs'}"


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_exercise_loads_and_id_matches_file_name(path: Path) -> None:
    ex = _load(path)
    assert ex.id == path.stem


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_exercise_round_trips_through_yaml(path: Path) -> None:
    ex = _load(path)
    again = Exercise.model_validate(yaml.safe_load(yaml.safe_dump(ex.model_dump(mode="json"))))
    assert again == ex


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_every_metric_resolves(path: Path) -> None:
    for name in _metric_names(_load(path)):
        parse_metric(name)  # raises KeyError on an unknown metric or side selector


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_thresholds_are_angles_or_ratios_never_pixels(path: Path) -> None:
    """DOMAIN STYLE §6: scale-free thresholds. A ratio metric's threshold is a small number, an
    angle's lies within a half turn; anything else is almost certainly a pixel value."""
    ex = _load(path)
    for c in _conditions(ex):
        unit = METRICS[c.metric.partition("@")[0]].unit
        bound = 5.0 if unit == "ratio" else 180.0
        values = list(c.range) if c.range is not None else [c.value]
        for v in values:
            assert v is not None and abs(v) <= bound, f"{ex.id}: {c.metric} {c.op} {v}"
    if ex.signal is not None:
        assert METRICS[ex.signal.metric.partition("@")[0]].unit == "deg"
        assert abs(ex.signal.rest) <= 180 and abs(ex.signal.work) <= 180


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_start_checks_never_use_the_baseline(path: Path) -> None:
    """The baseline is captured when the start checks pass, so a baseline-relative start check
    could never become true and the exercise would stay in SETUP for ever."""
    ex = _load(path)
    assert all(c.reference == "absolute" for c in ex.start), ex.id


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_rep_timing_leaves_room_for_the_hold(path: Path) -> None:
    ex = _load(path)
    if ex.kind == "reps" and ex.dose.hold_s > 0:
        assert ex.rep_timing.max_s > ex.dose.hold_s


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_camera_free_exercises_say_so(path: Path) -> None:
    ex = _load(path)
    if ex.camera.view == "none":
        assert not ex.needs_camera and "no_camera" in ex.tags


def test_post_op_lock_tags_match_domain(exercises: dict[str, Exercise]) -> None:
    for ex in exercises.values():
        if ex.catalogue_ref is None:
            continue  # not a DOMAIN §2 entry
        got = set(ex.tags) & LOCK_TAGS
        assert got == EXPECTED_LOCK_TAGS.get(ex.catalogue_ref, set()), ex.id


def test_every_domain_entry_is_in_the_catalogue(exercises: dict[str, Exercise]) -> None:
    refs = {ex.catalogue_ref for ex in exercises.values()}
    assert sorted(set(DOMAIN_REFS) - refs) == []
    seen = [ex.catalogue_ref for ex in exercises.values() if ex.catalogue_ref]
    assert len(seen) == len(set(seen)), "a catalogue_ref is used twice"


def test_regressions_and_progressions_exist(exercises: dict[str, Exercise]) -> None:
    for ex in exercises.values():
        for other in (ex.regression, ex.progression):
            assert other is None or other in exercises, f"{ex.id} -> {other}"


@pytest.mark.parametrize("path", PROGRAM_FILES, ids=lambda p: p.stem)
def test_program_items_reference_existing_exercises(
    path: Path, exercises: dict[str, Exercise]
) -> None:
    program = load_yaml_file(path, ProgramDef)
    assert program.id == path.stem
    missing = [i.exercise for i in program.items if i.exercise not in exercises]
    assert missing == [], f"{path.name}: unknown exercises {missing}"


def test_load_catalogue_reports_no_problems() -> None:
    cat = load_catalogue(EXERCISES)
    assert cat.problems == ()
    assert set(cat.exercises) == {p.stem for p in EXERCISE_FILES}


def _valid_text() -> str:
    return (EXERCISES / "marching_in_place.yaml").read_text(encoding="utf-8")


def test_unknown_top_level_key_names_line_and_suggestion(tmp_path: Path) -> None:
    text = _valid_text().rstrip("\n") + "\nsorces: [WHO2020]\n"
    line = text.count("\n")  # the appended key is on the last line
    path = tmp_path / "marching_in_place.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblems, match=re.escape(f"{path}:{line}:")) as info:
        load_yaml_file(path, Exercise)
    message = str(info.value)
    assert f"{path}:{line}:" in message
    assert "did you mean 'sources'?" in message


def test_unknown_nested_key_names_line_and_suggestion(tmp_path: Path) -> None:
    text = _valid_text().replace("  hysteresis: 5\n", "  hysterisis: 5\n", 1)
    assert "hysterisis" in text
    line = text.splitlines().index("  hysterisis: 5") + 1
    path = tmp_path / "marching_in_place.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblems, match=re.escape(f"{path}:{line}:")) as info:
        load_yaml_file(path, Exercise)
    message = str(info.value)
    assert f"{path}:{line}:" in message
    assert "did you mean 'hysteresis'?" in message
