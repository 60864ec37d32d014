"""Property-based fuzzing of the whole command line and the import formats.

For every subcommand the parser knows (walked from :func:`coach.cli.build_parser`, so a new
command or option is fuzzed without editing this file), hypothesis builds argument lists from
hostile values: numbers out of range, huge, negative, NaN; dates in year 1 or 9999; paths that
are missing, folders, empty, binary, UTF-16, or good files; empty and odd strings. Each run must

* end with exit status 0 or 2 (argparse's ``--help`` is 0, a usage error 2);
* finish within :data:`LIMIT_S` seconds;
* never print a traceback (stdout, stderr, or a log record shown on the console);
* leave the history database exactly as it was, unless the command is one that records;
* when it exits 0 and says "wrote PATH", leave a non-empty file at PATH.

Commands that would start the desktop app, open a camera, run the pose model on footage, reach
the network or take minutes (bench, evaluate, screenshots...) are fuzzed up to the end of option
parsing only: their options are checked, their work is not run. No clip is ever given to
``analyze``: the value pool holds no video, so the pose model never runs here.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.cli import build_parser, main
from tests.conftest import fuzz_examples

REPO = Path(__file__).resolve().parents[1]
TRACK = REPO / "tests" / "fixtures" / "tracks" / "squat_side_be.npz"
ROUTINE = REPO / "exercises" / "routines" / "clbp_starter.yaml"
LIMIT_S = 30.0
#: Run these for real. Everything else is parsed only (see the module docstring).
RUN = {
    ("analyze",),
    ("exercises",),
    ("models", "status"),
    ("ergonomics", "rula"),
    ("ergonomics", "reba"),
    ("ergonomics", "niosh"),
    ("routine", "check"),
    ("routine", "schema"),
    ("routine", "show"),
    ("routine", "handout"),
    ("history", "list"),
    ("history", "export"),
    ("history", "report"),
    ("history", "import"),
}
#: Commands that record into the history: the only ones allowed to change it.
WRITERS = {("session",)}


# -- the parser, walked ---------------------------------------------------------------------------


def _commands(
    p: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    found = {path: p}
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                found.update(_commands(sub, (*path, name)))
    return found


PARSER = build_parser()
COMMANDS = _commands(PARSER)


def _parents(path: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [path[:i] for i in range(len(path))]


# -- hostile values -------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from(
        ["1", "2", "4", "10", "30", "45.5", "90", "640", "1280"]
    ),  # plausible: reach the work
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "0",
            "-0",
            "-1",
            "1e400",
            "-1e400",
            "nan",
            "inf",
            "1" + "0" * 5000,
            "",
            " ",
            "0x10",
            "1_000",
            "½",
        ]
    ),
)
DATES = st.one_of(
    st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(str),  # plausible: reach the work
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.sampled_from(
        ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "", "today", "1e400"]
    ),
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "mini_squat", "glute_bridge", "bird_dog", "-", "--", "..", "\x00", "é" * 300]
    ),
)


def _pool(root: Path) -> dict[str, list[str]]:
    """Paths the fuzzer may pass: inputs (files of every kind) and outputs (new, folder, no folder)."""
    files = root / "files"
    files.mkdir()
    (files / "empty.json").write_bytes(b"")
    (files / "garbage.bin").write_bytes(os.urandom(2048))
    (files / "utf16.yaml").write_bytes(ROUTINE.read_text(encoding="utf-8").encode("utf-16"))
    (files / "deep.json").write_text("[" * 50_000, encoding="utf-8")
    (files / "bigint.json").write_text(
        '{"schema": "coach.session/1", "n": ' + "9" * 5000 + "}", encoding="utf-8"
    )
    (files / "dup.yaml").write_text("id: a\nid: b\n", encoding="utf-8")
    shutil.copy(ROUTINE, files / "routine.yaml")
    shutil.copy(TRACK, files / "track.npz")
    good = {
        "schema": "coach.session/1",
        "routine": {"id": "r"},
        "session_id": "s",
        "status": "completed",
        "start": "2026-11-01T17:00:00+00:00",
        "end": "2026-11-01T17:10:00+00:00",
        "pain": {"pre": 2},
    }
    (files / "results.json").write_text(json.dumps(good), encoding="utf-8")
    (files / "pain99.json").write_text(json.dumps({**good, "pain": {"pre": 99}}), encoding="utf-8")
    (files / "nan.json").write_text(
        json.dumps({**good, "device": {"x": float("nan")}}), encoding="utf-8"
    )
    (files / "empty_dir").mkdir()
    inputs = [str(p) for p in sorted(files.iterdir())] + [
        str(files / "missing.yaml"),
        str(root / "no" / "such" / "x.json"),
    ]
    out = root / "out"
    out.mkdir()
    outputs = [
        str(out / "r.pdf"),
        str(out / "t.npz"),
        str(out / "b.json"),
        str(out / "csv"),
        str(out),
        str(root / "no" / "dir" / "o.pdf"),
        str(out / "x"),
    ]
    return {"in": inputs, "out": outputs}


def _kind(action: argparse.Action) -> str:
    t = action.type
    name = getattr(t, "__name__", "") if t is not None else ""
    dest = action.dest
    if (
        dest in ("out", "csv", "json", "fhir", "landmarks")
        and action.option_strings
        and action.nargs != 0
    ):
        return "out"
    if name in ("_date",):
        return "date"
    if name in ("int", "float", "_max_side", "_workers", "_pain", "_duration") or dest in (
        "frames",
        "minutes",
        "rate",
    ):
        return "number"
    if name in ("Path", "_db_path") or dest in (
        "video",
        "file",
        "files",
        "input",
        "routine",
        "source",
        "media",
        "tracks",
        "clip",
    ):
        return "in"
    return "text"


def _value(action: argparse.Action, pool: dict[str, list[str]]) -> st.SearchStrategy[str]:
    if action.choices is not None and not isinstance(action.choices, dict):
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), TEXT)
    kind = _kind(action)
    if kind == "date":
        return DATES
    if kind == "number":
        return NUMBERS
    if kind in ("in", "out"):
        return st.one_of(
            st.sampled_from(pool[kind]), st.sampled_from(pool["in" if kind == "out" else "out"])
        )
    if action.dest == "size":
        return st.one_of(st.sampled_from(["1366x768", "0x0", "99999x1", "x", "-1x-1"]), TEXT)
    return TEXT


@st.composite
def invocations(draw: st.DrawFn, pool: dict[str, list[str]], path: tuple[str, ...]) -> list[str]:
    argv: list[str] = []
    for depth, prefix in enumerate([*_parents(path), path]):
        if depth:
            argv.append(prefix[-1])
        for a in COMMANDS[prefix]._actions:
            if isinstance(
                a, (argparse._SubParsersAction, argparse._HelpAction, argparse._VersionAction)
            ):
                continue
            if not a.option_strings:
                if prefix != path:
                    continue
                n = {
                    None: 1,
                    "?": draw(st.integers(0, 1)),
                    "*": draw(st.integers(0, 2)),
                    "+": draw(st.integers(1, 2)),
                }.get(a.nargs, 1)  # type: ignore[arg-type]
                argv += [draw(_value(a, pool)) for _ in range(int(n))]
                continue
            if not (a.required or draw(st.booleans())):
                continue
            flag = draw(st.sampled_from(a.option_strings))
            if a.nargs == 0:
                argv.append(flag)
            else:
                argv += [flag, draw(_value(a, pool))]
    if draw(st.integers(0, 30)) == 0:
        argv.append("--help")
    return argv


# -- running one invocation -----------------------------------------------------------------------


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:  # noqa: ARG001
    raise _Timeout


class _Console(logging.Handler):
    """What the console would show: records at WARNING and above, with their tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _command_of(argv: list[str]) -> tuple[str, ...]:
    path: tuple[str, ...] = ()
    for word in argv:
        if (*path, word) in COMMANDS:
            path = (*path, word)
    return path


