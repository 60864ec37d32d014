"""Salvage before replacing: a damaged history gives back every row that can still be read, the
damaged file is kept beside the new one, and commands that only read never move or change it."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coach.core.engine import RepRecord
from coach.store.history import History, open_history
from coach.store.salvage import open_history_readonly, salvage

T0 = datetime(2026, 11, 1, 17, 0, tzinfo=timezone.utc)
N_SESSIONS, N_REPS = 40, 25


def _fill(path: Path) -> History:
    h, warning = open_history(path)
    assert warning is None
    for k in range(N_SESSIONS):
        when = T0 + timedelta(days=k)
        rec = h.recorder()
        rec.start_session("clbp-starter-template", 1, when=when)
        rec.record_pain(2, "before", when=when)
        rec.start_exercise("glute_bridge", position=1, reps_planned=N_REPS, when=when)
        for i in range(1, N_REPS + 1):
            rec.record_rep(RepRecord(i, 3.0 * i, 3.0 * i + 2.0, 12.0, 20.0 + i, 0.0, (), ()))
        rec.end_exercise({"reps": N_REPS}, when=when + timedelta(minutes=3))
        rec.record_pain(3, "end", when=when + timedelta(minutes=4))
        rec.end_session("completed", when=when + timedelta(minutes=5))
    h._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return h


def _snapshot(h: History) -> tuple[list[str], list[tuple[str, int, float | None]]]:
    sessions = [s.id for s in h.sessions()]
    reps = [(sid, r.index, r.peak) for sid in sessions for r in h.reps(session_id=sid)]
    return sessions, reps


def _pages(path: Path, *names: str) -> list[int]:
    c = sqlite3.connect(path)
    try:
        return [
            int(r[0])
            for r in c.execute(
                f"SELECT pageno FROM dbstat WHERE name IN ({','.join('?' * len(names))}) AND pagetype = 'leaf'",
                names,
            )
        ]
    finally:
        c.close()


def _scribble(path: Path, pages: list[int], seed: int = 7) -> bytes:
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for page in pages:
        start = (page - 1) * 4096
        for i in range(start + 8, start + 4096):  # keep the page header; ruin every cell
            data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[bytes, list[str], list[tuple[str, int, float | None]]]:
    """One history written through the recorder (an fsync per rep: built once per module)."""
    path = tmp_path_factory.mktemp("template") / "history.sqlite3"
    h = _fill(path)
    sessions, reps = _snapshot(h)
    h._conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to copy
    h.close()
    assert len(sessions) == N_SESSIONS and len(reps) == N_SESSIONS * N_REPS
    return path.read_bytes(), sessions, reps


@pytest.fixture
def filled(tmp_path: Path, template) -> tuple[Path, list[str], list[tuple[str, int, float | None]]]:  # noqa: ANN001
    data, sessions, reps = template
    path = tmp_path / "history.sqlite3"
    path.write_bytes(data)
    return path, sessions, reps


def test_one_damaged_table_loses_nothing_else(tmp_path: Path, filled) -> None:  # noqa: ANN001
    """Random bytes in the pain ratings' pages: every session and every rep comes back."""
    path, sessions, reps = filled
    damaged = _scribble(path, _pages(path, "pain_ratings"))
    h, warning = open_history(path, now=datetime(2026, 12, 24, 9, 0, 0))
    backup = tmp_path / "history.corrupt-20261224-090000.sqlite3"
    assert backup.read_bytes() == damaged  # the damaged file is kept, byte for byte
    got_sessions, got_reps = _snapshot(h)
    assert got_sessions == sessions and got_reps == reps
    assert h.persistent and h.integrity_ok()
    assert warning is not None
    assert f"{N_SESSIONS} sessions and {N_SESSIONS * N_REPS} reps could still be read" in warning
    assert backup.name in warning and "copied into a new history" in warning
    h.close()
    h2, warning2 = open_history(path)  # the new file is healthy: no warning next time
    assert warning2 is None and _snapshot(h2) == (sessions, reps)
    h2.close()


def test_damaged_rep_pages_lose_only_the_reps_on_them(tmp_path: Path, filled) -> None:  # noqa: ANN001
    path, sessions, reps = filled
    leaves = _pages(path, "reps")
    hit = leaves[2:5]
    _scribble(path, hit)
    h, warning = open_history(path, now=datetime(2026, 12, 24, 9, 0, 0))
    got_sessions, got_reps = _snapshot(h)
    assert got_sessions == sessions  # the sessions table was not touched: all of it is back
    per_page = -(-len(reps) // len(leaves))
    assert len(reps) - len(hit) * per_page * 2 <= len(got_reps) < len(reps)
    assert set(got_reps) <= set(reps)  # nothing invented from the junk bytes
    assert warning is not None and f"{len(got_reps)} reps" in warning
    h.close()


def test_a_file_that_is_all_garbage_still_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database\n" * 1000)
    h, warning = open_history(path, now=datetime(2026, 12, 24, 9, 0, 0))
    assert warning is not None and "could not be read" in warning and h.sessions() == []
    h.close()


def test_salvage_drops_rows_whose_parent_is_lost(tmp_path: Path, filled) -> None:  # noqa: ANN001
    path, sessions, _reps = filled
    _scribble(path, _pages(path, "exercise_results"))
    dst = sqlite3.connect(":memory:", isolation_level=None)
    report = salvage(path, dst)
    assert report.sessions == N_SESSIONS and "exercise_results" in report.damaged_tables
    assert report.reps == 0 and report.orphans_dropped >= 1  # reps without their exercise
    assert dst.execute("PRAGMA foreign_key_check").fetchall() == []


def test_read_only_open_never_touches_a_damaged_file(tmp_path: Path, filled) -> None:  # noqa: ANN001
    path, sessions, reps = filled
    damaged = _scribble(path, _pages(path, "pain_ratings"))
    before = sorted(p.name for p in tmp_path.iterdir())
    h, warning = open_history_readonly(path)
    assert _snapshot(h) == (sessions, reps) and not h.persistent
    assert warning is not None and "damaged" in warning and "showing the" in warning
    h.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert path.read_bytes() == damaged


def test_history_list_never_moves_files(tmp_path: Path, filled, capsys) -> None:  # noqa: ANN001
    from coach.cli import main

    path, sessions, _reps = filled
    damaged = _scribble(path, _pages(path, "pain_ratings"))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["history", "--db", str(path), "list"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == N_SESSIONS and "damaged" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before and path.read_bytes() == damaged


def test_history_list_does_not_create_a_history(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from coach.cli import main

    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    assert main(["history", "list"]) == 0
    assert not (tmp_path / "data").exists()


def test_a_healthy_file_is_read_without_a_trace(tmp_path: Path, filled) -> None:  # noqa: ANN001
    path, sessions, reps = filled
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    h, warning = open_history_readonly(path)
    assert warning is None and _snapshot(h) == (sessions, reps)
    h.close()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_read_only_open_of_garbage_says_so_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database\n" * 1000)
    h, warning = open_history_readonly(path)
    assert h.sessions() == [] and warning is not None
    assert "cannot be read" in warning and "left as it is" in warning
    h.close()
    assert [p.name for p in tmp_path.iterdir()] == ["history.sqlite3"]
