"""The SQLite history: what is written reads back; migrations upgrade old files; a corrupt,
locked, read-only or newer file never stops the app; and a process killed mid-session loses
no rep it had reported as saved."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coach.core.engine import HoldRecord, RepRecord
from coach.store.history import (
    SCHEMA_VERSION,
    History,
    default_history_path,
    migrate,
    open_history,
)

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)


def _local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm).astimezone()


@pytest.fixture
def history(tmp_path: Path) -> History:
    h, warning = open_history(tmp_path / "history.sqlite3")
    assert warning is None
    yield h
    h.close()


def _session(
    h: History, *, when: datetime = T0, reps: int = 3, pain: tuple[int, int] = (2, 3)
) -> str:
    rec = h.recorder()
    sid = rec.start_session(
        "clbp-starter-template", 1, when=when, app_version="0.1.0", device={"camera": "1280x720@30"}
    )
    rec.record_pain(pain[0], "before", when=when)
    rec.start_exercise(
        "glute_bridge",
        position=3,
        side="both",
        sets_planned=1,
        reps_planned=reps,
        hold_s_planned=5,
        when=when,
    )
    rec.start_set(when=when)
    for i in range(1, reps + 1):
        rec.record_rep(
            RepRecord(
                i,
                3.0 * i,
                3.0 * i + 2.5,
                12.0,
                20.0 + i,
                4.5,
                ("over_arching",) if i == 2 else (),
                (),
            )
        )
    rec.end_set(partial_reps=1)
    rec.end_exercise(
        {
            "reps": reps,
            "partial_reps": 1,
            "faults": {"over_arching": 1},
            "not_visible_s": 0.4,
            "cues": [{"t": 6.0, "fault": "over_arching", "text": "Do not arch your back."}],
        },
        fault_info={"over_arching": ("amber", None)},
        when=when + timedelta(minutes=4),
    )
    rec.record_pain(pain[1], "after_exercise", when=when + timedelta(minutes=5))
    rec.start_exercise(
        "pelvic_tilt",
        position=2,
        sets_planned=1,
        reps_planned=2,
        hold_s_planned=5,
        when=when + timedelta(minutes=6),
    )
    rec.record_hold(HoldRecord(1, 10.0, 15.5, 5.2, 0.3, ()))
    rec.record_hold(HoldRecord(2, 20.0, 25.0, 4.9, 0.0, ("hips_lifting",)))
    rec.end_exercise(
        {"reps": 0, "holds": [5.2, 4.9], "faults": {"hips_lifting": 1}},
        when=when + timedelta(minutes=8),
    )
    rec.end_session("completed", when=when + timedelta(minutes=10))
    return sid


def test_write_and_read_back(history: History) -> None:
    sid = _session(history)
    s = history.session(sid)
    assert s.status == "completed" and s.classification == "green"
    assert s.routine_id == "clbp-starter-template" and s.routine_version == 1
    assert s.device == {"camera": "1280x720@30"} and s.app_version == "0.1.0"
    assert s.duration_s == 600
    bridge, tilt = history.exercise_results(sid)
    assert (bridge.exercise_id, bridge.reps, bridge.partial_reps, bridge.position) == (
        "glute_bridge",
        3,
        1,
        3,
    )
    assert bridge.not_visible_s == pytest.approx(0.4)
    reps = history.reps(bridge.id)
    assert [r.index for r in reps] == [1, 2, 3]
    assert reps[1].faults == ("over_arching",) and reps[0].faults == ()
    assert reps[2].range_deg == pytest.approx(23.0) and reps[0].hold_s == pytest.approx(4.5)
    sets = history.sets(bridge.id)
    assert len(sets) == 1 and sets[0].reps == 3 and sets[0].partial_reps == 1
    assert all(r.set_id == sets[0].id for r in reps)
    (fault,) = history.faults(bridge.id)
    assert (fault.fault_id, fault.count, fault.severity, fault.cue) == (
        "over_arching",
        1,
        "amber",
        "Do not arch your back.",
    )
    holds = history.holds(tilt.id)
    assert [h.seconds for h in holds] == [5.2, 4.9] and holds[1].faults == ("hips_lifting",)
    assert tilt.holds == 2 and tilt.hold_s_total == pytest.approx(10.1)
    pains = history.pain_ratings(sid)
    assert [(p.context, p.value) for p in pains] == [("before", 2), ("after_exercise", 3)]
    assert pains[1].exercise_result_id == bridge.id
    assert history.integrity_ok()


def test_summary_fills_in_reps_not_recorded_live(history: History) -> None:
    rec = history.recorder()
    sid = rec.start_session("r")
    rec.start_exercise("mini_squat")
    detail = [
        {
            "index": i,
            "start": i,
            "end": i + 1.5,
            "range": 40.0,
            "peak": 50.0,
            "hold_s": 0,
            "faults": [],
            "flags": ["too_fast"],
        }
        for i in range(1, 5)
    ]
    rec.end_exercise(
        {"reps": 4, "partial_reps": 0, "reps_detail": detail, "holds_detail": [], "faults": {}}
    )
    rec.end_session("completed")
    (er,) = history.exercise_results(sid)
    reps = history.reps(er.id)
    assert len(reps) == 4 and reps[0].flags == ("too_fast",) and reps[0].range_deg == 40.0


def test_pain_is_validated(history: History) -> None:
    rec = history.recorder()
    rec.start_session("r")
    for bad in (-1, 11, 3.5, True):
        with pytest.raises(ValueError, match="pain is an integer from 0 to 10"):
            rec.record_pain(bad, "on_demand")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pain context must be one of"):
        rec.record_pain(3, "whenever")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"start_exercise\(\) first"):
        rec.record_rep({"index": 1})


def test_spreading_pain_makes_the_session_red(history: History) -> None:
    rec = history.recorder()
    sid = rec.start_session("r")
    rec.record_pain(2, "before")
    rec.record_pain(3, "on_demand", spreading_down_leg=True)
    assert rec.end_session(status="stopped_early") == "red"
    assert history.session(sid).status == "stopped_early"


def test_a_failing_write_is_reported_not_raised(history: History) -> None:
    rec = history.recorder()
    rec.start_session("r")
    rec.start_exercise("glute_bridge")
    history._conn.close()  # the file went away under us
    assert rec.record_rep({"index": 1, "start": 0.0, "end": 1.0}) is None
    assert rec.error and "could not save a rep" in rec.error


def test_posture_time_adds_up(history: History) -> None:
    from datetime import date

    day = date(2026, 11, 20)
    history.add_posture_time(day, {"upright": 60.0, "slumped": 30.0}, breaks=1)
    d = history.add_posture_time(day, {"upright": 60.0, "head_forward": 15.0}, alerts=2)
    assert d.seconds == {"upright": 120.0, "slumped": 30.0, "head_forward": 15.0}
    assert (d.breaks, d.alerts, d.monitored_s) == (1, 2, 165.0)
    assert history.posture_days(day, day) == [d]


def test_progression_events(history: History) -> None:
    eid = history.add_progression_event(
        "glute_bridge",
        "progress",
        "Because.",
        routine_id="r",
        before={"reps": 8},
        after={"reps": 9},
    )
    (e,) = history.progression_events(routine_id="r")
    assert (e.id, e.kind, e.before, e.after, e.reason) == (
        eid,
        "progress",
        {"reps": 8},
        {"reps": 9},
        "Because.",
    )


def test_sessions_by_local_date_range(history: History) -> None:
    _session(history, when=_local(2026, 11, 10, 23, 30))
    _session(history, when=_local(2026, 11, 11, 0, 30))
    from datetime import date

    assert len(history.sessions(date(2026, 11, 10), date(2026, 11, 10))) == 1
    assert len(history.sessions(date(2026, 11, 11), date(2026, 11, 11))) == 1
    assert len(history.sessions(date(2026, 11, 1), None)) == 2


# ---------------------------------------------------------------------------------------------
# Next-morning check (DOMAIN §5.1)


def test_next_morning_check(history: History) -> None:
    sid = _session(history, when=_local(2026, 11, 20, 19, 0))
    assert history.pending_next_morning_check(_local(2026, 11, 20, 22, 0)) is None  # same day
    assert history.pending_next_morning_check(_local(2026, 11, 21, 3, 0)) is None  # too early
    due = history.pending_next_morning_check(_local(2026, 11, 21, 8, 0))
    assert due is not None and due.session_id == sid and (due.pain_before, due.pain_after) == (2, 3)
    assert history.pending_next_morning_check(_local(2026, 11, 22, 8, 0)) is None  # too late to ask
    history.record_next_morning(sid, 2, stiffness=3, when=_local(2026, 11, 21, 8, 1))
    assert history.pending_next_morning_check(_local(2026, 11, 21, 9, 0)) is None
    assert [(p.context, p.value, p.stiffness) for p in history.pain_ratings(sid)][-1] == (
        "next_morning",
        2,
        3,
    )


def test_next_morning_check_asks_once_for_the_last_session_and_respects_opt_out(
    history: History,
) -> None:
    _session(history, when=_local(2026, 11, 20, 9, 0))
    last = _session(history, when=_local(2026, 11, 20, 18, 0))
    due = history.pending_next_morning_check(_local(2026, 11, 21, 7, 0))
    assert due is not None and due.session_id == last
    rec = history.recorder()
    rec.start_session("r", next_morning_check=False, when=_local(2026, 11, 21, 18, 0))
    rec.end_session("completed", when=_local(2026, 11, 21, 18, 20))
    assert history.pending_next_morning_check(_local(2026, 11, 22, 7, 0)) is None


# ---------------------------------------------------------------------------------------------
# Schema migrations


def test_upgrades_a_version_1_database(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute(
        "INSERT INTO sessions (id, routine_id, routine_version, started_at, ended_at, status) "
        "VALUES ('s1', 'r', 2, '2025-01-14T18:31:05.000+00:00', '2025-01-14T18:52:40.000+00:00', 'completed')"
    )
    conn.execute(
        "INSERT INTO exercise_results (id, session_id, exercise_id, started_at, reps, summary_json) "
        "VALUES (7, 's1', 'glute_bridge', '2025-01-14T18:32:00.000+00:00', 8, '{\"faults\": {\"over_arching\": 2}}')"
    )
    conn.execute(
        "INSERT INTO reps (exercise_result_id, rep_index, start_s, end_s, range_deg, faults, recorded_at) "
        "VALUES (7, 1, 1.0, 3.0, 25.0, '[\"over_arching\"]', '2025-01-14T18:32:03.000+00:00')"
    )
    conn.execute(
        "INSERT INTO pain_ratings (session_id, recorded_at, context, value) VALUES ('s1', '2025-01-14T18:31:05.000+00:00', 'before', 3)"
    )
    conn.close()

    h, warning = open_history(path)
    assert warning is None
    assert h.schema_version == SCHEMA_VERSION == 3
    s = h.session("s1")
    assert s.status == "completed" and s.classification is None and s.next_morning_check
    (er,) = h.exercise_results("s1")
    assert er.reps == 8 and er.summary == {"faults": {"over_arching": 2}}
    assert [(f.fault_id, f.count) for f in h.faults(7)] == [
        ("over_arching", 2)
    ]  # lifted from summary_json
    (rep,) = h.reps(7)
    assert rep.set_id is None and rep.faults == ("over_arching",)
    assert h.pain_ratings("s1")[0].stiffness is None
    _session(h)  # the new tables work
    assert h.integrity_ok()
    h.close()
    # opening again is a no-op
    h2, _ = open_history(path)
    assert h2.schema_version == SCHEMA_VERSION and len(h2.sessions()) == 2
    h2.close()


def test_a_newer_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    h, _ = open_history(path)
    _session(h)
    h._conn.execute("PRAGMA user_version = 99")
    h.close()
    before = path.read_bytes()
    h2, warning = open_history(path)
    assert warning is not None and "newer version" in warning
    assert not h2.persistent
    _session(h2)  # still usable, in memory
    h2.close()
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Corrupt, locked, read-only


def test_garbage_file_is_backed_up_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not a database at all\n" * 400
    path.write_bytes(garbage)
    h, warning = open_history(path, now=datetime(2026, 11, 21, 12, 30, 5))
    assert (
        warning is not None
        and "damaged" in warning
        and "history.corrupt-20261121-123005.sqlite3" in warning
    )
    backup = tmp_path / "history.corrupt-20261121-123005.sqlite3"
    assert backup.read_bytes() == garbage  # kept, byte for byte
    assert h.persistent and h.sessions() == []
    _session(h)
    h.close()
    h2, warning2 = open_history(path)
    assert warning2 is None and len(h2.sessions()) == 1
    h2.close()


def test_damaged_pages_are_detected_and_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    h, _ = open_history(path)
    for k in range(30):
        _session(h, when=T0 + timedelta(days=k), reps=20)
    h._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    h.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    rng = random.Random(7)
    for page in range(2, len(data) // 4096):  # keep the header page, scribble over the rest
        for _ in range(64):
            data[page * 4096 + rng.randrange(4096)] = rng.randrange(256)
    path.write_bytes(bytes(data))
    h2, warning = open_history(path, now=datetime(2026, 11, 21, 9, 0, 0))
    assert warning is not None and "damaged" in warning
    assert (tmp_path / "history.corrupt-20261121-090000.sqlite3").read_bytes() == bytes(data)
    assert h2.sessions() == []
    h2.close()


def test_locked_database_falls_back_to_memory_with_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    h, _ = open_history(path)
    _session(h)
    h.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        h2, warning = open_history(path, timeout=0.2)
        assert warning is not None and "in use by another program" in warning
        assert not h2.persistent
        _session(h2)
        h2.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    h3, warning3 = open_history(path)
    assert warning3 is None and len(h3.sessions()) == 1  # the in-memory session was not saved
    h3.close()


def test_unwritable_location_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data folder should be")
    h, warning = open_history(blocker / "coach" / "history.sqlite3")
    assert warning is not None and "cannot be written" in warning
    assert not h.persistent
    _session(h)
    assert len(h.sessions()) == 1
    h.close()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write read-only files"
)
def test_read_only_file_falls_back_to_memory_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    h, _ = open_history(path)
    _session(h)
    h._conn.execute("PRAGMA journal_mode = DELETE")
    h.close()
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        h2, warning = open_history(path)
        assert warning is not None and not h2.persistent
        assert len(h2.sessions()) == 1
        h2.close()
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


def test_read_only_fallback_copies_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root can write anything, so the read-only case is also driven through the same error
    path directly: the fallback must carry a readable copy of the history."""
    from coach.store import history as mod

    path = tmp_path / "history.sqlite3"
    h, _ = open_history(path)
    sid = _session(h)
    h.close()

    def refuse(cls: type, p: object, **kw: object) -> History:
        raise mod.UnavailableHistoryError("attempt to write a readonly database")

    monkeypatch.setattr(mod.History, "open", classmethod(refuse))
    h2, warning = open_history(path)
    assert (
        warning is not None
        and "cannot be written (attempt to write a readonly database)" in warning
    )
    assert not h2.persistent and [s.id for s in h2.sessions()] == [sid]
    assert len(h2.reps(session_id=sid)) == 3
    h2.close()


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "d"))
    assert default_history_path() == tmp_path / "d" / "history.sqlite3"
    h, warning = open_history()
    assert warning is None and h.path == tmp_path / "d" / "history.sqlite3"
    h.close()
    monkeypatch.delenv("COACH_DATA_DIR")
    assert default_history_path().name == "history.sqlite3"


