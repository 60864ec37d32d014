"""Printing HTML to PDF with Qt: A4 pages, a running header, "Page N of M", and a check on the file.

:func:`print_document` lays an HTML body out with ``QTextDocument`` and paints it page by page
onto a ``QPdfWriter``. Every page carries the :class:`PageHeader` (who the document is about and
what it covers) and a footer. Sections (``<h2>``) stay on one page when they fit on one, and a
last page holding only a few lines is avoided by setting the document a little smaller (down to
88 %) or moving an earlier section over. The file is written beside the target, read back
(:func:`pdf_pages`) and only then moved in place. Works headless: :func:`ensure_gui_app` creates
an application on the ``offscreen`` platform when there is no display.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "MIN_LAST_PAGE",
    "PageHeader",
    "PdfError",
    "ensure_gui_app",
    "output_file",
    "pdf_pages",
    "print_document",
]

_APP: Any = None  # the QGuiApplication we created, kept alive


def ensure_gui_app() -> Any:
    """The running ``QGuiApplication``; creates one (offscreen when there is no display)."""
    global _APP
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is not None:
        return app
    if not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # A QApplication (not a bare QGuiApplication): widgets created later in the same process
    # (the app, or tests) abort if the only application object cannot host them.
    from PySide6.QtWidgets import QApplication

    _APP = QApplication(["coach-report"])
    return _APP


@dataclass(frozen=True)
class PageHeader:
    """What every page of a document repeats: who it is about and what it covers."""

    document: str  # "Clinician report", "Exercise handout"
    patient: str | None
    birth_year: int | None = None
    patient_ids: tuple[tuple[str, str], ...] = ()
    routine_id: str | None = None
    routine_version: int | None = None
    period: str = ""
    printed: date | None = None

    def lines(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """((left, right) of the first line, (left, right) of the second)."""
        if self.patient:
            who = [self.patient]
            if self.birth_year is not None:
                who.append(f"born {self.birth_year}")
            who += [f"{system} {value}" for system, value in self.patient_ids]
            left1 = " · ".join(who)
        else:
            left1 = "Patient: ____________________  (no patient named in the routine)"
        routine = (
            f"Routine {self.routine_id} version {self.routine_version}"
            if self.routine_id
            else "No routine given"
        )
        left2 = f"{routine} · {self.period}" if self.period else routine
        printed = f"Printed {(self.printed or date.today()).isoformat()}"
        return (left1, self.document), (left2, printed)


#: The least share of a page the last page of a document holds (see :func:`print_document`).
MIN_LAST_PAGE = 0.3
_BREAK_H2 = '<h2 style="page-break-before: always">'


class PdfError(OSError):
    """A PDF could not be written, or what was written does not read back as a PDF."""


def pdf_pages(path: str | Path) -> int:
    """The number of pages in a PDF file (0 when it is not a PDF). Reads the page objects,
    so no PDF library is needed."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return 0
    if not data.startswith(b"%PDF"):
        return 0
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def output_file(out: str | Path, what: str, example: str) -> Path:
    """``out`` as a file to write; a folder is refused with a message that says what to give.

    Raises
    ------
    IsADirectoryError
        ``out`` is an existing folder (``strerror`` says to add a file name, e.g. ``example``).
    """
    path = Path(out)
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR,
            f"it is a folder; give the {what} a file name, e.g. {path / example}",
            str(path),
        )
    return path


def _css(scale: float = 1.0) -> str:
    """The documents' style sheet, every size multiplied by ``scale``."""

    def pt(x: float) -> str:
        return f"{x * scale:.1f}pt"

    return f"""
body {{ font-family: sans-serif; font-size: {pt(10)}; }}
h1 {{ font-size: {pt(17)}; margin-bottom: 2px; }}
h2 {{ font-size: {pt(12.5)}; margin-top: 12px; margin-bottom: 4px; color: #1f3f7f; }}
h3 {{ font-size: {pt(11)}; margin-top: 10px; margin-bottom: 2px; }}
table {{ border-collapse: collapse; }}
th {{ background: #e8ecf4; text-align: left; }}
td, th {{ padding: 3px 6px; font-size: {pt(9)}; }}
.small {{ font-size: {pt(8)}; color: #444444; }}
.locked {{ color: #8a1c1c; }}
"""


