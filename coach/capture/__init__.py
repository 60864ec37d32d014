"""Frame sources: camera, video file, image folder, and a fake for tests."""

from coach.capture.base import Frame, FrameSource, Mailbox, SourceError
from coach.capture.sources import (
    CameraSource,
    ImageFolderSource,
    VideoFileSource,
    list_cameras,
    open_source,
)

__all__ = [
    "CameraSource",
    "Frame",
    "FrameSource",
    "ImageFolderSource",
    "Mailbox",
    "SourceError",
    "VideoFileSource",
    "list_cameras",
    "open_source",
]
