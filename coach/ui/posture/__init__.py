"""The background posture monitor's widgets: the controller that starts, stops and renders the
sampled pipeline (:mod:`.controller`), the status strip (:mod:`.strip`), the tray icon and menu
(:mod:`.tray`), screen-lock and sleep over D-Bus (:mod:`.session_watch`) and the wiring into the
main window (:mod:`.install`). The Qt-free decisions are in :mod:`coach.pipeline.desk_monitor`.
"""

from coach.pipeline.desk_monitor import (
    MonitorState,
    baseline_from_settings,
    baseline_to_settings,
    head_scale,
)
from coach.pipeline.sampled import SampledReader
from coach.ui.posture.controller import PostureMonitorController
from coach.ui.posture.install import install
from coach.ui.posture.strip import PostureStatusWidget

__all__ = [
    "MonitorState",
    "PostureMonitorController",
    "PostureStatusWidget",
    "SampledReader",
    "baseline_from_settings",
    "baseline_to_settings",
    "head_scale",
    "install",
]
