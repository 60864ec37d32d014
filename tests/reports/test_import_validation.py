"""Imported results files (coach JSON and FHIR Bundles) are range-checked at the boundary: pain
0-10, counts >= 0, finite numbers, ends after starts, sane years, bounded nesting and integer
length — one line and exit 2, never a traceback and never a wrong number shown as fact."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coach.cli import main
from coach.core.engine import RepRecord
from coach.reports.fhir import export_fhir
from coach.reports.importer import ResultsFileError, import_results
from coach.store.history import open_history

T0 = datetime(2026, 11, 1, 17, 0, tzinfo=timezone.utc)

GOOD = {
    "schema": "coach.session/1",
    "routine": {"id": "r", "version": 1},
    "session_id": "s1",
    "start": "2026-11-01T17:00:00+00:00",
    "end": "2026-11-01T17:10:00+00:00",
    "status": "completed",
    "pain": {
        "pre": 2,
        "post": 3,
        "ratings": [{"at": "2026-11-01T17:00:00+00:00", "context": "before", "value": 2}],
    },
    "items": [
        {
            "exercise": "glute_bridge",
            "start": "2026-11-01T17:01:00+00:00",
            "end": "2026-11-01T17:04:00+00:00",
            "reps_counted": 5,
            "hold_s_total": 0.0,
            "sets": [
                {
                    "index": 1,
                    "reps_counted": 5,
                    "faults": {"over_arching": 1},
                    "reps": [{"index": 1, "start_s": 1.0, "end_s": 3.0, "range_deg": 20.0}],
                }
            ],
        }
    ],
}


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _import(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    code = main(["history", "import", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_the_good_file_imports(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, err = _import(tmp_path, json.dumps(GOOD), capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('"pre": 2', '"pre": 99', "pain.pre: pain 99 is outside 0-10"),
        ('"post": 3', '"post": -1', "pain.post: pain -1 is outside 0-10"),
        ('"value": 2', '"value": 11', "value"),
        (
            '"reps_counted": 5, "hold',
            '"reps_counted": -100, "hold',
            "items[0].reps_counted: -100 is not a count",
        ),
        ('"over_arching": 1', '"over_arching": -3', "faults.over_arching: -3 is not a count"),
        ('"range_deg": 20.0', '"range_deg": NaN', "NaN is not a number"),
        ('"range_deg": 20.0', '"range_deg": Infinity', "Infinity is not a number"),
        ('"hold_s_total": 0.0', '"hold_s_total": 1e400', "1e400 is too large a number"),
        (
            '"hold_s_total": 0.0',
            '"hold_s_total": -5.0',
            "hold_s_total: -5 seconds/degrees cannot be negative",
        ),
        (
            '"end": "2026-11-01T17:10:00+00:00"',
            '"end": "2026-11-01T16:10:00+00:00"',
            "end 2026-11-01 16:10:00+00:00 is before start",
        ),
        ('"end_s": 3.0', '"end_s": 0.5', "reps[0]: end_s 0.5 is before start_s 1.0"),
        (
            '"start": "2026-11-01T17:00:00+00:00"',
            '"start": "0001-01-01T00:00:00+00:00"',
            "outside the years",
        ),
        (
            '"start": "2026-11-01T17:00:00+00:00"',
            '"start": "9999-12-31T23:59:59+00:00"',
            "outside the years",
        ),
        ('"version": 1', '"version": ' + "9" * 5000, "an integer with 5000 digits"),
        (
            '"index": 1, "start_s"',
            '"index": 12345678901234567890123, "start_s"',
            "an integer with 23 digits",
        ),
    ],
)
def test_out_of_range_values_are_one_line_exit_2(
    tmp_path: Path, capsys, old: str, new: str, needle: str
) -> None:  # noqa: ANN001
    code, err = _import(tmp_path, _edit(json.dumps(GOOD), old, new), capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and needle in err, err


def _nested(n: int) -> object:
    v: object = 1
    for _ in range(n):
        v = [v]
    return v


@pytest.mark.parametrize(
    "text", ["[" * 100_000, '{"a": ' * 100_000, json.dumps({**GOOD, "device": {"a": _nested(70)}})]
)
def test_deep_nesting_is_refused(tmp_path: Path, capsys, text: str) -> None:  # noqa: ANN001
    code, err = _import(tmp_path, text, capsys)
    assert code == 2 and "nested more than 64 levels deep" in err


def test_a_folder_is_not_a_results_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["history", "import", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.fixture
def bundle(tmp_path: Path) -> str:
    h, _ = open_history(tmp_path / "h.sqlite3")
    rec = h.recorder()
    rec.start_session("r", 1, when=T0)
    rec.record_pain(2, "before", when=T0)
    rec.start_exercise("glute_bridge", position=1, reps_planned=3, when=T0)
    for i in range(1, 4):
        rec.record_rep(RepRecord(i, 3.0 * i, 3.0 * i + 2, 12.0, 20.0, 0.0, (), ()))
    rec.end_exercise({"reps": 3}, when=T0 + timedelta(minutes=2))
    rec.record_pain(3, "end", when=T0 + timedelta(minutes=3))
    rec.end_session("completed", when=T0 + timedelta(minutes=4))
    out = export_fhir(h, tmp_path / "b.json", None, None)
    h.close()
    return Path(out).read_text(encoding="utf-8")


def test_a_fhir_bundle_round_trips(tmp_path: Path, bundle: str) -> None:
    p = tmp_path / "ok.json"
    p.write_text(bundle, encoding="utf-8")
    r = import_results(p)
    assert r.kind == "fhir" and r.sessions[0].items[0].reps_counted == 3


def _set_quantity(bundle: str, code: str, value: object) -> str:
    """Set the valueQuantity of the first component/observation whose code is ``code``."""
    data = json.loads(bundle)
    for e in data["entry"]:
        r = e["resource"]
        for holder in [r, *r.get("component", [])]:
            codes = [c.get("code") for c in holder.get("code", {}).get("coding", [])]
            if code in codes and "valueQuantity" in holder:
                holder["valueQuantity"]["value"] = value
                return json.dumps(data)
    raise AssertionError(f"no {code} in the bundle")


@pytest.mark.parametrize(
    ("code", "value", "needle"),
    [
        ("72514-3", 99, "value: Input should be less than or equal to 10"),  # LOINC pain severity
        ("reps-counted", -100, "-100 is not a count"),
        ("reps-counted", 1e300, "not a count"),
    ],
)
def test_fhir_values_are_range_checked(
    tmp_path: Path, capsys, bundle: str, code: str, value: object, needle: str
) -> None:  # noqa: ANN001
    code_, err = _import(tmp_path, _set_quantity(bundle, code, value), capsys)
    assert code_ == 2 and needle in err, err


def test_import_errors_are_results_file_errors(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text(_edit(json.dumps(GOOD), '"pre": 2', '"pre": 99'), encoding="utf-8")
    with pytest.raises(ResultsFileError, match="outside 0-10"):
        import_results(p)
