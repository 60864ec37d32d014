"""The app starts on a settings file with bad values and on a damaged history, keeps what it
can, and tells the person in its banner what was reset or recovered."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone

from shiboken6 import isValid

from coach.core.engine import RepRecord


def _build(qtbot, history_path):  # noqa: ANN001, ANN202
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=history_path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win, ctx


def _close(win, ctx) -> None:  # noqa: ANN001
    if isValid(win):
        win.close()
    if ctx.history is not None:
        ctx.history.close()


def test_bad_settings_values_start_the_app_and_name_what_was_reset(
    qtbot, strict_ui, no_cameras
) -> None:  # noqa: ANN001
    cfg = strict_ui / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "settings.json").write_text(
        '{"version": null, "voice": "loud", "onboarded": true, "screening_done_at": 1763000000.0,'
        ' "large_text": true, "posture_rate_hz": 1e400}',
        encoding="utf-8",
    )
    win, ctx = _build(qtbot, strict_ui / "data" / "history.sqlite3")
    try:
        s = ctx.settings
        assert s.onboarded and s.screening_done_at == 1763000000.0 and s.large_text
        assert s.voice is True and s.posture_rate_hz == 4.0
        text = win.banner.text()
        assert win.banner.isVisible() and "spoken cues" in text and "posture check rate" in text
        assert list(cfg.glob("settings.broken-*.json"))
    finally:
        _close(win, ctx)


def test_a_damaged_history_is_salvaged_at_start(qtbot, strict_ui, no_cameras) -> None:  # noqa: ANN001
    from coach.store.history import open_history

    path = strict_ui / "data" / "history.sqlite3"
    h, _ = open_history(path)
    t0 = datetime(2026, 11, 1, 17, 0, tzinfo=timezone.utc)
    for k in range(12):
        rec = h.recorder()
        rec.start_session("r", 1, when=t0 + timedelta(days=k))
        rec.record_pain(2, "before", when=t0 + timedelta(days=k))
        rec.start_exercise("glute_bridge", position=1, reps_planned=3, when=t0 + timedelta(days=k))
        for i in range(1, 4):
            rec.record_rep(RepRecord(i, 3.0 * i, 3.0 * i + 2, 12.0, 20.0, 0.0, (), ()))
        rec.end_exercise({"reps": 3}, when=t0 + timedelta(days=k, minutes=2))
        rec.end_session("completed", when=t0 + timedelta(days=k, minutes=3))
    h._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    h.close()
    c = sqlite3.connect(path)
    pages = [
        int(r[0])
        for r in c.execute(
            "SELECT pageno FROM dbstat WHERE name = 'pain_ratings' AND pagetype = 'leaf'"
        )
    ]
    c.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(3)
    for page in pages:
        for i in range((page - 1) * 4096 + 8, page * 4096):
            data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))

    win, ctx = _build(qtbot, path)
    try:
        assert ctx.history.persistent and len(ctx.history.sessions()) == 12
        assert "12 sessions and 36 reps could still be read" in win.banner.text()
        assert list(path.parent.glob("history.corrupt-*.sqlite3"))
    finally:
        _close(win, ctx)
