"""The ``coach`` command line.

``coach`` alone starts the desktop app. Subcommands::

    coach analyze VIDEO [--exercise ID | --posture | --lifting] [--json] [--landmarks OUT.npz]
    coach exercises [--json]
    coach bench [VIDEO] [--exercise ID] [--json]
    coach models install|status
    coach ergonomics rula|reba|niosh ...

User mistakes print one line on stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.core.contracts import ExerciseLike
    from coach.pose.estimator import Track

EXIT_USAGE = 2


def _err(msg: str) -> int:
    print(f"coach: {msg}", file=sys.stderr)
    return EXIT_USAGE


# Option types: a value out of range is an argparse error (one line, exit 2) before any work.

MAX_SIDE_RANGE = (64, 8192)  # below 64 px no pose can be found; above 8K no camera delivers


def _max_side(text: str) -> int:
    lo, hi = MAX_SIDE_RANGE
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number of pixels") from None
    if not lo <= v <= hi:
        raise argparse.ArgumentTypeError(f"{v} is out of range; use {lo} to {hi} pixels")
    return v


def max_workers() -> int:
    """Most model processes one analysis may start: each holds a model (~150 MB)."""
    import os

    return max(4, os.cpu_count() or 1)


def _workers(text: str) -> int:
    hi = max_workers()
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
    if not 1 <= v <= hi:
        raise argparse.ArgumentTypeError(f"{v} is out of range; use 1 to {hi} (1 = one process)")
    return v


def _exercise_id(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("needs an exercise id (see 'coach exercises')")
    return text


def _landmarks_out(text: str) -> Path:
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a folder; give a file name such as {p / 'track.npz'}"
        )
    if p.suffix.lower() != ".npz":
        raise argparse.ArgumentTypeError(f"{text}: the file name must end in .npz")
    if not p.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: the folder {p.parent} does not exist")
    return p


# ---------------------------------------------------------------------------------------------
# analyze


def _cmd_analyze_batch(args: argparse.Namespace, videos: list[Path]) -> int:
    import time

    from coach.analysis import analyze_batch

    t0 = time.perf_counter()
    mode = "posture" if args.posture else "lifting" if args.lifting else ""

    def progress(i: int, n: int, r: dict[str, object]) -> None:
        what = r.get("error") or (
            f"{r.get('reps')} reps"
            if "reps" in r
            else f"{r.get('frames_with_pose')} frames with a person"
        )
        print(f"[{i}/{n}] {Path(str(r['video'])).name}: {what}", file=sys.stderr, flush=True)

    reports = analyze_batch(
        videos, args.exercise, mode, args.model, args.max_side, args.workers, progress
    )
    elapsed = time.perf_counter() - t0
    media_s = sum(float(r.get("duration_s", 0.0)) for r in reports)  # type: ignore[arg-type,misc]
    summary = {
        "videos": len(reports),
        "failed": sum("error" in r for r in reports),
        "seconds": round(elapsed, 1),
        "media_seconds": round(media_s, 1),
        "speed_vs_real_time": round(media_s / elapsed, 2) if elapsed else 0.0,
    }
    if args.json:
        print(json.dumps({"summary": summary, "reports": reports}, indent=2))
    else:
        for r in reports:
            _print_report(r) if "error" not in r else print(f"{r['video']}: {r['error']}")
        print(
            f"{summary['videos']} videos ({summary['media_seconds']} s of video) in {summary['seconds']} s: "
            f"{summary['speed_vs_real_time']}x real time; {summary['failed']} failed"
        )
    return 0 if not summary["failed"] else EXIT_USAGE


def _cmd_analyze(args: argparse.Namespace) -> int:
    from coach.analysis import AnalysisError, find_videos, load_input
    from coach.pose.estimator import EstimatorOptions, PoseError

    exercise = None
    if args.exercise:
        from coach.routines.catalogue import load_catalogue

        try:
            exercise = load_catalogue().get(args.exercise)
        except KeyError as exc:
            return _err(str(exc.args[0]))

    if args.video.is_dir():
        videos = find_videos(args.video)
        if videos:
            if args.landmarks:
                return _err("--landmarks takes one video, not a folder of recordings")
            return _cmd_analyze_batch(args, videos)
        # otherwise: a folder of images, analysed as one image sequence

    def progress(i: int, n: int) -> None:
        if not args.json and sys.stderr.isatty() and (i % 25 == 0 or i == n):
            print(f"\rtracking {i}/{n or '?'} frames", end="", file=sys.stderr, flush=True)

    try:
        track, stats = load_input(
            args.video,
            EstimatorOptions(variant=args.model),
            max_side=args.max_side,
            progress=progress,
            workers=args.workers,
        )
    except (AnalysisError, PoseError) as exc:
        return _err(str(exc))
    if sys.stderr.isatty() and not args.json:
        print(file=sys.stderr)
    report: dict[str, object] = {"video": str(args.video), **stats.as_dict()}
    if args.landmarks:
        try:
            track.save(args.landmarks)
        except OSError as exc:
            return _err(f"cannot write {args.landmarks}: {exc.strerror or exc}")
        report["landmarks"] = str(args.landmarks)
    if stats.frames_with_pose == 0:
        if args.json:
            print(json.dumps(report, indent=2))
        return _err(f"{args.video}: no person found in any of its {stats.frames} frames")

    _add_analyses(report, track, exercise, args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report)
    return 0


def _add_analyses(
    report: dict[str, object],
    track: Track,
    exercise: ExerciseLike | None,
    args: argparse.Namespace,
) -> None:
    """Add the asked-for analyses of ``track`` to ``report``: exercise scoring, posture, lifting."""
    if exercise is not None:
        from coach.analysis import score_track

        report.update(score_track(track, exercise).as_dict())
    if getattr(args, "posture", False):
        from coach.analysis.posture import analyze_posture

        report["posture"] = analyze_posture(track).as_dict()
    if getattr(args, "lifting", False):
        from coach.analysis.lifting import analyze_lifting

        report.update(analyze_lifting(track).as_dict())


def _print_report(r: dict[str, object]) -> None:
    print(f"{r['video']}: {r['frames']} frames at {r['fps']} fps ({r['duration_s']} s)")
    speed = float(r.get("processing_fps") or 0.0)  # type: ignore[arg-type]
    print(
        f"  person found on {r['frames_with_pose']} frames ({float(r['pose_ratio']) * 100:.0f}%), "  # type: ignore[arg-type]
        f"mean visibility {r['mean_visibility']}"
        + (f", processed at {speed} frames/s" if speed > 0 else " (a recorded landmark track)")
    )
    if "exercise" in r:
        print(f"  exercise {r['exercise']} ({r['kind']}, {r.get('view') or 'default'} view)")
        if r["kind"] == "hold":
            holds = r.get("holds") or []
            print(f"  holds: {', '.join(f'{h:.1f} s' for h in holds) or 'none'}")  # type: ignore[attr-defined]
        else:
            print(f"  reps: {r['reps']}  partial reps: {r['partial_reps']}")
        faults = r.get("faults") or {}
        if faults:
            print("  faults: " + ", ".join(f"{k} x{v}" for k, v in faults.items()))  # type: ignore[attr-defined]
        if r.get("not_visible_s"):
            print(f"  not visible for {r['not_visible_s']} s (timers paused)")
    if isinstance(r.get("posture"), dict):
        _print_posture(r["posture"])  # type: ignore[arg-type]
    if isinstance(r.get("lifts"), list):
        _print_lifts(r["lifts"])  # type: ignore[arg-type]


def _words(state_or_id: str) -> str:
    return state_or_id.replace("_", " ")


def _print_posture(p: dict[str, Any]) -> None:
    """A recording's posture as lines a person reads (``--json`` has every number)."""
    print(f"  posture ({p.get('view') or 'unknown'} view; reference: {p.get('baseline')})")
    for item in p.get("timeline") or []:
        why = f": {', '.join(item['reasons'])}" if item.get("reasons") else ""
        print(f"    {item['start']:6.1f}-{item['end']:6.1f} s  {_words(item['state'])}{why}")
    spent = p.get("summary") or {}
    if spent:
        print("  time: " + ", ".join(f"{_words(k)} {v:.1f} s" for k, v in spent.items()))
    rula = p.get("rula") or []
    if rula:
        worst = max(rula, key=lambda x: x["score"])
        print(
            f"  RULA: worst {worst['score']} at {worst['t']:.1f} s "
            f"(action level {worst['action_level']}: {worst.get('action', '')})"
        )
    if p.get("not_assessed"):
        print("  not judged from this view: " + ", ".join(p["not_assessed"]))


