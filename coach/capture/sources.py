"""Concrete frame sources built on OpenCV."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

# FFmpeg inside OpenCV prints demuxer complaints ("moov atom not found") straight to stderr; the
# user gets our one-line message instead.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2  # noqa: E402
import numpy.typing as npt  # noqa: E402

from coach.capture.base import Frame, SourceError

#: A decoded 8-bit image as OpenCV returns it (BGR from a decoder, RGB after :func:`_to_rgb`);
#: OpenCV's stubs type its arrays loosely (integer or floating), so the element type is left open.
Image = npt.NDArray[Any]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}


class VideoFileSource:
    """Frames of a video file, timestamped by media time (so replays are reproducible)."""

    is_live = False

    def __init__(self, path: str | Path, max_side: int | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise SourceError(f"{self.path}: is a folder, not a video file")
        if self.path.stat().st_size == 0:
            raise SourceError(f"{self.path}: the file is empty (0 bytes)")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"{self.path}: not a video file OpenCV can read")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._fps = fps if 1.0 <= fps <= 1000.0 else 30.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._next_id = 0
        self._max_side = max_side
        self.name = self.path.name
        # Probe the first frame now so "not a video" fails here, not mid-analysis.
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(
                f"{self.path}: no video frames could be decoded (truncated or not a video)"
            )
        self._first: Image | None = first
        self._held: Image | None = None

    @property
    def fps(self) -> float:
        return self._fps

    def read(self) -> Frame | None:
        self._held = None
        if self._first is not None:
            bgr, self._first = self._first, None
        else:
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                return None
        now = time.monotonic()
        fid = self._next_id
        self._next_id += 1
        return Frame(_to_rgb(bgr, self._max_side), fid / self._fps, fid, now)

    def grab(self) -> bool:
        """Advance one frame without converting it (FFmpeg still decodes inside ``grab``; the
        colour conversion, scaling and copy are skipped). False at the end of the file."""
        self._held = None
        if self._first is not None:
            self._held, self._first = self._first, None  # the probe frame is already decoded
        elif not self._cap.grab():
            return False
        self._next_id += 1
        return True

    def retrieve(self) -> Frame | None:
        """The frame last :meth:`grab`-bed, converted to RGB; None when there is none."""
        if self._held is not None:
            bgr, ok = self._held, True
        else:
            ok, bgr = self._cap.retrieve()
        if not ok or bgr is None:
            return None
        fid = self._next_id - 1
        return Frame(_to_rgb(bgr, self._max_side), fid / self._fps, fid, time.monotonic())

    def read_bgr(self) -> Image | None:
        """The next raw decoded frame (benchmarks use it to time conversion separately)."""
        if self._first is not None:
            bgr, self._first = self._first, None
            self._next_id += 1
            return bgr
        ok, bgr = self._cap.read()
        if not ok:
            return None
        self._next_id += 1
        return bgr

    def seek(self, frame_id: int) -> None:
        self._first = None
        self._held = None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, frame_id)
        self._next_id = frame_id

    def close(self) -> None:
        self._cap.release()


class ImageFolderSource:
    """The images of a folder (sorted by name), or a single image, as a stream of frames."""

    is_live = False

    def __init__(self, path: str | Path, fps: float = 10.0, max_side: int | None = None) -> None:
        p = Path(path)
        if p.is_file():
            files = [p]
        elif p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        else:
            raise SourceError(f"{p}: no such file or folder")
        if not files:
            raise SourceError(
                f"{p}: no images found (looked for {', '.join(sorted(IMAGE_SUFFIXES))})"
            )
        self._files = files
        self._fps = fps
        self._i = 0
        self._max_side = max_side
        self.name = p.name
        self.frame_count = len(files)

    @property
    def fps(self) -> float:
        return self._fps

    def read(self) -> Frame | None:
        while self._i < len(self._files):
            f = self._files[self._i]
            fid = self._i
            self._i += 1
            bgr = cv2.imread(str(f), cv2.IMREAD_COLOR)
            if bgr is None:
                log.warning("skipping unreadable image %s", f)
                continue
            return Frame(_to_rgb(bgr, self._max_side), fid / self._fps, fid, time.monotonic())
        return None

    def close(self) -> None:
        self._i = len(self._files)


#: Common webcam modes, smallest first (UVC cameras offer a subset of these).
CAMERA_MODES = (
    (320, 240),
    (352, 288),
    (424, 240),
    (640, 360),
    (640, 480),
    (848, 480),
    (960, 540),
    (1280, 720),
    (1920, 1080),
)


def smallest_mode(
    modes: list[tuple[int, int]] | tuple[tuple[int, int], ...], min_short_side: int
) -> tuple[int, int] | None:
    """The mode with the fewest pixels whose shorter side is at least ``min_short_side``.

    The pose model looks at a 256 x 256 crop around the person; a camera mode whose shorter side
    is below that only gives it upscaled pixels, anything much above is decoded for nothing.
    """
    fit = [m for m in modes if min(m) >= min_short_side]
    return min(fit, key=lambda m: (m[0] * m[1], m)) if fit else None


class CameraSource:
    """A webcam through OpenCV, by index or by (part of) its name.

    Asks for ``width`` x ``height`` and falls back to whatever the camera offers. With
    ``smallest_for`` (pixels), asks instead for the smallest common mode whose shorter side is
    at least that (:func:`smallest_mode`), trying bigger ones when the driver refuses.

    Besides :meth:`read`, a camera can be :meth:`grab`-bed (take the newest buffer from the
    driver, no decoding or colour conversion) and :meth:`retrieve`-d (decode the grabbed one):
    the background posture monitor grabs between samples and decodes only what it looks at.
    """

    is_live = True

    def __init__(
        self,
        device: int | str = 0,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        smallest_for: int | None = None,
    ) -> None:
        index = _resolve_camera(device)
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(
                f"No camera found at index {index}. Connect a camera, close other programs that "
                "use it, or open a video file instead."
            )
        # One driver buffer where the backend allows it: a grab then returns a fresh picture.
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if smallest_for:
            first = smallest_mode(CAMERA_MODES, smallest_for) or (width, height)
            tries = [
                m
                for m in sorted(CAMERA_MODES, key=lambda m: m[0] * m[1])
                if m[0] * m[1] >= first[0] * first[1]
            ]
        else:
            tries = [(width, height), (1280, 720), (640, 480)]
        for w, h in tries:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
            ok, bgr = self._cap.read()
            if ok and bgr is not None and (not smallest_for or min(bgr.shape[:2]) >= smallest_for):
                break
        else:
            if not (ok and bgr is not None):
                self._cap.release()
                raise SourceError(
                    f"Camera {index} opened but gave no picture; it may be in use by another program."
                )
        self.mode = (int(bgr.shape[1]), int(bgr.shape[0]))
        self._cap.set(cv2.CAP_PROP_FPS, fps)
        got = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._fps = got if 1.0 <= got <= 240.0 else fps
        buffered = int(self._cap.get(cv2.CAP_PROP_BUFFERSIZE) or 0)
        #: Frames the driver may hold back: grab this many to be sure the next one is fresh.
        self.buffered = buffered if 1 <= buffered <= 32 else 4
        self._next_id = 0
        self.name = f"Camera {index}"
        self.index = index

    @property
    def fps(self) -> float:
        return self._fps

    def read(self) -> Frame | None:
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            return None
        now = time.monotonic()
        fid = self._next_id
        self._next_id += 1
        return Frame(_to_rgb(bgr, None), now, fid, now)

    def grab(self) -> bool:
        """Take the next picture from the driver without decoding it."""
        ok = bool(self._cap.grab())
        if ok:
            self._next_id += 1
        return ok

    def retrieve(self) -> Frame | None:
        """Decode the picture last grabbed, as RGB."""
        ok, bgr = self._cap.retrieve()
        if not ok or bgr is None:
            return None
        now = time.monotonic()
        return Frame(_to_rgb(bgr, None), now, self._next_id - 1, now)

    def close(self) -> None:
        self._cap.release()


def camera_users(index: int | str) -> list[int]:
    """Other processes that have ``/dev/video{index}`` (or the device path given) open (Linux;
    [] elsewhere or unknown).

    Linux does not tell a program that another one wants its camera; a video-call app that
    finds it busy usually keeps retrying with the device open, which shows here. Only the
    user's own processes are readable, which is where such an app runs.
    """
    dev = index if isinstance(index, str) else f"/dev/video{index}"
    proc = Path("/proc")
    if not sys.platform.startswith("linux") or not proc.is_dir():
        return []
    me = os.getpid()
    out: list[int] = []
    for d in proc.iterdir():
        if not d.name.isdigit() or int(d.name) == me:
            continue
        try:
            for fd in (d / "fd").iterdir():
                if os.readlink(fd) == dev:
                    out.append(int(d.name))
                    break
        except OSError:  # not ours, or gone meanwhile
            continue
    return out


def _to_rgb(bgr: Image, max_side: int | None) -> Image:
    if max_side:
        h, w = bgr.shape[:2]
        s = max(h, w)
        if s > max_side:
            k = max_side / s
            bgr = cv2.resize(bgr, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def list_cameras(max_index: int = 4) -> list[tuple[int, str]]:
    """Cameras that exist as device nodes (Linux) or open (elsewhere), without grabbing frames."""
    found: list[tuple[int, str]] = []
    sysfs = Path("/sys/class/video4linux")
    if sys.platform.startswith("linux") and not sysfs.is_dir():
        return found  # every Linux webcam appears here: none, so nothing to probe
    if sysfs.is_dir():
        for dev in sorted(sysfs.iterdir()):
            if not dev.name.startswith("video"):
                continue
            try:
                idx = int(dev.name[5:])
                label = (dev / "name").read_text().strip()
            except (ValueError, OSError):
                continue
            found.append((idx, label or dev.name))
        return found
    if os.name == "posix" and not Path("/dev").exists():
        return found
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append((i, f"Camera {i}"))
        cap.release()
    return found


def _resolve_camera(device: int | str) -> int:
    if isinstance(device, int):
        return device
    if device.isdigit():
        return int(device)
    for idx, label in list_cameras():
        if device.lower() in label.lower():
            return idx
    raise SourceError(f"No camera whose name contains '{device}'.")


def open_source(
    spec: str | int, max_side: int | None = None
) -> VideoFileSource | ImageFolderSource | CameraSource:
    """Open a source from a user's words: a camera index, ``camera:NAME``, a video, an image folder."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    if spec.startswith("camera:"):
        return CameraSource(spec[len("camera:") :])
    p = Path(spec)
    if p.is_dir() or p.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFolderSource(p, max_side=max_side)
    return VideoFileSource(p, max_side=max_side)
