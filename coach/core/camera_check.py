"""Before each exercise: is the person placed so the camera can coach them? (Issue: camera check.)

Checks, in the order a person should fix them: someone in the picture; enough light; the whole
body (or what the exercise needs) inside the picture; the right view (side or front); not too far
away. Guidance is one short instruction at a time. Counting never starts until the check has
passed continuously for ``STEADY_S``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coach.core.landmarks import Landmark as L
from coach.core.landmarks import PoseFrame

STEADY_S = 1.5
MIN_BRIGHTNESS = 45.0  # mean 0-255 of the picture; below this MediaPipe loses people
MIN_BODY_FRACTION = 0.25  # shoulder-to-ankle (or hip) span as a fraction of picture height
FRONT_RATIO = 0.55  # shoulder width / trunk length above this: facing the camera
SIDE_RATIO = 0.45

_WHOLE = (
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_HIP,
    L.RIGHT_HIP,
    L.LEFT_KNEE,
    L.RIGHT_KNEE,
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
    L.NOSE,
)
_UPPER = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.NOSE)


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str
    code: str  # "no_person", "too_dark", "out_of_frame", "wrong_view", "too_far", "ok"


def _inside(x: float, y: float) -> bool:
    return 0.01 <= x <= 0.99 and 0.01 <= y <= 0.99


def accepted_views(exercise: Any) -> frozenset[str]:
    """Every view the engine can score this exercise from, read from its definition.

    The camera placement's ``view`` plus each view-specific signal (``signal.views``); ``any``
    accepts both. This is the same source the engine uses to pick its signal, so the check never
    refuses a view the engine counts.
    """
    cam = getattr(getattr(exercise, "camera", None), "view", "any")
    views = {"side", "front"} if cam == "any" else {str(cam)}
    signal = getattr(exercise, "signal", None)
    views.update(str(v) for v in (getattr(signal, "views", None) or {}))
    return frozenset(views)


def check_position(
    pose: PoseFrame | None, brightness: float, view: str | Iterable[str], whole_body: bool
) -> CheckResult:
    """One frame's verdict with the single most useful instruction.

    ``view`` is the view (or the set of views) the exercise can be scored from.
    """
    views = {view} if isinstance(view, str) else set(view)
    if "any" in views:
        views = {"side", "front"}
    if brightness < MIN_BRIGHTNESS:
        return CheckResult(
            False,
            "The room is too dark for the camera. Turn on a light or face a window.",
            "too_dark",
        )
    if pose is None:
        return CheckResult(False, "Step into the picture so the camera can see you.", "no_person")
    img = pose.image
    need = _WHOLE if whole_body else _UPPER
    # Near side is enough for side views: the far side is hidden behind the body.
    missing = [
        lm
        for lm in need
        if not (img[lm, 3] >= 0.5 and _inside(float(img[lm, 0]), float(img[lm, 1])))
    ]
    if "side" in views:
        pairs = {
            (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
            (L.LEFT_HIP, L.RIGHT_HIP),
            (L.LEFT_KNEE, L.RIGHT_KNEE),
            (L.LEFT_ANKLE, L.RIGHT_ANKLE),
        }
        for a, b in pairs:
            if (a in missing) != (b in missing):
                missing = [m for m in missing if m not in (a, b)]
    if missing:
        low = [m for m in missing if img[m, 1] > 0.5]
        if any(m in (L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_KNEE, L.RIGHT_KNEE) for m in low):
            msg = "Your feet are out of the picture. Step back, or tilt the camera down a little."
        elif L.NOSE in missing:
            msg = "Your head is out of the picture. Step back, or tilt the camera up a little."
        else:
            xs = img[[int(m) for m in missing], 0]
            side = "left" if float(xs.mean()) < 0.5 else "right"
            msg = f"Part of you is out of the picture on the {side}. Move toward the middle."
        return CheckResult(False, msg, "out_of_frame")
    sh = (img[L.LEFT_SHOULDER, :2] + img[L.RIGHT_SHOULDER, :2]) / 2
    hp = (img[L.LEFT_HIP, :2] + img[L.RIGHT_HIP, :2]) / 2
    w, h = pose.width, pose.height
    trunk = math.hypot((sh[0] - hp[0]) * w, (sh[1] - hp[1]) * h)
    width = math.hypot(
        (img[L.LEFT_SHOULDER, 0] - img[L.RIGHT_SHOULDER, 0]) * w,
        (img[L.LEFT_SHOULDER, 1] - img[L.RIGHT_SHOULDER, 1]) * h,
    )
    ratio = width / trunk if trunk > 1e-6 else 0.0
    lying = abs((sh[1] - hp[1]) * h) < 0.5 * trunk
    if not lying:
        if views == {"side"} and ratio > FRONT_RATIO:
            return CheckResult(
                False, "Turn sideways to the camera for this exercise.", "wrong_view"
            )
        if views == {"front"} and ratio < SIDE_RATIO:
            return CheckResult(False, "Face the camera for this exercise.", "wrong_view")
    ys = img[[int(m) for m in need], 1]
    xs = img[[int(m) for m in need], 0]
    span = max(float(ys.max() - ys.min()), float(xs.max() - xs.min()) * w / h)
    if span < MIN_BODY_FRACTION:
        return CheckResult(
            False, "You are quite far away. Come a step closer to the camera.", "too_far"
        )
    return CheckResult(True, "Good, hold that position.", "ok")


class CameraCheck:
    """Streams frames; ``ready`` becomes True after the check passes for ``STEADY_S`` in a row."""

    def __init__(
        self, view: str | Iterable[str], whole_body: bool, steady_s: float = STEADY_S
    ) -> None:
        self.view = view
        self.whole_body = whole_body
        self.steady_s = steady_s
        self._since = math.nan
        self.ready = False
        self.last = CheckResult(False, "Looking for you...", "no_person")

    def update(self, pose: PoseFrame | None, brightness: float, t: float) -> CheckResult:
        r = check_position(pose, brightness, self.view, self.whole_body)
        self.last = r
        if r.ok:
            if self._since != self._since:
                self._since = t
            if t - self._since >= self.steady_s:
                self.ready = True
        else:
            self._since = math.nan
        return r
