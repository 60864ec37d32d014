"""Therapist routine files: the examples load and round-trip; every kind of bad file gives a
precise ``FILE:LINE:COL`` problem and nothing crashes (also under fuzzing); the safety
envelope and the post-operative locks hold."""

from __future__ import annotations

import copy
import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.cli import main
from coach.routines.catalogue import exercises_dir, load_catalogue
from coach.routines.routine import (
    ENVELOPE,
    LOCK_TAGS,
    ROUTINE_SCHEMA,
    Item,
    PainRules,
    Routine,
    RoutineError,
    check_routine,
    check_routine_file,
    load_routine,
    parse_routine,
    resolve,
    routine_json_schema,
)
from coach.routines.yamlio import FileProblems
from tests.conftest import fuzz_examples

ROUTINES = exercises_dir() / "routines"
EXAMPLES = sorted(ROUTINES.glob("*.yaml"))
TODAY = date(2026, 11, 23)  # the examples are dated around this day
CAT = load_catalogue()
LINE_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


def _text(name: str = "clbp_starter") -> str:
    return (ROUTINES / f"{name}.yaml").read_text(encoding="utf-8")


def _pos(text: str, line_marker: str, token: str | None = None) -> tuple[int, int]:
    """1-based line and column of ``token`` on the first line containing ``line_marker``."""
    for i, line in enumerate(text.splitlines(), 1):
        if line_marker in line:
            return i, line.index(token if token is not None else line_marker) + 1
    raise AssertionError(f"{line_marker!r} not in text")


def _check(tmp_path: Path, text: str | bytes, today: date = TODAY) -> tuple[Path, list[str]]:
    path = tmp_path / "routine.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = check_routine_file(path, CAT, today)
    return path, [str(p) for p in result.errors]


# ---------------------------------------------------------------------------------------------
# The examples


def test_there_are_three_examples() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "early_post_microdiscectomy",
        "clbp_starter",
        "office_worker",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_valid_without_warnings(path: Path) -> None:
    result = check_routine_file(path, CAT, TODAY)
    assert result.ok, "\n".join(map(str, result.errors))
    assert result.warnings == ()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_round_trips(path: Path) -> None:
    routine, _ = parse_routine(path.read_text(encoding="utf-8"), str(path))
    dumped = yaml.safe_dump(routine.dump(), sort_keys=False, allow_unicode=True)
    again, _ = parse_routine(dumped, "dumped.yaml")
    assert again == routine
    # JSON as well (the schema is the contract for other tools)
    assert Routine.model_validate(json.loads(json.dumps(routine.dump()))) == routine
    resolved = resolve(routine, CAT, TODAY)
    assert resolved.items, "an example resolves to at least one item"
    assert all(i.exercise.dose.sets == i.dose.sets for i in resolved.items)


def test_post_op_example_locks_flexion_and_rotation_until_the_date() -> None:
    path = ROUTINES / "early_post_microdiscectomy.yaml"
    early = load_routine(path, CAT, TODAY)
    locked = {i.exercise_id for i in early.locked}
    assert locked == {"knee_to_chest", "knee_rolls"}
    assert early.restrictions_in_force
    assert "restricted until 2026-12-21" in early.item("knee_to_chest").lock_reasons[0]
    # the last day of the restriction is still restricted
    assert {i.exercise_id for i in load_routine(path, CAT, date(2026, 12, 21)).locked} == locked
    # the day after: only the therapist-unlocked one opens
    later = load_routine(path, CAT, date(2026, 12, 22))
    assert {i.exercise_id for i in later.locked} == {"knee_rolls"}
    assert "has not unlocked it" in later.item("knee_rolls").lock_reasons[0]
    assert not later.restrictions_in_force


