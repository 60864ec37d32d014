"""PDF documents: the clinician report for a date range and the patient handout for a routine.

Both are HTML laid out by ``QTextDocument`` and painted page by page onto a ``QPdfWriter``;
the pain chart is drawn with ``QPainter`` into an image embedded in the document. Works
headless: a ``QApplication`` is created on the ``offscreen`` platform when none exists.

Fit for a clinical record: every page carries a running header with the patient's name, year of
birth and identifiers (from the routine file's ``patient:``), the routine id and version and the
period, and a footer "Page N of M". A last page holding only a few lines is avoided by setting
the document a little smaller (down to 88 %) when that saves the page. A written file is read
back before success is reported: it must exist, start with ``%PDF`` and hold every page.

The numbers come from :func:`report_data` (plain Python, testable without Qt); the rendering
only formats them.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from coach.core.wording import PRIVACY
from coach.store.history import History, PainRow
from coach.store.progression import describe_event

log = logging.getLogger(__name__)

DISCLAIMER_LINES = (
    "This app does not diagnose or treat any condition and is not a substitute for professional medical advice. "
    "Follow the programme your physiotherapist or doctor gave you.",
    "Before starting, check with your healthcare provider that you are cleared to exercise - especially after back "
    "surgery, if you are pregnant, or if you answered 'yes' to any screening question.",
    "Stop and seek emergency care if you notice numbness around the groin/buttocks, new bladder or bowel problems, "
    "or new leg weakness.",
    "Stop the exercise if pain rises above 5/10, spreads down your leg, or you feel dizzy, faint or chest pain.",
    "Camera feedback is approximate. Lighting, clothing and camera position affect accuracy; the app cannot see "
    "your spine directly.",
    PRIVACY,
)  # DOMAIN §5.5, items 1-6

_APP: Any = None  # the QGuiApplication we created, kept alive


# ---------------------------------------------------------------------------------------------
# The numbers


@dataclass(frozen=True)
class ExerciseStats:
    exercise_id: str
    name: str
    sessions: int
    reps: int
    partial_reps: int
    reps_planned: int
    holds: int
    hold_s_mean: float | None
    range_first: float | None  # mean range of motion in the first / last session with reps
    range_last: float | None
    fault_free_pct: float | None


@dataclass(frozen=True)
class FaultStats:
    exercise_id: str
    fault_id: str
    count: int
    cue: str


@dataclass(frozen=True)
class PainPoint:
    when: datetime
    session_id: str
    before: int | None
    after: int | None
    next_morning: int | None
    spreading: bool


@dataclass
class ReportData:
    date_from: date
    date_to: date
    generated: datetime
    patient: str | None
    routine_title: str | None
    sessions_done: int
    sessions_planned: int | None
    sessions_interrupted: int
    lights: dict[str, int]
    pain: list[PainPoint]
    exercises: list[ExerciseStats]
    faults: list[FaultStats]
    posture_days: int
    posture_seconds: dict[str, float]
    posture_breaks: int
    posture_alerts: int
    progression: list[tuple[datetime, str, str, str, str]]  # when, exercise, kind, change, reason
    spreading_reports: int = 0
    green_max: int = 3  # the routine's pain rules colour the chart's bands
    amber_max: int = 5
    notes: list[str] = field(default_factory=list)
    birth_year: int | None = None
    patient_ids: tuple[tuple[str, str], ...] = ()  # (system, value), e.g. ("clinic", "23-4543")
    routine_id: str | None = None
    routine_version: int | None = None
    stopped: dict[str, int] = field(default_factory=dict)  # sessions not completed, by status

    @property
    def adherence_pct(self) -> float | None:
        if not self.sessions_planned:
            return None
        return 100.0 * self.sessions_done / self.sessions_planned


def planned_sessions(
    schedule: Any,
    date_from: date,
    date_to: date,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> int:
    """Sessions a routine's schedule asks for between two dates (inclusive), within its validity."""
    start = max(date_from, valid_from) if valid_from else date_from
    end = min(date_to, valid_until) if valid_until else date_to
    if end < start:
        return 0
    days = (end - start).days + 1
    if schedule.days:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        n = sum(
            1 for i in range(days) if names[(start + timedelta(days=i)).weekday()] in schedule.days
        )
    else:
        n = round(days * (schedule.days_per_week or 7) / 7)
    return int(n * schedule.times_per_day)


