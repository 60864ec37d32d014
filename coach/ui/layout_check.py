"""Find what a person would see as broken on a screen: widgets drawn over each other, text that
does not fit its box, parts cut off at the window's edge, and pages that scroll sideways.

Used by the layout test (every page at every supported window size) and by ``coach screenshots``.
It reads only geometry that Qt has already laid out, so call it after the window was shown and
its events processed.

Rules
-----
* **overlap** — two visible siblings (same parent) whose rectangles intersect by more than
  ``TOLERANCE_PX`` in both directions. A widget that is meant to float over another (a caption on
  a video) says so with the dynamic property ``overlay=True``.
* **text** — a label, button or tab whose text needs more room than it has: a word-wrapped label
  shorter than ``heightForWidth(width)``, any other label, button or tab smaller than its size
  hint.
* **clipped** — a widget partly outside one of its ancestors (up to the window), except inside a
  vertical scroll area's viewport, where content may run on below the fold.
* **sideways** — a ``QScrollArea`` showing a horizontal scroll bar.

Composite widgets (spin boxes, combo boxes, text views, charts, tab bars) are checked as one box;
their insides are Qt's business.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QScrollBar,
    QStackedWidget,
    QTabBar,
    QWidget,
)

TOLERANCE_PX = 2

#: Widgets whose children are an implementation detail.
_OPAQUE = (QAbstractSpinBox, QComboBox, QTabBar, QCalendarWidget, QLineEdit, QAbstractSlider)


@dataclass(frozen=True)
class Problem:
    kind: str  # "overlap" | "text" | "clipped" | "sideways"
    widget: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.widget}: {self.detail}"


def describe(w: QWidget) -> str:
    """A short, human name for a widget: its class, object name and text."""
    name = type(w).__name__
    if w.objectName() and not w.objectName().startswith("qt_"):
        name += f"#{w.objectName()}"
    text = ""
    if isinstance(w, (QLabel, QAbstractButton)):
        text = w.text()
    elif w.accessibleName():
        text = w.accessibleName()
    text = " ".join(text.split())
    if text:
        name += f" '{text[:48]}{'…' if len(text) > 48 else ''}'"
    return name


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _children(w: QWidget) -> list[QWidget]:
    return [
        c for c in w.findChildren(QWidget, options=_direct()) if c.isWindow() is False and _shown(c)
    ]


def _direct() -> Qt.FindChildOption:
    return Qt.FindChildOption.FindDirectChildrenOnly


def _is_scroll_viewport(w: QWidget) -> bool:
    p = w.parentWidget()
    return isinstance(p, QAbstractScrollArea) and p.viewport() is w


def _text_problem(w: QWidget) -> str | None:
    """Why ``w``'s text does not fit in it (a label, a tab bar or a button), or None."""
    if isinstance(w, QLabel):
        return _label_problem(w)
    if isinstance(w, QTabBar):
        return _tab_problem(w)
    if isinstance(w, QAbstractButton) and w.text().strip():
        return _hint_problem(w)
    return None


def _hint_problem(w: QWidget) -> str | None:
    """The widget's size hint (its text on one line) is larger than the widget."""
    hint = w.sizeHint()
    if hint.width() > w.width() + TOLERANCE_PX or hint.height() > w.height() + TOLERANCE_PX:
        return f"text needs {hint.width()}x{hint.height()} px, has {w.width()}x{w.height()}"
    return None


def _label_problem(w: QLabel) -> str | None:
    if w.pixmap() is not None and not w.pixmap().isNull():
        return None
    if not w.text().strip():
        return None
    if not w.wordWrap():
        return _hint_problem(w)
    need = w.heightForWidth(w.width())
    if need > w.height() + TOLERANCE_PX:
        return f"wrapped text needs {need} px of height, has {w.height()} (width {w.width()})"
    # a single word longer than the label's width cannot wrap
    word_w = w.minimumSizeHint().width()
    if word_w > w.width() + TOLERANCE_PX:
        return f"a word needs {word_w} px of width, has {w.width()}"
    return None


def _tab_problem(w: QTabBar) -> str | None:
    for i in range(w.count()):
        need, has = w.tabSizeHint(i).width(), w.tabRect(i).width()
        if w.isTabVisible(i) and need > has + TOLERANCE_PX:
            return f"tab '{w.tabText(i)}' needs {need} px of width, has {has} (its text is cut)"
    return None


def _overlaps(kids: list[QWidget]) -> list[Problem]:
    out: list[Problem] = []
    rects = [
        (k, k.geometry())
        for k in kids
        if not k.property("overlay") and not isinstance(k, QScrollBar)
    ]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            inter = ra.intersected(rb)
            if inter.width() > TOLERANCE_PX and inter.height() > TOLERANCE_PX:
                out.append(
                    Problem(
                        "overlap",
                        describe(a),
                        f"overlaps {describe(b)} by {inter.width()}x{inter.height()} px",
                    )
                )
    return out


def _clipped(w: QWidget, window: QWidget) -> str | None:
    """Is part of ``w`` hidden by an ancestor (other than a scroll area's viewport)?"""
    rect = QRect(QPoint(0, 0), w.size())
    child = w
    while child is not window:
        parent = child.parentWidget()
        if parent is None:
            break
        rect = rect.translated(child.pos())
        area = parent.parentWidget()
        if _is_scroll_viewport(parent) and isinstance(area, QScrollArea):
            # below the fold is fine in a vertical scroll area; wider than the view is not
            over = rect.right() - (parent.width() - 1)
            # with a visible sideways bar it can be reached (and is reported as "sideways");
            # without one it simply cannot be seen
            if over > TOLERANCE_PX and not area.horizontalScrollBar().isVisible():
                return f"{over} px of it is beyond the right edge of the scroll area"
            return None
        visible = rect.intersected(QRect(QPoint(0, 0), parent.size()))
        if (
            rect.width() - visible.width() > TOLERANCE_PX
            or rect.height() - visible.height() > TOLERANCE_PX
        ):
            return (
                f"{rect.width() - visible.width()}x{rect.height() - visible.height()} px of it is "
                f"outside {describe(parent)}"
            )
        rect = visible
        child = parent
    return None


def check(window: QWidget) -> list[Problem]:
    """Every layout problem in ``window`` as it is laid out now."""
    problems: list[Problem] = []

    def walk(w: QWidget) -> None:
        if isinstance(w, QScrollArea):
            bar = w.horizontalScrollBar()
            if bar.isVisible() and bar.maximum() > 0:
                problems.append(
                    Problem("sideways", describe(w), f"scrolls sideways by {bar.maximum()} px")
                )
        text = _text_problem(w)
        if text:
            problems.append(Problem("text", describe(w), text))
        if w is not window:
            clip = _clipped(w, window)
            if clip and not isinstance(w, QScrollBar):
                problems.append(Problem("clipped", describe(w), clip))
        if isinstance(w, _OPAQUE):
            return
        if isinstance(w, QAbstractScrollArea) and not isinstance(w, QScrollArea):
            return  # text views, tables, lists, charts: they scroll their own content
        kids = _children(w)
        if isinstance(w, QStackedWidget):
            kids = [k for k in kids if k is w.currentWidget()]
        problems.extend(_overlaps(kids))
        for k in kids:
            walk(k)

    walk(window)
    # one report per widget and kind is enough to act on
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in problems:
        key = (p.kind, p.widget + p.detail if p.kind == "overlap" else p.widget)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
