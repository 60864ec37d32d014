"""``coach session`` counts exactly what ``coach analyze`` counts, on every rep and hold clip of
the shared manifest (issue 11): the same model, two code paths (the live pipeline with its
held-until-counting recording, and the offline tracker), one scoring engine.

The clips and what they show are read from ``../shared/media/MANIFEST.tsv``; a clip added there
is checked here without a code change.
"""

from __future__ import annotations

import json

import pytest

from coach.cli import main
from tests.conftest import manifest_exercise_clips

pytestmark = pytest.mark.footage


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.mark.parametrize(("clip", "exercise"), manifest_exercise_clips())
def test_session_counts_what_analyze_counts(clip, exercise, media, isolated, capsys, single_pass):
    path = media / clip
    expected = single_pass(clip, exercise)

    db = isolated / "h.sqlite3"
    code = main(
        [
            "session",
            "--source",
            str(path),
            "--exercise",
            exercise,
            "--screened",
            "--json",
            "--db",
            str(db),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    record = json.loads(out)
    (got,) = record["exercises"]
    assert got["exercise"] == exercise
    assert got["reps"] == expected["reps"], (clip, got, expected["reps"])
    assert got["partial_reps"] == expected["partial_reps"]
    want_holds = [round(float(h), 2) for h in expected["holds"]]  # type: ignore[union-attr]
    assert len(got["holds_s"]) == len(want_holds), (clip, got["holds_s"], want_holds)
    assert got["holds_s"] == pytest.approx(want_holds, abs=0.05)
    # what was printed is what was stored
    main(["history", "--db", str(db), "list", "--json"])
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["exercises"] == record["exercises"]
    assert listed["status"] == record["status"]
    counted = got["reps"] or got["holds_s"]
    assert listed["status"] == ("completed" if counted else "stopped_early")
