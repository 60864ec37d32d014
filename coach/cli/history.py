"""``coach history``: export, report on and import exercise history.

::

    coach history list [--from DATE] [--to DATE]
    coach history export (--csv DIR | --fhir FILE | --json DIR) [--from DATE] [--to DATE] [--patient NAME]
    coach history report --from DATE --to DATE --out FILE.pdf [--routine FILE] [--patient NAME]
    coach history import FILE          show a results JSON or FHIR Bundle

``--db FILE`` picks the database (default: ``$COACH_DATA_DIR`` or the user data folder).
User errors print one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from coach.cli.routine import _date as _any_date  # one YYYY-MM-DD argument type for every command

EXIT_OK = 0
EXIT_BAD = 2
#: Dates a history can hold: local-midnight arithmetic on 0001-01-01 or 9999-12-31 overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _date(text: str) -> date:
    d = _any_date(text)
    if not FIRST_DAY <= d <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range; use a date from {FIRST_DAY} to {LAST_DAY}"
        )
    return d


def _db_path(text: str) -> Path:
    """``--db``: an existing database file, never a folder, never a path whose folder is missing
    (a typo must not create folders and an empty history)."""
    p = Path(text).expanduser()
    if p.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a folder; give the database file (history.sqlite3)"
        )
    if not p.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: the folder {p.parent} does not exist")
    if not p.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a regular file")
    try:
        with p.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{text}: cannot read it: {exc.strerror or exc}") from None
    if head and head != b"SQLite format 3\x00":
        raise argparse.ArgumentTypeError(f"{text} is not a coach history (not an SQLite database)")
    return p


def _err(msg: str) -> int:
    print(f"coach: {msg}", file=sys.stderr)
    return EXIT_BAD


def add_parser(subparsers: Any) -> None:
    """Register ``history`` and its subcommands on the main parser's ``subparsers``."""
    p = subparsers.add_parser("history", help="export, report on or import exercise history")
    p.add_argument(
        "--db",
        type=_db_path,
        metavar="FILE",
        help="the history database (default: the user data folder)",
    )
    sub = p.add_subparsers(dest="history_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: _usage(p))

    ls = sub.add_parser("list", help="list sessions")
    _range(ls, required=False)
    ls.add_argument(
        "--json",
        action="store_true",
        help="print the sessions as JSON (status, reason, reps and holds per exercise)",
    )
    ls.set_defaults(func=cmd_list)

    e = sub.add_parser("export", help="export sessions as CSV, FHIR R4 Bundle or results JSON")
    what = e.add_mutually_exclusive_group(required=True)
    what.add_argument("--csv", type=Path, metavar="DIR", help="write CSV files into DIR")
    what.add_argument(
        "--fhir", type=Path, metavar="FILE", help="write a FHIR R4 Bundle (JSON) to FILE"
    )
    what.add_argument(
        "--json", type=Path, metavar="DIR", help="write one results JSON per session into DIR"
    )
    _range(e, required=False)
    e.add_argument("--patient", help="patient name for the FHIR Patient resource")
    e.add_argument(
        "--routine",
        type=Path,
        metavar="FILE",
        help="the routine file: the FHIR Patient's name, year of birth and identifiers",
    )
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("report", help="write the clinician PDF report for a date range")
    _range(r, required=True)
    r.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    r.add_argument(
        "--routine",
        type=Path,
        metavar="FILE",
        help="the routine file (for planned sessions and names)",
    )
    r.add_argument("--patient", help="patient name shown on the report")
    r.set_defaults(func=cmd_report)

    i = sub.add_parser("import", help="show a results JSON or FHIR Bundle file")
    i.add_argument("file", type=Path, metavar="FILE")
    i.set_defaults(func=cmd_import)


def _range(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument(
        "--from",
        dest="date_from",
        type=_date,
        required=required,
        metavar="DATE",
        help="first day (YYYY-MM-DD)",
    )
    p.add_argument(
        "--to",
        dest="date_to",
        type=_date,
        required=required,
        metavar="DATE",
        help="last day (YYYY-MM-DD)",
    )


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_usage(sys.stderr)
    return _err("history: choose list, export, report or import")


def _open(args: argparse.Namespace) -> Any:
    # Every history subcommand only reads: never create, move, migrate or write the file.
    from coach.store.history import default_history_path
    from coach.store.salvage import open_history_readonly

    history, warning = open_history_readonly(args.db or default_history_path())
    if warning:
        print(f"coach: warning: {warning}", file=sys.stderr)
    return history


def _check_range(args: argparse.Namespace) -> str | None:
    if args.date_from and args.date_to and args.date_to < args.date_from:
        return f"--to {args.date_to} is before --from {args.date_from}"
    return None


def cmd_list(args: argparse.Namespace) -> int:
    if (msg := _check_range(args)) is not None:
        return _err(msg)
    with _open(args) as h:
        sessions = h.sessions(args.date_from, args.date_to)
        if getattr(args, "json", False):
            import json

            print(json.dumps([h.session_record(s.id) for s in sessions], indent=2))
            return EXIT_OK
        for s in sessions:
            results = h.exercise_results(s.id)
            reps = sum(int(r.reps or 0) for r in results)
            holds = sum(int(r.holds or 0) for r in results)
            held = f", {holds} holds" if holds else ""
            why = f"  ({s.stop_reason})" if s.stop_reason and s.status != "completed" else ""
            print(
                f"{s.started_at.astimezone():%Y-%m-%d %H:%M}  {s.id[:8]}  {s.routine_id or '-':<28} {s.status:<13} "
                f"{s.classification or '-':<6} {len(results)} exercises, {reps} reps{held}{why}"
            )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from coach.reports.csv import export_csv
    from coach.reports.fhir import export_fhir
    from coach.reports.results import export_json

    if (msg := _check_range(args)) is not None:
        return _err(msg)
    routine = None
    if getattr(args, "routine", None) is not None:
        from coach.routines.routine import parse_routine
        from coach.routines.yamlio import FileProblems, read_text

        try:  # only who the routine is for is needed: an expired routine still names its patient
            routine, _ = parse_routine(read_text(args.routine), str(args.routine))
        except FileProblems as exc:
            for p in exc.problems:
                print(p, file=sys.stderr)
            return EXIT_BAD
    try:
        with _open(args) as h:
            if args.csv is not None:
                files = export_csv(h, args.csv, args.date_from, args.date_to)
            elif args.fhir is not None:
                files = [
                    export_fhir(
                        h,
                        args.fhir,
                        args.date_from,
                        args.date_to,
                        patient_name=args.patient,
                        routine=routine,
                    )
                ]
            else:
                files = export_json(h, args.json, args.date_from, args.date_to)
    except OSError as exc:
        return _err(f"cannot write {exc.filename or ''}: {exc.strerror or exc}")
    for f in files:
        print(f)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    if (msg := _check_range(args)) is not None:
        return _err(msg)
    routine = None
    if args.routine is not None:
        from coach.routines.catalogue import load_catalogue
        from coach.routines.routine import check_routine_file

        result = check_routine_file(args.routine, load_catalogue(), args.date_from)
        if result.routine is None:
            for p in result.errors:
                print(p, file=sys.stderr)
            return EXIT_BAD
        routine = result.routine
    try:
        from coach.reports.pdf import write_report
    except ImportError as exc:
        return _err(f"cannot make PDFs here: {exc}")
    try:
        with _open(args) as h:
            data = write_report(
                h, args.out, args.date_from, args.date_to, routine=routine, patient=args.patient
            )
    except OSError as exc:
        return _err(f"cannot write {args.out}: {exc.strerror or exc}")
    planned = f" of {data.sessions_planned} planned" if data.sessions_planned is not None else ""
    print(
        f"wrote {args.out}: {data.sessions_done} sessions{planned}, {len(data.pain)} with pain ratings"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from coach.reports.importer import ResultsFileError, import_results

    try:
        imported = import_results(args.file)
    except ResultsFileError as exc:
        return _err(str(exc))
    print(f"{args.file}: {len(imported.sessions)} session(s) ({imported.kind})")
    for s in imported.sessions:
        pain = s.pain
        print(
            f"  {s.start.astimezone():%Y-%m-%d %H:%M}  {s.session_id[:8]}  routine {s.routine.id or '-'}  {s.status}"
            f"  light {s.classification or '-'}  pain before {_v(pain.pre)} after {_v(pain.post)} next morning {_v(pain.next_morning)}"
        )
        for it in s.items:
            faults = ", ".join(f"{k} x{v.count}" for k, v in it.faults.items() if v.count)
            done = (
                f"{it.holds} holds ({it.hold_s_total:g} s)"
                if it.holds and not it.reps_counted
                else f"{it.reps_counted} reps"
            )
            print(
                f"    {it.exercise:<26} {done}"
                + (f", partial {it.reps_partial}" if it.reps_partial else "")
                + (f"; faults: {faults}" if faults else "")
            )
    return EXIT_OK


def _v(x: int | None) -> str:
    return "-" if x is None else f"{x}/10"
