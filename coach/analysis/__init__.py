"""Recordings, analysed offline: video -> pose track -> report (``coach analyze``, the tests, the benches).

- ``video``: decode and track a file (one model, or one per process on still-picked seams), score it
- ``posture``: a desk recording's posture timeline (RULA per interval)
- ``lifting``: lifts in a recording, squat vs stoop, REBA and NIOSH at the lift
- ``batch``: a folder of recordings, one report each
"""

from coach.analysis.batch import analyze_batch, find_videos
from coach.analysis.video import (
    AnalysisError,
    TrackingStats,
    default_workers,
    load_input,
    score_track,
    stats_for,
    track_video,
    track_video_parallel,
)

__all__ = [
    "AnalysisError",
    "TrackingStats",
    "analyze_batch",
    "default_workers",
    "find_videos",
    "load_input",
    "score_track",
    "stats_for",
    "track_video",
    "track_video_parallel",
]
