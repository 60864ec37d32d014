"""The posture monitor's old address: the widgets live in :mod:`coach.ui.posture` and the Qt-free
decisions in :mod:`coach.pipeline.desk_monitor`; this module re-exports the public names for
existing imports.
"""

from coach.ui.posture import (
    MonitorState,
    PostureMonitorController,
    PostureStatusWidget,
    SampledReader,
    baseline_from_settings,
    baseline_to_settings,
    head_scale,
    install,
)

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
