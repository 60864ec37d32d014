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
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach.reports.files import DISCLAIMER, _output_dir, _replace, _tmp, _unreadable
from coach.store.history import History, utcnow

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
    sessions = history.sessions(date_from, date_to)
    s_rows, e_rows, r_rows, h_rows, p_rows = [], [], [], [], []
    for s in sessions:
        pains = history.pain_ratings(s.id)
        results = history.exercise_results(s.id)
        names = {r.id: r.exercise_id for r in results}
        before = [p.value for p in pains if p.context == "before"]
        after = [p.value for p in pains if p.context in ("end", "after_exercise")]
        morning = [p.value for p in pains if p.context == "next_morning"]
        s_rows.append(
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
        for er in results:
            faults = ";".join(f"{f.fault_id}:{f.count}" for f in history.faults(er.id))
            e_rows.append(
                [
                    s.id,
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
            set_index = {st.id: st.set_index for st in history.sets(er.id)}
            for r in history.reps(er.id):
                dur = None if r.start is None or r.end is None else round(r.end - r.start, 3)
                r_rows.append(
                    [
                        s.id,
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
            for h in history.holds(er.id):
                h_rows.append(
                    [
                        s.id,
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
        for p in pains:
            p_rows.append(
                [
                    _t(p.recorded_at),
                    s.id,
                    names.get(p.exercise_result_id or -1),
                    p.context,
                    p.value,
                    int(p.spreading_down_leg),
                    p.stiffness,
                ]
            )
    # ratings outside sessions (e.g. on-demand from the tray) still belong in pain.csv
    for p in history.pain_ratings(date_from=date_from, date_to=date_to):
        if p.session_id is None:
            p_rows.append(
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
    p_rows.sort(key=lambda r: r[0] or "")
    files = [
        _write_csv(
            out / "sessions.csv",
            [
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
            ],
            s_rows,
        ),
        _write_csv(
            out / "exercises.csv",
            [
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
            ],
            e_rows,
        ),
        _write_csv(
            out / "reps.csv",
            [
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
            ],
            r_rows,
        ),
        _write_csv(
            out / "holds.csv",
            [
                "session_id",
                "exercise_id",
                "hold_id",
                "hold_index",
                "start_s",
                "end_s",
                "seconds",
                "not_visible_s",
                "faults",
            ],
            h_rows,
        ),
        _write_csv(
            out / "pain.csv",
            [
                "recorded_at",
                "session_id",
                "exercise_id",
                "context",
                "value",
                "spreading_down_leg",
                "stiffness",
            ],
            p_rows,
        ),
        _write_csv(
            out / "progression.csv",
            ["created_at", "routine_id", "exercise_id", "kind", "before", "after", "reason"],
            (
                [
                    _t(e.created_at),
                    e.routine_id,
                    e.exercise_id,
                    e.kind,
                    json.dumps(e.before),
                    json.dumps(e.after),
                    e.reason,
                ]
                for e in history.progression_events(date_from=date_from, date_to=date_to)
            ),
        ),
        _write_csv(
            out / "posture.csv",
            ["day", "monitored_s", "seconds_by_state", "breaks", "alerts"],
            (
                [
                    d.day.isoformat(),
                    round(d.monitored_s, 1),
                    json.dumps(d.seconds),
                    d.breaks,
                    d.alerts,
                ]
                for d in history.posture_days(date_from, date_to)
            ),
        ),
    ]
    readme = out / "README.txt"
    readme.write_text(
        f"coach history export, {utcnow().isoformat(timespec='seconds')}\n"
        "Times are ISO 8601 (UTC); start_s/end_s are seconds on the session clock.\n\n"
        f"{DISCLAIMER}\n",
        encoding="utf-8",
    )
    return [*files, readme]
