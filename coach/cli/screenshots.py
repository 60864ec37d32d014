"""``coach screenshots``: save every main screen of the app as a PNG, at a chosen window size.

::

    coach screenshots --size 1366x768 --out DIR [--clip VIDEO] [--large-text] [--high-contrast]
                      [--check] [--only NAME]

The app runs with an empty profile in a temporary folder (your own settings and history are
never touched), off screen. The session plays ``--clip`` (a recording of mini squats by default
when the shared footage folder is there) in the skeleton-only view, so no person's image is
saved. With ``--check`` the layout checker's findings are printed and the exit status is 2 when
there are any.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

EXIT_BAD = 2
#: Where the project's shared test footage lives next to the work tree (not shipped).
DEFAULT_CLIP = Path(__file__).resolve().parents[3] / "shared" / "media" / "squat_side_be.mp4"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a size; use WIDTHxHEIGHT, e.g. 1366x768"
        ) from None
    if not (640 <= w <= 7680 and 480 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"'{text}' is outside 640x480 to 7680x4320")
    return w, h


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "screenshots", help="save every main screen as a PNG at a window size"
    )
    p.add_argument(
        "--size",
        type=_size,
        default=(1366, 768),
        metavar="WxH",
        help="window size (default 1366x768)",
    )
    p.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the PNG files"
    )
    p.add_argument(
        "--clip",
        type=Path,
        default=None,
        metavar="VIDEO",
        help="video the session plays (default: the shared mini-squat clip, when present)",
    )
    p.add_argument(
        "--no-clip", action="store_true", help="no video: the session shows its no-camera state"
    )
    p.add_argument("--large-text", action="store_true", help="use the large-text setting")
    p.add_argument("--high-contrast", action="store_true", help="use the high-contrast setting")
    p.add_argument(
        "--check",
        action="store_true",
        help="also report overlapping or clipped widgets (exit 2 if any)",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only screens whose name contains NAME (repeatable)",
    )
    p.set_defaults(func=cmd_screenshots)


def cmd_screenshots(args: argparse.Namespace) -> int:
    clip = args.clip
    if args.no_clip:
        clip = None
    elif clip is None and DEFAULT_CLIP.exists():
        clip = DEFAULT_CLIP
    if clip is not None and not clip.is_file():
        print(f"coach: {clip}: no such video file", file=sys.stderr)
        return EXIT_BAD
    if clip is not None:  # the session screens play the clip through the pose model
        from coach.pose.model import ModelError, ensure_model

        try:
            ensure_model()
        except ModelError as exc:
            print(f"coach: {exc} Or take the screens with --no-clip.", file=sys.stderr)
            return EXIT_BAD
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"coach: cannot create {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD
    with tempfile.TemporaryDirectory(prefix="coach-screens-") as tmp:
        return _run(args, clip, Path(tmp))


def _quiet_resize_warnings() -> None:
    """The off-screen platform warns on every window resize; that line says nothing about the app."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    previous = None

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


def _run(args: argparse.Namespace, clip: Path | None, tmp: Path) -> int:
    # An empty profile, off screen, never the user's own files; no speech probing.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["COACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["COACH_DATA_DIR"] = str(tmp / "data")
    os.environ["COACH_LOG_DIR"] = str(tmp / "logs")
    os.environ["COACH_TTS"] = "off"
    from coach.ui import layout_check
    from coach.ui.app import build_window
    from coach.ui.tour import apply_size, ensure_app, grab, seed_history, tour

    app = ensure_app()
    app.setApplicationName("coach")
    _quiet_resize_warnings()
    win, ctx = build_window(history_path=tmp / "data" / "history.sqlite3")
    if (
        ctx.history is not None
    ):  # made-up sessions in the throw-away profile, so charts show something
        seed_history(ctx.history)
    s = ctx.settings
    s.large_text = bool(args.large_text)
    s.high_contrast = bool(args.high_contrast)
    s.skeleton_only = True  # never save a person's image
    if ctx.speaker is not None:  # silent, and no "speech unavailable" banner in the pictures
        ctx.speaker.enabled = False
    win.apply_theme()
    w, h = args.size
    win.show()
    apply_size(win, w, h)
    only = [o.lower() for o in args.only]
    skipped: list[str] = []
    count = 0
    problems = 0
    try:
        for name in tour(
            win,
            ctx,
            workdir=tmp / "work",
            clip=str(clip) if clip else None,
            only=(lambda n: any(o in n for o in only)) if only else None,
            skipped=skipped,
        ):
            apply_size(win, w, h)
            path = args.out / f"{name}.png"
            if not grab(win, path):
                print(f"coach: cannot write {path}", file=sys.stderr)
                return EXIT_BAD
            count += 1
            line = f"{path}"
            if (win.width(), win.height()) != (w, h):
                line += f"  (the window cannot be smaller than {win.width()}x{win.height()})"
                problems += 1
            print(line)
            if args.check:
                found = layout_check.check(win)
                problems += len(found)
                for p in found:
                    print(f"  {p}")
    finally:
        for i in range(win.stack.count()):
            shutdown = getattr(win.stack.widget(i), "shutdown", None)
            if callable(shutdown):
                shutdown()
        win.close()
        if ctx.history is not None:
            ctx.history.close()
    for what in skipped:
        print(f"coach: skipped part of the walk: {what}", file=sys.stderr)
    print(
        f"{count} screens written to {args.out}"
        + (f"; {problems} layout problems" if args.check else "")
    )
    return EXIT_BAD if args.check and problems else 0