def _digest(folder: Path) -> dict[str, str]:
    return (
        {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.is_file()
        }
        if folder.exists()
        else {}
    )


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run ``coach argv`` in-process: (exit status, stdout, stderr + console log)."""
    out, err = io.StringIO(), io.StringIO()
    console = _Console()
    logging.getLogger().addHandler(console)
    command = _command_of(argv)
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, LIMIT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                if command in RUN:
                    code = main(argv)
                else:
                    PARSER.parse_args(argv)  # options only: see the module docstring
                    code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except _Timeout:
        pytest.fail(f"coach {' '.join(argv)!r} took more than {LIMIT_S:g} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        logging.getLogger().removeHandler(console)
    return int(code), out.getvalue(), err.getvalue() + "\n".join(console.lines)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A history with sessions in it, settings, and the pool of paths."""
    from coach.core.engine import RepRecord
    from coach.store.history import open_history

    root = tmp_path_factory.mktemp("fuzz")
    data = root / "data"
    h, _ = open_history(data / "history.sqlite3")
    t0 = datetime(2026, 11, 1, 17, 0, tzinfo=timezone.utc)
    for k in range(3):
        rec = h.recorder()
        rec.start_session("clbp-starter-template", 1, when=t0 + timedelta(days=k))
        rec.record_pain(2, "before", when=t0 + timedelta(days=k))
        rec.start_exercise("glute_bridge", position=1, reps_planned=3, when=t0 + timedelta(days=k))
        for i in range(1, 4):
            rec.record_rep(RepRecord(i, 3.0 * i, 3.0 * i + 2, 12.0, 20.0, 0.0, (), ()))
        rec.end_exercise({"reps": 3}, when=t0 + timedelta(days=k, minutes=2))
        rec.end_session("completed", when=t0 + timedelta(days=k, minutes=3))
    h._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    h.close()
    return {"root": root, "data": data, "pool": _pool(root)}