def test_clbp_example_applies_overrides_and_pyramid() -> None:
    resolved = load_routine(ROUTINES / "clbp_starter.yaml", CAT, TODAY)
    bridge = resolved.item("glute_bridge")
    assert bridge.exercise.signal is not None and bridge.exercise.signal.work == 15
    assert bridge.base.signal is not None and bridge.base.signal.work == 10
    assert bridge.dose.sets == 2 and bridge.dose.reps == 8 and bridge.exercise.dose.hold_s == 5
    assert bridge.regress_to == "pelvic_tilt"
    bird = resolved.item("bird_dog")
    assert bird.dose.reps_pattern == (5, 3, 1) and bird.dose.sets == 3 and bird.dose.total_reps == 9
    assert "3 sets of 5/3/1 reps" in bird.dose.describe()


def test_custom_exercise_resolves_with_its_own_definition() -> None:
    resolved = load_routine(ROUTINES / "early_post_microdiscectomy.yaml", CAT, TODAY)
    slide = resolved.item("heel_slide")
    assert slide.source == "custom"
    assert slide.exercise.kind == "reps" and slide.dose.reps == 8
    assert not slide.locked


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "routine-format.md").read_text(
        encoding="utf-8"
    )
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    complete = next(b for b in blocks if b.startswith("schema: coach.routine/1"))
    path, errors = _check(tmp_path, complete)
    assert errors == []
    resolved = load_routine(path, CAT, TODAY)
    assert {i.exercise_id for i in resolved.locked} == {"knee_to_chest"}
    assert {i.exercise_id for i in load_routine(path, CAT, date(2026, 12, 22)).locked} == set()


# ---------------------------------------------------------------------------------------------
# Locks


@pytest.mark.parametrize(("tag", "restriction"), sorted(LOCK_TAGS.items()))
def test_each_lock_tag_is_locked_by_its_restriction(tag: str, restriction: str) -> None:
    ex = next(e for e in CAT.exercises.values() if tag in e.tags)
    value: Any = 5 if restriction == "no_lifting_kg_over" else True
    base = {
        "id": "t",
        "title": "t",
        "author": {"name": "A"},
        "blocks": [{"name": "b", "items": [{"exercise": ex.id}, {"exercise": "pelvic_tilt"}]}],
    }
    with_r = {**base, "safety": {"restrictions": {restriction: value, "until": "2026-12-01"}}}
    r = resolve(Routine.model_validate(with_r), CAT, date(2026, 11, 30))
    assert r.item(ex.id).locked and not r.item("pelvic_tilt").locked
    # after `until` but without an unlock: still locked
    assert resolve(Routine.model_validate(with_r), CAT, date(2026, 12, 2)).item(ex.id).locked
    # after `until` and unlocked: open; unlocked before `until`: still locked
    unlocked = {
        **base,
        "safety": {"restrictions": {restriction: value, "until": "2026-12-01"}, "unlock": [ex.id]},
    }
    assert not resolve(Routine.model_validate(unlocked), CAT, date(2026, 12, 2)).item(ex.id).locked
    assert resolve(Routine.model_validate(unlocked), CAT, date(2026, 12, 1)).item(ex.id).locked
    # no end date: never lapses, even when listed as unlocked
    forever = {**base, "safety": {"restrictions": {restriction: value}, "unlock": [ex.id]}}
    assert resolve(Routine.model_validate(forever), CAT, date(2030, 1, 1)).item(ex.id).locked
    # another restriction does not lock it
    other = next(r for r in LOCK_TAGS.values() if r != restriction and r != "no_lifting_kg_over")
    if not any(LOCK_TAGS.get(t) == other for t in ex.tags):
        plain = {**base, "safety": {"restrictions": {other: True, "until": "2026-12-01"}}}
        assert (
            not resolve(Routine.model_validate(plain), CAT, date(2026, 11, 30)).item(ex.id).locked
        )


# ---------------------------------------------------------------------------------------------
# The safety envelope


