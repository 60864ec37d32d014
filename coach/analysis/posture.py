"""Offline posture report of a recording: ``coach analyze VIDEO --posture``.

The recording is replayed through the same :class:`~coach.core.posture.PostureMonitor` the app
runs live, then per-frame states are merged into a readable timeline.

Baseline: a recording has no guided calibration step. If its opening second or more looks
upright and steady (:func:`~coach.core.posture.auto_baseline`) that stretch is used as the
calibration; otherwise the documented absolute defaults are used. The report says which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coach.core.posture import (
    ISSUE_LABELS,
    MonitorConfig,
    PostureMonitor,
    PostureProfile,
    PostureState,
    auto_baseline,
    not_assessed,
)
from coach.pose.estimator import Track

#: Intervals shorter than this are merged into a neighbour so the timeline stays readable.
MIN_INTERVAL_S = 0.5
#: At most this many reasons per interval (the most frequent first).
MAX_REASONS = 3


@dataclass
class _Interval:
    start: float
    end: float
    state: str
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def duration(self) -> float:
        return self.end - self.start


def _frame_duration(track: Track) -> float:
    if len(track) > 1:
        return float(track.timestamps[-1] - track.timestamps[0]) / (len(track) - 1)
    return 1.0 / track.fps if track.fps and track.fps > 0 else 0.1


def build_timeline(
    times: list[float],
    states: list[str],
    reasons: list[tuple[str, ...]],
    end: float,
    min_interval_s: float = MIN_INTERVAL_S,
) -> list[dict[str, Any]]:
    """Merge per-frame states into intervals and fold short ones into their neighbours.

    Each frame lasts until the next frame's timestamp (the last one until ``end``). Intervals
    shorter than ``min_interval_s`` are merged, shortest first, into the longer neighbour.
    """
    runs: list[_Interval] = []
    for i, (t, s, r) in enumerate(zip(times, states, reasons, strict=True)):
        t_next = times[i + 1] if i + 1 < len(times) else end
        if runs and runs[-1].state == s:
            runs[-1].end = t_next
        else:
            runs.append(_Interval(t, t_next, s))
        runs[-1].reasons.update(r)
    while len(runs) > 1:
        k = min(range(len(runs)), key=lambda j: runs[j].duration)
        if runs[k].duration >= min_interval_s:
            break
        if k == 0:
            j = 1
        elif k == len(runs) - 1:
            j = k - 1
        else:
            j = k - 1 if runs[k - 1].duration >= runs[k + 1].duration else k + 1
        a, b = (runs[j], runs[k]) if j < k else (runs[k], runs[j])
        keep = runs[j]
        merged = _Interval(a.start, b.end, keep.state, Counter(keep.reasons))
        lo = min(j, k)
        runs[lo : lo + 2] = [merged]
        # Neighbours that now share a state become one interval.
        i = 0
        while i < len(runs) - 1:
            if runs[i].state == runs[i + 1].state:
                runs[i].end = runs[i + 1].end
                runs[i].reasons.update(runs[i + 1].reasons)
                del runs[i + 1]
            else:
                i += 1
    return [
        {
            "start": round(r.start, 3),
            "end": round(r.end, 3),
            "state": r.state,
            "reasons": [text for text, _ in r.reasons.most_common(MAX_REASONS)],
        }
        for r in runs
    ]


@dataclass(frozen=True, slots=True)
class PostureReport:
    """A recording's posture: the debounced timeline, RULA every 5 s, what was (not) judged.

    ``timeline``: [{start, end, state, reasons}] (debounced, >= 0.5 s each except a lone
    interval); ``rula``: [{t, score, action_level, action, drivers, observed, defaulted}] every
    5 s (and for the last partial window); ``baseline``: "calibrated from ..." or "defaults
    (...)"; ``reference``: "calibrated" | "defaults"; ``view``: the camera view;
    ``not_assessed``: what this view/reference cannot judge; ``summary``: seconds per state;
    ``alerts``: nudges the live monitor would have given; ``view_changes``: how often the view or
    scale changed (the verdict paused, never an alarm); ``daily``: the monitor's daily record.
    """

    baseline: str
    reference: str
    view: str | None
    not_assessed: list[str]
    timeline: list[dict[str, Any]]
    rula: list[dict[str, Any]]
    summary: dict[str, float]
    alerts: list[dict[str, Any]]
    view_changes: int
    daily: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (``coach analyze --posture --json``)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def analyze_posture(track: Track) -> PostureReport:
    """Posture timeline, rolling RULA scores and a summary of one recorded track."""
    poses = track.poses()
    times = [float(t) for t in track.timestamps.tolist()]
    baseline, described = auto_baseline(poses)
    profile = PostureProfile(name="recording", baseline=baseline)
    # The analysis already confirmed detections (coach.analysis.track_video).
    monitor = PostureMonitor(profile, MonitorConfig(presence_confirm_s=0.0))
    states: list[str] = []
    reasons: list[tuple[str, ...]] = []
    rula: list[dict[str, Any]] = []
    views: Counter[str] = Counter()
    alerts: list[dict[str, Any]] = []
    for pose, t in zip(poses, times, strict=True):
        st = monitor.update(pose, t)
        # The per-frame classification (smoothed, with hysteresis); the live display's extra
        # dwell would only delay every change, and the debounce below does its job here.
        states.append(st.raw_state.value)
        reasons.append(tuple(ISSUE_LABELS.get(i, i) for i in st.issues))
        if st.view is not None and st.raw_state not in (
            PostureState.AWAY,
            PostureState.NOT_TRACKING,
        ):
            views[st.view] += 1
        if st.rula_new and st.rula is not None:
            rula.append(st.rula.to_dict())
        if st.alert is not None:
            alerts.append(
                {
                    "t": round(st.alert.timestamp, 3),
                    "issue": st.alert.issue,
                    "message": st.alert.message,
                }
            )
    end = times[-1] + _frame_duration(track) if times else 0.0
    timeline = build_timeline(times, states, reasons, end) if times else []
    summary: dict[str, float] = {s.value: 0.0 for s in PostureState}
    for item in timeline:
        summary[item["state"]] += item["end"] - item["start"]
    # The last partial window (or a still image, shorter than one window) is scored too.
    last = monitor.flush_rula(times[-1]) if times else None
    if last is not None:
        rula.append(last.to_dict())
    view = views.most_common(1)[0][0] if views else None
    return PostureReport(
        baseline=described,
        reference="calibrated" if baseline is not None else "defaults",
        view=view,
        not_assessed=list(not_assessed(view, baseline)),
        timeline=timeline,
        rula=rula,
        summary={k: round(v, 2) for k, v in summary.items() if v > 0},
        alerts=alerts,
        # changes of view or scale (a zoom, a cut, side <-> front): the verdict paused there
        view_changes=monitor.view_changes,
        daily=monitor.record.as_dict(),
    )