def _print_lifts(lifts: list[dict[str, Any]]) -> None:
    """Each lift as a short paragraph: when, how (squat or stoop), what to change."""
    if not lifts:
        print("  lifts: none seen")
    for lift in lifts:
        done = "" if lift.get("complete") else " (still going at the end)"
        print(
            f"  lift {lift['index']}: {lift['start']:.1f}-{lift['end']:.1f} s, "
            f"{lift['strategy']}{done}; trunk bent {lift['trunk_flexion_deg']:.0f} deg, "
            f"knees {lift['knee_flexion_deg']:.0f} deg"
        )
        if lift.get("faults"):
            print("    faults: " + ", ".join(_words(f) for f in lift["faults"]))
        for cue in lift.get("cues") or []:
            print(f"    - {cue}")
        reba = lift.get("reba") or {}
        if reba:
            print(f"    REBA {reba['score']} ({reba['risk']} risk): {reba['action']}")


# ---------------------------------------------------------------------------------------------
# exercises


def _cmd_exercises(args: argparse.Namespace) -> int:
    from coach.routines.catalogue import load_catalogue

    cat = load_catalogue()
    for p in cat.problems:
        print(p, file=sys.stderr)
    if args.json:
        out = {
            "exercises": [e.model_dump(mode="json") for e in cat.exercises.values()],
            "programs": [p.model_dump(mode="json") for p in cat.programs.values()],
        }
        print(json.dumps(out, indent=2))
        return 0
    programs = ("aerobic", "core", "flexibility", "posture", "lifting", "breathing")
    for prog in programs:
        items = cat.by_program(prog)
        if not items:
            continue
        print(f"{prog}:")
        for e in items:
            ref = f" [{e.catalogue_ref}]" if e.catalogue_ref else ""
            lvl = "" if e.level == "beginner" else f" ({e.level})"
            print(f"  {e.id:<28} {e.name}{ref}{lvl} — {e.kind}, {e.camera.view} view")
    if cat.programs:
        print("programs:")
        for pdef in cat.programs.values():
            n = len(pdef.items)
            print(f"  {pdef.id:<28} {pdef.name} ({n} exercise{'s' if n != 1 else ''})")
    return 0 if not cat.problems else EXIT_USAGE