def test_envelope_bounds_are_enforced_by_the_model() -> None:
    ok = {"exercise": "glute_bridge"}
    for field, bad in (
        ("sets", ENVELOPE.max_sets + 1),
        ("reps", ENVELOPE.max_reps + 1),
        ("hold_s", ENVELOPE.max_hold_s + 1),
        ("rest_s", ENVELOPE.max_rest_s + 1),
        ("duration_s", ENVELOPE.max_duration_s + 1),
    ):
        with pytest.raises(ValueError, match=rf"{field}\n.*less than or equal to"):
            Item.model_validate({**ok, field: bad})
        Item.model_validate({**ok, field: 1})
    with pytest.raises(ValueError, match="at most 5"):
        PainRules(amber_max=6)
    assert PainRules().stop_at == 6 and PainRules(green_max=2, amber_max=4).stop_at == 5
    with pytest.raises(ValueError, match="cannot be turned off"):
        PainRules(stop_if_spreading=False)


def test_threshold_overrides_within_twenty_degrees_only() -> None:
    def routine(th: dict[str, Any]) -> Routine:
        return Routine.model_validate(
            {
                "id": "t",
                "title": "t",
                "author": {"name": "A"},
                "blocks": [
                    {"name": "b", "items": [{"exercise": "glute_bridge", "thresholds": th}]}
                ],
            }
        )

    ok = resolve(
        routine({"signal": {"work": -10}, "faults": {"over_arching": {"value": -10}}}), CAT, TODAY
    )
    assert ok.items[0].exercise.faults[0].when.value == -10
    assert ok.items[0].exercise.signal is not None and ok.items[0].exercise.signal.work == -10
    for th in (
        {"signal": {"work": -10.5}},
        {"signal": {"rest": 14}},
        {"faults": {"over_arching": {"value": 31}}},
    ):
        with pytest.raises(RoutineError, match="safety envelope"):
            resolve(routine(th), CAT, TODAY)
    with pytest.raises(RoutineError, match="did you mean 'over_arching'"):
        resolve(routine({"faults": {"over_arcing": {"value": 12}}}), CAT, TODAY)
    # inside the envelope but too close to count reliably: the exercise's own rules still apply
    with pytest.raises(RoutineError, match="further apart"):
        resolve(routine({"signal": {"work": 30}}), CAT, TODAY)


# ---------------------------------------------------------------------------------------------
# The bad-file corpus: each case names the line and column of the mistake


def _replace(old: str, new: str) -> str:
    text = _text()
    assert old in text, old
    return text.replace(old, new, 1)


def _case_malformed() -> tuple[str, tuple[int, int], str]:
    text = _replace("title: Back pain starter - weeks 1 to 4", "title: [Back pain starter")
    return text, _pos(text, "author: {", ":"), "malformed YAML"


