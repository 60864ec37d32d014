"""How many people are in the picture? A brief multi-person look beside the tracked model.

The tracked landmarker looks for one person: MediaPipe Tasks (0.10) then follows that body from
frame to frame with the landmarks' own region, which is smooth and fast. Asked for two people it
re-runs its detector on every frame while it sees fewer, and the landmarks jitter 3-7 times more
— so it cannot simply always look for several. But with one person tracked, a bystander is never
seen at all, and if the bystander was found first (larger, nearer the camera) the exerciser is
never seen.

So the estimator glances for people (:class:`PeopleLook`) when a new body comes into its
tracker's view — at the start, and when it finds someone after a lapse (:class:`PeoplePlan`):
a short-lived IMAGE-mode landmarker that may find up to ``MAX_PEOPLE`` in the whole frame and
in its two halves, built for one frame and closed again (with its memory handed back to the
system, so the app's footprint stays where it was). When a glance finds someone the tracker is
not following, a crop tracker follows them too (:mod:`coach.pose.crowd`) and the scoring engine
picks the exerciser among the two (:mod:`coach.core.person`).

Costs, measured on the project machine (full model): building the look ~85 ms, its detection
10-30 ms, memory +12-38 MiB for the moment of the look (a kept instance would cost ~105 MiB).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from coach.core.landmarks import BODY_CORE

log = logging.getLogger(__name__)

#: The most people a glance looks for (one of them besides the main tracker's is followed).
MAX_PEOPLE = 3
#: Seconds between glances while a lost second person is looked for.
LOOK_S = 2.0
#: How long after losing a second person glances look for them.
RECOVER_S = 30.0
#: The tracker "has nobody" after this long without a person (a lapse, not a dropped frame).
LAPSE_S = 0.5
#: Another body counts as a person only if its trunk is at least this share of the largest.
MIN_RELATIVE_SIZE = 0.3
#: Two detections whose trunk centres are closer than this many trunk lengths are one person.
SAME_PERSON_TRUNKS = 0.5
#: In a half of the frame, a body whose trunk centre is this close to a cut edge is a sliver.
CUT_EDGE = 0.1
#: A crop around a followed person is this many times their landmarks' extent.
CROP_MARGIN = 1.6
#: An extra person's tracker is dropped after this long without them.
EXTRA_LOST_S = 1.0
#: An extra person dropped within this long of being found makes the next glances wait longer.
SHORT_LIVED_S = 5.0
#: Each time the tracker went back to one person, the next glance waits this much longer
#: (a picture or a reflection found by a glance but not by the tracker must not make it flip).
BACKOFF = 2.0
LOOK_MAX_S = 30.0

_CORE = np.array([int(i) for i in BODY_CORE])

Image = npt.NDArray[np.float32]


def trunk_centre_length(image: Image) -> tuple[float, float, float]:
    """Centre (x, y) of the shoulders and hips and the shoulder-to-hip length, normalised units."""
    c = image[_CORE, :2].astype(np.float64)
    sh, hp = c[:2].mean(axis=0), c[2:].mean(axis=0)
    mid = c.mean(axis=0)
    return float(mid[0]), float(mid[1]), float(math.hypot(*(sh - hp)))


def distinct_people(images: list[Image], regions: list[int] | None = None) -> list[Image]:
    """Distinct people of a plausible size among gated detections, largest first.

    Detections of one body (:func:`same_body`; with ``regions``, the region each came from,
    two from different regions are one body if one lies inside the other's outline) count once;
    bodies smaller than ``MIN_RELATIVE_SIZE`` of the largest are left out (a picture on the
    wall, someone far behind).
    """
    where = regions if regions is not None else [0] * len(images)
    bodies = [(trunk_centre_length(im), im, r) for im, r in zip(images, where, strict=True)]
    bodies = [b for b in bodies if b[0][2] > 0]
    if not bodies:
        return []
    largest = max(b[0][2] for b in bodies)
    kept: list[tuple[Image, int]] = []
    for b, im, r in sorted(bodies, key=lambda b: -b[0][2]):
        if b[2] < MIN_RELATIVE_SIZE * largest:
            continue
        if any(same_body(im, k, outline=r != kr) for k, kr in kept):
            continue
        kept.append((im, r))
    return [im for im, _ in kept]


def count_people(images: list[Image]) -> int:
    """How many distinct people of a plausible size ``images`` hold."""
    return len(distinct_people(images))


def same_person(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Two (centre x, centre y, trunk) bodies are one person (normalised frame units)."""
    return math.hypot(a[0] - b[0], a[1] - b[1]) < SAME_PERSON_TRUNKS * max(a[2], b[2])


def landmark_box(image: Image) -> tuple[float, float, float, float]:
    """The bounding box (x0, y0, x1, y1) of the landmarks the model sees (all if none)."""
    seen = image[image[:, 3] >= 0.3, :2] if np.any(image[:, 3] >= 0.3) else image[:, :2]
    lo, hi = seen.min(axis=0), seen.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def trunk_box(image: Image) -> tuple[float, float, float, float]:
    """The box of the shoulders and hips, grown by a quarter of the trunk on each side."""
    c = image[_CORE, :2].astype(np.float64)
    lo, hi = c.min(axis=0), c.max(axis=0)
    g = 0.25 * trunk_centre_length(image)[2]
    return float(lo[0] - g), float(lo[1] - g), float(hi[0] + g), float(hi[1] + g)


def same_body(a: Image, b: Image, *, outline: bool = False) -> bool:
    """Two detections are one body: their trunks (nearly) coincide, or the smaller one's trunk
    centre lies inside the larger one's trunk — or, with ``outline`` (detections from different
    regions of one glance: a half view of a body seen whole elsewhere), inside its outline.

    Two real people rarely share a trunk; they often share an outline (someone on a mat in
    front of a standing person, a bystander partly in front of the exerciser)."""
    ta, tb = trunk_centre_length(a), trunk_centre_length(b)
    if same_person(ta, tb):
        return True
    small, big = (ta, b) if ta[2] < tb[2] else (tb, a)
    x0, y0, x1, y1 = landmark_box(big) if outline else trunk_box(big)
    return x0 < small[0] < x1 and y0 < small[1] < y1


Region = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame
FULL: Region = (0.0, 0.0, 1.0, 1.0)


def look_regions(width: int, height: int) -> list[Region]:
    """Where a glance looks: the whole frame, and in a wide frame its two overlapping halves.

    The pose detector sees a frame shrunk to 224 pixels along its longer side, so a small person
    beside a large one is easily missed; each 60 % half is looked at 1.7 times larger.
    """
    if width < 1.2 * height:
        return [FULL]
    return [FULL, (0.0, 0.0, 0.6, 1.0), (0.4, 0.0, 1.0, 1.0)]


def to_frame(image: Image, region: Region, width: int, height: int) -> Image:
    """Landmarks found in ``region`` of a ``width`` x ``height`` frame, in frame units."""
    x0, y0, x1, y1 = region
    out = image.copy()
    out[:, 0] = x0 + image[:, 0] * (x1 - x0)
    out[:, 1] = y0 + image[:, 1] * (y1 - y0)
    out[:, 2] = image[:, 2] * (x1 - x0)  # depth keeps the x scale, as MediaPipe defines it
    return out


def clear_of_cut(image: Image, region: Region) -> bool:
    """A body found in ``region`` (region units) is not one cut by the region's inner edges.

    A body sliced by a half's edge is also seen whole in the full frame or the other half; a
    sliver of it must not count as another person.
    """
    x, y, _ = trunk_centre_length(image)
    x0, y0, x1, y1 = region
    return not (
        (x0 > 0 and x < CUT_EDGE)
        or (x1 < 1 and x > 1 - CUT_EDGE)
        or (y0 > 0 and y < CUT_EDGE)
        or (y1 < 1 and y > 1 - CUT_EDGE)
    )


def crop_region(image: Image, width: int, height: int, margin: float = CROP_MARGIN) -> Region:
    """A region (frame fractions) around one person's landmarks, ``margin`` times their size:
    square in pixels unless the frame's edge cuts it, never less than a tenth of the frame.

    Room to move: a person stepping up, kicking back or lying down stays inside it between
    frames; the region follows them frame by frame.
    """
    bx0, by0, bx1, by1 = landmark_box(image)
    lo = np.array([bx0 * width, by0 * height])
    hi = np.array([bx1 * width, by1 * height])
    # the centre stays in the frame (landmarks may be guessed beyond its edge)
    cx = float(np.clip((lo[0] + hi[0]) / 2, 0, width))
    cy = float(np.clip((lo[1] + hi[1]) / 2, 0, height))
    half = max(float((hi - lo).max()) * margin / 2, 0.1 * min(width, height))
    half = min(half, max(width, height) / 2)
    x0, x1 = max(0.0, cx - half), min(float(width), cx + half)
    y0, y1 = max(0.0, cy - half), min(float(height), cy + half)
    return (x0 / width, y0 / height, x1 / width, y1 / height)


def cut(rgb: npt.NDArray[np.uint8], region: Region) -> npt.NDArray[np.uint8]:
    """The pixels of ``region`` (contiguous, ready for the model)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = region
    a, b = int(round(x0 * w)), int(round(x1 * w))
    c, d = int(round(y0 * h)), int(round(y1 * h))
    return np.ascontiguousarray(rgb[c : max(d, c + 2), a : max(b, a + 2)])


def give_memory_back() -> None:
    """Return freed heap pages to the system (glibc keeps them otherwise; Linux only)."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        trim = getattr(libc, "malloc_trim", None)
        if trim is not None:
            trim(0)
    except OSError:  # not glibc: nothing to do
        log.debug("malloc_trim unavailable", exc_info=True)


def close_and_free(landmarker: object) -> None:
    """Close a landmarker (closing a finished or failed one is harmless) and hand its memory
    back to the system."""
    try:
        landmarker.close()  # type: ignore[attr-defined]
    except Exception:  # closing twice or after a failure
        log.debug("landmarker close failed", exc_info=True)
    give_memory_back()


@dataclass(slots=True)
class PeoplePlan:
    """When to glance (pure bookkeeping).

    A glance at the start, and on the frame the tracker finds someone after a lapse of
    ``LAPSE_S`` with nobody — which is when a bystander could have been taken for the exerciser.
    Such a glance rebuilds the main tracker (one model in memory), which costs nothing then: it
    has only just found its person. After a followed second person is lost (hidden for a moment,
    or the crop slid onto the main person), glances come every ``LOOK_S`` for ``RECOVER_S``
    without rebuilding the tracker (``recovering``: the second model's memory was just freed),
    so the exerciser is found again. Each time a second person turned out not to be one (lost or
    merged soon after being found), those glances wait ``BACKOFF`` times longer, up to
    ``LOOK_MAX_S``.
    """

    next_look_t: float = -math.inf
    backoff: float = 1.0
    tracking: bool = False
    acquired: bool = True  # the start counts as "just found": glance on the first frame
    missing_since: float = math.nan
    looked_t: float = math.nan
    recover_until: float = -math.inf

    def recovering(self, t: float) -> bool:
        """Glances now look for a lost second person (and leave the main tracker alone)."""
        return t < self.recover_until and not self.acquired

    def look_due(self, t: float) -> bool:
        if self.acquired:
            return True
        return self.recovering(t) and t >= self.next_look_t

    def looked(self, t: float) -> None:
        self.acquired = False
        self.looked_t = t  # what a rebuilt tracker finds on this frame is no new arrival
        self.next_look_t = t + min(LOOK_MAX_S, LOOK_S * self.backoff)

    def seen(self, t: float, person: bool) -> None:
        """The main tracker found a person (or not) at time ``t``."""
        if person:
            self.missing_since = math.nan
            if not self.tracking and t != self.looked_t:
                self.acquired = True
            self.tracking = True
        elif self.missing_since != self.missing_since:
            self.missing_since = t
        elif t - self.missing_since >= LAPSE_S:
            self.tracking = False

    def lost(self, t: float, *, soon: bool) -> None:
        """A followed second person was dropped; ``soon``: it was lost (or merged) soon after it
        was found, so it was likely not a person at all — glance less often."""
        if soon:
            self.backoff = min(LOOK_MAX_S / LOOK_S, self.backoff * BACKOFF)
        self.next_look_t = t + min(LOOK_MAX_S, LOOK_S * self.backoff)
        self.recover_until = t + RECOVER_S


class PeopleLook:
    """One glance: a fresh IMAGE-mode landmarker looks at the frame's regions, then is closed.

    ``make`` builds the landmarker (the estimator passes its own options), ``wrap`` turns an
    RGB array into the model's image, ``arrays`` lists the gated people of one result.
    """

    def __init__(
        self,
        make: Callable[[], object],
        wrap: Callable[[npt.NDArray[np.uint8]], object],
        arrays: Callable[[object], list[Image]],
        quiet: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self._make = make
        self._wrap = wrap
        self._arrays = arrays
        self._quiet = quiet

    def find(self, rgb: npt.NDArray[np.uint8]) -> list[Image]:
        """The distinct people in one frame, frame units, largest first ([] when it fails)."""
        h, w = rgb.shape[:2]
        landmarker = None
        found: list[Image] = []
        where: list[int] = []
        try:
            landmarker = self._make()
            with self._quiet():  # a fresh graph logs its set-up natively on the first frame
                for k, region in enumerate(look_regions(w, h)):
                    result = landmarker.detect(self._wrap(cut(rgb, region)))  # type: ignore[attr-defined]
                    for im in self._arrays(result):
                        if clear_of_cut(im, region):
                            found.append(to_frame(im, region, w, h))
                            where.append(k)
        except Exception:  # a failed glance must never stop the tracked model
            log.debug("people look failed", exc_info=True)
        finally:
            if landmarker is not None:
                close_and_free(landmarker)
        return distinct_people(found, where)
