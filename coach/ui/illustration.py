"""The animated stick figure widget and the off-screen stills for printed handouts.

The figure itself (postures, the solved movement, timing) is Qt-free and lives in
:mod:`coach.figures.kinematics`; this module only paints it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from coach.figures.kinematics import (
    VARIANTS,
    cycle_timing,
    figure_for,
    moving_side,
    phase_at,
    pose_for,
    print_figure_for,
)
from coach.figures.postures import Point, Pose, midpoint
from coach.ui.theme import palette

# ---------------------------------------------------------------------------------------------
# The widget.

_LIMB_EDGES = (
    ("shoulder", "elbow"),
    ("elbow", "wrist"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "heel"),
    ("heel", "toe"),
    ("ankle", "toe"),
)


class SkeletonAnimation(QWidget):
    """An animated stick figure for one exercise: ~30 frames a second while visible, still when hidden.

    Calm colours from the theme; the moving joint is ringed; the far-side limbs are lighter. The
    drawing scales with the widget. ``frames`` counts painted frames (tests use it).
    """

    FPS = 30

    def __init__(
        self, exercise: Any, high_contrast: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.exercise = exercise
        self.spec = figure_for(exercise)
        self.timing = cycle_timing(exercise)
        self.high_contrast = high_contrast
        self.frames = 0
        self.phase = 0.0
        self.show_focus = True  # the ring around the moving part (stills: the worked position only)
        self.cycle = 0
        self._t0 = time.monotonic()
        self._elapsed = 0.0  # animation time already shown, kept while hidden
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / self.FPS))
        self._timer.timeout.connect(self._tick)
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(f"Moving drawing of {exercise.name}")
        self.setAccessibleDescription(
            "A simple stick figure that shows the movement slowly, over and over. "
            "It is a guide, not an exact picture of the body."
        )

    # -- animation --------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._timer.isActive()

    def showEvent(self, e: QShowEvent) -> None:  # noqa: N802
        self._t0 = time.monotonic() - self._elapsed
        self._timer.start()
        super().showEvent(e)

    def hideEvent(self, e: QHideEvent) -> None:  # noqa: N802
        self._elapsed = time.monotonic() - self._t0
        self._timer.stop()
        super().hideEvent(e)

    def _tick(self) -> None:
        self.phase, self.cycle = phase_at(time.monotonic() - self._t0, self.timing)
        self.update()

    # -- drawing ---------------------------------------------------------------------------------

    def _box(self) -> tuple[float, float, float]:
        """(x, y, pixels per unit) that fit the movement's bounds into the widget, centred."""
        x0, y0, x1, y1 = self.spec.bounds
        margin = 0.06 * min(self.width(), self.height())
        w, h = max(1.0, self.width() - 2 * margin), max(1.0, self.height() - 2 * margin)
        k = min(w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6))
        ox = (self.width() - (x1 - x0) * k) / 2 - x0 * k
        oy = (self.height() - (y1 - y0) * k) / 2 - y0 * k
        return ox, oy, k

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        pal = palette(self.high_contrast)
        qp = QPainter(self)
        qp.setRenderHint(QPainter.RenderHint.Antialiasing)
        qp.fillRect(self.rect(), QColor(pal.panel))
        ox, oy, side = self._box()

        def pt(p: Point) -> QPointF:
            return QPointF(ox + p[0] * side, oy + p[1] * side)

        if self.spec.variant == "breathing":
            self._paint_breathing(qp, pal, pt, side)
        else:
            self._paint_figure(qp, pal, pt, side)
        qp.end()
        self.frames += 1

    def _paint_breathing(
        self, qp: QPainter, pal: Any, pt: Callable[[Point], QPointF], side: float
    ) -> None:
        pose = pose_for(self.exercise, self.phase, spec=self.spec)
        c, r = pt(pose["centre"]), pose["radius"][0] * side
        fill = QColor(pal.accent)
        fill.setAlpha(60)
        qp.setBrush(fill)
        qp.setPen(QPen(QColor(pal.accent), max(3.0, side * 0.012)))
        qp.drawEllipse(c, r, r)
        out, hold, back, pause = self.timing
        period = out + hold + back + pause
        x = (time.monotonic() - self._t0) % period
        word = (
            "Breathe in"
            if x < out
            else "Hold"
            if x < out + hold
            else "Breathe out"
            if x < out + hold + back
            else "Rest"
        )
        f = QFont(self.font())
        f.setPixelSize(max(14, int(side * 0.07)))
        f.setBold(True)
        qp.setFont(f)
        qp.setPen(QColor(pal.text))
        qp.drawText(
            QRectF(c.x() - side / 2, c.y() - side * 0.05, side, side * 0.1),
            Qt.AlignmentFlag.AlignCenter,
            word,
        )

    def _paint_figure(
        self, qp: QPainter, pal: Any, pt: Callable[[Point], QPointF], side: float
    ) -> None:
        other = self.spec.alternate and self.cycle % 2 == 1
        pose = pose_for(self.exercise, self.phase, other_side=other, spec=self.spec)
        width = max(3.0, side * 0.016)
        moving = moving_side(self.spec, other)
        self._paint_props(qp, pal, pt, pose, moving, width)
        body = QColor(pal.accent)
        far = QColor(pal.muted) if self.spec.view == "side" else QColor(body)
        if not self.high_contrast and self.spec.view == "side":
            far.setAlpha(150)
        # far limbs first, then the trunk and head, then the near limbs
        for s, colour in (("r", far), ("l", body)):
            pen = QPen(
                colour,
                width,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
            qp.setPen(pen)
            for a, b in _LIMB_EDGES:
                ka, kb = f"{s}_{a}", f"{s}_{b}"
                if ka in pose and kb in pose:
                    qp.drawLine(pt(pose[ka]), pt(pose[kb]))
            if s == "r":
                self._paint_trunk(
                    qp,
                    pose,
                    pt,
                    QPen(
                        body,
                        width * 1.25,
                        Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin,
                    ),
                    side,
                )
        self._paint_focus(qp, pal, pt, pose, moving, width, side)

    def _paint_props(
        self,
        qp: QPainter,
        pal: Any,
        pt: Callable[[Point], QPointF],
        pose: Pose,
        moving: str,
        width: float,
    ) -> None:
        """The props: calm, thin, behind the figure (the variant's strap or box last)."""
        prop_pen = QPen(QColor(pal.muted), max(2.0, width * 0.6))
        prop_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        prop_fill = QColor(pal.border)
        for kind, x0, y0, x1, y1 in self.spec.props:
            qp.setPen(prop_pen)
            if kind == "line":
                qp.drawLine(pt((x0, y0)), pt((x1, y1)))
            elif kind == "rect":
                qp.setBrush(prop_fill)
                qp.drawRect(QRectF(pt((min(x0, x1), min(y0, y1))), pt((max(x0, x1), max(y0, y1)))))
                qp.setBrush(Qt.BrushStyle.NoBrush)
        live = VARIANTS[self.spec.variant].props
        if "strap" in live:
            qp.setPen(QPen(QColor(pal.warn), max(2.0, width * 0.5)))
            qp.drawLine(pt(pose[f"{moving}_wrist"]), pt(pose[f"{moving}_toe"]))
        if "box" in live:
            w = pose["l_wrist"]
            half, depth = 0.07 * self.spec.scale, 0.09 * self.spec.scale
            qp.setPen(prop_pen)
            qp.setBrush(prop_fill)
            qp.drawRect(QRectF(pt((w[0] - half, w[1])), pt((w[0] + half, w[1] + depth))))
            qp.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_focus(
        self,
        qp: QPainter,
        pal: Any,
        pt: Callable[[Point], QPointF],
        pose: Pose,
        moving: str,
        width: float,
        side: float,
    ) -> None:
        """The focus: a soft ring around the joint that moves (arrows in for a brace)."""
        focus = self._focus_point(pose, moving)
        if focus is None or not self.show_focus:
            return
        ring = QColor(pal.good if self.high_contrast else pal.warn)  # distinct from the figure
        qp.setPen(QPen(ring, max(2.0, width * 0.5)))
        qp.setBrush(Qt.BrushStyle.NoBrush)
        r = side * (
            0.035 + (0.01 * self.phase if self.spec.variant in ("brace", "pelvic_tilt") else 0.0)
        )
        if self.spec.focus == "head":
            r = self.spec.head_r * side * 1.45
        qp.drawEllipse(pt(focus), r, r)
        if self.spec.variant == "brace" and self.phase >= 0.5:
            # nothing moves in a brace: arrows show the tummy drawing in and tightening
            c = pt(focus)
            for ang in (0.0, 90.0, 180.0):
                d = QPointF(math.cos(math.radians(ang)), -math.sin(math.radians(ang)))
                tip, tail = c + d * (r * 1.35), c + d * (r * 2.6)
                qp.drawLine(tail, tip)
                for turn in (-30.0, 30.0):
                    rad = math.radians(ang + turn)
                    qp.drawLine(tip, tip + QPointF(math.cos(rad), -math.sin(rad)) * (r * 0.5))

    def _paint_trunk(
        self, qp: QPainter, pose: Pose, pt: Callable[[Point], QPointF], pen: QPen, side: float
    ) -> None:
        qp.setPen(pen)
        if self.spec.view == "front":
            hip_mid = midpoint(pose["l_hip"], pose["r_hip"])
            sh_mid = midpoint(pose["l_shoulder"], pose["r_shoulder"])
            qp.drawLine(pt(pose["l_hip"]), pt(pose["r_hip"]))
            qp.drawLine(pt(pose["l_shoulder"]), pt(pose["r_shoulder"]))
            qp.drawLine(pt(hip_mid), pt(sh_mid))
            neck_from = sh_mid
        else:
            hip, sh = pose["l_hip"], pose["l_shoulder"]
            if "spine" in pose:
                path = QPainterPath(pt(hip))
                sp = pose["spine"]
                # a control point that makes the curve pass through the spine point
                ctrl = (2 * sp[0] - (hip[0] + sh[0]) / 2, 2 * sp[1] - (hip[1] + sh[1]) / 2)
                path.quadTo(pt(ctrl), pt(sh))
                qp.drawPath(path)
            else:
                qp.drawLine(pt(hip), pt(sh))
            neck_from = sh
        head = pose["head"]
        r = self.spec.head_r * side
        hx, hy = pt(head).x(), pt(head).y()
        # neck: from the shoulders to the edge of the head
        dx, dy = hx - pt(neck_from).x(), hy - pt(neck_from).y()
        d = math.hypot(dx, dy) or 1.0
        qp.drawLine(pt(neck_from), QPointF(hx - dx / d * r, hy - dy / d * r))
        pal = palette(self.high_contrast)
        qp.setBrush(QColor(pal.panel))
        qp.drawEllipse(QPointF(hx, hy), r, r)
        qp.setBrush(Qt.BrushStyle.NoBrush)

    def _focus_point(self, pose: Pose, moving: str) -> Point | None:
        f = self.spec.focus
        if f == "tummy":
            return midpoint(pose["l_hip"], pose["l_shoulder"])
        if f == "mid_hip":
            return midpoint(pose["l_hip"], pose["r_hip"])
        if f.startswith("*_"):
            f = f"{moving}_{f[2:]}"
        return pose.get(f)


def still_image(exercise: Any, phase: float, width: int = 520, height: int = 360) -> QImage:
    """One frame of the exercise drawing (phase 0 = start position, 1 = the worked position),
    for printed handouts. Painted off-screen with the same code as the animation, over the
    print range (:func:`print_figure_for`: natural start, full worked position); the ring that
    marks the moving part is drawn on the worked position only."""
    w = SkeletonAnimation(exercise)
    try:
        w.spec = print_figure_for(exercise)
        w.show_focus = phase >= 0.5
        w.resize(width, height)
        w.phase = phase
        return w.grab().toImage()
    finally:
        w.deleteLater()
