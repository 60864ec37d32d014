"""The live picture: the frame (mirrored for display only) with the skeleton coloured by form,
or the skeleton alone on a calm background for people who would rather not watch themselves.

The widget never does per-frame work in a slot: the session sets the newest result and marks the
view dirty; the app's repaint timer calls ``update()``; all drawing happens in ``paintEvent``
with QPainter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from coach.core.landmarks import SKELETON_EDGES, Landmark
from coach.ui.theme import Palette, palette

# Which landmarks each metric looks at, to colour the joints a fault is about.
_PARTS = {
    "knee": ("KNEE",),
    "hip": ("HIP",),
    "trunk": ("SHOULDER", "HIP"),
    "shank": ("KNEE", "ANKLE"),
    "thigh": ("HIP", "KNEE"),
    "leg": ("HIP", "ANKLE"),
    "arm": ("SHOULDER", "ELBOW", "WRIST"),
    "shoulder": ("SHOULDER", "ELBOW"),
    "elbow": ("ELBOW",),
    "neck": ("EAR", "SHOULDER"),
    "cva": ("EAR", "SHOULDER"),
    "ear": ("EAR", "SHOULDER"),
    "fppa": ("KNEE",),
    "head": ("EAR",),
}


def landmarks_for_metric(metric: str) -> set[int]:
    name = metric.split("@")[0]
    out: set[int] = set()
    for key, parts in _PARTS.items():
        if name.startswith(key) or f"_{key}" in name:
            for part in parts:
                for side in ("LEFT", "RIGHT"):
                    out.add(int(Landmark[f"{side}_{part}"]))
    return out


class VideoView(QWidget):
    """Paints the latest frame and pose; knows nothing about scoring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self._image: QImage | None = None
        self._rgb: npt.NDArray[np.uint8] | None = None  # keeps the buffer alive for the QImage
        self._points: npt.NDArray[np.floating[Any]] | None = None  # (33, 2) normalised
        self._vis: npt.NDArray[np.floating[Any]] | None = None
        self._amber: set[int] = set()
        self._red: set[int] = set()
        self.mirror = True
        self.skeleton_only = False
        self.high_contrast = False
        self.message = ""
        self.setAccessibleName("Camera view")

    def set_frame(
        self,
        rgb: npt.NDArray[np.uint8] | None,
        points: npt.NDArray[np.floating[Any]] | None,
        vis: npt.NDArray[np.floating[Any]] | None,
    ) -> None:
        if rgb is not None and not self.skeleton_only:
            h, w = rgb.shape[:2]
            self._rgb = np.ascontiguousarray(rgb)
            self._image = QImage(self._rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        elif self.skeleton_only:
            self._image, self._rgb = None, None
            if rgb is not None:
                self._aspect = rgb.shape[1] / rgb.shape[0]
        self._points = points
        self._vis = vis

    def set_fault_joints(self, amber: Iterable[int], red: Iterable[int]) -> None:
        self._amber, self._red = set(amber), set(red)

    def clear(self) -> None:
        self._image = self._rgb = self._points = self._vis = None

    _aspect = 16 / 9

    def _target(self) -> QRectF:
        aspect = (
            (self._image.width() / self._image.height())
            if self._image is not None
            else self._aspect
        )
        w, h = self.width(), self.height()
        tw: float
        th: float
        if w / max(1, h) > aspect:
            tw, th = h * aspect, h
        else:
            tw, th = w, w / aspect
        return QRectF((w - tw) / 2, (h - th) / 2, tw, th)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        pal = palette(self.high_contrast)
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing)
        qp.fillRect(self.rect(), QColor(pal.video_bg))
        r = self._target()
        if self._image is not None and not self.skeleton_only:
            if self.mirror:
                # Mirror with the painter's transform: no per-frame copy of the picture.
                qp.save()
                qp.translate(r.left() + r.right(), 0.0)
                qp.scale(-1.0, 1.0)
                qp.drawImage(r, self._image)
                qp.restore()
            else:
                qp.drawImage(r, self._image)
        if self._points is not None:
            self._draw_skeleton(qp, r, pal)
        if self.message:
            qp.setPen(QColor(pal.text))
            f = QFont(self.font())
            f.setPointSizeF(max(12.0, self.height() / 22))
            qp.setFont(f)
            box = QRectF(r.left() + 20, r.top() + 20, r.width() - 40, r.height() - 40)
            qp.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        qp.end()

    def _draw_skeleton(self, qp: QPainter, r: QRectF, pal: Palette) -> None:
        pts, vis = self._points, self._vis
        assert pts is not None
        xs = pts[:, 0]
        if self.mirror:
            xs = 1.0 - xs
        # Plain Python floats and bools only: shiboken mishandles numpy scalars (refcount crash).
        px = (r.left() + xs * r.width()).tolist()
        py = (r.top() + pts[:, 1] * r.height()).tolist()
        ok = (vis >= 0.5).tolist() if vis is not None else [True] * len(pts)
        base = QColor(pal.good)
        width = max(3.0, r.height() / 90)
        for a, b in SKELETON_EDGES:
            if not (ok[a] and ok[b]):
                continue
            col = (
                QColor(pal.bad)
                if (a in self._red or b in self._red)
                else (QColor(pal.warn) if (a in self._amber or b in self._amber) else base)
            )
            qp.setPen(QPen(col, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            qp.drawLine(QPointF(px[a], py[a]), QPointF(px[b], py[b]))
        rad = width * 1.1
        for i in range(11, 33):
            if not ok[i]:
                continue
            col = (
                QColor(pal.bad)
                if i in self._red
                else QColor(pal.warn)
                if i in self._amber
                else QColor(pal.panel)
            )
            qp.setPen(QPen(base, 2))
            qp.setBrush(col)
            qp.drawEllipse(QPointF(px[i], py[i]), rad, rad)
        if ok[0]:
            qp.setBrush(QColor(pal.panel))
            qp.setPen(QPen(base, width))
            qp.drawEllipse(QPointF(px[0], py[0]), width * 4, width * 4)
