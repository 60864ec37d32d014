"""The history page: empty and missing histories, sessions written through the history API,
charts with the right counts, the next-morning check, and reports/exports to files."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox  # noqa: E402

from coach.store.history import History, open_history  # noqa: E402
from coach.ui.history.data import week_start  # noqa: E402
from coach.ui.history_page import HistoryPage  # noqa: E402

NOW = datetime.now(timezone.utc)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Settings and data in tmp; any modal dialog is a test failure."""
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))

    def modal(*_a, **_k):
        pytest.fail("a modal dialog was opened")

    monkeypatch.setattr(QDialog, "exec", modal)
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, modal)


def _ctx(history):
    from coach.routines.catalogue import load_catalogue
    from coach.settings import Settings
    from coach.ui.context import AppContext

    return AppContext(settings=Settings(), catalogue=load_catalogue(), nav=None, history=history)  # type: ignore[arg-type]


@pytest.fixture
def history(tmp_path: Path):
    h, warning = open_history(tmp_path / "history.sqlite3")
    assert warning is None
    yield h
    h.close()


def fill(h: History) -> dict:
    """Three completed sessions (glute bridge reps + pelvic tilt holds), one stopped early,
    posture time on two days. Returns the counts the page must show."""
    pains = [(2, 3), (3, 5), (2, 7)]
    starts = []
    for k, (before, after) in enumerate(pains):
        when = NOW - timedelta(days=9 - 3 * k)
        starts.append(when)
        rec = h.recorder()
        sid = rec.start_session("clbp-starter-template", 1, when=when)
        rec.record_pain(before, "before", when=when)
        rec.start_exercise("glute_bridge", position=0, sets_planned=2, reps_planned=8, when=when)
        for i in range(1, 9 + k):
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
                "reps": 8 + k,
                "faults": {"over_arching": 2},
                "cues": [
                    {
                        "t": 1.0,
                        "fault": "over_arching",
                        "text": "Lift only until your body is straight.",
                    }
                ],
            },
            when=when + timedelta(minutes=5),
        )
        rec.start_exercise(
            "pelvic_tilt",
            position=1,
            sets_planned=1,
            reps_planned=5,
            when=when + timedelta(minutes=6),
        )
        for i in range(1, 6):
            rec.record_hold(
                {
                    "index": i,
                    "start": i * 10.0,
                    "end": i * 10 + 5.0 + k,
                    "seconds": 5.0 + k,
                    "not_visible_s": 0.0,
                    "faults": [],
                }
            )
        rec.end_exercise({"reps": 0, "holds": [5.0 + k] * 5}, when=when + timedelta(minutes=8))
        rec.record_pain(after, "end", when=when + timedelta(minutes=9))
        rec.end_session("completed", when=when + timedelta(minutes=10))
        if k == 0:
            h.record_next_morning(sid, 2, stiffness=3, when=when + timedelta(hours=15))
    rec = h.recorder()
    rec.start_session("clbp-starter-template", 1, when=NOW - timedelta(days=1, hours=1))
    rec.end_session(status="stopped_early", when=NOW - timedelta(days=1))
    today = NOW.astimezone().date()
    h.add_posture_time(
        today - timedelta(days=1), {"upright": 3600.0, "slouched": 900.0}, breaks=3, alerts=1
    )
    h.add_posture_time(today, {"upright": 1800.0, "forward_head": 600.0}, breaks=1, alerts=2)
    return {"sessions": 4, "completed": 3, "pain_sessions": 3, "starts": starts}


def test_empty_history_is_friendly(qtbot, history) -> None:
    page = HistoryPage(_ctx(history))
    qtbot.addWidget(page)
    assert page.table.rowCount() == 0
    assert not page.sessions_empty.isHidden() and "No sessions yet" in page.sessions_empty.text()
    assert page.check_card is None
    assert set(page.charts) == {"adherence", "pain", "exercise", "rom", "posture"}
    assert sum(len(s.points()) for s in page.charts["pain"].series()) == 0
    assert page.exercise_combo.count() == 0
    for i in range(len(page.CHARTS)):
        page.show_chart(i)
        assert page.chart_summary.text()  # every chart says something, even empty
    page.refresh()  # and survives a refresh


def test_no_history_says_so(qtbot) -> None:
    page = HistoryPage(_ctx(None))
    qtbot.addWidget(page)
    assert (
        "not available" in page.unavailable_label.text()
        or "could not open" in page.unavailable_label.text()
    )
    page.refresh()


