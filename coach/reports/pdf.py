"""PDF documents: the clinician report for a date range and the patient handout for a routine.

This module writes both documents as HTML and hands them to :func:`~coach.reports.document.print_document`
(A4 pages painted with Qt, a running header with the patient's name, year of birth and
identifiers, the routine id and version and the period, a footer "Page N of M", and a file that
is read back before success is reported). The report's numbers come from
:func:`~coach.reports.data.report_data` (plain Python, testable without Qt) and its pain chart from
:mod:`coach.reports.chart`; the handout's drawings are the app's own (:mod:`coach.ui.illustration`),
so print and screen never disagree. The names other code imports from here
(``report_data``, ``planned_sessions``, ``pdf_pages``, ``ensure_gui_app``...) are re-exported.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from coach.core.wording import PRIVACY
from coach.reports.chart import pain_chart
from coach.reports.data import (
    ExerciseStats,
    FaultStats,
    PainPoint,
    ReportData,
    planned_sessions,
    report_data,
)
from coach.reports.document import (
    MIN_LAST_PAGE,
    PageHeader,
    PdfError,
    ensure_gui_app,
    output_file,
    pdf_pages,
    print_document,
)
from coach.store.history import History

__all__ = [
    "DISCLAIMER_LINES",
    "MIN_LAST_PAGE",
    "ExerciseStats",
    "FaultStats",
    "PageHeader",
    "PainPoint",
    "PdfError",
    "ReportData",
    "ensure_gui_app",
    "handout_html",
    "handout_images",
    "handout_period",
    "output_file",
    "pdf_pages",
    "planned_sessions",
    "report_data",
    "report_html",
    "write_handout",
    "write_report",
]

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


# ---------------------------------------------------------------------------------------------
# Clinician report


def _identity_html(d: ReportData) -> str:
    """The title and the table of who (left) and what and when (right)."""
    title = (
        f"<h1>Exercise report: {_e(d.date_from.isoformat())} to {_e(d.date_to.isoformat())}</h1>"
    )
    ids = "; ".join(f"{system}: {value}" for system, value in d.patient_ids)
    routine = (
        f"{d.routine_title} (id {d.routine_id}, version {d.routine_version})"
        if d.routine_id
        else "none given: all sessions in the period"
    )
    rows: list[tuple[str, object]] = [  # three rows of two pairs: who (left), what and when (right)
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
    return (
        title
        + '<table cellspacing="0" cellpadding="2" width="100%">'
        + "".join(f"<tr>{cells[i]}{cells[i + 3]}</tr>" for i in range(3))
        + "</table>"
    )


def _adherence_html(d: ReportData) -> str:
    pct = f" ({d.adherence_pct:.0f}%)" if d.adherence_pct is not None else ""
    planned = (
        " (no routine was given, so there is no plan to compare with)"
        if d.sessions_planned is None
        else f" of {d.sessions_planned} planned{pct}"
    )
    lights = ", ".join(f"{k}: {v}" for k, v in sorted(d.lights.items())) or "none"
    stopped = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(d.stopped.items()))
    return (
        "<h2>Adherence</h2>"
        f"<p>Sessions completed: <b>{d.sessions_done}</b>{planned}. "
        f"Not completed: {d.sessions_interrupted}{f' ({_e(stopped)})' if stopped else ''}. "
        f"Traffic lights: {_e(lights)}.</p>"
    )


def _pain_html(d: ReportData) -> str:
    parts = ["<h2>Pain trend (0-10)</h2>"]
    if not d.pain:
        return parts[0] + "<p>No pain ratings in this period.</p>"
    parts.append('<p><img src="pain-chart" width="600"></p>')
    rows: list[list[object]] = [
        [
            p.when.astimezone().strftime("%Y-%m-%d %H:%M"),
            p.before,
            p.after,
            p.next_morning,
            "yes" if p.spreading else "no",
        ]
        for p in d.pain
    ]
    parts.append(_table(["session", "before", "after", "next morning", "spreading down leg"], rows))
    if d.spreading_reports:
        parts.append(
            f"<p><b>Pain spreading down the leg was reported {_times(d.spreading_reports)}.</b></p>"
        )
    return "".join(parts)


def _range_of_motion(x: ExerciseStats) -> str | None:
    if x.range_first is None:
        return None
    if x.range_first == x.range_last:
        return f"{x.range_first:g}°"
    return f"{x.range_first:g}° → {x.range_last:g}°"


def _exercises_html(d: ReportData) -> str:
    if not d.exercises:
        return "<h2>Exercises</h2><p>No exercises recorded in this period.</p>"
    rows: list[list[object]] = []
    for x in d.exercises:
        done = f"{x.holds} holds" if x.holds and not x.reps else f"{x.reps} reps"
        rows.append(
            [
                x.name,
                x.sessions,
                done,
                x.reps_planned or None,
                x.partial_reps,
                None if x.hold_s_mean is None else f"{x.hold_s_mean:g} s",
                _range_of_motion(x),
                None if x.fault_free_pct is None else f"{x.fault_free_pct:.0f}%",
            ]
        )
    header = [
        "exercise",
        "sessions",
        "done",
        "planned",
        "partial reps",
        "mean hold",
        "range of motion",
        "fault-free",
    ]
    return "<h2>Exercises</h2>" + _table(header, rows, nowrap=3)


def _faults_html(d: ReportData) -> str:
    head = "<h2>Form faults and the cues given</h2>"
    if not d.faults:
        return head + "<p>No form faults recorded.</p>"
    ex_names = {x.exercise_id: x.name for x in d.exercises}
    rows: list[list[object]] = [
        [
            ex_names.get(f.exercise_id, f.exercise_id.replace("_", " ")),
            f.fault_id.replace("_", " "),
            f.count,
            f.cue,
        ]
        for f in d.faults
    ]
    return head + _table(["exercise", "fault", "times", "cue"], rows, nowrap=2)


def _posture_html(d: ReportData) -> str:
    head = "<h2>Posture (desk mode)</h2>"
    if not d.posture_days:
        return head + "<p>Desk mode was not used in this period.</p>"
    total = sum(d.posture_seconds.values()) or 1.0
    rows: list[list[object]] = [
        [k.replace("_", " "), _hms(v), f"{100 * v / total:.0f}%"]
        for k, v in sorted(d.posture_seconds.items(), key=lambda kv: -kv[1])
    ]
    return (
        head
        + f"<p>{d.posture_days} day(s) monitored, {_hms(total)} in all; breaks taken: {d.posture_breaks}; alerts: {d.posture_alerts}.</p>"
        + _table(["posture", "time", "share"], rows)
    )


def _progression_html(d: ReportData) -> str:
    head = "<h2>Progression and regression</h2>"
    if not d.progression:
        return head + "<p>No dose changes in this period.</p>"
    rows: list[list[object]] = [
        [w.astimezone().strftime("%Y-%m-%d"), ex, kind, change, reason]
        for w, ex, kind, change, reason in d.progression
    ]
    return head + _table(["date", "exercise", "change", "dose", "reason"], rows)


def report_html(d: ReportData) -> str:
    """The clinician report as HTML (the chart is the image resource ``pain-chart``)."""
    return "".join(
        [
            _identity_html(d),
            _adherence_html(d),
            _pain_html(d),
            _exercises_html(d),
            _faults_html(d),
            _posture_html(d),
            _progression_html(d),
            _disclaimer_html(),
        ]
    )


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
        {"pain-chart": pain_chart(d.pain, green_max=d.green_max, amber_max=d.amber_max)}
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
    print_document(report_html(d), path, f"report {date_from} to {date_to}", header, images)
    return d


# ---------------------------------------------------------------------------------------------
# Patient handout


def _handout_intro(resolved: Any) -> str:
    """Who the handout is for, who prescribed it, how often and the pain guide."""
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
    return "".join(parts)


def _handout_item(n: int, it: Any, pictures: set[str] | frozenset[str]) -> str:
    """The ``n``-th active exercise: its dose, purpose, drawings, steps, tips and notes."""
    ex = it.exercise
    parts = [f"<h2>{n}. {_e(ex.name)}</h2>"]
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
    return "".join(parts)


def handout_html(resolved: Any, pictures: set[str] | frozenset[str] = frozenset()) -> str:
    """The patient handout for a :class:`~coach.routines.routine.ResolvedRoutine` as HTML;
    ``pictures`` names the drawings that exist (see :func:`handout_images`)."""
    r = resolved.routine
    parts = [_handout_intro(resolved)]
    for n, it in enumerate(resolved.active, 1):
        parts.append(_handout_item(n, it, pictures))
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
    except Exception:  # noqa: BLE001 (any failure of the drawing: the words below fit every other one)
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
    print_document(handout_html(resolved, set(images)), path, r.title, header, images)
    return path
