"""The session's side column: what the big counter says, and how small the cue and the counter
must be drawn for a long introduction (large text, a small window) to fit beside the video
without a scroll bar. :class:`coach.ui.session.page.SessionPage` shows and applies them.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QLayout, QScrollArea, QWidget

from coach.core.session import Phase, Snapshot

#: The cue's size for each of its roles, in body-text sizes (as in the app's style sheet).
CUE_SCALE = {"cue": 2.0, "cue_long": 1.45}
COUNTER_SCALE = 5  # the big counter, likewise


def fitted_sizes(
    owner: QWidget,
    scroll: QScrollArea,
    layout: QLayout,
    cue_spec: tuple[QLabel, int, int],
    counter_spec: tuple[QLabel, int, int],
) -> tuple[int, int]:
    """(cue px, counter px) so the column's content fits ``scroll`` without scrolling if it can.

    ``cue_spec`` is (cue label, its role's size, the least: body text); ``counter_spec`` is
    (counter label, its size, the least). The cue steps down by 10 % first, then the counter by
    15 %; what does not fit at the least sizes still scrolls.
    """
    cue, cue_px, least_cue = cue_spec
    counter, counter_px, least_counter = counter_spec
    room = scroll.contentsRect()  # the column without a scroll bar
    margins = layout.contentsMargins()
    width = room.width() - margins.left() - margins.right()
    shown = counter.isVisibleTo(owner)
    now = QFontMetrics(counter.font()).height()
    others = (
        layout.totalHeightForWidth(room.width()) - cue.heightForWidth(width) - (now if shown else 0)
    )
    font = QFont(cue.font())
    big = QFont(counter.font())

    def height(c: int, n: int) -> int:
        font.setPixelSize(c)
        big.setPixelSize(n)
        lines = QFontMetrics(font).boundingRect(
            QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, cue.text()
        )
        return others + lines.height() + (QFontMetrics(big).height() if shown else 0)

    while cue_px > least_cue and height(cue_px, counter_px) > room.height():
        cue_px = max(least_cue, round(cue_px * 0.9))
    while shown and counter_px > least_counter and height(cue_px, counter_px) > room.height():
        counter_px = max(least_counter, round(counter_px * 0.85))
    return cue_px, counter_px


def counter_text(s: Snapshot, kind: str) -> str:
    """The big counter: reps (of the target), holds, or the seconds left of a rest or intro."""
    phase = s.phase
    if phase is Phase.ACTIVE and kind == "timed" and s.remaining_s > 0:
        left = math.ceil(s.remaining_s)
        return f"{s.count} · {left // 60}:{left % 60:02d} left"
    if phase is Phase.ACTIVE and kind in ("reps", "timed"):
        target = f" / {s.target}" if s.target else ""
        return f"{s.count}{target}"
    if phase is Phase.ACTIVE and kind == "hold":
        held = f"{s.count} hold{'s' if s.count != 1 else ''}"
        return f"{s.count} / {s.target}" if s.target else held
    if phase in (Phase.REST, Phase.INTRO, Phase.SWITCH_SIDE):
        return f"{math.ceil(s.remaining_s)} s"
    return ""
