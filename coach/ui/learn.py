"""Learn: short plain-language guides (Markdown files under ``assets/learn``), one per topic.

Topic ids are the file stems (``pain_rules``, ``red_flags``...). Each page ends with a "Sources"
section citing the references it relies on. Links to another topic (``[text](pain_rules)``) open
that topic; web links open in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.ui.context import AppContext

LEARN_DIR = Path(__file__).resolve().parents[2] / "assets" / "learn"

#: The order topics are listed in; any other page in the folder follows, alphabetically.
TOPIC_ORDER = (
    "safety",
    "pain_rules",
    "red_flags",
    "why_exercise",
    "how_coach_sees",
    "posture",
    "lifting",
    "follow_up",
)


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: str
    path: Path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _title(path: Path) -> str:
    """The first Markdown heading of the file, else a title made from its name."""
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.startswith("# "):
                    return line[2:].strip()
    except OSError:
        pass
    return path.stem.replace("_", " ").capitalize()


def list_topics(folder: Path = LEARN_DIR) -> list[Topic]:
    """Every topic in ``folder``, in :data:`TOPIC_ORDER` first."""
    found = {p.stem: p for p in sorted(folder.glob("*.md"))}
    order = [t for t in TOPIC_ORDER if t in found] + sorted(set(found) - set(TOPIC_ORDER))
    return [Topic(t, _title(found[t]), found[t]) for t in order]


class _WrappingList(QListWidget):
    """A list whose items wrap onto as many lines as they need at the current width (Qt's own
    size hints can be a line short once the style sheet pads the items, which elides them)."""

    def resizeEvent(self, e: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(e)
        self.fit_items()

    def fit_items(self) -> None:
        width = max(40, self.viewport().width() - 24)  # item padding and the focus frame
        fm = self.fontMetrics()
        for i in range(self.count()):
            item = self.item(i)
            r = fm.boundingRect(
                QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), item.text()
            )
            item.setSizeHint(QSize(width, r.height() + 12))


class LearnPage(QWidget):
    """A list of topics on the left and the chosen guide on the right."""

    def __init__(self, ctx: AppContext, topic: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.topics = list_topics()
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        left = QVBoxLayout()
        head = QLabel("Guides")
        head.setProperty("role", "subtitle")
        left.addWidget(head)
        self.list = _WrappingList()
        self.list.setAccessibleName("Guides")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)  # long titles wrap, never "…"
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setSpacing(4)
        for t in self.topics:
            item = QListWidgetItem(t.title)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
        self.list.setMinimumWidth(260)
        self.list.setMaximumWidth(340)
        left.addWidget(self.list, 1)
        outer.addLayout(left)
        right = QVBoxLayout()
        self.missing = QLabel("")
        self.missing.setProperty("role", "muted")
        self.missing.setWordWrap(True)
        self.missing.hide()
        right.addWidget(self.missing)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Guide text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.browser.document().setDocumentMargin(18)
        right.addWidget(self.browser, 1)
        outer.addLayout(right, 1)
        self.list.currentRowChanged.connect(self._show_row)
        self.current: str | None = None
        if not self.topics:
            self.browser.setMarkdown(
                "The guides could not be found. Reinstalling coach should restore them."
            )
            return
        ids = [t.id for t in self.topics]
        if topic is not None and topic not in ids:
            self.missing.setText(
                f'That guide ("{topic}") was not found, so the first guide is shown.'
            )
            self.missing.show()
        self.list.setCurrentRow(ids.index(topic) if topic in ids else 0)
        self.list.setFocus()

    def show_topic(self, topic: str) -> bool:
        """Show a topic by id; False if there is no such topic."""
        for i, t in enumerate(self.topics):
            if t.id == topic:
                self.list.setCurrentRow(i)
                return True
        return False

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.topics):
            return
        t = self.topics[row]
        try:
            text = t.text()
        except OSError as exc:
            text = f"# {t.title}\n\nThis guide could not be opened ({exc.strerror or exc})."
        self.browser.setMarkdown(text)
        self.browser.verticalScrollBar().setValue(0)
        self.current = t.id

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
            return
        target = url.path().removesuffix(".md").lstrip("./")
        self.show_topic(target)
