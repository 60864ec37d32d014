"""The 33 BlazePose landmarks, by name.

Landmarks are always addressed through :class:`Landmark`; never by bare index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

NUM_LANDMARKS = 33


class Landmark(IntEnum):
    """MediaPipe Pose landmark indices (DOMAIN §1.1)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


L = Landmark

#: Skeleton edges for drawing, built from names.
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (L.LEFT_EAR, L.LEFT_EYE),
    (L.LEFT_EYE, L.NOSE),
    (L.NOSE, L.RIGHT_EYE),
    (L.RIGHT_EYE, L.RIGHT_EAR),
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
)

#: Landmarks that together mean "the body is in view" for presence gating.
BODY_CORE: tuple[Landmark, ...] = (
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_HIP,
    L.RIGHT_HIP,
)


def landmark_by_name(name: str) -> Landmark:
    """Resolve ``"left_knee"`` / ``"LEFT_KNEE"`` to a :class:`Landmark`; raise KeyError otherwise."""
    return Landmark[name.strip().upper()]


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """One pose estimate, as the core sees it.

    Attributes
    ----------
    image : (33, 4) float32 array of x, y (normalised to [0, 1]), z, visibility.
    world : (33, 3) float32 array of metric coordinates (metres, origin at the hips), or None.
    timestamp : monotonic seconds of the frame the pose came from.
    frame_id : the source frame's id.
    width, height : the image size in pixels; the core works in pixel space (DOMAIN §1.2).
    others : the other people the model found in the same frame (most frames: none). The
        estimator's pick comes first; the scoring engine may choose one of these instead
        (the person who is doing the exercise, see :mod:`coach.core.person`).
    """

    image: npt.NDArray[np.float32]
    timestamp: float
    frame_id: int
    width: int
    height: int
    world: npt.NDArray[np.float32] | None = field(default=None)
    others: tuple[PoseFrame, ...] = field(default=())

    def pixels(self) -> npt.NDArray[np.float64]:
        """(33, 2) pixel coordinates."""
        return self.image[:, :2].astype(np.float64) * np.array(
            [self.width, self.height], dtype=np.float64
        )

    @property
    def visibility(self) -> npt.NDArray[np.float32]:
        return self.image[:, 3]