def test_sessions_and_charts_show_the_history(qtbot, history) -> None:
    n = fill(history)
    page = HistoryPage(_ctx(history))
    qtbot.addWidget(page)
    assert page.table.rowCount() == n["sessions"]
    assert page.sessions_empty.isHidden()
    newest = page.table.item(0, 5).text()
    assert newest == "Stopped early"
    # the red session (pain 7 after) is listed with its pain, coloured by its light, and its result
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 4).text() == "7/10")
    assert page.table.item(row, 5).text() == "Completed"
    assert page.table.item(row, 4).toolTip().startswith("Red.")
    page.table.selectRow(row)
    detail = page.detail.toPlainText()
    assert "Glute bridge" in detail and "10 repetitions of 16 planned" in detail
    assert "over arching × 2" in detail and "Lift only until your body is straight." in detail
    assert "5 holds" in detail and "Pelvic tilt" in detail
    # adherence: completed sessions per week add up
    bars = page.charts["adherence"].series()[0].barSets()
    assert sum(bars[0].at(i) for i in range(bars[0].count())) == n["completed"]
    assert bars[0].count() == len(page.data.weeks)
    assert page.data.weeks[-1].start == week_start(NOW.astimezone().date())
    # pain: one point per session with ratings, before and after
    pain = {s.name(): s for s in page.charts["pain"].series()}
    assert pain["Before the session"].count() == n["pain_sessions"]
    assert [p.y() for p in pain["After the session"].points()] == [3, 5, 7]
    assert pain["Next morning"].count() == 1
    # per exercise: reps and holds, range of movement
    idx = page.exercise_combo.findData("glute_bridge")
    page.exercise_combo.setCurrentIndex(idx)
    reps = page.charts["exercise"].series()[0]
    assert [p.y() for p in reps.points()] == [8, 9, 10]
    rom = page.charts["rom"].series()[0]
    assert [p.y() for p in rom.points()] == [20.0, 22.0, 24.0]
    page.exercise_combo.setCurrentIndex(page.exercise_combo.findData("pelvic_tilt"))
    holds = page.charts["exercise"].series()[0]
    assert [p.y() for p in holds.points()] == [5.0, 6.0, 7.0]
    # posture: minutes per day, stacked by state
    sets = {b.label(): b for b in page.charts["posture"].series()[0].barSets()}
    assert sets["Sitting well"].count() == 2
    assert [sets["Sitting well"].at(i) for i in range(2)] == [60.0, 30.0]
    assert "2 nudges" in page._summaries["posture"]


def test_next_morning_check_is_asked_and_explained(qtbot, history) -> None:
    rec = history.recorder()
    yesterday = (NOW.astimezone() - timedelta(days=1)).replace(hour=18, minute=0)
    sid = rec.start_session("clbp-starter-template", 1, when=yesterday)
    rec.record_pain(2, "before", when=yesterday)
    rec.record_pain(3, "end", when=yesterday + timedelta(minutes=20))
    rec.end_session("completed", when=yesterday + timedelta(minutes=21))
    morning = NOW.astimezone().replace(hour=9, minute=0)
    page = HistoryPage(_ctx(history), now_fn=lambda: morning)
    qtbot.addWidget(page)
    card = page.check_card
    assert card is not None and card.pending.session_id == sid
    assert not card.save_btn.isEnabled()
    card.set_pain(6)
    card.stiffness.setValue(4)
    card.save_btn.click()
    got = [p for p in history.pain_ratings(sid) if p.context == "next_morning"]
    assert [(p.value, p.stiffness) for p in got] == [(6, 4)]
    assert "easier" in card.result.text() and "6/10" in card.result.text()
    assert history.pending_next_morning_check(morning) is None
    page.refresh()
    assert page.check_card is None


