"""What every export shares: the DOMAIN §5.5 disclaimer, the app version, and writing files
safely (a ``.partial`` file, read back, then moved into place).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

DISCLAIMER = (
    "This app does not diagnose or treat any condition and is not a substitute for professional "
    "medical advice. Camera feedback is approximate: lighting, clothing and camera position affect "
    "accuracy, and the app cannot see the spine directly."
)


def _app_version() -> str:
    try:
        from coach import __version__

        return str(__version__)
    except ImportError:
        return "unknown"


class ExportError(OSError):
    """An export file was written but does not read back as it should."""


def _unreadable(path: Path, why: str) -> ExportError:
    return ExportError(errno.EIO, f"the file written does not read back: {why}", str(path))


def _replace(tmp: Path, path: Path) -> Path:
    tmp.replace(path)
    return path


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _output_dir(out: str | Path) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            errno.ENOTDIR, "it is a file; give a folder for the export files", str(path)
        )
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    return path
