"""The clinician PDF report and the patient handout: generated headless with Qt's PDF writer,
then read back with poppler (``pdftotext``) and rendered (``pdftoppm``) to check that the
right numbers are on the page and that the page is not blank."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from coach.cli import main  # noqa: E402
from coach.reports.pdf import (  # noqa: E402
    DISCLAIMER_LINES,
    planned_sessions,
    report_data,
    write_handout,
    write_report,
)
from coach.routines.catalogue import exercises_dir, load_catalogue  # noqa: E402
from coach.routines.routine import load_routine  # noqa: E402
from coach.store.history import History, open_history  # noqa: E402

ROUTINES = exercises_dir() / "routines"
T0 = datetime(2026, 11, 2, 17, 0, tzinfo=timezone.utc)
CAT = load_catalogue()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"'{name}' is not installed: the PDF tests need poppler-utils (apt-get install poppler-utils)"
        )
    return path


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = [_tool("pdftotext"), "-layout"]
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    out = subprocess.run(
        [*args, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    # NFKC undoes ligatures (ﬂ -> fl); words are then separated by single spaces
    return " ".join(unicodedata.normalize("NFKC", out).split())


def render_page_one(pdf: Path, tmp_path: Path) -> Path:
    prefix = tmp_path / "page"
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(prefix)],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page-*1.png")
    return png


def _ink(png: Path) -> tuple[float, int]:
    """Share of non-white pixels and how many are coloured (the chart's bands and lines)."""
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull()
    dark = coloured = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixelColor(x, y)
            r, g, b = c.red(), c.green(), c.blue()
            if min(r, g, b) < 235:
                dark += 1
            if max(r, g, b) - min(r, g, b) > 12:
                coloured += 1
    return dark / ((img.width() // 2) * (img.height() // 2)), coloured


def _fill(h: History) -> None:
    """Four sessions of the CLBP starter in November: three completed, one interrupted."""
    pains = [(2, 3, 2), (3, 4, 3), (2, 7, 5)]
    for k, (before, after, morning) in enumerate(pains):
        when = T0 + timedelta(days=2 * k)
        rec = h.recorder()
        sid = rec.start_session("clbp-starter-template", 1, when=when)
        rec.record_pain(before, "before", when=when)
        rec.start_exercise("glute_bridge", position=3, sets_planned=2, reps_planned=8, when=when)
        for i in range(1, 14 + k):  # 13 + 14 + 15 = 42 reps
            rec.record_rep(
                {
                    "index": i,
                    "start": i * 3.0,
                    "end": i * 3 + 2.0,
                    "range": 20.0 + 2 * k,
                    "faults": ["over_arching"] if i % 4 == 0 else [],
                }
            )
        rec.end_exercise(
            {
                "reps": 13 + k,
                "partial_reps": 2,
                "faults": {"over_arching": (13 + k) // 4},
                "cues": [
                    {
                        "t": 1.0,
                        "fault": "over_arching",
                        "text": "Lift only until your body is in a straight line.",
                    }
                ],
            },
            when=when + timedelta(minutes=6),
        )
        rec.start_exercise(
            "pelvic_tilt",
            position=2,
            sets_planned=1,
            reps_planned=5,
            when=when + timedelta(minutes=7),
        )
        for i in range(1, 6):
            rec.record_hold(
                {
                    "index": i,
                    "start": i * 10.0,
                    "end": i * 10 + 6.0,
                    "seconds": 6.0,
                    "not_visible_s": 0.0,
                    "faults": [],
                }
            )
        rec.end_exercise({"reps": 0, "holds": [6.0] * 5}, when=when + timedelta(minutes=9))
        rec.record_pain(after, "end", when=when + timedelta(minutes=10))
        rec.end_session("completed", when=when + timedelta(minutes=11))
        h.record_next_morning(sid, morning, when=when + timedelta(hours=15))
    rec = h.recorder()
    rec.start_session("clbp-starter-template", 1, when=T0 + timedelta(days=8))
    rec.end_session(status="stopped_early", when=T0 + timedelta(days=8, minutes=2))
    h.add_posture_time(
        date(2026, 11, 3), {"upright": 5400.0, "slumped": 1800.0}, breaks=7, alerts=3
    )
    h.add_progression_event(
        "glute_bridge",
        "regress",
        "Reduced Glute bridge to 80% of the volume (8 → 6 reps): the session was red.",
        routine_id="clbp-starter-template",
        before={"sets": 2, "reps": 8},
        after={"sets": 2, "reps": 6},
        when=T0 + timedelta(days=5),
    )


@pytest.fixture
def history(tmp_path: Path) -> History:
    h, _ = open_history(tmp_path / "history.sqlite3")
    _fill(h)
    yield h
    h.close()


def test_planned_sessions_follow_the_schedule() -> None:
    r = load_routine(
        ROUTINES / "office_worker.yaml", CAT, date(2026, 11, 23)
    ).routine  # mon-fri, 3 a day
    assert planned_sessions(r.schedule, date(2026, 11, 2), date(2026, 11, 8)) == 15
    clbp = load_routine(
        ROUTINES / "clbp_starter.yaml", CAT, date(2026, 11, 23)
    ).routine  # 5 days a week
    assert planned_sessions(clbp.schedule, date(2026, 11, 1), date(2026, 11, 30)) == 21
    assert (
        planned_sessions(
            clbp.schedule, date(2026, 11, 1), date(2026, 11, 30), valid_until=date(2026, 11, 14)
        )
        == 10
    )


def test_report_numbers(history: History) -> None:
    routine = load_routine(ROUTINES / "clbp_starter.yaml", CAT, date(2026, 11, 23))
    d = report_data(history, date(2026, 11, 1), date(2026, 11, 30), routine=routine)
    assert (d.sessions_done, d.sessions_planned, d.sessions_interrupted) == (3, 21, 1)
    assert round(d.adherence_pct or 0) == 14
    assert d.lights == {"green": 1, "amber": 1, "red": 1, "not rated": 1}
    assert [(p.before, p.after, p.next_morning) for p in d.pain] == [
        (2, 3, 2),
        (3, 4, 3),
        (2, 7, 5),
    ]
    bridge = next(x for x in d.exercises if x.exercise_id == "glute_bridge")
    assert (bridge.sessions, bridge.reps, bridge.reps_planned, bridge.partial_reps) == (
        3,
        42,
        48,
        6,
    )
    assert (bridge.range_first, bridge.range_last) == (20.0, 24.0)
    assert bridge.fault_free_pct == 79  # 9 of 42 reps had a fault
    tilt = next(x for x in d.exercises if x.exercise_id == "pelvic_tilt")
    assert (tilt.holds, tilt.hold_s_mean) == (15, 6.0)
    assert [(f.fault_id, f.count) for f in d.faults] == [("over_arching", 9)]
    assert (d.posture_days, d.posture_breaks, d.posture_alerts) == (1, 7, 3)
    assert d.progression[0][3] == "8 → 6 reps"


def test_clinician_report_pdf(history: History, tmp_path: Path) -> None:
    routine = load_routine(ROUTINES / "clbp_starter.yaml", CAT, date(2026, 11, 23))
    pdf = tmp_path / "report.pdf"
    write_report(
        history, pdf, date(2026, 11, 1), date(2026, 11, 30), routine=routine, patient="J. Doe"
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    page1 = pdf_text(pdf, 1, 1)
    assert "Exercise report: 2026-11-01 to 2026-11-30" in page1
    assert "Patient J. Doe" in page1 and "Back pain starter - weeks 1 to 4" in page1
    assert "Sessions completed: 3 of 21 planned (14%)" in page1
    assert "Not completed: 1 (stopped early 1)" in page1
    text = pdf_text(pdf)
    assert "Glute bridge 3 42 reps 48 6" in text  # name, sessions, done, planned, partial reps
    assert "20° → 24°" in text and "79%" in text
    assert re.search(
        r"Pelvic tilt 3 15 holds 15 0 6 ?s", text
    )  # pdftotext may drop the thin space in "6 s"
    assert "Glute bridge over arching 9 Lift only until your body is in a straight line." in text
    assert "1 day(s) monitored, 2 h 00 min in all; breaks taken: 7; alerts: 3." in text
    assert "8 → 6 reps" in text and "Reduced Glute bridge to 80% of the volume" in text
    for line in DISCLAIMER_LINES:
        assert " ".join(line.split()[:8]) in text
    png = render_page_one(pdf, tmp_path)
    ink, coloured = _ink(png)
    assert 0.02 < ink < 0.6, f"page 1 looks {'blank' if ink <= 0.02 else 'smudged'} ({ink:.1%} ink)"
    assert coloured > 500, "the pain chart's coloured bands and lines are missing"


def test_empty_period_still_makes_a_report(tmp_path: Path) -> None:
    h, _ = open_history(tmp_path / "empty.sqlite3")
    pdf = tmp_path / "empty.pdf"
    write_report(h, pdf, date(2026, 1, 1), date(2026, 1, 31))
    text = pdf_text(pdf)
    assert "Sessions completed: 0 (no routine was given, so there is no plan" in text
    assert "No pain ratings in this period." in text
    h.close()


def test_patient_handout_pdf(tmp_path: Path) -> None:
    resolved = load_routine(ROUTINES / "early_post_microdiscectomy.yaml", CAT, date(2026, 11, 23))
    pdf = write_handout(resolved, tmp_path / "handout.pdf")
    text = pdf_text(pdf)
    assert (
        "After microdiscectomy - weeks 2 to 6" in text
        and "For J. Doe, born 1971, clinic 23-4543" in text
    )
    assert "Every day, twice a day." in text
    assert "2. Pelvic tilt 8 holds, 10 s each, rest 20 s" in text
    assert "Lie on your back with your knees bent and feet flat on the floor" in text  # the steps
    assert "Small movement - just flatten the small of your back." in text  # the therapist's cue
    assert "Heel slide" in text
    assert "Stop the exercise at 5/10 or more" in text
    assert (
        "Not yet" in text
        and "Knee rolls" in text
        and "twisting is restricted until 2026-12-21" in text
    )
    png = render_page_one(pdf, tmp_path)
    assert _ink(png)[0] > 0.02


def test_cli_report_and_handout(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.pdf"
    rc = main(
        [
            "history",
            "--db",
            str(history.path),
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--out",
            str(out),
            "--routine",
            str(ROUTINES / "clbp_starter.yaml"),
        ]
    )
    assert rc == 0 and "3 sessions of 21 planned" in capsys.readouterr().out
    assert "Sessions completed: 3 of 21 planned" in pdf_text(out, 1, 1)
    assert (
        main(
            [
                "history",
                "--db",
                str(history.path),
                "report",
                "--from",
                "2026-11-30",
                "--to",
                "2026-11-01",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    handout = tmp_path / "h.pdf"
    assert (
        main(
            [
                "routine",
                "handout",
                str(ROUTINES / "clbp_starter.yaml"),
                "--out",
                str(handout),
                "--today",
                "2026-11-23",
            ]
        )
        == 0
    )
    assert "Glute bridge" in pdf_text(handout)


def test_patient_handout_has_a_start_and_worked_picture_per_exercise(tmp_path: Path) -> None:
    from coach.reports.pdf import handout_images

    resolved = load_routine(ROUTINES / "clbp_starter.yaml", CAT, date(2026, 11, 23))
    images = handout_images(resolved)
    drawn = [it for it in resolved.active if it.exercise.kind != "breathing"]
    assert len(images) == 2 * len(drawn)
    for n in range(1, len(drawn) + 1):
        start, work = images[f"fig-{n}-start"], images[f"fig-{n}-work"]
        assert not start.isNull() and start != work  # two different positions, really drawn
    pdf = write_handout(resolved, tmp_path / "handout.pdf")
    assert "the start position" in pdf_text(pdf)


# ---------------------------------------------------------------------------------------------
# Documents fit for a clinical record


def _with_patient(tmp_path: Path, name: str = "J. Doe") -> Path:
    """The starter routine (the history's sessions belong to it) for a named patient."""
    text = (ROUTINES / "clbp_starter.yaml").read_text()
    text = text.replace(
        "created: 2026-11-01",
        f'patient:\n  display_name: "{name}"\n  birth_year: 1971\n'
        '  external_ids: {clinic: "23-4543", nhs: "943 476 5919"}\ncreated: 2026-11-01',
    )
    out = tmp_path / "named.yaml"
    out.write_text(text)
    return out


def _pages(pdf: Path) -> list[str]:
    from coach.reports.pdf import pdf_pages

    return [pdf_text(pdf, i, i) for i in range(1, pdf_pages(pdf) + 1)]


def _body_fill(pdf: Path, tmp_path: Path) -> list[float]:
    """Per page, the share of the body area (between the running header and the footer) that
    the content spans, from the rendered page."""
    from PySide6.QtGui import QImage

    prefix = tmp_path / "fill"
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "30", str(pdf), str(prefix)], check=True, timeout=60
    )
    fills = []
    for png in sorted(tmp_path.glob("fill-*.png")):
        img = QImage(str(png))
        h = img.height()
        top, bottom = int(h * 26 / 297) + 1, int(h * (297 - 18) / 297) - 1  # the page margins
        rows = [
            y
            for y in range(top, bottom)
            if any(min(img.pixelColor(x, y).getRgb()[:3]) < 200 for x in range(0, img.width(), 2))
        ]
        fills.append((rows[-1] - top) / (bottom - top) if rows else 0.0)
    return fills


def test_report_carries_the_patient_identity_on_every_page(
    history: History, tmp_path: Path
) -> None:
    routine = load_routine(_with_patient(tmp_path), CAT, date(2026, 11, 23))
    for k in range(14):  # enough sessions for the pain table to run onto a second page
        when = T0 + timedelta(days=10, hours=k)
        rec = history.recorder()
        rec.start_session("clbp-starter-template", 1, when=when)
        rec.record_pain(2, "before", when=when)
        rec.record_pain(3, "end", when=when + timedelta(minutes=5))
        rec.end_session("completed", when=when + timedelta(minutes=6))
    pdf = tmp_path / "report.pdf"
    d = write_report(history, pdf, date(2026, 11, 1), date(2026, 11, 30), routine=routine)
    assert (d.patient, d.birth_year, d.routine_id, d.routine_version) == (
        "J. Doe",
        1971,
        "clbp-starter-template",
        1,
    )
    pages = _pages(pdf)
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert "J. Doe · born 1971 · clinic 23-4543 · nhs 943 476 5919" in page
        assert "Routine clbp-starter-template version 1 · Period 2026-11-01 to 2026-11-30" in page
        assert f"Page {n} of {len(pages)}" in page
    assert "Year of birth 1971" in pages[0] and "clinic: 23-4543; nhs: 943" in pages[0]
    fills = _body_fill(pdf, tmp_path)
    assert len(fills) == len(pages)
    assert min(fills) >= 0.25, f"a near-empty page: {fills}"


def test_a_report_that_just_overflows_keeps_to_one_page_or_balances(
    history: History, tmp_path: Path
) -> None:
    """Whatever the amount of data, no page of the report is nearly empty."""
    routine = load_routine(_with_patient(tmp_path), CAT, date(2026, 11, 23))
    for extra in (0, 3, 6, 9):
        for k in range(3):
            when = T0 + timedelta(days=12 + extra, hours=k)
            rec = history.recorder()
            rec.start_session("clbp-starter-template", 1, when=when)
            rec.record_pain(2, "before", when=when)
            rec.end_session("completed", when=when + timedelta(minutes=6))
        pdf = tmp_path / f"r{extra}.pdf"
        write_report(history, pdf, date(2026, 11, 1), date(2026, 11, 30), routine=routine)
        sub = tmp_path / f"fill{extra}"
        sub.mkdir()
        fills = _body_fill(pdf, sub)
        assert min(fills) >= 0.25, f"{extra}: a near-empty page: {fills}"


def test_handout_carries_identity_period_and_plain_frequency(tmp_path: Path) -> None:
    resolved = load_routine(ROUTINES / "early_post_microdiscectomy.yaml", CAT, date(2026, 11, 23))
    pdf = write_handout(resolved, tmp_path / "handout.pdf")
    pages = _pages(pdf)
    for n, page in enumerate(pages, 1):
        assert "J. Doe · born 1971 · clinic 23-4543" in page
        assert "Routine 6b0f3c1e-post-microd-jd version 2 · Valid 2026-11-23 to 2027-01-31" in page
        assert f"Page {n} of {len(pages)}" in page
    assert "time(s)" not in " ".join(pages)
    fills = _body_fill(pdf, tmp_path)
    assert min(fills) >= 0.25, fills
    starter = load_routine(ROUTINES / "clbp_starter.yaml", CAT, date(2026, 11, 23))
    text = pdf_text(write_handout(starter, tmp_path / "starter.pdf"))
    assert "5 days a week, once a day." in text
    assert "For: ____" in text  # a template: a line to write the name on


def _pixels(img):  # noqa: ANN001, ANN202
    import numpy as np

    img = img.convertToFormat(img.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), :3].astype(int)


@pytest.mark.parametrize(
    "ex",
    [e for e in sorted(CAT.exercises.values(), key=lambda e: e.id) if e.kind != "breathing"],
    ids=lambda e: e.id,
)
def test_handout_start_and_end_drawings_differ_visibly(ex) -> None:
    """The printed start and worked positions are clearly different pictures: a good share of
    the figure's pixels change. Bracing moves nothing (its end shows the tummy drawing in)."""
    import numpy as np

    from coach.reports.pdf import ensure_gui_app

    ensure_gui_app()
    from coach.ui.illustration import still_image

    a, b = _pixels(still_image(ex, 0.0)), _pixels(still_image(ex, 1.0))
    bg = a[0, 0]
    ink = ((np.abs(a - bg).sum(-1) > 60) | (np.abs(b - bg).sum(-1) > 60)).sum()
    changed = (np.abs(a - b).sum(-1) > 60).sum() / ink
    assert changed >= (0.1 if ex.id == "abdominal_bracing" else 0.25), f"{changed:.2f}"


def test_march_starts_standing_and_bridge_starts_on_the_floor() -> None:
    from coach.figures.kinematics import measure, pose_for, print_figure_for

    march, bridge = CAT.exercises["marching_in_place"], CAT.exercises["glute_bridge"]
    m0 = measure(pose_for(march, 0.0, spec=print_figure_for(march)), "thigh_from_vertical@max")
    assert m0 < 8  # both feet down, not a knee already lifted
    b0 = measure(pose_for(bridge, 0.0, spec=print_figure_for(bridge)), "hip_flex")
    b1 = measure(pose_for(bridge, 1.0, spec=print_figure_for(bridge)), "hip_flex")
    assert b0 > 45 and b1 < 5  # hips down at the start, a straight line at the top


def test_writers_refuse_a_folder_and_verify_what_they_wrote(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    rc = main(
        [
            "routine",
            "handout",
            str(ROUTINES / "clbp_starter.yaml"),
            "--out",
            str(folder),
            "--today",
            "2026-11-23",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "is a folder; give the handout a file name" in err and "Traceback" not in err
    rc = main(
        [
            "history",
            "--db",
            str(history.path),
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--out",
            str(folder),
        ]
    )
    captured = capsys.readouterr()
    assert rc == 2 and "give the report a file name" in captured.err and "wrote" not in captured.out
    assert list(folder.iterdir()) == []
    # a PDF that does not read back is a failure, and nothing is left behind
    from coach.reports import document
    from coach.reports import pdf as report

    monkeypatch.setattr(document, "pdf_pages", lambda _p: 0)  # read by print_document
    target = tmp_path / "h.pdf"
    rc = main(
        [
            "routine",
            "handout",
            str(ROUTINES / "clbp_starter.yaml"),
            "--out",
            str(target),
            "--today",
            "2026-11-23",
        ]
    )
    assert rc == 2 and "does not read back" in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.glob(".*.partial"))
    monkeypatch.undo()
    rc = main(
        [
            "routine",
            "handout",
            str(ROUTINES / "clbp_starter.yaml"),
            "--out",
            str(target),
            "--today",
            "2026-11-23",
        ]
    )
    assert rc == 0 and capsys.readouterr().out.strip() == f"wrote {target}"
    assert report.pdf_pages(target) >= 1 and target.read_bytes().startswith(b"%PDF")


def test_a_custom_heel_slide_is_drawn_as_a_heel_slide(tmp_path: Path) -> None:
    """A custom exercise lying on the back that bends the knee is not drawn (or captioned) as
    abdominal bracing: its start and end differ and the caption says a part moves."""
    from coach.reports.pdf import _caption, ensure_gui_app, handout_images

    ensure_gui_app()
    from coach.figures.kinematics import measure, pose_for, print_figure_for

    resolved = load_routine(ROUTINES / "early_post_microdiscectomy.yaml", CAT, date(2026, 11, 23))
    heel = resolved.item("heel_slide").exercise
    spec = print_figure_for(heel)
    assert spec.variant == "heel_slide"
    assert measure(pose_for(heel, 0.0, spec=spec), "knee_flex@max") < 15
    assert measure(pose_for(heel, 1.0, spec=spec), "knee_flex@max") > 60
    assert "nothing else moves" not in _caption(heel)
    n = [it.exercise_id for it in resolved.active].index("heel_slide") + 1
    images = handout_images(resolved)
    a, b = _pixels(images[f"fig-{n}-start"]), _pixels(images[f"fig-{n}-work"])
    assert (abs(a - b).sum(-1) > 60).sum() > 2000
