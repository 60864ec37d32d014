"""Range checks at the boundary: every out-of-range option is one line and exit 2, before any
work starts and before anything is created on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.cli import main

REPO = Path(__file__).resolve().parents[1]
TRACK = str(REPO / "tests" / "fixtures" / "tracks" / "squat_side_be.npz")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--max-side", "-5"], "argument --max-side: -5 is out of range; use 64 to 8192 pixels"),
        (["--max-side", "0"], "argument --max-side: 0 is out of range"),
        (["--max-side", "1" + "0" * 5000], "argument --max-side: '1000"),
        (["--workers", "0"], "argument --workers: 0 is out of range"),
        (["--workers", "-1"], "argument --workers: -1 is out of range"),
        (["--workers", "100"], "argument --workers: 100 is out of range"),
        (["--exercise", ""], "argument --exercise: needs an exercise id"),
        (["--exercise", "   "], "argument --exercise: needs an exercise id"),
    ],
)
def test_analyze_options_out_of_range(capsys, args: list[str], needle: str) -> None:  # noqa: ANN001
    code, err = _run(["analyze", TRACK, *args], capsys)
    assert code == 2 and needle in err


def test_landmarks_into_a_folder_is_refused_before_tracking(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, err = _run(["analyze", TRACK, "--landmarks", str(tmp_path)], capsys)
    assert code == 2 and "is a folder; give a file name" in err
    assert list(tmp_path.iterdir()) == [] and not Path(f"{tmp_path}.npz").exists()


@pytest.mark.parametrize(
    ("name", "needle"), [("x", "must end in .npz"), ("no/such/x.npz", "does not exist")]
)
def test_landmarks_name_is_checked_first(tmp_path: Path, capsys, name: str, needle: str) -> None:  # noqa: ANN001
    code, err = _run(["analyze", TRACK, "--landmarks", str(tmp_path / name)], capsys)
    assert code == 2 and needle in err and list(tmp_path.iterdir()) == []


def test_landmarks_to_a_good_file_still_works(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "t.npz"
    code, _err = _run(["analyze", TRACK, "--landmarks", str(out)], capsys)
    assert code == 0 and out.stat().st_size > 0


@pytest.mark.parametrize(
    "cmd",
    [["list"], ["export", "--json", "OUT"], ["report", "--to", "2026-01-02", "--out", "OUT/r.pdf"]],
)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_history_dates_out_of_range(
    tmp_path: Path, monkeypatch, capsys, cmd: list[str], day: str
) -> None:  # noqa: ANN001
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    argv = ["history", *[c.replace("OUT", str(tmp_path / "out")) for c in cmd], "--from", day]
    code, err = _run(argv, capsys)
    assert code == 2 and f"argument --from: {day} is out of range" in err
    assert sorted(tmp_path.iterdir()) == []  # nothing created: no history, no output folder


def test_history_edge_dates_in_range_work(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    code, _ = _run(["history", "list", "--from", "1900-01-01", "--to", "2999-12-31"], capsys)
    assert code == 0


@pytest.mark.parametrize(
    ("db", "needle"),
    [
        ("typo/dir/h.sqlite3", "the folder"),
        (".", "is a folder"),
        ("missing.sqlite3", "no such file"),
    ],
)
def test_history_db_typo_creates_nothing(
    tmp_path: Path, monkeypatch, capsys, db: str, needle: str
) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    code, err = _run(["history", "--db", str(tmp_path / db), "list"], capsys)
    assert code == 2 and needle in err
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"this is not a database\n" * 50, "is not a coach history"),
        (b'{"schema": "coach.session/1"}', "is not a coach history"),
    ],
)
def test_history_db_that_is_not_a_database(
    tmp_path: Path, capsys, content: bytes, needle: str
) -> None:  # noqa: ANN001
    db = tmp_path / "h.sqlite3"
    db.write_bytes(content)
    code, err = _run(["history", "--db", str(db), "list"], capsys)
    assert code == 2 and needle in err and db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite3"]


def test_history_db_that_is_a_device(capsys) -> None:  # noqa: ANN001
    code, err = _run(["history", "--db", "/dev/null", "list"], capsys)
    assert code == 2 and "is not a regular file" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bench", "--frames", "-1"], "argument --frames: -1 is out of range"),
        (["bench", "--frames", "9" * 5000], "argument --frames:"),
        (["bench", "--live-seconds", "nan"], "argument --live-seconds: nan is out of range"),
        (["bench-monitor", "--rate", "0"], "argument --rate: 0 is out of range"),
        (["bench-monitor", "--minutes", "-5"], "argument --minutes: -5 is out of range"),
        (["bench-monitor", "--hold-s", "1e400"], "argument --hold-s: 1e400 is out of range"),
    ],
)
def test_devtools_options_out_of_range(capsys, argv: list[str], needle: str) -> None:  # noqa: ANN001
    code, err = _run(argv, capsys)  # rejected while parsing: the model never loads
    assert code == 2 and needle in err