class _Layout:
    """Lays an HTML body out on pages of ``body_w`` x ``body_h`` (device units) and decides where
    they break: sections kept whole, no near-empty last page."""

    def __init__(
        self, device: Any, body: str, body_w: float, body_h: float, images: dict[str, Any]
    ) -> None:
        self.device = [device]  # emptied by release(), so nothing keeps the writer open
        self.body = body
        self.body_w = body_w
        self.body_h = body_h
        self.images = images

    def release(self) -> None:
        self.device.clear()

    def layout(self, scale: float, body: str | None = None) -> Any:
        from PySide6.QtCore import QSizeF, QUrl
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.device[0])
        doc.setDocumentMargin(0)
        for name, img in self.images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
        doc.setDefaultStyleSheet(_css(scale))
        # pictures shrink with the text
        doc.setHtml(
            re.sub(
                r'(<img [^>]*width=")(\d+)"',
                lambda m: f'{m.group(1)}{round(int(m.group(2)) * scale)}"',
                self.body if body is None else body,
            )
        )
        doc.setPageSize(QSizeF(self.body_w, self.body_h))
        return doc

    def last_fill(self, d: Any) -> float:
        return float((d.size().height() - (d.pageCount() - 1) * self.body_h) / self.body_h)

    @staticmethod
    def break_before(text: str, k: int) -> str:
        """``text`` with a page break before its ``k``-th section heading."""
        m = list(re.finditer(r'<h2(?: style="[^"]*")?>', text))[k]
        return text[: m.start()] + _BREAK_H2 + text[m.end() :]

    @staticmethod
    def sections(d: Any) -> list[tuple[float, float]]:
        """(top, bottom) of each section: from its heading (h2) to the lowest line before the
        next heading, in document coordinates."""
        spans: list[list[float]] = []
        block = d.begin()
        while block.isValid():
            rect = d.documentLayout().blockBoundingRect(block)
            if block.blockFormat().headingLevel() == 2:
                spans.append([rect.top() + block.blockFormat().topMargin(), rect.bottom()])
            elif spans:
                spans[-1][1] = max(spans[-1][1], rect.bottom())
            block = block.next()
        return [(a, b) for a, b in spans]

    def paginate(self, scale: float, text: str | None = None) -> tuple[Any, str]:
        """Lay out with every section kept on one page when it fits on one (an exercise's
        heading, pictures and steps together); the closing section may run on."""
        text = self.body if text is None else text
        body_h = self.body_h
        for _ in range(40):
            d = self.layout(scale, text)
            spans = self.sections(d)
            for k, (top, end) in enumerate(spans[:-1]):
                split = int(top // body_h) != int((end - 1) // body_h)
                # move a section that would split to the next page only when the page it
                # leaves is at least half full, so keeping together never empties a page
                if split and end - top < 0.9 * body_h and top % body_h >= 0.5 * body_h:
                    text = self.break_before(text, k)
                    break
            else:
                return d, text
        return d, text

    def fit(self) -> tuple[Any, int]:
        """The laid-out document and its page count.

        Sections stay whole. No near-empty last page: a document that spills a few lines onto a
        new page is set a little smaller when that saves the page; otherwise an earlier section
        moves to the last page with them, so no page holds only a few lines.
        """
        doc, _ = self.paginate(1.0)
        pages = int(doc.pageCount())
        if pages > 1 and self.last_fill(doc) < MIN_LAST_PAGE:
            for scale in (0.95, 0.91, 0.88):
                trial, _ = self.paginate(scale)
                if trial.pageCount() < pages:
                    return trial, int(trial.pageCount())
            n = len(re.findall("<h2>", self.body))
            for k in reversed(range(1, n)):
                trial, _ = self.paginate(1.0, self.break_before(self.body, k))
                if trial.pageCount() == pages and self.last_fill(trial) >= MIN_LAST_PAGE:
                    return trial, pages
        return doc, pages


@dataclass(frozen=True)
class _Frame:
    """Where things go on an A4 page, in device units."""

    mm: float
    page_h: float
    left: float
    top: float
    bottom: float
    body_w: float
    body_h: float


def _paint_pages(
    painter: Any, writer: Any, doc: Any, pages: int, f: _Frame, header: PageHeader, title: str
) -> None:
    """Paint every page: the running header, the footer with "Page N of M", then the body."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QFont, QPen

    (l1, r1), (l2, r2) = header.lines()
    mm, left, body_w, body_h = f.mm, f.left, f.body_w, f.body_h
    small = QFont("sans-serif")
    small.setPointSizeF(8.0)
    bold = QFont(small)
    bold.setBold(True)
    flags_l = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    flags_r = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    line_h = 5 * mm
    for i in range(pages):
        if i:
            writer.newPage()
        y0 = 9 * mm
        painter.setPen(QPen(Qt.GlobalColor.black))
        painter.setFont(bold)
        painter.drawText(QRectF(left, y0, body_w * 0.72, line_h), flags_l, l1)
        painter.drawText(QRectF(left, y0, body_w, line_h), flags_r, r1)
        painter.setFont(small)
        painter.drawText(QRectF(left, y0 + line_h, body_w * 0.72, line_h), flags_l, l2)
        painter.drawText(QRectF(left, y0 + line_h, body_w, line_h), flags_r, r2)
        painter.setPen(QPen(Qt.GlobalColor.darkGray, max(1.0, 0.25 * mm)))
        painter.drawLine(
            QPointF(left, y0 + 2 * line_h + mm), QPointF(left + body_w, y0 + 2 * line_h + mm)
        )
        fy = f.page_h - f.bottom + 6 * mm
        painter.drawLine(QPointF(left, fy - mm), QPointF(left + body_w, fy - mm))
        painter.setPen(QPen(Qt.GlobalColor.black))
        painter.drawText(
            QRectF(left, fy, body_w, line_h), flags_l, f"coach · {header.document} · {title}"
        )
        painter.drawText(QRectF(left, fy, body_w, line_h), flags_r, f"Page {i + 1} of {pages}")
        painter.save()
        painter.translate(left, f.top - i * body_h)
        doc.drawContents(painter, QRectF(0, i * body_h, body_w, body_h))
        painter.restore()


def _a4_writer(tmp: Path, title: str) -> Any:
    """A 300 dpi A4 portrait ``QPdfWriter`` without margins (the pages draw their own)."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(tmp))
    writer.setTitle(title)
    writer.setCreator("coach")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer


def print_document(
    body: str,
    out: str | Path,
    title: str,
    header: PageHeader,
    images: dict[str, Any] | None = None,
) -> int:
    """Lay ``body`` out on A4 pages with the running header and "Page N of M"; returns the
    number of pages. The file is written beside ``out`` first, read back, then moved in place.

    Raises
    ------
    OSError
        ``out`` exists and is read-only (:class:`PermissionError`), or the writer cannot start
        or the file does not read back (:class:`PdfError`).
    """
    ensure_gui_app()
    from PySide6.QtGui import QPainter

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    tmp = path.with_name(f".{path.name}.partial")
    writer = _a4_writer(tmp, title)
    dpi = writer.resolution()
    mm = dpi / 25.4
    page_w, page_h = float(writer.width()), float(writer.height())
    left, right, top, bottom = 18 * mm, 18 * mm, 26 * mm, 18 * mm
    frame = _Frame(mm, page_h, left, top, bottom, page_w - left - right, page_h - top - bottom)

    pager = _Layout(writer, body, frame.body_w, frame.body_h, images or {})
    doc, pages = pager.fit()

    painter = QPainter()
    if not painter.begin(writer):
        pager.release()
        del writer
        tmp.unlink(missing_ok=True)
        raise PdfError(errno.EIO, "the PDF writer could not start", str(path))
    try:
        _paint_pages(painter, writer, doc, pages, frame, header, title)
    finally:
        painter.end()
    pager.release()
    del writer, doc  # the writer's destructor finishes the file
    found = pdf_pages(tmp)
    if found != pages:
        tmp.unlink(missing_ok=True)
        raise PdfError(
            errno.EIO,
            f"the PDF written does not read back ({found} of {pages} pages)",
            str(path),
        )
    tmp.replace(path)
    return pages
