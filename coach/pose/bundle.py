"""The pose-landmarker ``.task`` bundle: what it holds, how it is checked and how it is written.

A bundle is a zip holding ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``.
:func:`bundle_problem` says why a file is not a usable bundle (:func:`is_valid_bundle` is its
yes/no). Building one from the raw BlazePose models mediapipe ships needs two steps the Tasks API
insists on: TFLite model metadata (image input, normalization, output names;
:func:`add_image_metadata`) and an uncompressed zip whose members start on 16-byte boundaries
(:func:`write_aligned_zip`) so TFLite uses the weights in place. Where a bundle comes from and
where it goes is :mod:`coach.pose.provision`'s business.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coach.pose.cache import MP_WHEEL_VERSION, ModelError

__all__ = [
    "BUNDLE_MEMBERS",
    "DETECTOR_MEMBER",
    "DETECTOR_SPEC",
    "LANDMARKS_MEMBER",
    "LANDMARKS_SPEC",
    "add_image_metadata",
    "bundle_problem",
    "is_valid_bundle",
    "write_aligned_zip",
]

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
BUNDLE_MEMBERS: tuple[str, str] = (DETECTOR_MEMBER, LANDMARKS_MEMBER)

_TFLITE_IDENTIFIER = b"TFL3"
_METADATA_NAME = "TFLITE_METADATA"
_METADATA_IDENTIFIER = b"M001"
_BUFFER_ALIGNMENT = 16
_ZIP_ALIGN_EXTRA_ID = 0xD935
_MIN_PARSER_VERSION = "1.0.0"  # only 1.0.0 features (image props, normalization)

# Per model: name, input normalization (value = (pixel - mean) / std), the
# resulting input value range, and output tensor names in model output order.
DETECTOR_SPEC: dict[str, Any] = {
    "model_name": "Pose detector",
    "description": "BlazePose person detector (from mediapipe wheel).",
    "mean": 127.5,
    "std": 127.5,
    "range": (-1.0, 1.0),
    "outputs": ("raw_boxes", "raw_scores"),
}
LANDMARKS_SPEC: dict[str, Any] = {
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


# ---------------------------------------------------------------------- validation


def bundle_problem(path: Path) -> str | None:
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
    return bundle_problem(Path(path)) is None


# ------------------------------------------------------------------- building


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


def add_image_metadata(model_buf: bytes, spec: dict[str, Any]) -> bytes:
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

    subgraph = meta.SubGraphMetadataT()
    subgraph.name = spec["model_name"]
    subgraph.inputTensorMetadata = [_image_input_metadata(meta, spec)]
    subgraph.outputTensorMetadata = _output_metadata(meta, spec["outputs"], n_outputs)

    model_meta = meta.ModelMetadataT()
    model_meta.name = spec["model_name"]
    model_meta.description = spec["description"]
    model_meta.version = f"mediapipe-{MP_WHEEL_VERSION}"
    model_meta.license = "Apache License, Version 2.0"
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = _MIN_PARSER_VERSION

    mb = flatbuffers.Builder(0)
    mb.Finish(model_meta.Pack(mb), _METADATA_IDENTIFIER)
    _set_metadata_buffer(model, schema, bytes(mb.Output()))
    return _pack_model_aligned(model, schema, flatbuffers)


def _image_input_metadata(meta: Any, spec: dict[str, Any]) -> Any:
    """The input tensor's metadata: an RGB image, its normalization (``mean``, ``std``) and
    value range."""
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
    return image


def _output_metadata(meta: Any, names: Sequence[str], n_outputs: int) -> list[Any]:
    """One feature-tensor metadata per output, named from ``names`` (``output_<i>`` past
    its end)."""
    outputs = []
    for i in range(n_outputs):
        out = meta.TensorMetadataT()
        out.name = names[i] if i < len(names) else f"output_{i}"
        out.content = meta.ContentT()
        out.content.contentPropertiesType = meta.ContentProperties.FeatureProperties
        out.content.contentProperties = meta.FeaturePropertiesT()
        outputs.append(out)
    return outputs


def _set_metadata_buffer(model: Any, schema: Any, metadata_buf: bytes) -> None:
    """Store ``metadata_buf`` as the model's ``TFLITE_METADATA`` buffer, replacing an
    existing one or appending a new buffer and metadata entry."""
    buffer = schema.BufferT()
    buffer.data = metadata_buf
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


def write_aligned_zip(path: Path, members: Sequence[tuple[str, bytes]]) -> None:
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
