"""CSV exports of the history for spreadsheets.

Safe to open: every cell that is text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading ``'`` (:func:`csv_cell`), so a spreadsheet never runs
a title, name or note as a formula; numbers stay numbers. Every file is read back
(:func:`_verify_csv`) before it is reported; the disclaimer is a comment line.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach.reports.files import DISCLAIMER, _output_dir, _replace, _tmp, _unreadable
from coach.store.history import History, utcnow
from coach.store.rows import ExerciseResultRow, PainRow, SessionRow

# ---------------------------------------------------------------------------------------------
# CSV


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet shows as text, never runs as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` (OWASP's advice for CSV injection); numbers — and text that is just a number, such as
    ``-5`` — stay as they are. ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _verify_csv(path: Path, header: Sequence[str], rows: int) -> None:
    """The CSV file exists, is not empty and parses back to the header and every row."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, str(exc)) from None
    if not got or got[0] != list(header) or len(got) - 1 != rows:
        raise _unreadable(path, f"expected a header and {rows} rows, found {max(0, len(got) - 1)}")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    tmp = _tmp(path)
    n = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in rows:
                w.writerow([csv_cell(v) for v in r])
                n += 1
        _verify_csv(tmp, header, n)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return _replace(tmp, path)


def _t(d: datetime | None) -> str | None:
    return None if d is None else d.isoformat()


# one header per file; the row builders below follow the same column order
_SESSIONS_HEADER = (
    "session_id",
    "routine_id",
    "routine_version",
    "started_at",
    "ended_at",
    "duration_s",
    "status",
    "classification",
    "pain_before",
    "pain_after",
    "pain_next_morning",
    "exercises",
    "reps_total",
    "holds_total",
    "stop_reason",
)
_EXERCISES_HEADER = (
    "session_id",
    "position",
    "exercise_id",
    "side",
    "sets_planned",
    "reps_planned",
    "hold_s_planned",
    "started_at",
    "ended_at",
    "reps",
    "partial_reps",
    "holds",
    "hold_s_total",
    "not_visible_s",
    "faults",
)
_REPS_HEADER = (
    "session_id",
    "exercise_id",
    "rep_id",
    "set_index",
    "rep_index",
    "start_s",
    "end_s",
    "duration_s",
    "range_deg",
    "peak",
    "hold_s",
    "faults",
    "flags",
    "recorded_at",
)
_HOLDS_HEADER = (
    "session_id",
    "exercise_id",
    "hold_id",
    "hold_index",
    "start_s",
    "end_s",
    "seconds",
    "not_visible_s",
    "faults",
)
_PAIN_HEADER = (
    "recorded_at",
    "session_id",
    "exercise_id",
    "context",
    "value",
    "spreading_down_leg",
    "stiffness",
)
_PROGRESSION_HEADER = (
    "created_at",
    "routine_id",
    "exercise_id",
    "kind",
    "before",
    "after",
    "reason",
)
_POSTURE_HEADER = ("day", "monitored_s", "seconds_by_state", "breaks", "alerts")


@dataclass(frozen=True)
class _Session:
    """One session with the pain ratings and exercise results every per-session file reads."""

    row: SessionRow
    pains: list[PainRow]
    results: list[ExerciseResultRow]


def _session_rows(sessions: Sequence[_Session]) -> list[list[Any]]:
    """``sessions.csv``: one row per session with its pain before/after/next morning and totals."""
    rows: list[list[Any]] = []
    for x in sessions:
        s, pains, results = x.row, x.pains, x.results
        before = [p.value for p in pains if p.context == "before"]
        after = [p.value for p in pains if p.context in ("end", "after_exercise")]
        morning = [p.value for p in pains if p.context == "next_morning"]
        rows.append(
            [
                s.id,
                s.routine_id,
                s.routine_version,
                _t(s.started_at),
                _t(s.ended_at),
                None if s.duration_s is None else round(s.duration_s, 1),
                s.status,
                s.classification,
                before[0] if before else None,
                after[-1] if after else None,
                morning[-1] if morning else None,
                len(results),
                sum(int(r.reps or 0) for r in results),
                sum(int(r.holds or 0) for r in results),
                s.stop_reason if s.status != "completed" else None,
            ]
        )
    return rows


def _exercise_rows(history: History, sessions: Sequence[_Session]) -> list[list[Any]]:
    """``exercises.csv``: one row per exercise performed, faults as ``id:count;...``."""
    rows: list[list[Any]] = []
    for x in sessions:
        for er in x.results:
            faults = ";".join(f"{f.fault_id}:{f.count}" for f in history.faults(er.id))
            rows.append(
                [
                    x.row.id,
                    er.position,
                    er.exercise_id,
                    er.side,
                    er.sets_planned,
                    er.reps_planned,
                    er.hold_s_planned,
                    _t(er.started_at),
                    _t(er.ended_at),
                    er.reps,
                    er.partial_reps,
                    er.holds,
                    er.hold_s_total,
                    er.not_visible_s,
                    faults,
                ]
            )
    return rows


