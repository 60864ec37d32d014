"""Session labels on the charts' time axis (the clinician report's pain chart and the history
screen's charts): a date, and the time of day when a day has more than one session."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from coach.reports import chart  # noqa: E402
from coach.reports.chart import pain_chart, session_labels  # noqa: E402
from coach.reports.data import PainPoint  # noqa: E402


def test_two_sessions_on_one_day_are_labelled_with_their_time() -> None:
    day = datetime(2026, 11, 30, 9, 14)
    times = [day - timedelta(days=1), day, day.replace(hour=17, minute=40), day + timedelta(days=1)]
    assert session_labels(times) == ["29 Nov", "30 Nov 09:14", "30 Nov 17:40", "1 Dec"]


def test_labels_are_unique_and_in_local_time() -> None:
    t = datetime(2026, 11, 30, 9, 14, 5, tzinfo=timezone.utc)
    same_minute = [t, t + timedelta(seconds=30)]
    labels = session_labels(same_minute)
    local = t.astimezone()
    assert labels[0] == f"{local.day} {local:%b %H:%M}"  # shown in the person's time zone
    assert labels[1] == f"{local.day} {local:%b %H:%M}:35"  # the same minute: with seconds
    same_second = session_labels([t, t, t])
    assert len(set(same_second)) == 3  # a chart's category axis needs distinct labels
    assert session_labels([]) == []


def test_the_report_chart_labels_same_day_sessions_with_the_time(monkeypatch) -> None:
    from coach.reports.document import ensure_gui_app

    ensure_gui_app()
    drawn: list[list[str]] = []

    def spy(times):  # noqa: ANN001, ANN202
        drawn.append(session_labels(times))
        return drawn[-1]

    monkeypatch.setattr(chart, "session_labels", spy)
    day = datetime(2026, 11, 30, 9, 14)
    points = [
        PainPoint(day, "a", 3, 3, None, False),
        PainPoint(day.replace(hour=18, minute=0), "b", 4, 4, None, False),
    ]
    img = pain_chart(points)
    assert not img.isNull()
    assert drawn == [["30 Nov 09:14", "30 Nov 18:00"]]