def _names() -> dict[str, str]:
    try:
        from coach.routines.catalogue import load_catalogue

        return {k: e.name for k, e in load_catalogue().exercises.items()}
    except Exception:  # the report must not fail because the catalogue has a broken file
        return {}


def report_data(
    history: History,
    date_from: date,
    date_to: date,
    *,
    routine: Any = None,
    patient: str | None = None,
    now: datetime | None = None,
) -> ReportData:
    """Everything the clinician report shows, computed from the history.

    Parameters
    ----------
    routine
        A :class:`~coach.routines.routine.Routine` or ``ResolvedRoutine``: gives the planned
        sessions (adherence), the title and the exercise names of custom items.
    """
    r = getattr(routine, "routine", routine)
    names = _names()
    if r is not None:
        for block in r.blocks:
            for item in block.items:
                if item.custom is not None:
                    names[item.custom.id] = item.custom.name
    sessions = history.sessions(date_from, date_to, routine_id=r.id if r is not None else None)
    done = [s for s in sessions if s.status == "completed"]
    # Every other finished status (stopped early, interrupted, aborted...) as the reader gives it.
    interrupted = [s for s in sessions if s.status not in ("completed", "in_progress")]
    lights = Counter(s.classification or "not rated" for s in sessions)
    planned = (
        planned_sessions(r.schedule, date_from, date_to, r.valid_from, r.valid_until)
        if r is not None
        else None
    )

    pain: list[PainPoint] = []
    spreading = 0
    per_ex: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "sessions": set(),
            "reps": 0,
            "partial": 0,
            "planned": 0,
            "holds": [],
            "ranges": [],
            "faulty": 0,
            "counted": 0,
        }
    )
    fault_counts: dict[tuple[str, str], int] = Counter()
    fault_cues: dict[tuple[str, str], str] = {}
    for s in sessions:
        pains: list[PainRow] = history.pain_ratings(s.id)
        spreading += sum(1 for p in pains if p.spreading_down_leg)
        before = [p.value for p in pains if p.context == "before"]
        after = [p.value for p in pains if p.context == "end"] or [
            p.value for p in pains if p.context == "after_exercise"
        ]
        morning = [p.value for p in pains if p.context == "next_morning"]
        if pains:
            pain.append(
                PainPoint(
                    s.started_at,
                    s.id,
                    before[0] if before else None,
                    max(after) if after else None,
                    morning[-1] if morning else None,
                    any(p.spreading_down_leg for p in pains),
                )
            )
        for er in history.exercise_results(s.id):
            st = per_ex[er.exercise_id]
            st["sessions"].add(s.id)
            reps = history.reps(er.id)
            holds = history.holds(er.id)
            st["reps"] += int(er.reps if er.reps is not None else len(reps))
            st["partial"] += int(er.partial_reps or 0)
            if er.reps_planned:
                st["planned"] += int(er.reps_planned) * int(er.sets_planned or 1)
            st["holds"].extend(h.seconds for h in holds)
            ranges = [x.range_deg for x in reps if x.range_deg is not None]
            if ranges:
                st["ranges"].append(sum(ranges) / len(ranges))
            st["counted"] += len(reps) + len(holds)
            st["faulty"] += sum(1 for x in reps if x.faults) + sum(1 for y in holds if y.faults)
            for f in history.faults(er.id):
                key = (er.exercise_id, f.fault_id)
                fault_counts[key] += f.count
                if f.cue:
                    fault_cues.setdefault(key, f.cue)
    exercises = [
        ExerciseStats(
            exercise_id=ex,
            name=names.get(ex, ex.replace("_", " ")),
            sessions=len(st["sessions"]),
            reps=st["reps"],
            partial_reps=st["partial"],
            reps_planned=st["planned"],
            holds=len(st["holds"]),
            hold_s_mean=round(sum(st["holds"]) / len(st["holds"]), 1) if st["holds"] else None,
            range_first=round(st["ranges"][0], 1) if st["ranges"] else None,
            range_last=round(st["ranges"][-1], 1) if st["ranges"] else None,
            fault_free_pct=round(100.0 * (1 - st["faulty"] / st["counted"]), 0)
            if st["counted"]
            else None,
        )
        for ex, st in per_ex.items()
    ]
    faults = sorted(
        (
            FaultStats(ex, fid, n, fault_cues.get((ex, fid), ""))
            for (ex, fid), n in fault_counts.items()
            if n > 0
        ),
        key=lambda f: -f.count,
    )
    posture = history.posture_days(date_from, date_to)
    posture_seconds: dict[str, float] = defaultdict(float)
    for d in posture:
        for k, v in d.seconds.items():
            posture_seconds[k] += v
    events = [
        (
            e.created_at,
            names.get(e.exercise_id, e.exercise_id),
            e.kind,
            describe_event(e.before, e.after),
            e.reason,
        )
        for e in history.progression_events(
            routine_id=r.id if r is not None else None, date_from=date_from, date_to=date_to
        )
    ]
    return ReportData(
        date_from=date_from,
        date_to=date_to,
        generated=now or datetime.now().astimezone(),
        patient=patient
        or (r.patient.display_name if r is not None and r.patient is not None else None),
        routine_title=r.title if r is not None else None,
        birth_year=r.patient.birth_year if r is not None and r.patient is not None else None,
        patient_ids=tuple(r.patient.external_ids.items())
        if r is not None and r.patient is not None
        else (),
        routine_id=r.id if r is not None else None,
        routine_version=r.version if r is not None else None,
        stopped=dict(Counter(s.status for s in interrupted)),
        sessions_done=len(done),
        sessions_planned=planned,
        sessions_interrupted=len(interrupted),
        lights=dict(lights),
        pain=pain,
        exercises=exercises,
        faults=faults,
        posture_days=len(posture),
        posture_seconds=dict(posture_seconds),
        posture_breaks=sum(d.breaks for d in posture),
        posture_alerts=sum(d.alerts for d in posture),
        progression=events,
        spreading_reports=spreading,
        green_max=r.safety.pain_rules.green_max if r is not None else 3,
        amber_max=r.safety.pain_rules.amber_max if r is not None else 5,
    )