BAD_CASES: dict[str, Any] = {
    "wrong type": lambda: (
        t := _replace(
            "      - exercise: pelvic_tilt\n        reps: 5",
            "      - exercise: pelvic_tilt\n        reps: many",
        ),
        _pos(t, "reps: many", "many"),
        "wrong type",
    ),
    "typo in an item key": lambda: (
        t := _replace("        hold_s: 10\n", "        hold_secs: 10\n"),
        _pos(t, "hold_secs"),
        "did you mean 'hold_s'?",
    ),
    "typo in a nested key": lambda: (
        t := _replace("  pain_rules: {", "  pain_rule: {"),
        _pos(t, "pain_rule:"),
        "did you mean 'pain_rules'?",
    ),
    "typo at top level": lambda: (
        t := _replace("materials: [", "materails: ["),
        _pos(t, "materails"),
        "did you mean 'materials'?",
    ),
    "unknown exercise": lambda: (
        t := _replace("exercise: childs_pose", "exercise: childs_pos"),
        _pos(t, "childs_pos", "childs_pos"),
        "did you mean 'childs_pose'",
    ),
    "unsafe signal override": lambda: (
        t := _replace("signal: {work: 15}", "signal: {work: 45}"),
        _pos(t, "signal: {work: 45}", "45"),
        "outside the safety envelope",
    ),
    "unknown fault override": lambda: (
        t := _replace("signal: {work: 15}", "faults: {over_arcing: {value: 12}}"),
        _pos(t, "over_arcing"),
        "did you mean 'over_arching'",
    ),
    "unsafe pain rule": lambda: (
        t := _replace("amber_max: 5", "amber_max: 8"),
        _pos(t, "amber_max: 8", "8"),
        "at most 5",
    ),
    "hold beyond the envelope": lambda: (
        t := _replace("        hold_s: 30\n", "        hold_s: 300\n"),
        _pos(t, "hold_s: 300", "300"),
        "at most 120",
    ),
    "huge integer": lambda: (
        t := _replace(
            "      - exercise: pelvic_tilt\n        reps: 5",
            "      - exercise: pelvic_tilt\n        reps: 99999999999999999999999999999",
        ),
        _pos(t, "reps: 9999", "9999"),
        "out of range",
    ),
    "infinite float": lambda: (
        t := _replace("        rest_s: 60\n", "        rest_s: 1.0e+400\n"),
        _pos(t, "rest_s: 1.0e+400", "1.0e+400"),
        "not a finite number",
    ),
    "too much volume": lambda: (
        t := _replace("        sets: 2\n        reps: 8\n", "        sets: 6\n        reps: 20\n"),
        _pos(t, "reps: 20", "20"),
        "over the per-item limit of 100",
    ),
    "future schema version": lambda: (
        t := _replace(f"schema: {ROUTINE_SCHEMA}", "schema: coach.routine/2\nnew_thing: 1"),
        _pos(t, "schema: coach", "coach.routine/2"),
        "written for a newer coach",
    ),
    "unknown format": lambda: (
        t := _replace(f"schema: {ROUTINE_SCHEMA}", "schema: something/else"),
        _pos(t, "schema: something", "something"),
        "not a routine format",
    ),
    "expired": lambda: (
        t := _replace("created: 2026-11-01", "created: 2025-11-01\nvalid_until: 2025-12-31"),
        _pos(t, "valid_until", "2025-12-31"),
        "expired on 2025-12-31",
    ),
    "reversed validity": lambda: (
        t := _replace("created: 2026-11-01", "valid_from: 2027-02-01\nvalid_until: 2027-01-01"),
        _pos(t, "valid_until", "2027-01-01"),
        "valid_until is before valid_from",
    ),
    "impossible date": lambda: (
        t := _replace("created: 2026-11-01", "created: 2026-02-30"),
        _pos(t, "created: 2026-02-30", "2026"),
        "'2026-02-30' is not a valid value",
    ),
    "spreading rule off": lambda: (
        t := _replace(
            "next_morning_check: true}", "next_morning_check: true, stop_if_spreading: false}"
        ),
        _pos(t, "stop_if_spreading: false", "false"),
        "cannot be turned off",
    ),
    "both exercise and custom": lambda: (
        t := _replace(
            "      - exercise: childs_pose\n        reps: 5\n",
            _custom("my_ex") + "        exercise: childs_pose\n",
        ),
        _pos(t, "      - custom:", "custom"),
        "not both",
    ),
    "custom id clashes with the catalogue": lambda: (
        t := _replace("      - exercise: childs_pose\n        reps: 5\n", _custom("pelvic_tilt")),
        _pos(t, "id: pelvic_tilt", "pelvic_tilt"),
        "already a catalogue exercise",
    ),
    "custom dose beyond the envelope": lambda: (
        t := _replace(
            "      - exercise: childs_pose\n        reps: 5\n",
            _custom("my_hold", dose="{sets: 1, reps: 3, hold_s: 400}"),
        ),
        _pos(t, "hold_s: 400", "400"),
        "safety envelope",
    ),
    "custom exercise with a bad metric": lambda: (
        t := _replace(
            "      - exercise: childs_pose\n        reps: 5\n",
            _custom("my_ex", metric="knee_flexx"),
        ),
        _pos(t, "knee_flexx", "knee_flexx"),
        "unknown metric 'knee_flexx'",
    ),
    "side on a two-sided exercise": lambda: (
        t := _replace(
            "      - exercise: childs_pose\n        reps: 5\n",
            "      - exercise: childs_pose\n        side: left\n",
        ),
        _pos(t, "side: left", "left"),
        "has no 'left' side",
    ),
    "unknown unlock": lambda: (
        t := _replace("safety:\n", "safety:\n  unlock: [knee_to_chets]\n"),
        _pos(t, "knee_to_chets", "knee_to_chets"),
        "did you mean 'knee_to_chest'",
    ),
    "malformed YAML": _case_malformed,
}


