"""The exercise models satisfy the scoring core's Protocols (a type check, run by mypy)."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy_api

import coach.routines.contracts_check as contracts_check


def _mypy(path: Path) -> tuple[str, int]:
    out, err, status = mypy_api.run(["--no-error-summary", "--follow-imports=silent", str(path)])
    return out + err, status


def test_the_models_satisfy_the_protocols() -> None:
    out, status = _mypy(Path(contracts_check.__file__))
    assert status == 0, out


def test_the_check_catches_a_model_that_drifts(tmp_path: Path) -> None:
    """The check can fail: a model that does not satisfy its Protocol is reported."""
    text = Path(contracts_check.__file__).read_text(encoding="utf-8")
    broken = text.replace("def _dose(x: Dose) -> DoseLike:", "def _dose(x: Fault) -> DoseLike:")
    assert broken != text
    path = tmp_path / "contracts_broken.py"
    path.write_text(broken, encoding="utf-8")
    out, status = _mypy(path)
    assert status == 1 and 'expected "DoseLike"' in out, out
