"""Calibration and workstation profiles: a user's neutral, upright sitting posture
(:class:`PostureBaseline`, per-metric medians over ~3 s), named profiles with a sensitivity
(:class:`PostureProfile`), and :func:`calibrate`, which captures a baseline from the frames of a
guided calibration (DOMAIN §1.6). Whether a baseline looks upright is judged in
:mod:`coach.core.posture.classify`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from coach.core.landmarks import PoseFrame
from coach.core.posture.measures import IPD_MM, NAN, PostureMeasures, measure_pose


class CalibrationError(ValueError):
    """The calibration frames cannot give a baseline; the message is for the user."""


_BASE_FIELDS = (
    "cva",
    "neck_flex",
    "trunk",
    "lateral_lean",
    "shoulder_tilt",
    "head_tilt",
    "ear_shoulder",
    "face_scale",
    "ipd_px",
)


@dataclass(frozen=True)
class PostureBaseline:
    """A user's neutral, upright sitting posture: per-metric medians over the calibration.

    JSON-serialisable through :meth:`to_dict` / :meth:`from_dict` (NaN is stored as null).

    Attributes
    ----------
    view : the camera view seen during calibration ("side" or "front").
    cva, neck_flex, trunk : side-view neutral values (degrees); ``neck_flex`` is the neutral
        offset subtracted from ``neck_flex_proxy`` (DOMAIN §1.3).
    lateral_lean, shoulder_tilt, head_tilt, ear_shoulder, face_scale, ipd_px : front-view
        neutral values.
    focal_px : camera focal length in pixels when the user sat at a measured distance.
    frames, seconds : how much went into the medians.
    source : "guided" (the calibration step) or "auto" (the opening of a recording).
    """

    view: str
    cva: float = NAN
    neck_flex: float = NAN
    trunk: float = NAN
    lateral_lean: float = NAN
    shoulder_tilt: float = NAN
    head_tilt: float = NAN
    ear_shoulder: float = NAN
    face_scale: float = NAN
    ipd_px: float = NAN
    focal_px: float | None = None
    frames: int = 0
    seconds: float = 0.0
    source: str = "guided"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes None)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            val = getattr(self, f.name)
            out[f.name] = None if isinstance(val, float) and not math.isfinite(val) else val
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PostureBaseline:
        """Inverse of :meth:`to_dict`; unknown keys are an error, missing ones default."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown baseline field(s): {', '.join(unknown)}")
        if data.get("view") not in ("side", "front"):
            raise ValueError(f"baseline view must be 'side' or 'front', got {data.get('view')!r}")
        kw: dict[str, Any] = {}
        for k, val in data.items():
            if k in _BASE_FIELDS:
                kw[k] = NAN if val is None else float(val)
            else:
                kw[k] = val
        return cls(**kw)


@dataclass(frozen=True)
class PostureProfile:
    """A named workstation profile ("laptop", "desk monitor", ...).

    ``baseline`` None means the documented defaults are used. ``sensitivity`` multiplies every
    issue threshold's strictness (2.0 halves the thresholds; 0.5 doubles them).
    """

    name: str = "default"
    baseline: PostureBaseline | None = None
    sensitivity: float = 1.0

    def __post_init__(self) -> None:
        if not (isinstance(self.sensitivity, (int, float)) and 0.1 <= self.sensitivity <= 10.0):
            raise ValueError(f"sensitivity must be within 0.1–10, got {self.sensitivity!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sensitivity": self.sensitivity,
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PostureProfile:
        unknown = sorted(set(data) - {"name", "sensitivity", "baseline"})
        if unknown:
            raise ValueError(f"unknown profile field(s): {', '.join(unknown)}")
        base = data.get("baseline")
        return cls(
            name=str(data.get("name", "default")),
            baseline=None if base is None else PostureBaseline.from_dict(base),
            sensitivity=float(data.get("sensitivity", 1.0)),
        )


def _nanmedian(xs: Sequence[float]) -> float:
    vals = [x for x in xs if x == x]
    return float(np.median(vals)) if vals else NAN


def _baseline_from(
    measures: Sequence[PostureMeasures],
    times: Sequence[float],
    focal_px: float | None,
    source: str,
) -> PostureBaseline:
    views = [m.view for m in measures if m.view is not None]
    if not views:
        raise CalibrationError("calibration failed: head and shoulders were not visible")
    view = "front" if views.count("front") > views.count("side") else "side"
    same = [m for m in measures if m.view == view]
    med = {k: _nanmedian([getattr(m, k) for m in same]) for k in _BASE_FIELDS}
    key = ("cva",) if view == "side" else ("shoulder_tilt", "head_tilt")
    if all(med[k] != med[k] for k in key):
        raise CalibrationError(
            f"calibration failed: the {view} view did not show the ears and shoulders clearly"
        )
    return PostureBaseline(
        view=view,
        focal_px=focal_px,
        frames=len(same),
        seconds=float(times[-1] - times[0]) if len(times) > 1 else 0.0,
        source=source,
        **med,
    )


def calibrate(
    poses: Iterable[PoseFrame | None],
    *,
    distance_cm: float | None = None,
    source: str = "guided",
) -> PostureBaseline:
    """Capture a neutral baseline from ~3 s of upright sitting (DOMAIN §1.6).

    Parameters
    ----------
    poses : the frames of the calibration (None = no person; skipped).
    distance_cm : optional measured eye-to-screen distance during calibration ("sit at a
        measured 60 cm"); with a front view this fixes the focal length for screen distance.
    source : "guided" or "auto".

    Raises
    ------
    CalibrationError
        No person, or the key landmarks of the view were never seen.
    """
    seen = [p for p in poses if p is not None]
    if not seen:
        raise CalibrationError("calibration failed: nobody was in view")
    measures = [measure_pose(p) for p in seen]
    focal = None
    if distance_cm is not None:
        if not (distance_cm > 0 and math.isfinite(distance_cm)):
            raise CalibrationError(f"distance_cm must be a positive number, got {distance_cm!r}")
        ipd = _nanmedian([m.ipd_px for m in measures if m.view == "front"])
        if ipd == ipd:
            focal = ipd * distance_cm * 10.0 / IPD_MM
    return _baseline_from(measures, [p.timestamp for p in seen], focal, source)
