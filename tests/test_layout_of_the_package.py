"""The house rules of issue 16 that a linter does not check: no module over 700 lines, and only
packages (plus ``__init__``, ``__main__`` and ``settings``) at the top of ``coach/``."""

from __future__ import annotations

from pathlib import Path

COACH = Path(__file__).resolve().parents[1] / "coach"
MAX_LINES = 700


def test_no_module_is_over_700_lines() -> None:
    long = {
        str(p.relative_to(COACH)): n
        for p in COACH.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these along their own seams: {long}"


def test_the_top_of_the_package_holds_only_packages() -> None:
    loose = sorted(
        p.name for p in COACH.glob("*.py") if p.stem not in {"__init__", "__main__", "settings"}
    )
    assert loose == []
