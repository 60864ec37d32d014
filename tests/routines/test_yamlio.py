"""Routine and exercise YAML: duplicate keys name both lines, yes/no values are never counts,
and a UTF-16 file is called UTF-16 (not "binary")."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.routines.exercise import Exercise
from coach.routines.routine import check_routine_file
from coach.routines.yamlio import FileProblems, load_yaml_file, read_text

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "exercises" / "routines" / "clbp_starter.yaml"
SQUAT = REPO / "exercises" / "mini_squat.yaml"


def _errors(path: Path, catalogue) -> list[str]:  # noqa: ANN001
    return [str(p) for p in check_routine_file(path, catalogue).errors]


def test_a_duplicate_id_names_both_lines(tmp_path: Path, catalogue) -> None:  # noqa: ANN001
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("id:"))
    lines.insert(at + 2, "id: someone-elses-routine")
    path = tmp_path / "dup.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _errors(path, catalogue)
    assert errors == [
        f"{path}:{at + 3}:1: duplicate key 'id': written on line {at + 1} and again on line {at + 3}"
        " — keep one of them"
    ]


def test_duplicate_keys_in_nested_mappings_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    text = SQUAT.read_text(encoding="utf-8")
    path.write_text(text + "name: again\nname: and again\n", encoding="utf-8")
    with pytest.raises(FileProblems, match="duplicate key 'name'") as info:
        load_yaml_file(path, Exercise)
    msgs = [p.message for p in info.value.problems]
    assert len(msgs) == 2 and all(m.startswith("duplicate key 'name'") for m in msgs)


def test_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    from coach.routines.yamlio import parse_yaml

    _root, data = parse_yaml("a: &x {k: 1}\nb:\n  <<: *x\n  <<: *x\n  j: 2\n", "m.yaml")
    assert data["b"] == {"k": 1, "j": 2}


@pytest.mark.parametrize("word", ["true", "false", "yes", "on"])
def test_yes_no_is_never_a_count(tmp_path: Path, catalogue, word: str) -> None:  # noqa: ANN001
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "reps: 5")
    lines[at] = lines[at].replace("reps: 5", f"reps: {word}")
    path = tmp_path / "bool.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _errors(path, catalogue)
    col = lines[at].index(word) + 1
    if word in ("yes", "on"):  # YAML 1.1 reads these as booleans too
        assert errors and errors[0].startswith(f"{path}:{at + 1}:{col}:")
    else:
        assert len(errors) == 1 and errors[0].startswith(f"{path}:{at + 1}:{col}: ")
        assert f"'{word}' is a yes/no value, not a number — write a number" in errors[0]


def test_yes_no_in_an_exercise_float_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    text = SQUAT.read_text(encoding="utf-8")
    assert "hysteresis:" in text
    path.write_text(
        "\n".join(
            (line.split(":")[0] + ": true") if line.strip().startswith("hysteresis:") else line
            for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(FileProblems, match="hysteresis: 'true' is a yes/no value") as info:
        load_yaml_file(path, Exercise)
    assert "hysteresis: 'true' is a yes/no value" in str(info.value)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_is_named_as_such(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "wide.yaml"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode(codec))
    want = "UTF-32" if codec == "utf-32" else "UTF-16"
    with pytest.raises(FileProblems, match=f"the file is {want} text") as info:
        read_text(path)
    want = "UTF-32" if codec == "utf-32" else "UTF-16"
    assert str(info.value).startswith(f"{path}:1:1: the file is {want} text")
    assert "binary" not in str(info.value)


def test_real_binary_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FileProblems, match="binary file"):
        read_text(path)
