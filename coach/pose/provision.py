"""Provisioning of the MediaPipe pose-landmarker model bundle: ``ensure_model`` and ``coach models install``.

MediaPipe's Tasks ``PoseLandmarker`` needs a ``pose_landmarker_{variant}.task``
bundle (a zip holding ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``).

**Run time never provisions and never touches the network.** :func:`ensure_model`
(used by ``coach analyze``, sessions and the app) returns a user-set file or the
cached bundle, or raises :class:`ModelError` with one line saying how to install it.

Only :func:`install_model` (``coach models install``, run by ``scripts/setup.sh``)
builds or fetches a bundle, because the person asked for it. It tries, in order:

1. the installed ``mediapipe`` package: coach pins mediapipe 0.10.21, which ships
   the raw BlazePose ``.tflite`` files, so the bundle is built locally, with no
   network (the ``full`` variant);
2. ``COACH_MP_WHEEL=/path/to/mediapipe-0.10.21-*.whl``: the same, from a local wheel;
3. unless ``COACH_OFFLINE=1``: the official download from storage.googleapis.com
   (the only source of the ``lite`` and ``heavy`` variants);
4. unless ``COACH_OFFLINE=1``: ``pip download mediapipe==0.10.21`` and build from
   that wheel (only when the installed mediapipe lacks the files).

A variant no route can provide falls back to ``full`` with a warning.
``COACH_OFFLINE=1`` forbids routes 3 and 4, the only code in coach that opens a
network connection (docs/privacy.md).

Building adds the TFLite model metadata the Tasks API requires and zips the
models into an aligned bundle. All writes go to a temporary file in the
destination directory followed by :func:`os.replace`, so a crash never leaves a
half-written bundle behind; temporary files and folders are removed on every
exit path, SIGTERM and SIGINT included.

The pieces below this module: :mod:`coach.pose.cache` (paths, :class:`ModelError`, atomic
writes), :mod:`coach.pose.bundle` (the ``.task`` format) and :mod:`coach.pose.fetch` (the two
network routes). This module holds the routes that build locally and the public API.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import logging
import os
import signal
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from coach.pose import fetch
from coach.pose.bundle import (
    DETECTOR_MEMBER,
    DETECTOR_SPEC,
    LANDMARKS_MEMBER,
    LANDMARKS_SPEC,
    add_image_metadata,
    bundle_problem,
    is_valid_bundle,
    write_aligned_zip,
)
from coach.pose.cache import (
    DEFAULT_VARIANT,
    ENV_MODEL,
    ENV_OFFLINE,
    ENV_WHEEL,
    MP_WHEEL_VERSION,
    VARIANTS,
    ModelError,
    Progress,
    atomic_target,
    bundle_path,
    cache_dir,
    check_variant,
    discard,
    env_flag,
    read_source,
    say,
    write_sidecar,
)

__all__ = [
    "DEFAULT_VARIANT",
    "ENV_MODEL",
    "ENV_OFFLINE",
    "ENV_WHEEL",
    "MP_WHEEL_VERSION",
    "VARIANTS",
    "ModelError",
    "build_bundle_from_package",
    "build_bundle_from_wheel",
    "bundle_path",
    "cache_dir",
    "ensure_model",
    "install_hint",
    "install_model",
    "is_valid_bundle",
    "model_status",
    "package_variants",
    "unwind_on_termination",
]

logger = logging.getLogger(__name__)

PACKAGE_DETECTOR = "modules/pose_detection/pose_detection.tflite"
PACKAGE_LANDMARKS = "modules/pose_landmark/pose_landmark_{variant}.tflite"
WHEEL_DETECTOR = "mediapipe/" + PACKAGE_DETECTOR
WHEEL_LANDMARKS = "mediapipe/" + PACKAGE_LANDMARKS


# ------------------------------------------------------------- user-set model


def _user_model(path: str | Path | None) -> Path | None:
    """A user-set bundle (``COACH_POSE_MODEL`` wins over ``path``).

    Raises
    ------
    ModelError
        If a path is set but missing or not a valid bundle.
    """
    env = os.environ.get(ENV_MODEL, "").strip()
    if env:
        candidate, origin = Path(env).expanduser(), f"set by {ENV_MODEL}"
    elif path is not None and str(path).strip():
        candidate, origin = Path(path).expanduser(), "set in the settings"
    else:
        return None
    problem = bundle_problem(candidate)
    if problem is not None:
        raise ModelError(
            f"Pose model {candidate} ({origin}) is unusable because {problem}; point it at a "
            f"pose_landmarker .task bundle or clear it to let coach provision the model itself."
        )
    logger.debug("using user-set pose model %s (%s)", candidate, origin)
    return candidate


# ------------------------------------------------ routes 1 and 2: local builds


def _wheel_variants(names: set[str]) -> list[str]:
    return [v for v in VARIANTS if WHEEL_LANDMARKS.format(variant=v) in names]


def _pick_variant(
    variant: str, available: Sequence[str], where: str, progress: Progress | None
) -> str:
    if variant in available:
        return variant
    actual = "full" if "full" in available else available[0]
    msg = (
        f"Pose model variant '{variant}' is not in {where} (it has {', '.join(available)}); "
        f"using '{actual}' instead."
    )
    say(progress, msg, logging.WARNING)
    return actual


def _build_bundle(
    detector_raw: bytes,
    landmarks_raw: bytes,
    variant: str,
    origin: str,
    dest: str | Path | None,
    progress: Progress | None,
) -> Path:
    """Add metadata to the raw models and write the aligned bundle atomically."""
    say(progress, f"Building pose model bundle ({variant}) from {origin}…")
    try:
        detector = add_image_metadata(detector_raw, DETECTOR_SPEC)
        landmarks = add_image_metadata(landmarks_raw, LANDMARKS_SPEC)
    except ModelError:
        raise
    except Exception as exc:  # malformed flatbuffer, schema mismatch
        raise ModelError(
            f"Could not add metadata to the pose models from {origin} ({exc}); use a "
            f"mediapipe {MP_WHEEL_VERSION} wheel or set {ENV_MODEL} to a .task file."
        ) from exc

    out = Path(dest) if dest is not None else bundle_path(variant)
    if out.is_dir():
        raise ModelError(
            f"{out} is a folder where the pose model file belongs; remove it and try again."
        )
    try:
        with atomic_target(out) as tmp:
            write_aligned_zip(tmp, [(DETECTOR_MEMBER, detector), (LANDMARKS_MEMBER, landmarks)])
            problem = bundle_problem(tmp)
            if problem is not None:
                raise ModelError(f"Built pose model bundle is invalid because {problem}.")
    except OSError as exc:
        raise ModelError(
            f"Cannot write the pose model to {out} ({exc}); free disk space or fix the "
            f"permissions of {out.parent}."
        ) from exc
    return out


def build_bundle_from_wheel(
    wheel: str | Path,
    variant: str = DEFAULT_VARIANT,
    dest: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> tuple[Path, str]:
    """Build a ``.task`` bundle from the raw models inside a mediapipe wheel.

    Parameters
    ----------
    wheel : str or Path
        A mediapipe 0.10.x wheel (any platform; the models are the same).
    variant : str
        Requested landmark model variant. If the wheel lacks it, ``full`` is
        used instead and a warning is logged.
    dest : str or Path, optional
        Output file; defaults to the cache location of the variant actually built.
    progress : callable, optional
        Receives user-facing status lines.

    Returns
    -------
    (Path, str)
        The bundle path and the variant actually built.

    Raises
    ------
    ModelError
        If the wheel is unreadable or holds no usable pose models.
    """
    check_variant(variant)
    wheel = Path(wheel)
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            available = _wheel_variants(names)
            if WHEEL_DETECTOR not in names or not available:
                raise ModelError(
                    f"Wheel {wheel} contains no pose models; use a mediapipe "
                    f"{MP_WHEEL_VERSION} wheel."
                )
            actual = _pick_variant(variant, available, wheel.name, progress)
            detector_raw = zf.read(WHEEL_DETECTOR)
            landmarks_raw = zf.read(WHEEL_LANDMARKS.format(variant=actual))
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(
            f"Cannot read mediapipe wheel {wheel} ({exc}); delete it or point "
            f"{ENV_WHEEL} at a valid mediapipe {MP_WHEEL_VERSION} wheel."
        ) from exc
    return _build_bundle(detector_raw, landmarks_raw, actual, wheel.name, dest, progress), actual


def _package_dir() -> Path | None:
    """The installed ``mediapipe`` package folder, found without importing it."""
    try:
        spec = importlib.util.find_spec("mediapipe")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_label() -> str:
    try:
        return f"the installed mediapipe {importlib.metadata.version('mediapipe')}"
    except importlib.metadata.PackageNotFoundError:
        return "the installed mediapipe"


def package_variants() -> list[str]:
    """Variants whose raw models the installed mediapipe package ships (no network needed)."""
    root = _package_dir()
    if root is None or not (root / PACKAGE_DETECTOR).is_file():
        return []
    return [v for v in VARIANTS if (root / PACKAGE_LANDMARKS.format(variant=v)).is_file()]


def build_bundle_from_package(
    variant: str = DEFAULT_VARIANT,
    dest: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> tuple[Path, str]:
    """Build a ``.task`` bundle from the raw models of the installed mediapipe package.

    No network: mediapipe 0.10.21 (the version coach pins) ships ``pose_detection.tflite``
    and ``pose_landmark_full.tflite``.

    Parameters
    ----------
    variant : str
        Requested variant; ``full`` is used (with a warning) if the package lacks it.
    dest : str or Path, optional
        Output file; defaults to the cache location of the variant actually built.
    progress : callable, optional
        Receives user-facing status lines.

    Returns
    -------
    (Path, str)
        The bundle path and the variant actually built.

    Raises
    ------
    ModelError
        If the installed package has no pose models or they cannot be read.
    """
    check_variant(variant)
    available = package_variants()
    label = _package_label()
    if not available:
        raise ModelError(
            f"{label[0].upper()}{label[1:]} ships no pose models (coach needs mediapipe "
            f"{MP_WHEEL_VERSION}); reinstall coach's dependencies, or set {ENV_MODEL} to a "
            f"pose_landmarker .task file."
        )
    root = _package_dir()
    assert root is not None  # package_variants() found it
    actual = _pick_variant(variant, available, label, progress)
    try:
        detector_raw = (root / PACKAGE_DETECTOR).read_bytes()
        landmarks_raw = (root / PACKAGE_LANDMARKS.format(variant=actual)).read_bytes()
    except OSError as exc:
        raise ModelError(f"Cannot read the pose models of {label} ({exc}); reinstall it.") from exc
    return _build_bundle(detector_raw, landmarks_raw, actual, label, dest, progress), actual


@contextlib.contextmanager
def unwind_on_termination() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into ``SystemExit`` for the duration (provisioning, worker pools).

    The default action of those signals ends the process on the spot, skipping the
    ``finally`` blocks that remove temporary files and folders; SIGINT already
    unwinds (``KeyboardInterrupt``). Only the main thread can install handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    sigs = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    saved = {s: signal.signal(s, _exit) for s in sigs}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def _from_registry_wheel(variant: str, progress: Progress | None = None) -> Path:
    """Route 4: build the bundle from a wheel fetched with pip (a network route).

    Returns
    -------
    Path
        The cached bundle (possibly of the ``full`` variant, see
        :func:`build_bundle_from_wheel`).

    Raises
    ------
    ModelError
        If the wheel cannot be obtained or used.
    """
    with unwind_on_termination(), tempfile.TemporaryDirectory(prefix="coach-mpwheel-") as tmp:
        wheel = fetch.fetch_wheel(Path(tmp), progress)
        path, actual = build_bundle_from_wheel(wheel, variant, progress=progress)
        write_sidecar(path, f"wheel:{wheel.name}", actual)
    return path


def _from_env_wheel(variant: str, progress: Progress | None) -> tuple[Path, str] | None:
    """Route 2: ``COACH_MP_WHEEL``, a local wheel (no network)."""
    env_wheel = os.environ.get(ENV_WHEEL, "").strip()
    if not env_wheel:
        return None
    wheel = Path(env_wheel).expanduser()
    if not wheel.is_file():
        raise ModelError(
            f"Wheel {wheel} set by {ENV_WHEEL} does not exist; fix the path or unset {ENV_WHEEL}."
        )
    path, actual = build_bundle_from_wheel(wheel, variant, progress=progress)
    write_sidecar(path, f"wheel:{wheel}", actual)
    return path, actual


def _from_package(variant: str, progress: Progress | None) -> tuple[Path, str]:
    """Route 1: the installed mediapipe package (no network)."""
    path, actual = build_bundle_from_package(variant, progress=progress)
    write_sidecar(path, f"package:{_package_label().removeprefix('the installed ')}", actual)
    return path, actual


# ---------------------------------------------------------------------- public API


def install_hint(variant: str = DEFAULT_VARIANT) -> str:
    """The command that installs ``variant`` (for one-line error messages)."""
    return "coach models install" + ("" if variant == DEFAULT_VARIANT else f" --variant {variant}")


def _provision(variant: str, progress: Progress | None, *, use_cache: bool = True) -> Path:
    """Routes 1-4 (see the module docstring); only :func:`install_model` calls this.

    With ``use_cache=False`` the cached bundle is ignored but left in place
    until a new one atomically replaces it, so a failed re-install keeps it.
    """
    target = bundle_path(variant)
    if target.is_dir():
        raise ModelError(
            f"{target} is a folder where the pose model file belongs; remove it and run "
            f"'{install_hint(variant)}' again."
        )
    if use_cache:
        problem = bundle_problem(target) if target.exists() else "it does not exist"
        if problem is None:
            return target
        if target.exists():
            say(
                progress,
                f"Replacing the cached pose model {target} because {problem}.",
                logging.WARNING,
            )
            discard(target)

    # Local routes first: nothing leaves the machine when they can provide the variant.
    if variant in package_variants():
        path, _ = _from_package(variant, progress)
        say(progress, f"Pose model ready: {path}")
        return path
    errors: list[str] = []
    from_wheel: tuple[Path, str] | None = None
    try:
        from_wheel = _from_env_wheel(variant, progress)
    except ModelError as exc:
        errors.append(str(exc))
    if from_wheel is not None and from_wheel[1] == variant:
        say(progress, f"Pose model ready: {from_wheel[0]}")
        return from_wheel[0]

    offline = env_flag(ENV_OFFLINE)
    if not offline:
        downloaded = fetch.download_official(variant, progress)
        if downloaded is not None:
            return downloaded
    else:
        logger.info("network routes disabled by %s=1", ENV_OFFLINE)

    # The variant is not available: settle for what a local route gave, or 'full'.
    if from_wheel is not None:
        say(progress, f"Pose model ready: {from_wheel[0]}")
        return from_wheel[0]
    if package_variants():
        path, _ = _from_package(variant, progress)  # warns that it builds 'full' instead
        say(progress, f"Pose model ready: {path}")
        return path
    if offline:
        reasons = "; ".join(errors) or (
            f"{_package_label()} ships no pose models (coach needs mediapipe {MP_WHEEL_VERSION})"
        )
        raise ModelError(
            f"No pose model could be built without the network ({reasons}); reinstall coach's "
            f"dependencies (scripts/setup.sh), set {ENV_WHEEL} to a mediapipe {MP_WHEEL_VERSION} "
            f"wheel or {ENV_MODEL} to a .task file, or unset {ENV_OFFLINE} to download it."
        )
    if errors:
        raise ModelError(errors[0])
    path = _from_registry_wheel(variant, progress)
    say(progress, f"Pose model ready: {path}")
    return path


def ensure_model(variant: str = DEFAULT_VARIANT, path: str | Path | None = None) -> Path:
    """Return the pose-landmarker bundle to use; never provisions, never touches the network.

    Parameters
    ----------
    variant : str
        ``"lite"``, ``"full"`` (default) or ``"heavy"``. A variant that is not
        installed falls back to an installed ``"full"`` with a logged warning.
    path : str or Path, optional
        User-configured bundle (from the settings). ``COACH_POSE_MODEL`` takes
        precedence over it.

    Returns
    -------
    Path
        Path of a valid ``.task`` bundle.

    Raises
    ------
    ModelError
        One line for the user: a user-set path is invalid, the cached bundle is
        damaged, or no model is installed (with the command that installs it).
    """
    check_variant(variant)
    user = _user_model(path)
    if user is not None:
        return user
    target = bundle_path(variant)
    if target.exists() or target.is_symlink():
        problem = bundle_problem(target)
        if problem is None:
            return target
        if target.is_dir():
            raise ModelError(
                f"The pose model {target} is a folder, not a model file; remove that folder, "
                f"then run '{install_hint(variant)}'."
            )
        raise ModelError(
            f"The pose model {target} is unusable because {problem}; run "
            f"'{install_hint(variant)} --force' to rebuild it."
        )
    if variant != DEFAULT_VARIANT:
        fallback = bundle_path(DEFAULT_VARIANT)
        if bundle_problem(fallback) is None:
            logger.warning(
                "pose model variant '%s' is not installed; using '%s' (run '%s' to add it)",
                variant,
                DEFAULT_VARIANT,
                install_hint(variant),
            )
            return fallback
    raise ModelError(
        f"The pose model is not installed; run '{install_hint(variant)}' once to set it up "
        f"(or set {ENV_MODEL} to a pose_landmarker .task file)."
    )


def install_model(
    variant: str = DEFAULT_VARIANT,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Provision the bundle for ``variant`` in the cache (``coach models install``).

    Ignores ``COACH_POSE_MODEL``: this always fills the cache. Builds from the
    installed mediapipe package when it can (no network); the network routes
    run only when that cannot provide the variant and ``COACH_OFFLINE`` is unset.

    Parameters
    ----------
    variant : str
        One of :data:`VARIANTS`.
    force : bool
        Provision again even if a valid bundle is cached; the old bundle is
        only replaced once the new one is complete.
    progress : callable, optional
        Receives short user-facing status lines.

    Returns
    -------
    Path
        The cached bundle (of the ``full`` variant if ``variant`` is unavailable).

    Raises
    ------
    ModelError
        If no route could provide the model.
    """
    check_variant(variant)
    if force:
        say(progress, f"Re-provisioning pose model ({variant}).")
    with unwind_on_termination():
        return _provision(variant, progress, use_cache=not force)


def model_status() -> list[dict[str, Any]]:
    """Describe the cached bundles (and a ``COACH_POSE_MODEL`` override if set).

    Returns
    -------
    list of dict
        One dict per variant with keys ``variant``, ``path`` (str), ``present``
        (bool: exists and is a valid bundle), ``size`` (bytes or None) and
        ``source`` (where it came from, or None). If ``COACH_POSE_MODEL`` is set,
        a final entry with ``variant="custom"`` and ``source="COACH_POSE_MODEL"``
        describes it.
    """
    rows: list[dict[str, Any]] = []
    for variant in VARIANTS:
        p = bundle_path(variant)
        exists = p.is_file()
        rows.append(
            {
                "variant": variant,
                "path": str(p),
                "present": exists and is_valid_bundle(p),
                "size": p.stat().st_size if exists else None,
                "source": read_source(p) if exists else None,
            }
        )
    env = os.environ.get(ENV_MODEL, "").strip()
    if env:
        p = Path(env).expanduser()
        exists = p.is_file()
        rows.append(
            {
                "variant": "custom",
                "path": str(p),
                "present": exists and is_valid_bundle(p),
                "size": p.stat().st_size if exists else None,
                "source": ENV_MODEL,
            }
        )
    return rows
