"""Workstation posture from a webcam: measures, calibration, classification and the monitor.

DOMAIN §3 (workstation posture), §1.3 (metric definitions), §3.4 (alerting), §3.5/§3.7 (RULA
with webcam defaults). Pure numpy/stdlib; no Qt, OpenCV or MediaPipe.

The package, in the order a frame flows through it: :mod:`.measures` (the view and the angles
and ratios of one frame, screen distance), :mod:`.baseline` (calibration and workstation
profiles), :mod:`.classify` (states, thresholds, the per-frame verdict, whether a baseline is
upright), :mod:`.status` (the monitor's configuration, status, nudges and daily record) and
:mod:`.monitor` (:class:`PostureMonitor`, the stream of frames in, status and nudges out). Every
public name is importable from ``coach.core.posture``.
"""

from __future__ import annotations

from coach.core.posture.baseline import CalibrationError, PostureBaseline, PostureProfile, calibrate
from coach.core.posture.classify import (
    DEFAULTS,
    HYSTERESIS,
    ISSUE_LABELS,
    ISSUE_STATE,
    Assessment,
    PostureState,
    PostureThresholds,
    auto_baseline,
    baseline_problem,
    classify,
    not_assessed,
)
from coach.core.posture.measures import (
    ASSUMED_HFOV_DEG,
    FRONT_RATIO,
    FRONT_RATIO_NO_HIPS,
    IPD_MM,
    PostureMeasures,
    detect_view,
    measure,
    measure_pose,
    screen_distance_cm,
)
from coach.core.posture.monitor import PostureMonitor
from coach.core.posture.status import (
    ALERT_MESSAGES,
    DailyRecord,
    MonitorConfig,
    PostureAlert,
    PostureStatus,
    RulaSummary,
)

__all__ = [
    "ALERT_MESSAGES",
    "ASSUMED_HFOV_DEG",
    "DEFAULTS",
    "FRONT_RATIO",
    "FRONT_RATIO_NO_HIPS",
    "HYSTERESIS",
    "IPD_MM",
    "ISSUE_LABELS",
    "ISSUE_STATE",
    "Assessment",
    "CalibrationError",
    "DailyRecord",
    "MonitorConfig",
    "PostureAlert",
    "PostureBaseline",
    "PostureMeasures",
    "PostureMonitor",
    "PostureProfile",
    "PostureState",
    "PostureStatus",
    "PostureThresholds",
    "RulaSummary",
    "auto_baseline",
    "baseline_problem",
    "calibrate",
    "classify",
    "detect_view",
    "measure",
    "measure_pose",
    "not_assessed",
    "screen_distance_cm",
]