# ---------------------------------------------------------------------------------------------
# Qt


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


def _pain_chart(
    points: list[PainPoint],
    width: int = 1600,
    height: int = 500,
    green_max: int = 3,
    amber_max: int = 5,
) -> Any:
    """The pain trend: before / after / next morning per session on the 0-10 scale, over the
    green (0-3), amber (4-5) and red (6-10) bands."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    left, right, top, bottom = 90, 40, 30, 90
    w, h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + h * (1 - v / 10.0)

    g, a = green_max + 0.5, amber_max + 0.5
    for lo, hi, color in ((0, g, "#e3f4e3"), (g, a, "#fdf1d6"), (a, 10, "#f8dede")):
        p.fillRect(QRectF(left, y(hi), w, y(lo) - y(hi)), QColor(color))
    font = QFont()
    font.setPixelSize(24)
    p.setFont(font)
    p.setPen(QPen(QColor("#888888"), 1))
    for v in range(0, 11, 2):
        p.drawLine(QPointF(left, y(v)), QPointF(left + w, y(v)))
        p.drawText(
            QRectF(0, y(v) - 15, left - 12, 30),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(v),
        )
    p.setPen(QPen(QColor("black"), 2))
    p.drawRect(QRectF(left, top, w, h))
    n = len(points)
    if n == 0:
        p.drawText(
            QRectF(left, top, w, h), Qt.AlignmentFlag.AlignCenter, "no pain ratings in this period"
        )
        p.end()
        return img

    def x(i: int) -> float:
        return left + (w * (i + 0.5) / n)

    series = (
        ("before", "#1f5fbf", Qt.PenStyle.DashLine),
        ("after", "#222222", Qt.PenStyle.SolidLine),
        ("next_morning", "#8a2be2", Qt.PenStyle.DotLine),
    )
    for attr, color, style in series:
        pen = QPen(QColor(color), 4)
        pen.setStyle(style)
        p.setPen(pen)
        prev: QPointF | None = None
        for i, pt in enumerate(points):
            v = getattr(pt, attr)
            if v is None:
                prev = None
                continue
            cur = QPointF(x(i), y(v))
            if prev is not None:
                p.drawLine(prev, cur)
            p.setBrush(QColor(color))
            p.drawEllipse(cur, 7, 7)
            prev = cur
    p.setPen(QPen(QColor("#333333"), 1))
    step = max(1, n // 8)
    for i in range(0, n, step):
        p.drawText(
            QRectF(x(i) - 80, top + h + 8, 160, 30),
            Qt.AlignmentFlag.AlignHCenter,
            points[i].when.astimezone().strftime("%d %b"),
        )
    lx = left
    for label, color in (("before", "#1f5fbf"), ("after", "#222222"), ("next morning", "#8a2be2")):
        p.fillRect(QRectF(lx, height - 36, 26, 18), QColor(color))
        p.drawText(QRectF(lx + 34, height - 44, 220, 32), Qt.AlignmentFlag.AlignVCenter, label)
        lx += 260
    p.end()
    return img


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


#: The least share of a page the last page of a document holds (see :func:`_print_document`).
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


def _print_document(
    body: str,
    out: str | Path,
    title: str,
    header: PageHeader,
    images: dict[str, Any] | None = None,
) -> int:
    """Lay ``body`` out on A4 pages with the running header and "Page N of M"; returns the
    number of pages. The file is written beside ``out`` first, read back, then moved in place."""
    ensure_gui_app()
    from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
    from PySide6.QtGui import (
        QFont,
        QPageLayout,
        QPageSize,
        QPainter,
        QPdfWriter,
        QPen,
        QTextDocument,
    )

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    tmp = path.with_name(f".{path.name}.partial")
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
    dpi = writer.resolution()
    mm = dpi / 25.4
    page_w, page_h = float(writer.width()), float(writer.height())
    left, right, top, bottom = 18 * mm, 18 * mm, 26 * mm, 18 * mm
    body_w, body_h = page_w - left - right, page_h - top - bottom

    device = [writer]  # emptied when the file is finished, so nothing keeps the writer open

    def layout(scale: float, body: str = body) -> Any:
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(device[0])
        doc.setDocumentMargin(0)
        for name, img in (images or {}).items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
        doc.setDefaultStyleSheet(_css(scale))
        # pictures shrink with the text
        doc.setHtml(
            re.sub(
                r'(<img [^>]*width=")(\d+)"',
                lambda m: f'{m.group(1)}{round(int(m.group(2)) * scale)}"',
                body,
            )
        )
        doc.setPageSize(QSizeF(body_w, body_h))
        return doc

    def last_fill(d: Any) -> float:
        return float((d.size().height() - (d.pageCount() - 1) * body_h) / body_h)

    def break_before(text: str, k: int) -> str:
        """``text`` with a page break before its ``k``-th section heading."""
        m = list(re.finditer(r'<h2(?: style="[^"]*")?>', text))[k]
        return text[: m.start()] + _BREAK_H2 + text[m.end() :]

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

    def paginate(scale: float, text: str = body) -> tuple[Any, str]:
        """Lay out with every section kept on one page when it fits on one (an exercise's
        heading, pictures and steps together); the closing section may run on."""
        for _ in range(40):
            d = layout(scale, text)
            spans = sections(d)
            for k, (top, end) in enumerate(spans[:-1]):
                split = int(top // body_h) != int((end - 1) // body_h)
                # move a section that would split to the next page only when the page it
                # leaves is at least half full, so keeping together never empties a page
                if split and end - top < 0.9 * body_h and top % body_h >= 0.5 * body_h:
                    text = break_before(text, k)
                    break
            else:
                return d, text
        return d, text

    # Sections stay whole. No near-empty last page: a document that spills a few lines onto a
    # new page is set a little smaller when that saves the page; otherwise an earlier section
    # moves to the last page with them, so no page holds only a few lines.
    doc, _ = paginate(1.0)
    pages = doc.pageCount()
    if pages > 1 and last_fill(doc) < MIN_LAST_PAGE:
        for scale in (0.95, 0.91, 0.88):
            trial, _ = paginate(scale)
            if trial.pageCount() < pages:
                doc, pages = trial, trial.pageCount()
                break
        else:
            n = len(re.findall("<h2>", body))
            for k in reversed(range(1, n)):
                trial, _ = paginate(1.0, break_before(body, k))
                if trial.pageCount() == pages and last_fill(trial) >= MIN_LAST_PAGE:
                    doc = trial
                    break

    (l1, r1), (l2, r2) = header.lines()
    painter = QPainter()
    if not painter.begin(writer):
        del writer
        tmp.unlink(missing_ok=True)
        raise PdfError(errno.EIO, "the PDF writer could not start", str(path))
    try:
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
            fy = page_h - bottom + 6 * mm
            painter.drawLine(QPointF(left, fy - mm), QPointF(left + body_w, fy - mm))
            painter.setPen(QPen(Qt.GlobalColor.black))
            painter.drawText(
                QRectF(left, fy, body_w, line_h), flags_l, f"coach · {header.document} · {title}"
            )
            painter.drawText(QRectF(left, fy, body_w, line_h), flags_r, f"Page {i + 1} of {pages}")
            painter.save()
            painter.translate(left, top - i * body_h)
            doc.drawContents(painter, QRectF(0, i * body_h, body_w, body_h))
            painter.restore()
    finally:
        painter.end()
    device.clear()
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


def _e(x: object) -> str:
    return html.escape(str(x))


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], nowrap: int = 1) -> str:
    """An HTML table; the first ``nowrap`` columns (names, dates) never wrap."""
    out = ['<table border="1" cellspacing="0" cellpadding="3" width="100%">', "<thead><tr>"]
    # one-word headers never break inside the word; longer ones wrap at their spaces
    out += [
        f'<th style="white-space: nowrap">{_e(h)}</th>' if " " not in h else f"<th>{_e(h)}</th>"
        for h in header
    ]
    out.append("</tr></thead>")  # a header row repeats on every page the table runs onto
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            style = ' style="white-space: nowrap"' if i < nowrap else ""
            cells.append(f"<td{style}>{_e('—' if v is None else v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600} h {s % 3600 // 60:02d} min" if s >= 3600 else f"{s // 60} min"


def report_html(d: ReportData) -> str:
    """The clinician report as HTML (the chart is the image resource ``pain-chart``)."""
    parts = [
        f"<h1>Exercise report: {_e(d.date_from.isoformat())} to {_e(d.date_to.isoformat())}</h1>"
    ]
    ids = "; ".join(f"{system}: {value}" for system, value in d.patient_ids)
    routine = (
        f"{d.routine_title} (id {d.routine_id}, version {d.routine_version})"
        if d.routine_id
        else "none given: all sessions in the period"
    )
    rows = [  # three rows of two pairs: who (left), what and when (right)
        ("Patient", d.patient or "not named"),
        ("Year of birth", d.birth_year if d.birth_year is not None else "not given"),
        ("Identifier", ids or "none given"),
        ("Routine", routine),
        ("Period", f"{d.date_from.isoformat()} to {d.date_to.isoformat()}"),
        ("Generated", f"{d.generated.strftime('%Y-%m-%d %H:%M')} by coach"),
    ]
    cells = [
        f'<td style="white-space: nowrap"><b>{_e(k)}</b></td><td>{_e(v)}</td>' for k, v in rows
    ]
    parts.append(
        '<table cellspacing="0" cellpadding="2" width="100%">'
        + "".join(f"<tr>{cells[i]}{cells[i + 3]}</tr>" for i in range(3))
        + "</table>"
    )

    parts.append("<h2>Adherence</h2>")
    planned = (
        "not known (no routine given)" if d.sessions_planned is None else str(d.sessions_planned)
    )
    pct = f" ({d.adherence_pct:.0f}%)" if d.adherence_pct is not None else ""
    lights = ", ".join(f"{k}: {v}" for k, v in sorted(d.lights.items())) or "none"
    stopped = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(d.stopped.items()))
    parts.append(
        f"<p>Sessions completed: <b>{d.sessions_done}</b> of {planned} planned{pct}. "
        f"Not completed: {d.sessions_interrupted}{f' ({_e(stopped)})' if stopped else ''}. "
        f"Traffic lights: {_e(lights)}.</p>"
    )

    parts.append("<h2>Pain trend (0-10)</h2>")
    if d.pain:
        parts.append('<p><img src="pain-chart" width="600"></p>')
        rows = [
            [
                p.when.astimezone().strftime("%Y-%m-%d %H:%M"),
                p.before,
                p.after,
                p.next_morning,
                "yes" if p.spreading else "no",
            ]
            for p in d.pain
        ]
        parts.append(
            _table(["session", "before", "after", "next morning", "spreading down leg"], rows)
        )
        if d.spreading_reports:
            parts.append(
                f"<p><b>Pain spreading down the leg was reported {_times(d.spreading_reports)}.</b></p>"
            )
    else:
        parts.append("<p>No pain ratings in this period.</p>")

    parts.append("<h2>Exercises</h2>")
    if d.exercises:
        rows = []
        for x in d.exercises:
            rom = (
                None
                if x.range_first is None
                else (
                    f"{x.range_first:g}°"
                    if x.range_first == x.range_last
                    else f"{x.range_first:g}° → {x.range_last:g}°"
                )
            )
            done = f"{x.holds} holds" if x.holds and not x.reps else f"{x.reps} reps"
            rows.append(
                [
                    x.name,
                    x.sessions,
                    done,
                    x.reps_planned or None,
                    x.partial_reps,
                    None if x.hold_s_mean is None else f"{x.hold_s_mean:g} s",
                    rom,
                    None if x.fault_free_pct is None else f"{x.fault_free_pct:.0f}%",
                ]
            )
        parts.append(
            _table(
                [
                    "exercise",
                    "sessions",
                    "done",
                    "planned",
                    "partial reps",
                    "mean hold",
                    "range of motion",
                    "fault-free",
                ],
                rows,
                nowrap=3,
            )
        )
    else:
        parts.append("<p>No exercises recorded in this period.</p>")

    parts.append("<h2>Form faults and the cues given</h2>")
    ex_names = {x.exercise_id: x.name for x in d.exercises}
    if d.faults:
        parts.append(
            _table(
                ["exercise", "fault", "times", "cue"],
                [
                    [
                        ex_names.get(f.exercise_id, f.exercise_id.replace("_", " ")),
                        f.fault_id.replace("_", " "),
                        f.count,
                        f.cue,
                    ]
                    for f in d.faults
                ],
                nowrap=2,
            )
        )
    else:
        parts.append("<p>No form faults recorded.</p>")

    parts.append("<h2>Posture (desk mode)</h2>")
    if d.posture_days:
        total = sum(d.posture_seconds.values()) or 1.0
        rows = [
            [k.replace("_", " "), _hms(v), f"{100 * v / total:.0f}%"]
            for k, v in sorted(d.posture_seconds.items(), key=lambda kv: -kv[1])
        ]
        parts.append(
            f"<p>{d.posture_days} day(s) monitored, {_hms(total)} in all; breaks taken: {d.posture_breaks}; alerts: {d.posture_alerts}.</p>"
        )
        parts.append(_table(["posture", "time", "share"], rows))
    else:
        parts.append("<p>Desk mode was not used in this period.</p>")

    parts.append("<h2>Progression and regression</h2>")
    if d.progression:
        parts.append(
            _table(
                ["date", "exercise", "change", "dose", "reason"],
                [
                    [w.astimezone().strftime("%Y-%m-%d"), ex, kind, change, reason]
                    for w, ex, kind, change, reason in d.progression
                ],
            )
        )
    else:
        parts.append("<p>No dose changes in this period.</p>")
    parts.append(_disclaimer_html())
    return "".join(parts)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _per_day(n: int) -> str:
    """1 -> "once a day", 2 -> "twice a day", 3 -> "three times a day"."""
    return {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}.get(
        n, f"{n} times a day"
    )


def _disclaimer_html() -> str:
    items = " ".join(f"{n}. {_e(t)}" for n, t in enumerate(DISCLAIMER_LINES, 1))
    return f'<h2>Important</h2><p class="small">{items}</p>'


def write_report(
    history: History,
    out: str | Path,
    date_from: date,
    date_to: date,
    *,
    routine: Any = None,
    patient: str | None = None,
) -> ReportData:
    """Write the clinician PDF report for ``date_from``..``date_to`` (inclusive); returns the
    numbers it shows.

    Raises
    ------
    OSError
        ``out`` is a folder (:class:`IsADirectoryError`, saying to add a file name), cannot be
        written, or the PDF does not read back (:class:`PdfError`).
    """
    path = output_file(out, "report", f"report-{date_from}-{date_to}.pdf")
    d = report_data(history, date_from, date_to, routine=routine, patient=patient)
    ensure_gui_app()
    images = (
        {"pain-chart": _pain_chart(d.pain, green_max=d.green_max, amber_max=d.amber_max)}
        if d.pain
        else {}
    )
    header = PageHeader(
        "Clinician report",
        d.patient,
        d.birth_year,
        d.patient_ids,
        d.routine_id,
        d.routine_version,
        f"Period {date_from.isoformat()} to {date_to.isoformat()}",
        d.generated.date(),
    )
    _print_document(report_html(d), path, f"report {date_from} to {date_to}", header, images)
    return d


# ---------------------------------------------------------------------------------------------
# Patient handout


def handout_html(resolved: Any, pictures: set[str] | frozenset[str] = frozenset()) -> str:
    """The patient handout for a :class:`~coach.routines.routine.ResolvedRoutine` as HTML;
    ``pictures`` names the drawings that exist (see :func:`handout_images`)."""
    r = resolved.routine
    s = r.safety
    pr = s.pain_rules
    parts = [f"<h1>{_e(r.title)}</h1>"]
    p = r.patient
    if p is not None:
        who = [f"For <b>{_e(p.display_name)}</b>"]
        if p.birth_year is not None:
            who.append(f"born {p.birth_year}")
        who += [f"{_e(system)} {_e(value)}" for system, value in p.external_ids.items()]
    else:
        who = ["For: ______________________"]
    parts.append("<p>" + ", ".join(who) + "</p>")
    author = f"Prescribed by {_e(r.author.name)} ({_e(r.author.role)})"
    if r.author.contact:
        author += f", {_e(r.author.contact)}"
    parts.append(
        f"<p>{author}. Routine {_e(r.id)}, version {r.version}. {_e(handout_period(r))}. "
        f"Printed {resolved.today.isoformat()}.</p>"
    )
    sc = r.schedule
    if (sc.days and len(sc.days) == 7) or (not sc.days and (sc.days_per_week or 7) == 7):
        how_often = "Every day"
    elif sc.days:
        how_often = ", ".join(d.capitalize() for d in sc.days)
    else:
        how_often = f"{sc.days_per_week} days a week"
    parts.append(f"<p><b>How often:</b> {_e(how_often)}, {_per_day(sc.times_per_day)}.</p>")
    parts.append(
        f"<p><b>Pain guide:</b> 0-{pr.green_max}/10 is fine, carry on. {pr.green_max + 1}-{pr.amber_max}/10 is acceptable "
        f"but do not increase the exercise. <b>Stop the exercise at {pr.stop_at}/10 or more, or if pain spreads down your leg.</b></p>"
    )
    if s.clinician_contact:
        parts.append(f"<p><b>Questions:</b> {_e(s.clinician_contact)}</p>")
    for n, it in enumerate(resolved.active, 1):
        ex = it.exercise
        parts.append(f"<h2>{n}. {_e(ex.name)}</h2>")
        parts.append(f"<p><b>{_e(it.dose.describe())}</b></p>")
        parts.append(f"<p>{_e(ex.purpose)}</p>")
        if f"fig-{n}-start" in pictures:
            # Start and worked positions, drawn by the app from the exercise definition.
            parts.append(
                f'<p><img src="fig-{n}-start" width="240"> &nbsp; <img src="fig-{n}-work" width="240"><br>'
                f'<span class="small">{_caption(ex)}</span></p>'
            )
        parts.append("<ol>" + "".join(f"<li>{_e(step)}</li>" for step in ex.instructions) + "</ol>")
        tips = [*it.cues, *(f.cue for f in ex.faults if f.severity != "info")]
        if tips:
            parts.append(
                "<p><b>Remember:</b> "
                + " ".join(_e(t if t.endswith(".") else t + ".") for t in dict.fromkeys(tips))
                + "</p>"
            )
        if it.notes:
            parts.append(f"<p><i>{_e(it.notes)}</i></p>")
        if ex.safety:
            parts.append('<p class="small">' + " ".join(_e(t) for t in ex.safety) + "</p>")
    if resolved.locked:
        parts.append(
            "<h2>Not yet</h2><p>These are part of your programme later. Do not do them until the app shows them:</p><ul>"
        )
        for it in resolved.locked:
            parts.append(
                f'<li class="locked"><b>{_e(it.exercise.name)}</b> - {_e("; ".join(it.lock_reasons))}</li>'
            )
        parts.append("</ul>")
    if r.notes:
        parts.append(f"<p>{_e(r.notes)}</p>")
    parts.append(_disclaimer_html())
    return "".join(parts)


_CAPTIONS = {
    "brace": "Left: lying relaxed. Right: the tummy drawn in and tightened (the arrows); nothing "
    "else moves.",
    "pelvic_tilt": "Left: the start, the small of the back slightly arched. Right: the pelvis "
    "tilted, the back flat on the floor (the circle).",
}


def _caption(ex: Any) -> str:
    """What the two drawings show, in words."""
    try:
        from coach.figures.kinematics import print_figure_for

        variant = print_figure_for(ex).variant
    except Exception:  # the words below are right for every other drawing
        variant = ""
    return _CAPTIONS.get(
        variant,
        "Left: the start position. Right: the position you move to (the circle marks the part "
        "that moves).",
    )


def handout_images(resolved: Any) -> dict[str, Any]:
    """The start and worked-position drawings for every active item, keyed as the HTML uses them."""
    ensure_gui_app()
    from coach.ui.illustration import still_image

    images: dict[str, Any] = {}
    for n, it in enumerate(resolved.active, 1):
        if it.exercise.kind == "breathing":
            continue
        try:
            images[f"fig-{n}-start"] = still_image(it.exercise, 0.0)
            images[f"fig-{n}-work"] = still_image(it.exercise, 1.0)
        except Exception:  # an exercise the drawing cannot show: the handout keeps its words
            log.warning("no drawing for %s", it.exercise.id, exc_info=True)
            images.pop(f"fig-{n}-start", None)
    return images


def handout_period(routine: Any) -> str:
    """The period a routine covers, in words: "Valid 2026-11-23 to 2027-01-31"."""
    a, b = routine.valid_from, routine.valid_until
    if a and b:
        return f"Valid {a.isoformat()} to {b.isoformat()}"
    if b:
        return f"Valid until {b.isoformat()}"
    if a:
        return f"Valid from {a.isoformat()}, no end date"
    if routine.created:
        return f"Written {routine.created.isoformat()}, no end date"
    return "No end date"


def write_handout(resolved: Any, out: str | Path) -> Path:
    """Write the patient handout PDF for a resolved routine: steps and pictures per exercise.

    Raises
    ------
    OSError
        ``out`` is a folder (:class:`IsADirectoryError`, saying to add a file name), cannot be
        written, or the PDF does not read back (:class:`PdfError`).
    """
    r = resolved.routine
    path = output_file(out, "handout", f"{r.id}-handout.pdf")
    images = handout_images(resolved)
    p = r.patient
    header = PageHeader(
        "Exercise handout",
        p.display_name if p is not None else None,
        p.birth_year if p is not None else None,
        tuple(p.external_ids.items()) if p is not None else (),
        r.id,
        r.version,
        handout_period(r),
        resolved.today,
    )
    _print_document(handout_html(resolved, set(images)), path, r.title, header, images)
    return path
