"""App-level faults: an unhandled error in a slot, and privacy of a whole session on disk."""

from __future__ import annotations

import os
from pathlib import Path

from coach.core.session import Phase, plan_from_exercise


def test_unhandled_exception_in_a_slot_is_caught_logged_and_calm(qtbot, window, strict_ui, caplog):
    from PySide6.QtCore import QTimer

    from coach.ui.app import _install_excepthook

    win, _ctx = window
    import sys

    old = sys.excepthook
    _install_excepthook(lambda: win)
    try:

        def boom():
            raise RuntimeError("a bug in a slot")

        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=3000)
    finally:
        sys.excepthook = old
    assert "session data is safe" in win.banner.text()
    assert "Traceback" not in win.banner.text()
    assert any("a bug in a slot" in r.getMessage() for r in caplog.records)


def test_a_session_writes_no_picture_to_disk(qtbot, strict_ui, no_cameras, media):
    from coach.ui.app import build_window, setup_logging

    log_path = Path(setup_logging())
    win, ctx = build_window(source=str(media / "squat_side_be.mp4"))
    ctx.settings.onboarded, ctx.settings.screening_done_at = True, 1.0  # screened
    qtbot.addWidget(win)
    win.show()
    ex = ctx.catalogue.get("mini_squat")
    win.start_session([plan_from_exercise(ex, sets=1, reps=3)], "Privacy")
    page = win.current_page()
    page.pain_panel.buttons[1].click()
    page.start_btn.click()
    qtbot.waitUntil(lambda: page.runner.phase is Phase.PAIN_AFTER, timeout=30000)
    page.shutdown()
    win.close()
    pictures = []
    for root, _dirs, files in os.walk(strict_ui):
        for f in files:
            if Path(f).suffix.lower() in {
                ".png",
                ".jpg",
                ".jpeg",
                ".bmp",
                ".mp4",
                ".avi",
                ".mkv",
                ".webm",
                ".npz",
                ".npy",
            }:
                pictures.append(os.path.join(root, f))
    assert pictures == []
    if log_path.exists():
        data = log_path.read_bytes()
        data.decode("utf-8")  # text only
        assert b"\x89PNG" not in data and b"JFIF" not in data
