"""``coach models`` sub-commands: install and inspect the pose model bundles.

Wire into the main parser with ``add_parser(subparsers)``; every sub-command
sets ``func=handler`` where ``handler(args) -> int``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from coach.pose.model import DEFAULT_VARIANT, VARIANTS, ModelError, install_model, model_status

__all__ = ["add_parser"]


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cmd_install(args: argparse.Namespace) -> int:
    try:
        path = install_model(args.variant, force=args.force, progress=_progress)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _format_size(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.1f} MB"


def _cmd_status(args: argparse.Namespace) -> int:
    try:
        rows = model_status()
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        state = "present" if row["present"] else "missing"
        source = row["source"] or "-"
        print(
            f"{row['variant']:<7} {state:<8} {_format_size(row['size']):>9}  "
            f"{row['path']}  (source: {source})"
        )
    return 0


def _cmd_help(parser: argparse.ArgumentParser) -> Any:
    def handler(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return handler


def add_parser(subparsers: Any) -> None:
    """Register the ``models`` command on an argparse sub-parsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``parser.add_subparsers()``.
    """
    models = subparsers.add_parser(
        "models",
        help="install or inspect the pose-landmarker model",
        description="Install or inspect the MediaPipe pose-landmarker model bundles.",
    )
    models.set_defaults(func=_cmd_help(models))
    sub = models.add_subparsers(dest="models_command", metavar="{install,status}")

    install = sub.add_parser(
        "install",
        help="build the pose model into the cache (the only command that may use the network)",
        description="Provision the pose model bundle in the user cache: built from the installed "
        "mediapipe package without the network; lite/heavy, or a mediapipe without model files, "
        "use the official download or the package index unless COACH_OFFLINE=1.",
    )
    install.add_argument(
        "--variant",
        choices=VARIANTS,
        default=DEFAULT_VARIANT,
        help=f"model variant (default: {DEFAULT_VARIANT})",
    )
    install.add_argument(
        "--force", action="store_true", help="discard the cached bundle and provision it again"
    )
    install.set_defaults(func=_cmd_install)

    status = sub.add_parser(
        "status",
        help="show which model bundles are cached",
        description="Show the cached pose model bundles.",
    )
    status.add_argument("--json", action="store_true", help="print machine-readable JSON")
    status.set_defaults(func=_cmd_status)
