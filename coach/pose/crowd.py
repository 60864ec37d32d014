"""Following a second person: a crop tracker beside the estimator's own.

The estimator's tracker follows one body over the whole frame. When a glance
(:class:`coach.pose.people.PeopleLook`) finds someone it is not following, :class:`Crowd` starts
a second VIDEO-mode landmarker on a square crop around that person and moves the crop with them
frame by frame, so both are measured on every frame and the scoring engine can choose who is
exercising (:mod:`coach.core.person`). A crop also shows a small person larger than the whole
frame does, and keeps the other body out of that tracker's sight.

The extra tracker is dropped when its person has been gone for ``EXTRA_LOST_S`` or when it has
drifted onto the body the main tracker follows; glances then resume (less often if that happened
soon after it started; :class:`coach.pose.people.PeoplePlan` says when glances come). At most
one extra person is followed: each costs one more model instance (~105 MiB) and one more
inference per frame, spent only while someone else is there.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.pose.people import (
    EXTRA_LOST_S,
    SHORT_LIVED_S,
    Image,
    PeopleLook,
    PeoplePlan,
    Region,
    close_and_free,
    crop_region,
    cut,
    landmark_box,
    same_body,
    to_frame,
)

log = logging.getLogger(__name__)

#: How fast a crop follows its person (share of the new place taken per frame).
CROP_FOLLOW = 0.5
#: The other people's boxes are hidden from the crop's tracker with this margin (share of size).
HIDE_PAD = 0.1


@dataclass(slots=True)
class _Extra:
    landmarker: Any
    region: Region
    found_t: float
    seen_t: float
    last: Image
    last_ts: int = -1


def _box(image: Image, pad: float) -> tuple[float, float, float, float]:
    """The landmarks' bounding box (frame units), grown by ``pad`` of its size on each side."""
    x0, y0, x1, y1 = landmark_box(image)
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def hide_others(
    crop: npt.NDArray[np.uint8], region: Region, others: list[Image], own: Image
) -> npt.NDArray[np.uint8]:
    """``crop`` with the other people's boxes filled with its mean colour (not the followed
    person's own box, where they overlap), so the crop's tracker cannot slide onto them."""
    if not others:
        return crop
    ch, cw = crop.shape[:2]
    x0, y0, x1, y1 = region
    keep = _box(own, HIDE_PAD)

    def to_px(b: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        return (
            int(np.clip((b[0] - x0) / (x1 - x0) * cw, 0, cw)),
            int(np.clip((b[1] - y0) / (y1 - y0) * ch, 0, ch)),
            int(np.clip((b[2] - x0) / (x1 - x0) * cw, 0, cw)),
            int(np.clip((b[3] - y0) / (y1 - y0) * ch, 0, ch)),
        )

    mask = np.zeros((ch, cw), dtype=bool)
    for o in others:
        a, b, c, d = to_px(_box(o, HIDE_PAD))
        mask[b:d, a:c] = True
    a, b, c, d = to_px(keep)
    mask[b:d, a:c] = False
    if not mask.any():
        return crop
    out = crop.copy()
    out[mask] = crop.reshape(-1, crop.shape[2]).mean(axis=0).astype(np.uint8)
    return out


class Crowd:
    """Glances for other people and follows one of them with a crop tracker.

    ``make_tracker()`` builds a VIDEO-mode, one-person landmarker; ``wrap(rgb)`` makes the
    model's image; ``people(result)`` lists the gated (image) landmarks of one result.
    """

    def __init__(
        self,
        look: PeopleLook,
        make_tracker: Callable[[], Any],
        wrap: Callable[[npt.NDArray[np.uint8]], object],
        people: Callable[[object], list[Image]],
        quiet: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self._look = look
        self._quiet = quiet
        self._make = make_tracker
        self._wrap = wrap
        self._people = people
        self.plan = PeoplePlan()
        self._extra: _Extra | None = None
        self._found: list[Image] = []
        self._found_t = 0.0
        self._lock = threading.Lock()

    @property
    def following_extra(self) -> bool:
        """Another person is being followed."""
        return self._extra is not None

    def glance_due(self, t: float) -> bool:
        """A glance is due now (never while someone else is followed)."""
        with self._lock:
            return self._extra is None and self.plan.look_due(t)

    def recovering(self, t: float) -> bool:
        """The glance looks for a lost second person (the main tracker is left alone)."""
        with self._lock:
            return self.plan.recovering(t)

    def glance(self, rgb: npt.NDArray[np.uint8], t: float) -> None:
        """Look for people now; who is new is decided against the main tracker in :meth:`step`."""
        found = self._look.find(rgb)
        with self._lock:
            self._found, self._found_t = found, t
            self.plan.looked(t)

    def seen(self, t: float, person: bool) -> None:
        """The main tracker found a person or not (any thread: live results arrive on
        MediaPipe's)."""
        with self._lock:
            self.plan.seen(t, person)

    def step(self, rgb: npt.NDArray[np.uint8], t: float, main: list[Image]) -> list[Image]:
        """The extra person's landmarks in this frame ([] when none), given the main tracker's.

        A person the last glance found who is none of ``main`` gets a crop tracker.
        """
        h, w = rgb.shape[:2]
        if self._found and main:  # (live results can lag: a glance waits for the main people)
            found, self._found = self._found, []
            if self._extra is None and len(found) > 1:
                new = [f for f in found if not any(same_body(f, m) for m in main)]
                if new:
                    self._start(new[0], t, w, h)
        elif self._found and t - self._found_t > EXTRA_LOST_S:
            self._found = []
        x = self._extra
        if x is None:
            return []
        im = self._run(x, rgb, t, main)
        merged = im is not None and any(same_body(im, m) for m in main)
        if merged or t - x.seen_t > EXTRA_LOST_S:
            self.drop(t)
            return []
        return [] if im is None else [im]

    def _start(self, person: Image, t: float, w: int, h: int) -> None:
        try:
            landmarker = self._make()
        except Exception:  # no memory for a second model: carry on with one person
            log.warning("could not start following a second person", exc_info=True)
            return
        log.info("following a second person from %.2f s", t)
        self._extra = _Extra(landmarker, crop_region(person, w, h), t, t, person)

    def _run(
        self, x: _Extra, rgb: npt.NDArray[np.uint8], t: float, main: list[Image]
    ) -> Image | None:
        h, w = rgb.shape[:2]
        first = x.last_ts < 0
        ts = max(x.last_ts + 1, int(round(t * 1000.0)))
        x.last_ts = ts
        crop = hide_others(cut(rgb, x.region), x.region, main, x.last)
        try:
            # a fresh graph logs its set-up natively on its first frame
            with self._quiet() if first else contextlib.nullcontext():
                result = x.landmarker.detect_for_video(self._wrap(crop), ts)
        except Exception:  # the extra tracker failing must not stop the main one
            log.debug("extra tracker failed", exc_info=True)
            return None
        found = self._people(result)
        if not found:
            return None
        im = to_frame(found[0], x.region, w, h)
        target = crop_region(im, w, h)
        x.region = tuple(  # type: ignore[assignment]
            a + CROP_FOLLOW * (b - a) for a, b in zip(x.region, target, strict=True)
        )
        x.seen_t = t
        x.last = im
        return im

    def drop(self, t: float) -> None:
        """Stop following the extra person (and hand its model's memory back)."""
        x, self._extra = self._extra, None
        if x is None:
            return
        log.info("no longer following a second person at %.2f s", t)
        with self._lock:
            self.plan.lost(t, soon=t - x.found_t < SHORT_LIVED_S)
        close_and_free(x.landmarker)

    def close(self) -> None:
        self.drop(float("inf"))
