"""Settings are validated field by field: a bad value resets that field alone, the original is
backed up, the person is told which setting was reset, and safety state is never lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.settings import (
    UNREADABLE_SCREENING_ADVICE,
    Settings,
    load_settings,
    read_settings,
)
from tests.conftest import fuzz_examples

GOOD = {
    "version": 1,
    "onboarded": True,
    "screening_done_at": 1_763_000_000.0,
    "screening_blocked": True,
    "screening_advice": "Please see your doctor before exercising.",
    "routine_path": "/home/pat/routine-from-therapist.yaml",
    "voice": False,
    "posture_rate_hz": 2.0,
}


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "settings.json"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("bad", ["null", "[1]", "1e400", '"1"', "true", "9" * 5000, "NaN"])
def test_a_bad_version_never_stops_the_app(tmp_path: Path, bad: str) -> None:
    text = json.dumps(GOOD).replace('"version": 1', f'"version": {bad}')
    r = read_settings(_write(tmp_path, text))
    assert r.reset_fields == ("version",)
    assert r.settings.onboarded and r.settings.routine_path == GOOD["routine_path"]
    assert r.settings.version == Settings().version


def test_one_bad_value_resets_only_that_value(tmp_path: Path) -> None:
    original = json.dumps({**GOOD, "voice": "loud"})
    p = _write(tmp_path, original)
    r = read_settings(p)
    s = r.settings
    assert r.reset_fields == ("voice",)
    assert s.voice is Settings().voice
    assert s.onboarded and s.routine_path == GOOD["routine_path"]
    assert s.screening_done_at == GOOD["screening_done_at"] and s.posture_rate_hz == 2.0
    assert (
        r.warning is not None
        and "spoken cues" in r.warning
        and "Everything else was kept" in r.warning
    )
    assert r.backup is not None and r.backup.read_text(encoding="utf-8") == original
    assert r.backup.name in r.warning
    # The repaired file is saved: the next start is clean and keeps everything.
    again = read_settings(p)
    assert again.warning is None and again.settings == s


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("voice", "loud"),
        ("posture_rate_hz", 1e400),
        ("posture_rate_hz", "fast"),
        ("processing_max_side", -5),
        ("model_variant", "gigantic"),
        ("profiles", [{"name": ""}]),
        ("routine_path", {"a": 1}),
        ("onboarded", [1]),
        ("version", None),
    ],
)
def test_safety_state_is_never_lost_to_a_bad_neighbour(
    tmp_path: Path, field: str, bad: object
) -> None:
    r = read_settings(_write(tmp_path, json.dumps({**GOOD, field: bad})))
    assert field in r.reset_fields
    assert r.settings.screening_blocked is True
    assert r.settings.screening_advice == GOOD["screening_advice"]
    assert r.settings.screening_done_at == GOOD["screening_done_at"]


def test_an_unreadable_red_flag_block_fails_safe(tmp_path: Path) -> None:
    r = read_settings(_write(tmp_path, json.dumps({**GOOD, "screening_blocked": "maybe"})))
    assert r.reset_fields == ("screening_blocked",)
    assert r.settings.screening_blocked is True  # never "no block" because a value was garbled
    assert r.settings.screening_done_at is None  # the screening must be run again
    assert r.settings.screening_advice == UNREADABLE_SCREENING_ADVICE
    assert r.warning and "run the health screening again" in r.warning


def test_non_finite_numbers_inside_a_profile_drop_that_profile_only(tmp_path: Path) -> None:
    text = (
        '{"voice": false, "active_profile": "desk", "profiles": ['
        '{"name": "laptop", "posture_baseline": {"neck": Infinity}}, {"name": "desk"}]}'
    )
    r = read_settings(_write(tmp_path, text))
    assert r.reset_fields == ("profiles",)
    assert [p.name for p in r.settings.profiles] == ["desk"] and r.settings.voice is False


@pytest.mark.parametrize("text", ["[1]", "null", "\x00\xff{", "[" * 100_000, '{"a": ' * 50_000])
def test_a_file_that_is_not_an_object_gives_defaults_and_a_backup(
    tmp_path: Path, text: str
) -> None:
    p = _write(tmp_path, text)
    s, warning = load_settings(p)
    assert s == Settings()
    assert warning and "defaults" in warning
    assert [b.read_text(encoding="utf-8") for b in tmp_path.glob("settings.broken-*.json")] == [
        text
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=fuzz_examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(field=st.sampled_from(sorted(Settings.model_fields)), value=json_values)
def test_any_value_in_any_field_is_kept_or_reset_alone(
    tmp_path: Path, field: str, value: object
) -> None:
    text = json.dumps({**GOOD, field: value}, allow_nan=True)
    r = read_settings(_write(tmp_path, text))
    assert set(r.reset_fields) <= {field}
    if field not in ("screening_blocked", "screening_done_at", "screening_advice"):
        assert (
            r.settings.screening_blocked
            and r.settings.screening_done_at == GOOD["screening_done_at"]
        )
    if field != "onboarded":
        assert r.settings.onboarded
    if field != "routine_path":
        assert r.settings.routine_path == GOOD["routine_path"]


@pytest.mark.parametrize(
    ("when", "kind"), [("yesterday", "fusion"), ("under_6_weeks", 7), (None, None)]
)
def test_an_unreadable_surgery_answer_restricts_rather_than_frees(
    tmp_path: Path, when: object, kind: object
) -> None:
    from coach.routines.today import post_op_rule

    r = read_settings(
        _write(tmp_path, json.dumps({**GOOD, "surgery_when": when, "surgery_type": kind}))
    )
    s = r.settings
    if when in ("under_6_weeks",):
        assert s.surgery_when == "under_6_weeks" and s.surgery_type == "other"
    else:
        assert s.surgery_when == "not_sure"
    assert post_op_rule(s.surgery_when, s.surgery_type).locked_tags  # exercises are left out
    assert r.settings.onboarded and r.settings.screening_blocked  # neighbours kept