def test_a_session_whose_process_died_is_interrupted_at_the_next_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "h.sqlite3"
    h, _ = open_history(path)
    rec = h.recorder()
    rec.start_session("r", when=T0)
    rec.start_exercise("glute_bridge", when=T0)
    rec.record_rep({"index": 1, "start": 0.0, "end": 2.0})
    h.close()
    # Still recording in this (live) process: another window must not mark it, however old.
    h2, _ = open_history(path, now=T0 + timedelta(hours=9))
    assert h2.sessions()[0].status == "in_progress"
    # The owner is a process that has exited: marked at once, not hours later.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    h2._conn.execute("UPDATE sessions SET owner_pid = ?", (int(dead.stdout),))
    h2.close()
    h3, _ = open_history(path, now=T0 + timedelta(minutes=5))
    s = h3.sessions()[0]
    assert s.status == "interrupted" and s.ended_at is not None
    assert h3.session_record(s.id)["exercises"][0]["reps"] == 1
    h3.close()


def test_sessions_of_unknown_owner_become_interrupted_after_six_hours(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    h, _ = open_history(path)
    rec = h.recorder()
    rec.start_session("r", when=T0)
    h._conn.execute("UPDATE sessions SET owner_pid = NULL, owner_host = NULL")  # an older coach
    h.close()
    h2, _ = open_history(path, now=T0 + timedelta(hours=1))
    assert h2.sessions()[0].status == "in_progress"  # might still be running in another window
    h2.close()
    h3, _ = open_history(path, now=T0 + timedelta(hours=7))
    assert h3.sessions()[0].status == "interrupted"
    h3.close()


# ---------------------------------------------------------------------------------------------
# Killed mid-session


CHILD = textwrap.dedent(
    """
    import sys
    from coach.store.history import History

    h = History.open(sys.argv[1])
    rec = h.recorder()
    sid = rec.start_session("kill-test", 1)
    print("session", sid, flush=True)
    rec.start_exercise("glute_bridge", sets_planned=1, reps_planned=10_000)
    i = 0
    while True:
        i += 1
        rid = rec.record_rep({"index": i, "start": float(i), "end": i + 0.5, "range": 20.0 + i % 7,
                              "peak": 1.0, "hold_s": 0.0, "faults": ["x"] if i % 3 == 0 else [], "flags": []})
        if rid is None:
            print("error", rec.error, flush=True)
            break
        print("rep", rid, i, flush=True)
        if i % 10 == 0:
            rec.record_pain(i % 11, "on_demand")
    """
)


def _run_and_kill(script: Path, db: Path, rng: random.Random) -> tuple[str, dict[int, int]]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db)], stdout=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("rep "):
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(60), f"the child never recorded a rep: {lines}"
        time.sleep(rng.uniform(0.02, 0.5))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        reader.join(30)
    assert proc.returncode == -signal.SIGKILL
    assert not any(x.startswith("error") for x in lines), lines
    sid = next(x.split()[1] for x in lines if x.startswith("session"))
    reps: dict[int, int] = {}
    for x in lines:
        parts = x.split()
        if len(parts) == 3 and parts[0] == "rep":  # a line cut by the kill is ignored
            reps[int(parts[1])] = int(parts[2])
    return sid, reps


def test_history_survives_a_process_killed_mid_session(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    db = tmp_path / "history.sqlite3"
    rng = random.Random(20261121)
    reported: dict[str, dict[int, int]] = {}
    for _ in range(5):
        sid, reps = _run_and_kill(script, db, rng)
        assert reps, "no rep was reported before the kill"
        reported[sid] = reps
        h, warning = open_history(db)
        assert warning is None, warning
        assert h.integrity_ok()
        stored = {r.id: r for r in h.reps(session_id=sid)}
        missing = set(reps) - set(stored)
        assert not missing, f"reps reported as saved but lost: {sorted(missing)[:10]}"
        assert all(stored[rid].index == idx for rid, idx in reps.items())
        # at most the rep being written when the process died is extra
        assert len(stored) - len(reps) <= 1
        h.close()
    h, _ = open_history(db, now=datetime.now(timezone.utc) + timedelta(hours=7))
    assert h.integrity_ok()
    assert {s.id for s in h.sessions()} == set(reported)
    assert all(s.status == "interrupted" for s in h.sessions())
    total = sum(len(v) for v in reported.values())
    assert len(h.reps()) >= total
    h.close()