@pytest.fixture
def isolated(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("COACH_DATA_DIR", str(world["data"]))
    monkeypatch.setenv("COACH_CONFIG_DIR", str(world["root"] / "config"))
    monkeypatch.setenv("COACH_OFFLINE", "1")
    monkeypatch.setenv("COACH_WORKERS", "1")
    monkeypatch.chdir(world["root"])
    return world


_WROTE = re.compile(r"^wrote (\S+?)(?::|$)", re.MULTILINE)


def _check(argv: list[str], world: dict[str, Any]) -> None:
    before = _digest(world["data"])
    code, out, err = run(argv)
    shown = f"coach {argv!r} -> {code}\n{out[-2000:]}\n{err[-2000:]}"
    assert code in (0, 2), shown
    assert "Traceback" not in out and "Traceback" not in err, shown
    if _command_of(argv) not in WRITERS:
        assert _digest(world["data"]) == before, f"the history changed: {shown}"
    if code == 0 and not {"-h", "--help"} & set(argv):
        written = [Path(m.group(1)) for m in _WROTE.finditer(out)]
        if _command_of(argv) == ("history", "export"):  # one written file a line
            written += [Path(line) for line in out.splitlines() if line.startswith("/")]
        for target in written:
            assert target.is_file() and target.stat().st_size > 0, (
                f"said it wrote {target}: {shown}"
            )


#: Examples per command (``COACH_FUZZ_EXAMPLES`` raises it for a longer hunt). The default keeps
#: the whole module to about a minute on a busy 2-core machine.
EXAMPLES = fuzz_examples(int(os.environ.get("COACH_FUZZ_EXAMPLES", "20")))


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS), ids=lambda p: " ".join(p) or "coach")
def test_every_command_with_hostile_options(
    isolated: dict[str, Any], command: tuple[str, ...]
) -> None:
    @settings(
        max_examples=EXAMPLES if command in RUN else 3 * EXAMPLES,
        deadline=None,
        database=None,  # reproducible in CI: the same examples for the same code
        derandomize=not os.environ.get("COACH_FUZZ_RANDOM"),
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(argv=invocations(isolated["pool"], command))
    def fuzz(argv: list[str]) -> None:
        _check(argv, isolated)

    fuzz()


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "coach")
def test_every_command_answers_help(isolated: dict[str, Any], path: tuple[str, ...]) -> None:
    """Every subcommand is reachable and documented (and the walk above really finds them)."""
    code, out, _err = run([*path, "--help"])
    assert code == 0 and "usage: coach" in out