def _custom(cid: str, *, dose: str = "{sets: 1, reps: 5}", metric: str = "knee_flex") -> str:
    return (
        "      - custom:\n"
        f"          id: {cid}\n"
        "          name: My exercise\n"
        "          program: core\n"
        "          purpose: A test.\n"
        "          instructions: [Do it.]\n"
        "          kind: reps\n"
        f"          signal: {{metric: {metric}, rest: 10, work: 60}}\n"
        f"          dose: {dose}\n"
    )


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_file_names_line_and_column(tmp_path: Path, name: str) -> None:
    text, (line, col), fragment = BAD_CASES[name]()
    path, errors = _check(tmp_path, text)
    assert errors, f"{name}: no error reported"
    wanted = f"{path}:{line}:{col}:"
    hits = [e for e in errors if e.startswith(wanted) and fragment in e]
    assert hits, f"{name}: expected {wanted} ... {fragment!r}, got:\n" + "\n".join(errors)
    for e in errors:
        assert LINE_RE.match(e), e
        assert "Traceback" not in e


def test_binary_garbage(tmp_path: Path) -> None:
    path, errors = _check(
        tmp_path, bytes(random.Random(1).randrange(256) for _ in range(4096)) + b"\x00"
    )
    assert errors == [
        f"{path}:1:1: this is a binary file, not YAML text — open the .yaml file instead"
    ]


def test_not_utf8(tmp_path: Path) -> None:
    path, errors = _check(tmp_path, "title: caf\u00e9\n".encode("latin-1"))
    assert len(errors) == 1 and errors[0].startswith(f"{path}:1:1: the file is not UTF-8")


def test_fifty_megabyte_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "routine.yaml"
    with path.open("wb") as f:
        f.write(b"# " + b"x" * 1_000_000 + b"\n")
        f.truncate(50 * 1024 * 1024)
    result = check_routine_file(path, CAT, TODAY)
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(f"{path}:1:1: the file is 52.4 MB")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "must be a YAML mapping"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                for p, c in zip("abcdefg", "bcdefgh", strict=True)
            ),
            "too many values",
        ),
        ("[" * 5000 + "]" * 5000, "nested"),
        ("title: !!python/object/apply:os.system [echo hacked]\n", "malformed YAML"),
    ],
)
def test_hostile_yaml(tmp_path: Path, text: str, fragment: str) -> None:
    path, errors = _check(tmp_path, text)
    assert any(fragment in e for e in errors), errors
    assert all(e.startswith(f"{path}:") for e in errors)


def test_missing_file(tmp_path: Path) -> None:
    result = check_routine_file(tmp_path / "nope.yaml", CAT, TODAY)
    assert "cannot read the file" in str(result.errors[0])


def test_unquoted_reminder_time_is_understood() -> None:
    routine, _ = parse_routine(_replace('reminder_time: "18:30"', "reminder_time: 18:30"), "r.yaml")
    assert routine.schedule.reminder_time == "18:30"


def test_check_routine_reports_warnings_separately() -> None:
    routine, _ = parse_routine(_replace("safety:\n", "safety:\n  unlock: [cat_cow]\n"), "r.yaml")
    issues = check_routine(routine, CAT, TODAY)
    assert [i.severity for i in issues] == ["warning"]
    assert "not in this routine" in issues[0].message


# ---------------------------------------------------------------------------------------------
# Fuzzing: nothing but FileProblems ever comes out of the loader


@settings(
    max_examples=fuzz_examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(max_size=400))
def test_fuzz_text_never_crashes(text: str) -> None:
    try:
        routine, _ = parse_routine(text, "fuzz.yaml")
    except FileProblems as exc:
        assert exc.problems and all(str(p).startswith("fuzz.yaml:") for p in exc.problems)  # noqa: PT017 (fuzz: raising is allowed, not required)
        return
    check_routine(routine, CAT, TODAY)


