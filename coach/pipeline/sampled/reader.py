"""Reading frames cheaply at sample times: the grab-don't-decode reader and a simulated clock.

:class:`SampledReader` wraps a camera or a video file so that only the sampled frame is decoded
(the stale or skipped ones are ``grab``-bed); :class:`SimClock` is the clock benchmarks and
tests run the pipeline on, so hours of monitoring take seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from coach.capture.base import Frame


class GrabSource(Protocol):
    """A :class:`~coach.capture.base.FrameSource` that can also skip frames without decoding."""

    @property
    def name(self) -> str: ...
    @property
    def fps(self) -> float: ...
    @property
    def is_live(self) -> bool: ...
    def read(self) -> Frame | None: ...
    def grab(self) -> bool: ...
    def retrieve(self) -> Frame | None: ...
    def close(self) -> None: ...


class SampledReader:
    """A frame source read at sample times, frames stamped with ``clock()``.

    * A camera is untouched between samples; at a sample the frames the driver buffered are
      grabbed (taken, not decoded) and the fresh one is retrieved.
    * A file is played in real time from the first read: at a sample the frames due since the
      last one are grabbed and only the one due now is retrieved; it loops when ``loop``.
    * A source without ``grab``/``retrieve`` is simply ``read`` (older sources, fakes).

    ``grabs`` and ``retrieves`` count the work, for the benchmark.
    """

    def __init__(
        self, source: Any, loop: bool = True, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.source = source
        self.loop = loop
        self.clock = clock
        self.name = str(getattr(source, "name", "source"))
        self.is_live = bool(getattr(source, "is_live", False))
        self.cheap = callable(getattr(source, "grab", None)) and callable(
            getattr(source, "retrieve", None)
        )
        self.ended = False
        self.loops = 0
        self.grabs = 0
        self.retrieves = 0
        self._wall0: float | None = None
        self._pos = -1  # media frame index grabbed last (files)
        self._id = 0

    def read(self) -> Frame | None:
        """The frame due now, or None (a camera hiccup, or the end of a non-looping file)."""
        now = self.clock()
        f = self._live_frame() if self.is_live else self._due_file_frame(now)
        if f is None:
            return None
        self._id += 1
        return Frame(f.rgb, now, self._id, now)

    def warm_up(self, seconds: float, wait: Callable[[float], bool]) -> None:
        """Let a just-opened camera settle its exposure: grab (never decode) for ``seconds``."""
        if not (self.is_live and self.cheap) or seconds <= 0:
            return
        step = 1.0 / max(1.0, float(getattr(self.source, "fps", 30.0) or 30.0))
        end = self.clock() + seconds
        while self.clock() < end:
            if self.source.grab():
                self.grabs += 1
            if wait(step):
                return

    def _live_frame(self) -> Frame | None:
        src = self.source
        if not self.cheap:
            self.retrieves += 1
            f: Frame | None = src.read()
            return f
        # Pictures the driver holds are old: take them without decoding, then one fresh one.
        stale = int(getattr(src, "buffered", 0) or 0)
        ok = False
        for _ in range(stale + 1):
            ok = bool(src.grab())
            self.grabs += ok
        if not ok:
            return None
        self.retrieves += 1
        fresh: Frame | None = src.retrieve()
        return fresh

    def _due_file_frame(self, now: float) -> Frame | None:
        if self.ended:
            return None
        if self._wall0 is None:
            self._wall0 = now
        fps = float(getattr(self.source, "fps", 30.0) or 30.0)
        target = max(
            int((now - self._wall0) * fps + 1e-6), self._pos + 1
        )  # never the same frame twice
        last: Frame | None = None
        while self._pos < target:
            if self.cheap:
                ok = bool(self.source.grab())
                self.grabs += ok
            else:
                last = self.source.read()  # no cheap skipping: every frame is read in full
                ok = last is not None
            if not ok:
                if not self.loop or not hasattr(self.source, "seek") or self._pos < 0:
                    self.ended = True
                    return None
                self.source.seek(0)
                self.loops += 1
                self._wall0, self._pos, target = now, -1, 0
                continue
            self._pos += 1
        if target > int((now - self._wall0) * fps + 1e-6):  # sampled faster than the file's rate
            self._wall0 = now - self._pos / fps
        if not self.cheap:
            return last
        self.retrieves += 1
        due: Frame | None = self.source.retrieve()
        return due

    def close(self) -> None:
        self.source.close()


# ---------------------------------------------------------------------------------------------
# Clocks


class SimClock:
    """A clock that only moves when told to: benchmarks and tests run hours in seconds.

    Everything that happens between two samples is waiting, so skipping the wait changes
    nothing but the wall time; the CPU spent on each sample is real.
    """

    def __init__(self, t0: float = 0.0) -> None:
        self.t = float(t0)

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        if dt > 0:
            self.t += dt


__all__ = ["GrabSource", "SampledReader", "SimClock"]