@pytest.mark.parametrize(
    "name",
    [
        "empty.json",
        "garbage.bin",
        "deep.json",
        "bigint.json",
        "pain99.json",
        "nan.json",
        "utf16.yaml",
        "empty_dir",
        "missing.yaml",
    ],
)
def test_import_of_every_hostile_file_is_one_line(
    isolated: dict[str, Any], tmp_path: Path, name: str
) -> None:
    _pool(tmp_path)  # fresh copies: the fuzzing above may have written over the shared ones
    path = tmp_path / "files" / name
    code, _out, err = run(["history", "import", str(path)])
    assert code == 2 and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("coach:")]) == 1, err


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(
        ["2026-11-01T17:00:00+00:00", "0001-01-01T00:00:00+00:00", "coach.session/1", "Bundle"]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "schema",
                    "resourceType",
                    "entry",
                    "resource",
                    "start",
                    "end",
                    "pain",
                    "pre",
                    "items",
                    "reps_counted",
                    "value",
                    "valueQuantity",
                    "session_id",
                    "routine",
                    "status",
                    "sets",
                    "reps",
                    "start_s",
                    "end_s",
                    "faults",
                    "count",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@pytest.mark.slow
@settings(
    max_examples=12 * EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("COACH_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=json_values)
def test_import_formats_never_crash(isolated: dict[str, Any], doc: Any) -> None:
    """Arbitrary JSON shaped like a results file or a FHIR Bundle: read, or one line and exit 2."""
    from coach.reports.results import RESULTS_SCHEMA

    if isinstance(doc, dict) and "schema" in doc and doc["schema"] is None:
        doc["schema"] = RESULTS_SCHEMA
    path = isolated["root"] / "out" / "fuzz.json"
    path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    _check(["history", "import", str(path)], isolated)


@pytest.fixture(scope="module")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200-frame synthetic clip (enough for the parallel path), made here: no footage needed."""
    import cv2
    import numpy as np

    path = tmp_path_factory.mktemp("video") / "grey.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (96, 64))
    for i in range(200):
        w.write(np.full((64, 96, 3), 60 + i % 100, np.uint8))
    w.release()
    assert path.stat().st_size > 0
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("model", ["folder", "missing", "garbage", "not installed"])
def test_analyze_with_an_unusable_model_ends_at_once(
    isolated: dict[str, Any],
    small_video: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    workers: str,
    model: str,
) -> None:
    """The model is checked before any worker starts: one line, exit 2, no hang, no temp folders."""
    import tempfile

    target = tmp_path / "pose_landmarker_full.task"
    if model == "folder":
        target.mkdir()
    elif model == "garbage":
        target.write_bytes(b"not a model" * 100)
    if model == "not installed":  # an empty cache, offline: no way to get or rebuild it
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        monkeypatch.delenv("COACH_POSE_MODEL", raising=False)
    else:
        monkeypatch.setenv("COACH_POSE_MODEL", str(target))
    before = set(Path(tempfile.gettempdir()).glob("coach-mpwheel-*"))
    code, _out, err = run(["analyze", str(small_video), "--workers", workers])
    assert code == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("coach:")]
    assert len(lines) == 1 and ("is unusable because" in lines[0] or "not installed" in lines[0]), (
        err
    )
    assert "network" not in err and "pip" not in err  # COACH_OFFLINE=1: no advice to download
    assert set(Path(tempfile.gettempdir()).glob("coach-mpwheel-*")) <= before
