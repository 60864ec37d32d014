"""Lifting technique from pose: lift detection, strategy, faults and NIOSH inputs (DOMAIN §4).

Pure numpy/stdlib; no Qt, OpenCV or MediaPipe. Every quantity is a ratio or an angle, so nothing
depends on the camera distance.

The package: :mod:`.geometry` (one frame's hand height and distance, trunk, knee and hip
flexion, twist), :mod:`.scoring` (the tunables, how one lift is measured at lift-off and judged:
strategy, faults and cues, and its NIOSH geometry) and :mod:`.detector` (:class:`LiftDetector`:
the stream of poses in, one :class:`LiftEvent` per lift out). Every public name is importable
from ``coach.core.lifting``.
"""

from __future__ import annotations

from coach.core.lifting.detector import LiftDetector, LiftPhase
from coach.core.lifting.geometry import (
    LEG_FRACTION_OF_HEIGHT,
    TYPICAL_LEG_M,
    LiftSample,
    leg_length_cm_from_height,
    lift_sample,
)
from coach.core.lifting.scoring import (
    LiftConfig,
    LiftEvent,
    LiftFault,
    NioshEstimate,
    score_lift,
    ssi_proxy,
    strategy_from_ssi,
)

__all__ = [
    "LEG_FRACTION_OF_HEIGHT",
    "TYPICAL_LEG_M",
    "LiftConfig",
    "LiftDetector",
    "LiftEvent",
    "LiftFault",
    "LiftPhase",
    "LiftSample",
    "NioshEstimate",
    "leg_length_cm_from_height",
    "lift_sample",
    "score_lift",
    "ssi_proxy",
    "strategy_from_ssi",
]
