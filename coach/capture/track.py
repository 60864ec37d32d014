"""A recorded landmark track (``.npz`` from ``coach analyze --landmarks``) played as a recording.

The track stands in for the video it came from: each frame is a small blank picture with the
video's timestamp and frame id, and :class:`~coach.pose.estimator.ReplayEstimator` gives back the
pose the model found in it. Support and tests can replay a person's session without any video.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.capture.base import Frame, SourceError

#: The blank picture's size: small (a track carries no picture), in the video's aspect ratio.
_BLANK_W = 64


class TrackSource:
    """Frames of a landmark track, in order; ``read`` returns None after the last one."""

    is_live = False

    def __init__(self, path: str | Path) -> None:
        from coach.pose.estimator import Track

        p = Path(path)
        try:
            self.track = Track.load(p)
        except (OSError, ValueError, KeyError) as exc:
            raise SourceError(f"{p}: not a landmark track ({exc})") from None
        self.name = p.name
        self.fps = float(self.track.fps) or 30.0
        h = max(1, round(_BLANK_W * self.track.height / max(1, self.track.width)))
        self._blank = np.zeros((h, _BLANK_W, 3), np.uint8)
        self._blank[:] = 128  # mid-grey: bright enough for the "too dark" check
        self._i = 0
        self.frame_count = len(self.track)

    def read(self) -> Frame | None:
        if self._i >= len(self.track):
            return None
        i = self._i
        self._i += 1
        return Frame(self._blank, float(self.track.timestamps[i]), int(self.track.frame_ids[i]))

    def seek(self, index: int) -> None:
        self._i = max(0, int(index))

    def close(self) -> None:
        self._i = len(self.track)
