"""The desk posture monitor's Qt-free decisions, rendered by the app's controller
(:class:`coach.ui.posture.controller.PostureMonitorController`).

The scoring rules live in :class:`coach.core.posture.PostureMonitor` and the sampling in
:mod:`coach.pipeline.sampled`; this module holds what sits between them and the screen: the
controller's states (:class:`MonitorState`), the calibration baseline as stored in a settings
profile (:func:`baseline_to_settings` / :func:`baseline_from_settings`), the apparent head size
that notices somebody else in front of the camera (:func:`head_scale`, :class:`OtherPersonCheck`),
the guided calibration's verdict and words (:func:`calibration_outcome`), the display dwell that
keeps the status line from flickering (:class:`DisplayDwell`), the one short sentence the status
line shows (:func:`running_sentence`), and the day's posture seconds added to the history since
the last save (:class:`PostureTotals`).
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from coach.core.landmarks import Landmark, PoseFrame
from coach.core.posture import (
    CalibrationError,
    PostureBaseline,
    PostureState,
    PostureStatus,
    baseline_problem,
    calibrate,
)
from coach.pipeline.sampled import SampledState

log = logging.getLogger(__name__)

#: Head size relative to the calibrated one outside this band: someone else, or a new set-up.
OTHER_PERSON_BAND = (0.6, 1.65)
#: A posture verdict must hold this long before the status strip shows it (no flicker).
DISPLAY_DWELL_S = 2.0
#: Below this many recent head sizes the other-person check says nothing.
OTHER_PERSON_MIN_SAMPLES = 5
#: A change of posture time smaller than this (seconds) is not worth a history write.
MIN_DELTA_S = 0.05

#: The status line's words for each posture verdict.
STATE_WORDS: dict[PostureState, str] = {
    PostureState.UPRIGHT: "Sitting well",
    PostureState.SLOUCHED: "Leaning forward",
    PostureState.FORWARD_HEAD: "Head drifting forward",
    PostureState.LEANING: "Leaning to one side or back",
    PostureState.AWAY: "Nobody at the desk — not tracking",
    PostureState.NOT_TRACKING: "Can't see your head and shoulders — not tracking",
}
_NOBODY = (PostureState.AWAY, PostureState.NOT_TRACKING)


class MonitorState(str, Enum):
    """What the controller is doing (not the posture: see its ``latest.state``)."""

    OFF = "off"
    STARTING = "starting"
    RUNNING = "running"
    CALIBRATING = "calibrating"
    PAUSED = "paused"
    SNOOZED = "snoozed"
    SCREEN_LOCKED = "screen_locked"
    NO_CAMERA = "no_camera"
    ERROR = "error"


# ---------------------------------------------------------------------------------------------
# Baseline <-> settings (Profile.posture_baseline is a dict of floats)


def baseline_to_settings(b: PostureBaseline, head_scale: float | None = None) -> dict[str, float]:
    """Encode a baseline for ``Profile.posture_baseline`` (floats only; NaN fields left out)."""
    out: dict[str, float] = {
        "view_front": 1.0 if b.view == "front" else 0.0,
        "frames": float(b.frames),
        "seconds": float(b.seconds),
    }
    for k, v in b.to_dict().items():
        if k in ("view", "source", "frames", "seconds") or v is None:
            continue
        out[k] = float(v)
    if head_scale is not None and math.isfinite(head_scale):
        out["head_scale"] = float(head_scale)
    return out


def baseline_from_settings(
    d: Mapping[str, float] | None,
) -> tuple[PostureBaseline | None, float | None]:
    """Decode :func:`baseline_to_settings`; (None, None) when absent or unreadable."""
    if not d:
        return None, None
    try:
        kw: dict[str, Any] = {
            k: float(v) for k, v in d.items() if k not in ("view_front", "frames", "head_scale")
        }
        kw["frames"] = int(d.get("frames", 0))
        b = PostureBaseline(view="front" if d.get("view_front", 0.0) >= 0.5 else "side", **kw)
    except (TypeError, ValueError) as exc:
        log.warning("stored posture baseline ignored: %s", exc)
        return None, None
    hs = d.get("head_scale")
    return b, (float(hs) if hs is not None else None)


@dataclass(frozen=True)
class CalibrationOutcome:
    """What a guided calibration gave: the baseline to store (None: nothing is stored), the
    median head size, and its words (the status line's short text, its tooltip, and the
    message for the person)."""

    baseline: PostureBaseline | None
    head_scale: float | None
    strip: str
    tooltip: str
    message: str


def calibration_outcome(
    poses: Sequence[PoseFrame | None], scales: Sequence[float], profile_name: str
) -> CalibrationOutcome:
    """Judge the frames of a guided calibration (sit upright for a few seconds).

    Too few usable frames, or a baseline that looks slumped (it would make slumping the norm),
    are not stored: the person is asked to try again."""
    try:
        baseline = calibrate(poses, source="guided")
    except CalibrationError as exc:
        return CalibrationOutcome(
            None,
            None,
            "Calibration failed: sit so the camera sees your head and shoulders",
            f"{exc}.",
            f"{exc}. Sit so the camera sees your head and shoulders, then try again.",
        )
    problem = baseline_problem(baseline)
    if problem is not None:
        return CalibrationOutcome(
            None,
            None,
            "That looked slumped — sit tall and calibrate again",
            problem,
            f"Not saved: {problem}. Sit upright and calibrate again.",
        )
    what = (
        f"({baseline.view} view, {baseline.frames} frames) is saved for the '{profile_name}' set-up"
    )
    return CalibrationOutcome(
        baseline,
        statistics.median(scales) if scales else None,
        "Calibrated — nudges now compare with your posture",
        f"Your upright posture {what}.",
        f"Calibrated: your upright posture {what}.",
    )


# ---------------------------------------------------------------------------------------------
# Somebody else in front of the camera


def head_scale(pose: PoseFrame) -> float:
    """Nose to shoulder-midpoint distance over the image height: the apparent head size.

    Only used to notice a different person or set-up against the calibration (never for
    posture thresholds, which are scale-free).
    """
    px = pose.pixels()
    vis = pose.image[:, 3]
    n, ls, rs = int(Landmark.NOSE), int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
    if min(vis[n], vis[ls], vis[rs]) < 0.5 or pose.height <= 0:
        return math.nan
    mid = (px[ls, :2] + px[rs, :2]) / 2.0
    return float(np.hypot(*(px[n, :2] - mid)) / pose.height)


class OtherPersonCheck:
    """The median head size of the last tracked samples against the calibrated one.

    A single-person pose model cannot tell people apart, so this is a heuristic: a head much
    larger or smaller than at calibration means someone else (or the user moved much closer or
    farther), and no nudges are given then. Forgotten whenever the desk is empty.
    """

    def __init__(self, window: int = 10) -> None:
        self.scales: deque[float] = deque(maxlen=window)

    def clear(self) -> None:
        self.scales.clear()

    def update(
        self, scale: float, state: PostureState, reference: float | None, *, count: bool = True
    ) -> bool:
        """Add one sample's head size (when ``count`` and the person is tracked); True when the
        recent sizes say somebody other than the calibrated person is there."""
        if count and not math.isnan(scale) and state not in _NOBODY:
            self.scales.append(scale)
        other = False
        if reference and len(self.scales) >= OTHER_PERSON_MIN_SAMPLES:
            ratio = statistics.median(self.scales) / reference
            other = not (OTHER_PERSON_BAND[0] <= ratio <= OTHER_PERSON_BAND[1])
        if state is PostureState.AWAY:
            self.scales.clear()
        return other


# ---------------------------------------------------------------------------------------------
# What the status line says


class DisplayDwell:
    """A verdict must hold ``dwell_s`` before it is shown, so the line never flickers between two
    words (nudges need 60 s anyway). The first verdict is shown at once."""

    def __init__(self, dwell_s: float = DISPLAY_DWELL_S) -> None:
        self.dwell_s = dwell_s
        self.shown: PostureState | None = None
        self._candidate: PostureState | None = None
        self._since = 0.0

    def update(self, state: PostureState, now: float) -> PostureState:
        """Feed the newest verdict at time ``now``; returns the verdict to show."""
        if state is not self._candidate:
            self._candidate, self._since = state, now
        if self.shown is None or now - self._since >= self.dwell_s:
            self.shown = self._candidate
        return self.shown or state


def running_sentence(
    latest: PostureStatus | None,
    other: bool,
    sampler: SampledState | None,
    dwell: DisplayDwell,
    now: float,
    *,
    baseline_rejected: bool,
    calibrated: bool,
) -> str:
    """One short, stable sentence for the status line while the monitor runs (details go to the
    tooltip). ``sampler`` is the sampled pipeline's state, None when there is no pipeline."""
    if sampler is SampledState.AWAY_RELEASED:
        return "Nobody at the desk — camera off, checking each minute"
    if sampler is SampledState.CAMERA_BUSY:
        return "Another program is using the camera — waiting"
    if latest is None:
        return "Looking for you…"
    if other:
        return "Someone else in view? Not tracking"
    state = dwell.update(latest.state, now)
    if baseline_rejected and state not in _NOBODY:
        return "Calibration looked slumped: sit tall, press Calibrate"
    if not calibrated and state not in _NOBODY:
        return "Not calibrated yet: sit upright, then press Calibrate"
    return STATE_WORDS.get(state, state.value)


# ---------------------------------------------------------------------------------------------
# The day's totals for the history


@dataclass(frozen=True)
class PostureTotals:
    """Seconds per posture state, breaks and nudges counted by a monitor so far."""

    seconds: Mapping[str, float] = field(default_factory=dict)
    breaks: int = 0
    alerts: int = 0

    def since(self, prev: PostureTotals) -> tuple[dict[str, float], int, int]:
        """What was added since ``prev``: seconds per state (away time and changes under
        :data:`MIN_DELTA_S` left out), breaks and nudges."""
        delta = {
            k: v - prev.seconds.get(k, 0.0)
            for k, v in self.seconds.items()
            if k != PostureState.AWAY.value and v - prev.seconds.get(k, 0.0) > MIN_DELTA_S
        }
        return delta, self.breaks - prev.breaks, self.alerts - prev.alerts