def _rep_rows(history: History, sessions: Sequence[_Session]) -> list[list[Any]]:
    """``reps.csv``: one row per counted rep, with its set number and duration."""
    rows: list[list[Any]] = []
    for x in sessions:
        for er in x.results:
            set_index = {st.id: st.set_index for st in history.sets(er.id)}
            for r in history.reps(er.id):
                dur = None if r.start is None or r.end is None else round(r.end - r.start, 3)
                rows.append(
                    [
                        x.row.id,
                        er.exercise_id,
                        r.id,
                        set_index.get(r.set_id) if r.set_id else None,
                        r.index,
                        r.start,
                        r.end,
                        dur,
                        r.range_deg,
                        r.peak,
                        r.hold_s,
                        ";".join(r.faults),
                        ";".join(r.flags),
                        _t(r.recorded_at),
                    ]
                )
    return rows


def _hold_rows(history: History, sessions: Sequence[_Session]) -> list[list[Any]]:
    """``holds.csv``: one row per hold."""
    rows: list[list[Any]] = []
    for x in sessions:
        for er in x.results:
            for h in history.holds(er.id):
                rows.append(
                    [
                        x.row.id,
                        er.exercise_id,
                        h.id,
                        h.index,
                        h.start,
                        h.end,
                        h.seconds,
                        h.not_visible_s,
                        ";".join(h.faults),
                    ]
                )
    return rows


def _pain_rows(
    history: History,
    sessions: Sequence[_Session],
    date_from: date | None,
    date_to: date | None,
) -> list[list[Any]]:
    """``pain.csv``: every rating in the sessions, then those outside any session (e.g. on
    demand from the tray), sorted by time."""
    rows: list[list[Any]] = []
    for x in sessions:
        names = {r.id: r.exercise_id for r in x.results}
        for p in x.pains:
            rows.append(
                [
                    _t(p.recorded_at),
                    x.row.id,
                    names.get(p.exercise_result_id or -1),
                    p.context,
                    p.value,
                    int(p.spreading_down_leg),
                    p.stiffness,
                ]
            )
    for p in history.pain_ratings(date_from=date_from, date_to=date_to):
        if p.session_id is None:
            rows.append(
                [
                    _t(p.recorded_at),
                    None,
                    None,
                    p.context,
                    p.value,
                    int(p.spreading_down_leg),
                    p.stiffness,
                ]
            )
    rows.sort(key=lambda r: r[0] or "")
    return rows


def _progression_rows(
    history: History, date_from: date | None, date_to: date | None
) -> Iterator[list[Any]]:
    """``progression.csv``: one row per progression event, before/after as JSON."""
    for e in history.progression_events(date_from=date_from, date_to=date_to):
        yield [
            _t(e.created_at),
            e.routine_id,
            e.exercise_id,
            e.kind,
            json.dumps(e.before),
            json.dumps(e.after),
            e.reason,
        ]


def _posture_rows(
    history: History, date_from: date | None, date_to: date | None
) -> Iterator[list[Any]]:
    """``posture.csv``: one row per monitored day, seconds per state as JSON."""
    for d in history.posture_days(date_from, date_to):
        yield [
            d.day.isoformat(),
            round(d.monitored_s, 1),
            json.dumps(d.seconds),
            d.breaks,
            d.alerts,
        ]


def _write_readme(out: Path) -> Path:
    """``README.txt``: when it was exported, how times read, and the disclaimer."""
    readme = out / "README.txt"
    readme.write_text(
        f"coach history export, {utcnow().isoformat(timespec='seconds')}\n"
        "Times are ISO 8601 (UTC); start_s/end_s are seconds on the session clock.\n\n"
        f"{DISCLAIMER}\n",
        encoding="utf-8",
    )
    return readme


def export_csv(
    history: History,
    out_dir: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Path]:
    """Flat CSV files for clinicians without FHIR: ``sessions.csv``, ``exercises.csv``,
    ``reps.csv``, ``holds.csv``, ``pain.csv``, ``progression.csv``, ``posture.csv`` and a
    ``README.txt`` with the disclaimer. Returns the files written."""
    out = _output_dir(out_dir)
    sessions = [
        _Session(s, history.pain_ratings(s.id), history.exercise_results(s.id))
        for s in history.sessions(date_from, date_to)
    ]
    # the per-session rows are all read before the first file is written
    s_rows = _session_rows(sessions)
    e_rows = _exercise_rows(history, sessions)
    r_rows = _rep_rows(history, sessions)
    h_rows = _hold_rows(history, sessions)
    p_rows = _pain_rows(history, sessions, date_from, date_to)
    files = [
        _write_csv(out / "sessions.csv", _SESSIONS_HEADER, s_rows),
        _write_csv(out / "exercises.csv", _EXERCISES_HEADER, e_rows),
        _write_csv(out / "reps.csv", _REPS_HEADER, r_rows),
        _write_csv(out / "holds.csv", _HOLDS_HEADER, h_rows),
        _write_csv(out / "pain.csv", _PAIN_HEADER, p_rows),
        _write_csv(
            out / "progression.csv",
            _PROGRESSION_HEADER,
            _progression_rows(history, date_from, date_to),
        ),
        _write_csv(
            out / "posture.csv", _POSTURE_HEADER, _posture_rows(history, date_from, date_to)
        ),
    ]
    return [*files, _write_readme(out)]
