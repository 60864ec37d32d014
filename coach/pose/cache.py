"""Where pose model bundles live, and the words provisioning shares.

The variants, the environment variables that steer provisioning, the pinned mediapipe release,
:class:`ModelError` (one line for the person: what failed and how to fix it), the cache folder
and a bundle's place in it, a bundle's provenance sidecar (``<bundle>.json``) and the atomic
write every bundle and sidecar goes through (a temporary file next to the target, then
:func:`os.replace`, so a crash never leaves a half-written file). The bottom of
:mod:`coach.pose.bundle`, :mod:`coach.pose.fetch` and :mod:`coach.pose.provision`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs

__all__ = [
    "DEFAULT_VARIANT",
    "ENV_MODEL",
    "ENV_OFFLINE",
    "ENV_WHEEL",
    "MP_WHEEL_VERSION",
    "VARIANTS",
    "ModelError",
    "Progress",
    "atomic_target",
    "bundle_path",
    "cache_dir",
    "check_variant",
    "discard",
    "env_flag",
    "read_source",
    "say",
    "sidecar",
    "write_sidecar",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]

VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"

ENV_MODEL = "COACH_POSE_MODEL"
ENV_OFFLINE = "COACH_OFFLINE"
ENV_WHEEL = "COACH_MP_WHEEL"

#: The mediapipe release coach pins (pyproject.toml): the last one without the usage-logging
#: uploader, and one that ships the raw BlazePose models.
MP_WHEEL_VERSION = "0.10.21"


class ModelError(Exception):
    """The pose model could not be found, validated or provisioned.

    The message is one sentence saying what failed and how to fix it.
    """


# --------------------------------------------------------------------------- paths


def cache_dir() -> Path:
    """Return the directory holding cached model bundles.

    Returns
    -------
    Path
        ``platformdirs.user_cache_dir("coach") / "models"`` (not created).
    """
    return Path(platformdirs.user_cache_dir("coach")) / "models"


def bundle_path(variant: str = DEFAULT_VARIANT) -> Path:
    """Return the cache location of the bundle for ``variant``.

    Parameters
    ----------
    variant : str
        One of :data:`VARIANTS`.

    Returns
    -------
    Path
        ``cache_dir() / f"pose_landmarker_{variant}.task"``.
    """
    check_variant(variant)
    return cache_dir() / f"pose_landmarker_{variant}.task"


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(
            f"Unknown pose model variant {variant!r}; use one of {', '.join(VARIANTS)}."
        )


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def say(progress: Progress | None, message: str, level: int = logging.INFO) -> None:
    logger.log(level, "%s", message)
    if progress is not None:
        try:
            progress(message)
        except Exception:  # a broken UI callback must not break provisioning
            logger.exception("progress callback failed")


# -------------------------------------------------------------------- atomic I/O


@contextlib.contextmanager
def atomic_target(dest: Path) -> Iterator[Path]:
    """Yield a temp path next to ``dest``; on success ``os.replace`` it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_sidecar(path: Path, source: str, variant: str) -> None:
    info = {"source": source, "variant": variant, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        with atomic_target(sidecar(path)) as tmp:
            tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    except OSError:
        logger.warning("could not write provenance file for %s", path, exc_info=True)


def read_source(path: Path) -> str | None:
    try:
        data = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    source = data.get("source") if isinstance(data, dict) else None
    return str(source) if source else None


def discard(path: Path) -> None:
    for p in (path, sidecar(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
