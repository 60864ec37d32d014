"""Small shared widgets and layouts that reflow: nothing is placed at fixed pixel positions, and
nothing makes a page wider than its window.

* :class:`FlowLayout` — items left to right, wrapping onto the next row when the width runs out
  (a row of buttons that never pushes the page sideways).
* :class:`ResponsiveGrid` — equal-width cards in as many columns as fit (three on a wide screen,
  one on a narrow one).
* :func:`wrapped_label` — a word-wrapped label that may shrink below its longest line.
* :class:`WheelGuard` — a wheel turn over an unclicked drop-down or number box scrolls the page.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QSlider,
    QWidget,
)


class FlowLayout(QLayout):
    """Lay items out in rows, wrapping to a new row when the next one would not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        # as wide as all items in one row; the height is for that width
        w = sum(i.sizeHint().width() for i in self._visible()) + self._spacing * max(
            0, len(self._visible()) - 1
        )
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), self.heightForWidth(w + m.left() + m.right()))

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not ((w := i.widget()) is not None and w.isHidden())]

    def _do_layout(self, rect: QRect, test: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_h = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            w = min(hint.width(), area.width())
            if x > area.x() and x + w > area.x() + area.width():
                x = area.x()
                y += row_h + self._spacing
                row_h = 0
            if not test:
                item.setGeometry(QRect(QPoint(x, y), QSize(w, hint.height())))
            x += w + self._spacing
            row_h = max(row_h, hint.height())
        return y + row_h - rect.y() + m.bottom()


class ResponsiveGrid(QWidget):
    """Cards in equal columns: as many as fit at ``min_column`` pixels each (at least one)."""

    def __init__(self, min_column: int = 300, spacing: int = 12, max_columns: int = 3) -> None:
        super().__init__()
        self.min_column = min_column
        self.max_columns = max_columns
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(spacing)
        self._widgets: list[QWidget] = []
        self._columns = 0
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def add(self, w: QWidget) -> None:
        self._widgets.append(w)
        self._reflow(self.width() or self.min_column * self.max_columns)

    def widgets(self) -> list[QWidget]:
        return list(self._widgets)

    def columns(self) -> int:
        return self._columns

    def _reflow(self, width: int) -> None:
        cols = max(1, min(self.max_columns, width // max(1, self.min_column)))
        if cols == self._columns and all(self._grid.indexOf(w) >= 0 for w in self._widgets):
            return
        self._columns = cols
        for w in self._widgets:
            self._grid.removeWidget(w)
        for c in range(self.max_columns):
            self._grid.setColumnStretch(c, 1 if c < cols else 0)
        for i, w in enumerate(self._widgets):
            self._grid.addWidget(w, i // cols, i % cols)

    def resizeEvent(self, e: QResizeEvent) -> None:  # noqa: N802
        self._reflow(e.size().width())
        super().resizeEvent(e)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # one column is always possible: never make the page wider than that
        hint = super().minimumSizeHint()
        widest = max((w.minimumSizeHint().width() for w in self._widgets), default=0)
        return QSize(widest, hint.height())


def wrapped_label(text: str = "", role: str | None = None) -> QLabel:
    """A word-wrapped label that can get narrower than its text (it wraps instead)."""
    lab = QLabel(text)
    lab.setWordWrap(True)
    if role:
        lab.setProperty("role", role)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    lab.setMinimumWidth(40)
    return lab


class WheelGuard(QObject):
    """Scrolling a page never changes a setting: a wheel turn over a drop-down always scrolls the
    page (a drop-down changes only through its list or the keys: a routine's exercise turned into
    another one under a scrolling pointer), and over a number box or a slider that has not been
    clicked first it scrolls the page too (installed app-wide)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Wheel and (
            isinstance(obj, QComboBox)
            or (isinstance(obj, (QAbstractSpinBox, QSlider)) and not obj.hasFocus())
        ):
            area = obj.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is not None:
                QCoreApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return False


def install_wheel_guard(app: QCoreApplication) -> WheelGuard:
    """Install :class:`WheelGuard` on ``app`` (kept alive as a child of the application)."""
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
