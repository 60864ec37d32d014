"""``coach session``: the app's session, headless, on a recording.

::

    coach session --source FILE (--exercise ID | --routine FILE) [--pain N] [--json]
                  [--screened] [--db FILE]

Runs the real :class:`~coach.pipeline.session.LiveSession` (the object the app's player
renders) on the file, unpaced: every pain question is answered with ``--pain`` (default 0),
every prompt is accepted, the history is written exactly as the app writes it, and what was
stored is printed. A session needs the disclaimer and screening done: the stored answers from
the app, or ``--screened`` to confirm they were done elsewhere (a stored red-flag block still
stops it). Exit 0 when the session ran, 2 on a user mistake (one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.pipeline.session import LiveSession

EXIT_BAD = 2


def _err(msg: str) -> int:
    print(f"coach: {msg}", file=sys.stderr)
    return EXIT_BAD


def _pain(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"pain must be a whole number from 0 to 10, not {text!r}"
        ) from None
    if not 0 <= v <= 10:
        raise argparse.ArgumentTypeError(f"pain must be from 0 to 10, not {v}")
    return v


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "session",
        help="run a guided session headless on a recording and store it as the app would",
        description="Run the app's session on a recording, unpaced, answering every question; "
        "store it in the history and print what was stored.",
    )
    p.add_argument(
        "--source",
        required=True,
        metavar="FILE",
        help="a video file, an image folder, or a landmark track (.npz from 'coach analyze --landmarks')",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--exercise", metavar="ID", help="one exercise: counts everything in the recording"
    )
    what.add_argument("--routine", type=Path, metavar="FILE", help="a routine file: today's doses")
    p.add_argument(
        "--pain",
        type=_pain,
        default=0,
        metavar="N",
        help="answer every pain question with N (0-10)",
    )
    p.add_argument("--json", action="store_true", help="print the stored session as JSON")
    p.add_argument(
        "--screened",
        action="store_true",
        help="the disclaimer and screening were done (else the app's stored answers are used)",
    )
    p.add_argument(
        "--realtime",
        action="store_true",
        help="play the recording at its own speed, as the app does (default: as fast as possible)",
    )
    p.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="the history database (default: the user data folder)",
    )
    p.set_defaults(func=cmd_session)


def _settings(screened: bool) -> Any:
    from coach.settings import load_settings
    from coach.store import safety

    settings, _warning = load_settings()
    safety.apply_block(settings)
    if screened and not settings.screening_blocked:
        settings = settings.model_copy(
            update={
                "onboarded": True,
                "screening_done_at": settings.screening_done_at or time.time(),
            }
        )
    return settings


def _plan(args: argparse.Namespace) -> tuple[list[Any], str, Any, int | None] | str:
    from coach.routines.catalogue import load_catalogue

    catalogue = load_catalogue()
    if args.exercise is not None:
        from coach.core.session import plan_for_recording

        if not args.exercise.strip():
            return "--exercise needs an exercise id (see 'coach exercises')"
        try:
            ex = catalogue.get(args.exercise)
        except KeyError as exc:
            return str(exc.args[0])
        if not getattr(ex, "needs_camera", True):
            return f"{ex.id} needs no camera, so there is nothing to count in a recording"
        return [plan_for_recording(ex)], f"exercise:{ex.id}", None, None
    from coach.routines.plan import plan_from_resolved
    from coach.routines.routine import load_routine
    from coach.routines.yamlio import FileProblems

    try:
        resolved = load_routine(args.routine, catalogue)
    except FileProblems as exc:
        return str(exc.problems[0]) if exc.problems else str(exc)
    plan = plan_from_resolved(resolved)
    if not plan:
        return f"{args.routine}: the routine has no exercise for today"
    r = resolved.routine
    return plan, r.id, resolved.pain_rules, getattr(r, "version", None)


def cmd_session(args: argparse.Namespace) -> int:
    from coach.pipeline.session import LiveSession, SafetyGateError
    from coach.store.history import open_history

    src_path = Path(args.source)
    problem = _path_problem(args.source, src_path)
    if problem is not None:
        return _err(problem)
    planned = _plan(args)
    if isinstance(planned, str):
        return _err(planned)
    plan, routine_id, rules, version = planned
    problem = _probe_problem(args.source, src_path)
    if problem is not None:
        return _err(problem)
    if args.db is not None and not args.db.parent.is_dir():
        return _err(f"{args.db.parent}: no such folder for the history database")
    history, warning = open_history(args.db)
    if warning:
        print(f"coach: warning: {warning}", file=sys.stderr)
    try:
        session = LiveSession(
            plan,
            routine_id,
            source=str(src_path),
            settings=_settings(args.screened),
            history=history,
            paced=args.realtime,
            pain_rules=rules,
            routine_id=routine_id,
            routine_version=version,
        )
    except SafetyGateError as exc:
        history.close()
        return _err(f"{exc} (run the app once, or pass --screened if the screening was done)")
    problems = _run(session, args.pain)
    if session.model_error:
        problems.append(session.model_error)
    sid = session.session_id
    record = history.session_record(sid) if sid is not None else None
    history.close()
    if record is None:
        return _err("the session could not be stored: " + (session.save_error or "no history"))
    if session.save_error:
        print(
            f"coach: warning: this session was not fully saved: {session.save_error}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(record, indent=2))
    else:
        _print(record)
    model_problem = next((p for p in problems if p != "interrupted"), None)
    if model_problem is not None:
        return _err(model_problem)
    return 130 if "interrupted" in problems else 0


def _path_problem(source: str, src_path: Path) -> str | None:
    """Why ``src_path`` cannot be a recording at all (missing, or neither file nor folder)."""
    if not src_path.exists():
        return f"{source}: no such file"
    if src_path.is_file() is False and not src_path.is_dir():
        return f"{source}: not a video file or an image folder"
    return None


def _probe_problem(source: str, src_path: Path) -> str | None:
    """Open the recording once up front so a wrong file is one line, before anything is stored."""
    from coach.capture.base import SourceError
    from coach.capture.sources import open_source

    try:
        if src_path.suffix.lower() == ".npz":
            from coach.capture.track import TrackSource

            probe: Any = TrackSource(src_path)
        else:
            probe = open_source(str(src_path))
    except SourceError as exc:
        return str(exc)
    live = probe.is_live
    probe.close()
    if live:
        return f"{source}: coach session takes a recording, not a camera"
    return None


def _run(session: LiveSession, pain: int) -> list[str]:
    """Run ``session`` to its end, printing each rep and hold; ``["interrupted"]`` on Ctrl-C/TERM."""
    from coach.core.session_events import HoldDone, RepCounted, SessionEvent
    from coach.pipeline.session import run_headless

    problems: list[str] = []

    def on_term(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_term)

    def progress(ev: SessionEvent) -> None:
        # One line per counted rep or hold (stderr), for support and for the crash tests.
        p = ev.payload
        if isinstance(p, RepCounted):
            print(
                f"rep {p.count} {session.runner.current.exercise.id}", file=sys.stderr, flush=True
            )
        elif isinstance(p, HoldDone):
            print(f"hold {p.record.seconds:.1f} s", file=sys.stderr, flush=True)

    try:
        run_headless(
            session,
            pain=pain,
            on_event=progress,
            on_live=lambda lev: print(f"coach: {lev.message}", file=sys.stderr, flush=True),
        )
    except KeyboardInterrupt:
        problems.append("interrupted")
    finally:
        signal.signal(signal.SIGTERM, old)
    return problems


def _print(record: dict[str, Any]) -> None:
    why = f" — {record['stopped_reason']}" if record.get("stopped_reason") else ""
    print(f"session {record['session_id'][:8]}  {record['routine']}  {record['status']}{why}")
    for e in record["exercises"]:
        holds = e["holds_s"]
        held = f", holds {' + '.join(f'{h:.1f} s' for h in holds)}" if holds else ""
        partial = f" (+{e['partial_reps']} partial)" if e["partial_reps"] else ""
        stop = f" — {e['stopped_reason']}" if e.get("stopped_reason") else ""
        print(f"  {e['exercise']:<24} {e['reps']} reps{partial}{held}  {e['status']}{stop}")
