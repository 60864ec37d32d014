"""The pose model's public names, kept where they were before provisioning was split up.

``coach.pose.model`` used to hold everything about the pose-landmarker bundle; it now lives in
:mod:`coach.pose.provision` (``ensure_model``, ``coach models install``), :mod:`coach.pose.bundle`
(the ``.task`` format), :mod:`coach.pose.fetch` (the network routes) and :mod:`coach.pose.cache`
(paths, :class:`ModelError`). This module only re-exports the public names, so
``from coach.pose.model import ensure_model`` keeps working. Patch a name where it is read (the
module that defines it), not here.
"""

from __future__ import annotations

from coach.pose.bundle import BUNDLE_MEMBERS, DETECTOR_MEMBER, LANDMARKS_MEMBER, is_valid_bundle
from coach.pose.cache import (
    DEFAULT_VARIANT,
    ENV_MODEL,
    ENV_OFFLINE,
    ENV_WHEEL,
    MP_WHEEL_VERSION,
    VARIANTS,
    ModelError,
    Progress,
    bundle_path,
    cache_dir,
)
from coach.pose.provision import (
    build_bundle_from_package,
    build_bundle_from_wheel,
    ensure_model,
    install_hint,
    install_model,
    model_status,
    package_variants,
    unwind_on_termination,
)

__all__ = [
    "BUNDLE_MEMBERS",
    "DEFAULT_VARIANT",
    "DETECTOR_MEMBER",
    "ENV_MODEL",
    "ENV_OFFLINE",
    "ENV_WHEEL",
    "LANDMARKS_MEMBER",
    "MP_WHEEL_VERSION",
    "VARIANTS",
    "ModelError",
    "Progress",
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
