"""The parts of MediaPipe the pose landmarker needs, imported without the rest of the package.

``import mediapipe`` runs the package's ``__init__``, which imports every task (audio, text,
genai, vision) and the legacy ``solutions``, and with them matplotlib: about 80 MiB of resident
memory and 0.7 s of start-up that coach never uses (measured with mediapipe 0.10.21: 269 -> 187
MiB with the pose model loaded; ``coach bench-app`` measures the app). So the ``mediapipe``,
``mediapipe.tasks``, ``mediapipe.tasks.python`` and ``...vision`` packages are registered as
empty packages whose ``__path__`` is their real folder, and only the modules the pose landmarker
itself imports are loaded. If the real package is already imported (model provisioning, a test),
it is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass
from typing import Any

_SHELLS = (
    "mediapipe",
    "mediapipe.tasks",
    "mediapipe.tasks.python",
    "mediapipe.tasks.python.vision",
)


@dataclass(frozen=True, slots=True)
class PoseTasks:
    """What :class:`coach.pose.estimator.MediaPipeEstimator` uses from MediaPipe."""

    Image: Any
    ImageFormat: Any
    BaseOptions: Any
    PoseLandmarker: Any
    PoseLandmarkerOptions: Any
    RunningMode: Any


def _shell(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    module = types.ModuleType(name, f"{name} (only the modules coach imports are loaded)")
    module.__path__ = list(spec.submodule_search_locations)
    module.__spec__ = spec
    module.__file__ = spec.origin
    module.__package__ = name
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def _register_shells() -> None:
    if "mediapipe" in sys.modules:  # the real package, or shells from an earlier call
        return
    try:
        for name in _SHELLS:
            _shell(name)
    except ImportError:
        for name in _SHELLS:
            sys.modules.pop(name, None)
        raise


def load() -> PoseTasks:
    """Import the pose landmarker's modules (raises ImportError on a broken install)."""
    _register_shells()
    image = importlib.import_module("mediapipe.python._framework_bindings.image")
    image_frame = importlib.import_module("mediapipe.python._framework_bindings.image_frame")
    base_options = importlib.import_module("mediapipe.tasks.python.core.base_options")
    landmarker = importlib.import_module("mediapipe.tasks.python.vision.pose_landmarker")
    running_mode = importlib.import_module(
        "mediapipe.tasks.python.vision.core.vision_task_running_mode"
    )
    return PoseTasks(
        Image=image.Image,
        ImageFormat=image_frame.ImageFormat,
        BaseOptions=base_options.BaseOptions,
        PoseLandmarker=landmarker.PoseLandmarker,
        PoseLandmarkerOptions=landmarker.PoseLandmarkerOptions,
        RunningMode=running_mode.VisionTaskRunningMode,
    )