# ---------------------------------------------------------------------------------------------
# the app


def _cmd_app(args: argparse.Namespace) -> int:
    try:
        from coach.ui.app import run_app
    except ImportError as exc:
        return _err(f"the desktop app cannot start: {exc}")
    return run_app(source=args.source, exercise=args.exercise)


#: Modules that each register one subcommand through ``add_parser(subparsers)``.
_SUBCOMMAND_MODULES = (
    "coach.pose.models_cli",
    "coach.cli.ergonomics",
    "coach.devtools.bench",
    "coach.devtools.bench_monitor",
    "coach.cli.routine",
    "coach.cli.history",
    "coach.devtools.evaluate",
    "coach.cli.screenshots",
    "coach.cli.session",
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coach", description="A desktop rehabilitation exercise coach."
    )
    p.add_argument("--version", action="version", version=f"coach {_version()}")
    p.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    p.add_argument("--source", help="start the app on this camera index or video file")
    p.add_argument(
        "--exercise", type=_exercise_id, help="with --source: start straight into this exercise"
    )
    p.set_defaults(func=_cmd_app)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser(
        "analyze",
        help="track and score a recording (a video, a folder of videos, an image folder, or a .npz track)",
    )
    a.add_argument("video", type=Path)
    mode = a.add_mutually_exclusive_group()
    mode.add_argument(
        "--exercise", type=_exercise_id, help="score this exercise (see 'coach exercises')"
    )
    mode.add_argument(
        "--posture", action="store_true", help="report the workstation posture timeline"
    )
    mode.add_argument("--lifting", action="store_true", help="report each lift and its technique")
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    a.add_argument(
        "--landmarks", type=_landmarks_out, metavar="OUT.npz", help="save the landmark track"
    )
    a.add_argument(
        "--model", default="full", choices=("lite", "full", "heavy"), help="pose model variant"
    )
    a.add_argument(
        "--max-side",
        type=_max_side,
        default=None,
        metavar="PIXELS",
        help="downscale frames so the longer side is at most this (64 to 8192)",
    )
    a.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help="model instances (processes) for one video; 1 = a single, bit-reproducible pass",
    )
    a.set_defaults(func=_cmd_analyze)

    e = sub.add_parser("exercises", help="list the exercise catalogue and programs")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_cmd_exercises)

    for mod in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:  # a real missing dependency inside the module: say so
                raise
            continue
        module.add_parser(sub)
    return p


def _version() -> str:
    from coach import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
