"""The frame type, the source protocol and the one-slot latest-wins mailbox."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt


class SourceError(Exception):
    """A frame source could not be opened or read; the message is for the user."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured frame.

    rgb : (H, W, 3) uint8, RGB order, never mirrored (mirroring is for display only).
    timestamp : monotonic seconds. For a file it is the media time of the frame; for a camera
        it is ``time.monotonic()`` at capture.
    frame_id : increasing id from the source.
    """

    rgb: npt.NDArray[np.uint8]
    timestamp: float
    frame_id: int
    captured_at: float = 0.0  # time.monotonic() when it was read (latency measurement)

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


class FrameSource(Protocol):
    """Anything that yields frames. ``read`` returns None at the end of the stream."""

    @property
    def name(self) -> str: ...
    @property
    def fps(self) -> float: ...
    @property
    def is_live(self) -> bool: ...
    def read(self) -> Frame | None: ...
    def close(self) -> None: ...


T = TypeVar("T")


class Mailbox(Generic[T]):
    """A one-slot hand-off where the newest item replaces an unread one.

    The producer never blocks; the consumer gets the latest item. ``dropped`` counts items that
    were replaced before anyone read them.
    """

    def __init__(self) -> None:
        self._item: T | None = None
        self._cond = threading.Condition()
        self._closed = False
        self.posted = 0
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.posted += 1
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> T | None:
        """Wait for an item (up to ``timeout`` s); None on time-out or when closed and empty."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._item is None and not self._closed:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            item, self._item = self._item, None
            self._cond.notify_all()  # a producer may be waiting in wait_taken
            return item

    def wait_taken(self, timeout: float | None = None) -> bool:
        """Wait until the slot is empty (the consumer took the item); False on time-out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._item is not None and not self._closed:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def take(self) -> T | None:
        """The newest item, if any, without waiting."""
        with self._cond:
            item, self._item = self._item, None
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
