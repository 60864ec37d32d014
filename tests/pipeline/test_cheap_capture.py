"""Cheap frames for the posture monitor: the smallest adequate camera mode, grab without
decoding, and noticing another program holding the camera (Linux /proc)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

import coach.capture.sources as sources
from coach.capture.sources import CAMERA_MODES, CameraSource, camera_users, smallest_mode


def test_smallest_mode_that_still_feeds_the_model():
    assert smallest_mode(CAMERA_MODES, 256) == (352, 288)
    assert smallest_mode(CAMERA_MODES, 360) == (640, 360)
    assert smallest_mode([(1920, 1080), (1280, 720)], 360) == (1280, 720)
    assert smallest_mode([(320, 240)], 360) is None


class FakeCapture:
    """A UVC camera as OpenCV sees it: a fixed set of modes; grab() only dequeues a buffer,
    retrieve() decodes it (counted separately)."""

    modes = ((640, 480), (1280, 720), (640, 360), (1920, 1080))
    instances: list[FakeCapture] = []

    def __init__(self, index: int) -> None:
        self.w, self.h = 1280, 720
        self.grabs = self.decodes = 0
        self.opened = True
        self.props: dict[int, float] = {}
        FakeCapture.instances.append(self)

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        import cv2

        self.props[prop] = value
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            self._want_w = int(value)
        if prop == cv2.CAP_PROP_FRAME_HEIGHT:
            want = (getattr(self, "_want_w", self.w), int(value))
            # the driver picks the nearest mode it has at least as large, like V4L2 does
            fit = [m for m in self.modes if m[0] >= want[0] and m[1] >= want[1]]
            self.w, self.h = (
                min(fit, key=lambda m: m[0] * m[1])
                if fit
                else max(self.modes, key=lambda m: m[0] * m[1])
            )
        return True

    def get(self, prop: int) -> float:
        import cv2

        if prop == cv2.CAP_PROP_BUFFERSIZE:
            return self.props.get(prop, 4)
        return {cv2.CAP_PROP_FPS: 30.0}.get(prop, 0.0)

    def grab(self) -> bool:
        self.grabs += 1
        return True

    def retrieve(self):
        self.decodes += 1
        return True, np.zeros((self.h, self.w, 3), np.uint8)

    def read(self):
        self.grab()
        return self.retrieve()

    def release(self) -> None:
        self.opened = False


@pytest.fixture
def fake_camera(monkeypatch):
    FakeCapture.instances.clear()
    monkeypatch.setattr(sources.cv2, "VideoCapture", FakeCapture)
    return FakeCapture


def test_camera_opens_in_the_smallest_adequate_mode(fake_camera):
    cam = CameraSource(0, smallest_for=360)
    assert cam.mode == (640, 360)
    assert cam.buffered == 1  # one driver buffer asked for and granted
    default = CameraSource(0)  # the exercise player keeps asking for 1280 x 720
    assert default.mode == (1280, 720)


def test_grab_does_not_decode_retrieve_does(fake_camera):
    cam = CameraSource(0, smallest_for=360)
    cap = fake_camera.instances[-1]
    decodes0 = cap.decodes
    for _ in range(30):
        assert cam.grab()
    assert cap.decodes == decodes0 and cap.grabs >= 30
    f = cam.retrieve()
    assert f is not None and (f.width, f.height) == (640, 360) and cap.decodes == decodes0 + 1


def test_another_process_holding_the_device_is_seen(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("the /proc check is Linux-only")
    dev = tmp_path / "video9"
    dev.write_bytes(b"")
    assert camera_users(str(dev)) == []
    holder = subprocess.Popen(
        [sys.executable, "-c", f"f = open({str(dev)!r}); import time; time.sleep(30)"]
    )
    try:
        deadline = time.monotonic() + 10
        while holder.pid not in camera_users(str(dev)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert camera_users(str(dev)) == [holder.pid]
    finally:
        holder.kill()
        holder.wait()
    assert camera_users(str(dev)) == []
    # our own open file never counts
    with open(dev):
        assert camera_users(str(dev)) == []