@settings(
    max_examples=fuzz_examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=600))
def test_fuzz_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    result = check_routine_file(path, CAT, TODAY)
    assert result.ok == (result.routine is not None)


_JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.dates().map(str),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


#: Each example routine as YAML data, read once (each fuzz case mutates its own deep copy).
_EXAMPLE_DATA: dict[Path, Any] = {}


@pytest.mark.slow
@settings(
    max_examples=fuzz_examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.integers(0, 10**9), _JSONISH, st.sampled_from(EXAMPLES))
def test_fuzz_mutated_routines_never_crash(seed: int, value: Any, example: Path) -> None:
    if example not in _EXAMPLE_DATA:
        _EXAMPLE_DATA[example] = yaml.safe_load(example.read_text(encoding="utf-8"))
    data = copy.deepcopy(_EXAMPLE_DATA[example])
    paths = [p for p in _paths(data) if p]
    path = paths[seed % len(paths)]
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        routine, _ = parse_routine(text, "mutated.yaml")
    except FileProblems as exc:
        assert all(LINE_RE.match(str(p)) for p in exc.problems)  # noqa: PT017 (fuzz: raising is allowed, not required)
        return
    try:
        resolve(routine, CAT, TODAY)
    except RoutineError as exc:
        assert exc.issues  # noqa: PT017 (fuzz: raising is allowed, not required)


# ---------------------------------------------------------------------------------------------
# The CLI


def test_cli_check_good_files_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routine", "check", "--today", TODAY.isoformat(), *map(str, EXAMPLES)]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.count(": ok (") == len(EXAMPLES)


def test_cli_check_bad_file_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        _replace("exercise: childs_pose", "exercise: childs_pos").replace(
            "materials: [", "materails: ["
        ),
        encoding="utf-8",
    )
    rc = main(["routine", "check", "--today", TODAY.isoformat(), str(EXAMPLES[0]), str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 2 and all(LINE_RE.match(line) and line.startswith(str(bad)) for line in err)
    assert "did you mean 'childs_pose'" in err[0] and "did you mean 'materials'" in err[1]


def test_cli_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert main(["routine", "schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema == routine_json_schema()
    assert "schema" in schema["properties"] and "blocks" in schema["required"]
    assert main(["routine", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("coach routine file")


def test_cli_show(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "routine",
            "show",
            "--today",
            TODAY.isoformat(),
            str(ROUTINES / "early_post_microdiscectomy.yaml"),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "LOCKED: it twists the spine" in out
    assert "Pelvic tilt [pelvic_tilt] — 8 holds, 10 s each, rest 20 s" in out
    assert "threshold: hips_lifting: hip_line_dev > 10 → 8°" in out
    assert "stop at 5/10" in out


def test_cli_show_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x00\x01")
    assert main(["routine", "show", str(bad)]) == 2
    assert "binary file" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# One checking function for the CLI, the editor and the app


def test_check_routine_text_is_what_check_routine_file_reports(tmp_path: Path) -> None:
    from coach.routines.routine import check_routine_text

    text = _text().replace("reps: 5", "reps: 0", 1).replace("times_per_day: 1", "times_per_dy: 1")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    by_file = check_routine_file(path, CAT, TODAY)
    by_text = check_routine_text(text, str(path), CAT, TODAY)
    assert by_file.errors == by_text.errors and len(by_file.errors) == 2
    assert [p.line for p in by_text.errors] == sorted(p.line for p in by_text.errors)


def test_an_empty_block_or_routine_is_one_plain_sentence(tmp_path: Path) -> None:
    text = _text()
    head, _, _ = text.partition("blocks:")
    _, errors = _check(tmp_path, head + "blocks:\n  - name: Core\n    items: []\n")
    assert len(errors) == 1 and errors[0].endswith(
        "blocks.0.items: this block has no exercises yet; add at least one exercise to it"
    )
    _, errors = _check(tmp_path, head + "blocks: []\n")
    assert len(errors) == 1 and "this routine has no exercises yet" in errors[0]
    assert not any("list should have" in e for e in errors)
