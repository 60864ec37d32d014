"""The history screen's Reports tab: a date range, the clinician PDF, CSV and FHIR exports, and a
results file from elsewhere shown without adding it to the history.

:class:`ReportsTab` is a part of :class:`coach.ui.history.page.HistoryPage` (which inherits it).
The documents themselves are written by :mod:`coach.reports`; this tab asks where to save, calls
the writer and says in one line what happened.
"""

from __future__ import annotations

import html
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coach.ui.history.cards import _card
from coach.ui.history.data import _LIGHT_WORDS, _STATUS_WORDS, _local, _n, _when

if TYPE_CHECKING:
    from coach.store.history import History
    from coach.ui.context import AppContext

log = logging.getLogger(__name__)


class ReportsTab(QWidget):
    """The Reports tab of :class:`~coach.ui.history.page.HistoryPage` (a base of the page)."""

    # Set by the page before the tab is built.
    ctx: AppContext
    routine: Any
    last_output: Path | None

    if TYPE_CHECKING:

        def name(self, exercise_id: str) -> str: ...

    def _build_reports(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        c, cl = _card()
        head = QLabel("Reports and exports")
        head.setProperty("role", "heading")
        cl.addWidget(head)
        intro = QLabel(
            "Choose the dates to include, then make a PDF report for your physiotherapist or "
            "export the results for another program."
        )
        intro.setWordWrap(True)
        cl.addWidget(intro)
        grid = QGridLayout()
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-29))
        self.date_to = QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("d MMM yyyy")
            d.setMinimumWidth(170)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("optional, e.g. J. Doe")
        self.patient.setMinimumWidth(300)
        if self.routine is not None and getattr(self.routine, "patient", None) is not None:
            self.patient.setText(self.routine.patient.display_name)
        grid.addWidget(QLabel("From"), 0, 0)
        grid.addWidget(self.date_from, 0, 1)
        grid.addWidget(QLabel("To"), 0, 2)
        grid.addWidget(self.date_to, 0, 3)
        grid.addWidget(QLabel("Patient name on the report"), 1, 0, 1, 2)
        grid.addWidget(self.patient, 1, 2, 1, 2)
        grid.setColumnStretch(4, 1)
        cl.addLayout(grid)
        row = QHBoxLayout()
        self.report_btn = QPushButton("Make clinician report (PDF)")
        self.report_btn.setProperty("role", "primary")
        self.report_btn.clicked.connect(self.make_report)
        self.csv_btn = QPushButton("Export CSV")
        self.csv_btn.clicked.connect(self.export_csv)
        self.fhir_btn = QPushButton("Export FHIR")
        self.fhir_btn.setToolTip("An HL7 FHIR Bundle (JSON) for clinical systems")
        self.fhir_btn.clicked.connect(self.export_fhir)
        self.import_btn = QPushButton("Import results file…")
        self.import_btn.setToolTip(
            "View a results file (coach JSON or FHIR Bundle) from another computer"
        )
        self.import_btn.clicked.connect(self.import_file)
        for b in (self.report_btn, self.csv_btn, self.fhir_btn, self.import_btn):
            row.addWidget(b)
        row.addStretch(1)
        cl.addLayout(row)
        self.report_status = QLabel("")
        self.report_status.setWordWrap(True)
        self.report_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        cl.addWidget(self.report_status)
        lay.addWidget(c)
        self.imported = QTextBrowser()
        self.imported.setPlaceholderText("An imported results file is shown here.")
        lay.addWidget(self.imported, 1)
        return w

    # -- reports tab ------------------------------------------------------------------------

    def _range(self) -> tuple[date, date] | None:
        # QDate.toPython() returns a datetime.date; the stubs type it as object.
        a = cast(date, self.date_from.date().toPython())
        b = cast(date, self.date_to.date().toPython())
        if b < a:
            self.report_status.setText("The 'To' date is before the 'From' date; please swap them.")
            return None
        return a, b

    def _say(self, text: str) -> None:
        self.report_status.setText(text)

    def _history(self) -> History | None:
        """The history to export from; None (and a line saying so) when it is not available.
        The tab is only built with a history, so this guards against it going away."""
        if self.ctx.history is None:
            self._say("Your history is not available, so there is nothing to export.")
        return self.ctx.history

    def make_report(self) -> None:
        """Ask where to save, then write the clinician PDF for the chosen dates."""
        hist = self._history()
        rng = self._range() if hist is not None else None
        if hist is None or rng is None:
            return
        default = str(Path.home() / f"coach-report-{rng[0]}-to-{rng[1]}.pdf")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the clinician report", default, "PDF files (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        from coach.reports.pdf import write_report

        try:
            d = write_report(
                hist,
                path,
                rng[0],
                rng[1],
                routine=self.routine,
                patient=self.patient.text().strip() or None,
            )
        # Disk full, no permission, a Qt print problem: say so (the error is shown in the tab).
        except Exception as exc:  # noqa: BLE001
            log.warning("report failed: %s", exc)
            self._say(f"The report could not be made: {exc}")
            return
        self.last_output = Path(path)
        self._say(f"Saved the report ({d.sessions_done} completed session(s)) as {path}.")

    def export_csv(self) -> None:
        """Ask for a folder, then write the CSV files for the chosen dates."""
        hist = self._history()
        rng = self._range() if hist is not None else None
        if hist is None or rng is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a folder for the CSV files", str(Path.home())
        )
        if not folder:
            return
        from coach.reports.csv import export_csv

        try:
            files = export_csv(hist, folder, rng[0], rng[1])
        # Disk problems: say so (the error is shown in the tab).
        except Exception as exc:  # noqa: BLE001
            log.warning("CSV export failed: %s", exc)
            self._say(f"The CSV export failed: {exc}")
            return
        self.last_output = Path(folder)
        self._say(f"Saved {len(files)} CSV file(s) in {folder}.")

    def export_fhir(self) -> None:
        """Ask where to save, then write a FHIR Bundle (JSON) for the chosen dates."""
        hist = self._history()
        rng = self._range() if hist is not None else None
        if hist is None or rng is None:
            return
        default = str(Path.home() / f"coach-fhir-{rng[0]}-to-{rng[1]}.json")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the FHIR Bundle", default, "JSON files (*.json)"
        )
        if not path:
            return
        from coach.reports.fhir import export_fhir

        try:
            export_fhir(
                hist,
                path,
                rng[0],
                rng[1],
                patient_name=self.patient.text().strip() or None,
            )
        # Disk problems, an invalid resource: say so (the error is shown in the tab).
        except Exception as exc:  # noqa: BLE001
            log.warning("FHIR export failed: %s", exc)
            self._say(f"The FHIR export failed: {exc}")
            return
        self.last_output = Path(path)
        self._say(f"Saved the FHIR Bundle as {path}.")

    def import_file(self) -> None:
        """Open a results JSON or FHIR Bundle and show it (it is not added to your history)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a results file", str(Path.home()), "Results (*.json)"
        )
        if not path:
            return
        self.show_imported(path)

    def show_imported(self, path: str | Path) -> None:
        from coach.reports.importer import ResultsFileError, import_results

        try:
            imp = import_results(path)
        except ResultsFileError as exc:
            self._say(str(exc))
            self.imported.clear()
            return
        e = html.escape
        kind = "FHIR Bundle" if imp.kind == "fhir" else "coach results file"
        parts = [
            f"<h2>{e(Path(path).name)}</h2><p>A {kind} with {len(imp.sessions)} session(s). "
            "It is shown here only; it is not added to your history.</p>"
        ]
        for s in imp.sessions:
            start = _local(s.start)
            light = _LIGHT_WORDS.get(s.classification or "", "not rated")
            parts.append(
                f"<h3>{e(_when(start))} — {e(_STATUS_WORDS.get(s.status, s.status))}, {e(light)}</h3>"
            )
            parts.append(
                f"<p>Pain before {e(_n(s.pain.pre))}, after {e(_n(s.pain.post))}"
                + (
                    f", next morning {e(_n(s.pain.next_morning))}"
                    if s.pain.next_morning is not None
                    else ""
                )
                + "</p><ul>"
            )
            for it in s.items:
                bits = []
                if it.reps_counted:
                    bits.append(f"{it.reps_counted} repetitions")
                if it.holds:
                    bits.append(f"{it.holds} holds, {it.hold_s_total:.0f} s in all")
                faults = ", ".join(
                    f"{k.replace('_', ' ')} × {v.count}" for k, v in it.faults.items() if v.count
                )
                if faults:
                    bits.append(f"faults: {faults}")
                parts.append(
                    f"<li><b>{e(self.name(it.exercise))}</b>: {e('; '.join(bits) or 'no counts')}</li>"
                )
            parts.append("</ul>")
        self.imported.setHtml("".join(parts))
        self._say(f"Opened {path}.")