def test_reports_and_exports_write_files(qtbot, history, tmp_path, monkeypatch) -> None:
    fill(history)
    page = HistoryPage(_ctx(history))
    qtbot.addWidget(page)
    from PySide6.QtCore import QDate

    page.date_from.setDate(QDate.currentDate().addDays(-30))
    pdf = tmp_path / "out" / "report.pdf"
    pdf.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(pdf), "PDF files (*.pdf)")),
    )
    page.report_btn.click()
    assert pdf.read_bytes().startswith(b"%PDF"), page.report_status.text()
    assert "Saved the report (3 completed session(s))" in page.report_status.text()
    fhir = tmp_path / "out" / "bundle.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(fhir), ""))
    )
    page.fhir_btn.click()
    assert fhir.exists() and '"Bundle"' in fhir.read_text(), page.report_status.text()
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(csv_dir))
    )
    page.csv_btn.click()
    assert (csv_dir / "sessions.csv").exists(), page.report_status.text()
    assert len((csv_dir / "sessions.csv").read_text().strip().splitlines()) == 1 + 4
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(fhir), ""))
    )
    page.import_btn.click()
    shown = page.imported.toPlainText()
    assert "FHIR Bundle with 4 session(s)" in shown and "Glute bridge" in shown
    # a bad file is reported calmly, not raised
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    page.show_imported(bad)
    assert "not a JSON file" in page.report_status.text()


def test_opens_from_the_main_window(qtbot, tmp_path) -> None:
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=tmp_path / "h.sqlite3")
    qtbot.addWidget(win)
    fill(ctx.history)
    win.open_history()
    page = win.current_page()
    assert isinstance(page, HistoryPage)
    assert page.table.rowCount() == 4
    win.home()
    ctx.history.close()


def test_today_is_in_the_posture_range(history) -> None:
    from coach.ui.history.data import collect

    fill(history)
    data = collect(history, date.today())
    assert [d.day for d in data.posture][-1] == NOW.astimezone().date()


def _session(h: History, when: datetime, before: int, after: int) -> None:
    rec = h.recorder()
    rec.start_session("clbp-starter-template", 1, when=when)
    rec.record_pain(before, "before", when=when)
    rec.record_pain(after, "end", when=when + timedelta(minutes=9))
    rec.end_session("completed", when=when + timedelta(minutes=10))


def _points(series) -> list[tuple[float, float]]:  # noqa: ANN001
    return [(p.x(), p.y()) for p in series.points()]


def test_pain_chart_one_point_per_session_in_time_order_and_both_series_visible(
    qtbot, history
) -> None:
    from PySide6.QtCharts import QCategoryAxis, QLineSeries

    day = (NOW - timedelta(days=2)).replace(hour=9, minute=0)
    # two sessions on one day (morning and evening), one the next day; same pain before and after
    for when, (b, a) in (
        (day, (3, 3)),
        (day + timedelta(hours=9), (4, 4)),
        (day + timedelta(days=1), (2, 2)),
    ):
        _session(history, when, b, a)
    page = HistoryPage(_ctx(history))
    qtbot.addWidget(page)
    chart = page.charts["pain"]
    lines = {s.name(): s for s in chart.series() if isinstance(s, QLineSeries) and s.name()}
    before, after = _points(lines["Before the session"]), _points(lines["After the session"])
    assert [y for _, y in before] == [3, 4, 2] and [y for _, y in after] == [3, 4, 2]  # time order
    xs_before = [x for x, _ in before]
    assert (
        xs_before == sorted(xs_before) and len(set(round(x) for x in xs_before)) == 3
    )  # 3 separate points
    assert all(
        abs(xa - xb) > 0.1 for (xa, _), (xb, _) in zip(after, before)
    )  # side by side, never hidden
    axis = next(a for a in chart.axes() if isinstance(a, QCategoryAxis))
    labels = axis.categoriesLabels()
    # the two sessions of one day carry their time of day ("30 Nov 09:00", "30 Nov 18:00"), not
    # "30 Nov (2)"; a day with one session shows its date only
    morning, evening = (t.astimezone() for t in (day, day + timedelta(hours=9)))
    assert labels == [
        f"{morning.day} {morning:%b %H:%M}",
        f"{evening.day} {evening:%b %H:%M}",
        f"{(morning + timedelta(days=1)).day} {morning + timedelta(days=1):%b}",
    ]


def test_progress_shows_the_same_schedule_as_home(qtbot, window) -> None:
    win, ctx = window
    home_words = win.home_page.schedule_label.text()
    assert home_words == "How often: every day, once a day."  # the built-in starter is daily
    win.open_history()
    page = win.current_page()
    assert any(w.planned == 7 for w in page.data.weeks)
    page.show_chart(0)
    assert "every day, once a day" in page.chart_summary.text()
    assert "No schedule" not in page.chart_summary.text()
