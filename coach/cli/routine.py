"""``coach routine``: check, inspect and print therapist routine files.

::

    coach routine check FILE [FILE...] [--today DATE]   exit 0 when every file is good, 2 if not
    coach routine schema [--out FILE]                   the JSON Schema of the format
    coach routine show FILE [--today DATE]              the resolved routine, readable
    coach routine handout FILE --out FILE.pdf           a patient handout (PDF)

Problems print one per line on stderr as ``FILE:LINE:COL: what is wrong — how to fix it``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD = 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def add_parser(subparsers: Any) -> None:
    """Register ``routine`` and its subcommands on the main parser's ``subparsers``."""
    p = subparsers.add_parser("routine", help="check, show or print therapist routine files")
    sub = p.add_subparsers(dest="routine_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: _usage(p))

    c = sub.add_parser("check", help="validate routine files (exit 0 good, 2 bad)")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.add_argument(
        "--today", type=_date, default=None, help="judge dates as of this day (YYYY-MM-DD)"
    )
    c.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("schema", help="print the JSON Schema of the routine format")
    s.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead")
    s.set_defaults(func=cmd_schema)

    w = sub.add_parser("show", help="show the resolved routine: doses, overrides, locks")
    w.add_argument("file", type=Path, metavar="FILE")
    w.add_argument(
        "--today", type=_date, default=None, help="resolve locks as of this day (YYYY-MM-DD)"
    )
    w.set_defaults(func=cmd_show)

    h = sub.add_parser("handout", help="write a patient handout PDF for a routine")
    h.add_argument("file", type=Path, metavar="FILE")
    h.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    h.add_argument("--today", type=_date, default=None)
    h.set_defaults(func=cmd_handout)


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_usage(sys.stderr)
    print("coach routine: choose check, schema, show or handout", file=sys.stderr)
    return EXIT_BAD


def _catalogue() -> Any:
    from coach.routines.catalogue import load_catalogue

    return load_catalogue()


def cmd_check(args: argparse.Namespace) -> int:
    from coach.routines.routine import check_routine_file

    cat = _catalogue()
    bad = 0
    for f in args.files:
        result = check_routine_file(f, cat, args.today)
        for p in result.errors:
            print(p, file=sys.stderr)
        for p in result.warnings:
            print(p, file=sys.stderr)
        if result.ok:
            if not args.quiet and result.routine is not None:
                n = sum(len(b.items) for b in result.routine.blocks)
                print(f"{f}: ok ({n} exercises, {len(result.warnings)} warnings)")
        else:
            bad += 1
    return EXIT_BAD if bad else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from coach.routines.routine import routine_json_schema

    text = json.dumps(routine_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"coach: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD
    return EXIT_OK


def _resolved(args: argparse.Namespace) -> Any:
    from coach.routines.routine import check_routine_file, resolve

    cat = _catalogue()
    result = check_routine_file(args.file, cat, args.today)
    for p in (*result.errors, *result.warnings):
        print(p, file=sys.stderr)
    if not result.ok or result.routine is None:
        return None
    return resolve(result.routine, cat, args.today)


def cmd_show(args: argparse.Namespace) -> int:
    resolved = _resolved(args)
    if resolved is None:
        return EXIT_BAD
    print(format_resolved(resolved))
    return EXIT_OK


def cmd_handout(args: argparse.Namespace) -> int:
    resolved = _resolved(args)
    if resolved is None:
        return EXIT_BAD
    try:
        from coach.reports.pdf import write_handout
    except ImportError as exc:
        print(f"coach: cannot make PDFs here: {exc}", file=sys.stderr)
        return EXIT_BAD
    try:
        # the writer reads the PDF back: it returns only when the file exists and has pages
        path = write_handout(resolved, args.out)
    except OSError as exc:
        print(f"coach: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD
    print(f"wrote {path}")
    return EXIT_OK


_DAY_NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}


def format_resolved(resolved: Any) -> str:
    """The resolved routine as readable text (what ``coach routine show`` prints)."""
    out = _header_lines(resolved)
    out.append(_schedule_line(resolved.routine.schedule))
    out += _safety_lines(resolved)
    block = None
    for it in resolved.items:
        if it.block != block:
            block = it.block
            out.append("")
            out.append(block)
        out += _item_lines(it)
    for w in resolved.warnings:
        out.append(f"warning: {'.'.join(map(str, w.loc))}: {w.message}")
    return "\n".join(out)


def _header_lines(resolved: Any) -> list[str]:
    """Title, author, patient and the dates the routine is valid."""
    r = resolved.routine
    out: list[str] = [f"{r.title}  (id {r.id}, version {r.version})"]
    a = r.author
    out.append(f"prescribed by {a.name} ({a.role})" + (f", {a.contact}" if a.contact else ""))
    if r.patient is not None:
        out.append(f"for {r.patient.display_name}")
    if r.valid_from or r.valid_until:
        out.append(f"valid {r.valid_from or 'now'} to {r.valid_until or 'no end date'}")
    if resolved.expired:
        out.append(f"  EXPIRED on {r.valid_until}")
    if resolved.not_yet_valid:
        out.append(f"  not valid yet: starts on {r.valid_from}")
    return out


def _schedule_line(sc: Any) -> str:
    """Days, times a day, reminder and sessions a week on one line."""
    days = (
        "every day"
        if (sc.days and len(sc.days) == 7) or (not sc.days and (sc.days_per_week or 7) == 7)
        else (
            ", ".join(_DAY_NAMES[d] for d in sc.days)
            if sc.days
            else f"{sc.days_per_week} days a week"
        )
    )
    line = f"schedule: {days}, {sc.times_per_day} time{'s' if sc.times_per_day > 1 else ''} a day"
    if sc.reminder_time:
        line += f", reminder {sc.reminder_time}"
    return f"{line} ({sc.sessions_per_week} sessions a week)"


def _safety_lines(resolved: Any) -> list[str]:
    """Surgery, restrictions, unlocks, pain rules and the clinician's contact."""
    s = resolved.routine.safety
    out: list[str] = []
    if s.surgery is not None:
        lvl = f" ({s.surgery.level})" if s.surgery.level else ""
        out.append(f"surgery: {s.surgery.type}{lvl} on {s.surgery.date}")
    if s.restrictions is not None:
        rs = s.restrictions
        what = [
            w
            for n, w in (
                ("no_flexion", "no bending"),
                ("no_rotation", "no twisting"),
                ("no_extension", "no arching back"),
            )
            if getattr(rs, n)
        ]
        if rs.no_lifting_kg_over is not None:
            what.append(f"no lifting over {rs.no_lifting_kg_over:g} kg")
        state = "in force" if resolved.restrictions_in_force else "ended"
        until = f"until {rs.until}" if rs.until else "with no end date"
        out.append(f"restrictions {until} ({state}): {', '.join(what) or 'none'}")
    if s.unlock:
        out.append(f"unlocked by the therapist: {', '.join(s.unlock)}")
    pr = s.pain_rules
    out.append(
        f"pain rules: green 0-{pr.green_max}, amber {pr.green_max + 1}-{pr.amber_max}, stop at {pr.stop_at}/10 "
        f"or if pain spreads down the leg; amber if {pr.relative_rise_amber}+ points above the start"
        + (
            f"; next-morning check (at most {pr.next_morning_max}/10)"
            if pr.next_morning_check
            else ""
        )
    )
    if s.clinician_contact:
        out.append(f"contact: {s.clinician_contact}")
    return out


def _item_lines(it: Any) -> list[str]:
    """One exercise of the routine: its dose, locks, overrides, cues, notes and progression."""
    src = " (custom)" if it.source == "custom" else ""
    out = [
        f"  {it.position + 1}. {it.exercise.name} [{it.exercise_id}]{src} — {it.dose.describe()}"
    ]
    if it.locked:
        for reason in it.lock_reasons:
            out.append(f"     LOCKED: {reason}")
    for o in it.overrides:
        out.append(f"     threshold: {o}")
    for c in it.cues:
        out.append(f"     cue: {c}")
    if it.notes:
        out.append(f"     note: {it.notes}")
    out.append(f"     progress: {describe_progress(it)}")
    if it.regress.enabled:
        to = f"; easier option: {it.regress_to}" if it.regress_to else ""
        out.append(
            f"     regress: to {it.regress.volume:.0%} of the volume after a red session or a bad next morning{to}"
        )
    return out


def describe_progress(item: Any) -> str:
    """One line: when and how an item progresses."""
    p = item.progress
    if not p.enabled or item.progress_step.empty:
        return "off"
    w = p.when
    st = item.progress_step
    mx = item.progress_max
    steps = []
    if st.reps:
        steps.append(
            f"+{st.reps} rep{'s' if st.reps > 1 else ''}" + (f" up to {mx.reps}" if mx.reps else "")
        )
    if st.hold_s:
        steps.append(f"+{st.hold_s:g} s hold" + (f" up to {mx.hold_s:g} s" if mx.hold_s else ""))
    if st.duration_s:
        steps.append(
            f"+{st.duration_s:g} s" + (f" up to {mx.duration_s:g} s" if mx.duration_s else "")
        )
    if st.sets:
        steps.append(f"+{st.sets} set" + (f" up to {mx.sets}" if mx.sets else ""))
    cond = f"after {w.green_sessions} green session{'s' if w.green_sessions > 1 else ''} with at least {1 - w.max_fault_ratio:.0%} of reps free of faults"
    return f"{', '.join(steps)} {cond}"
