"""Screenshots of the history, routine editor, calculators and posture monitor screens.

Builds the real window (``coach.ui.app.build_window``) on a temporary config and history
filled with four weeks of realistic synthetic sessions (pain, reps, holds, posture time), opens
each screen and saves PNGs to ``docs/screenshots/``. Run it under a virtual X server::

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshots_history.py

Nothing in your own settings or history is touched.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
CLIP = REPO.parent / "shared" / "media" / "sitting_upright_slouch_side.mp4"


def fill_history(h, now: datetime, rng: random.Random) -> None:  # noqa: ANN001
    """Four weeks of the CLBP starter, about five sessions a week, slowly improving."""
    start = now - timedelta(days=27)
    day = 0
    while day < 28:
        d = start + timedelta(days=day)
        if d.weekday() in (2, 6) or d > now - timedelta(hours=20):  # rest days, and nothing today
            day += 1
            continue
        when = d.replace(hour=18, minute=rng.randint(0, 40), second=0, microsecond=0)
        progress = day / 27
        rec = h.recorder()
        sid = rec.start_session("clbp-starter-template", 1, when=when)
        before = max(1, round(4 - 2 * progress + rng.choice((-1, 0, 0, 1))))
        rec.record_pain(before, "before", when=when)
        t = when + timedelta(minutes=1)
        rec.start_exercise("marching_in_place", position=0, sets_planned=1, when=t)
        rec.end_exercise({"reps": rng.randint(150, 200)}, when=t + timedelta(minutes=3))
        t += timedelta(minutes=4)
        rec.start_exercise("pelvic_tilt", position=1, sets_planned=1, reps_planned=5, hold_s_planned=5, when=t)
        for i in range(1, 6):
            s = round(5 + 3 * progress + rng.uniform(-0.8, 0.8), 1)
            rec.record_hold({"index": i, "start": i * 12.0, "end": i * 12.0 + s, "seconds": s, "not_visible_s": 0.0,
                             "faults": ["hips_lifting"] if rng.random() < 0.15 else []})
        rec.end_exercise({"reps": 0}, when=t + timedelta(minutes=2))
        t += timedelta(minutes=3)
        reps = 8 + round(4 * progress) + rng.choice((-1, 0, 0))
        rec.start_exercise("glute_bridge", position=2, sets_planned=2, reps_planned=8 + round(4 * progress), when=t)
        faulty = 0
        for i in range(1, reps + 1):
            bad = rng.random() < 0.25 - 0.15 * progress
            faulty += bad
            rec.record_rep({"index": i, "start": i * 4.0, "end": i * 4.0 + 3.0,
                            "range": round(22 + 10 * progress + rng.uniform(-3, 3), 1),
                            "faults": ["over_arching"] if bad else []})
        rec.end_exercise({"reps": reps, "partial_reps": rng.choice((0, 0, 1)), "faults": {"over_arching": faulty},
                          "cues": [{"t": 1.0, "fault": "over_arching", "text": "Lift only until your body is in a straight line."}]},
                         when=t + timedelta(minutes=4))
        t += timedelta(minutes=5)
        rec.start_exercise("bird_dog", position=3, sets_planned=1, reps_planned=5, hold_s_planned=10, when=t)
        for i in range(1, 6):
            s = round(8 + 2 * progress + rng.uniform(-1, 1), 1)
            rec.record_hold({"index": i, "start": i * 15.0, "end": i * 15.0 + s, "seconds": s, "not_visible_s": 0.0,
                             "faults": ["back_sagging"] if rng.random() < 0.1 else []})
        rec.end_exercise({"reps": 0}, when=t + timedelta(minutes=3))
        red = day == 9
        after = 7 if red else max(0, min(5, before + rng.choice((-1, 0, 0, 1))))
        rec.record_pain(after, "end", when=t + timedelta(minutes=4))
        rec.end_session("completed", when=t + timedelta(minutes=5))
        morning = max(0, after - 1 + rng.choice((0, 0, -1))) if not red else 5
        h.record_next_morning(sid, morning, stiffness=max(0, morning - 1), when=when + timedelta(hours=14))
        day += 1
    h.add_progression_event("glute_bridge", "regress", "Made Glute bridge 20% easier (8 → 6 reps): pain reached 7/10.",
                            routine_id="clbp-starter-template", before={"sets": 2, "reps": 8}, after={"sets": 2, "reps": 6},
                            when=start + timedelta(days=10))
    today = now.astimezone().date()
    for k in range(14):
        d = today - timedelta(days=13 - k)
        if d.weekday() >= 5:
            continue
        good = rng.uniform(2.0, 3.5) * 3600 * (0.7 + 0.3 * k / 13)
        h.add_posture_time(d, {"upright": good, "slouched": rng.uniform(15, 50) * 60,
                               "forward_head": rng.uniform(10, 35) * 60, "leaning": rng.uniform(5, 20) * 60},
                           breaks=rng.randint(3, 8), alerts=rng.randint(0, 4))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="coach-shots-"))
    os.environ["COACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["COACH_DATA_DIR"] = str(tmp / "data")
    sys.path.insert(0, str(REPO))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    from coach.settings import Settings, save_settings
    from coach.store.history import open_history

    routine = tmp / "clbp_starter.yaml"
    shutil.copy(REPO / "exercises" / "routines" / "clbp_starter.yaml", routine)
    save_settings(Settings(onboarded=True, routine_path=str(routine), posture_rate_hz=4.0))
    h, _ = open_history(tmp / "data" / "history.sqlite3")
    fill_history(h, datetime.now(timezone.utc), random.Random(7))
    h.close()

    from coach.ui.app import build_window

    win, ctx = build_window()
    win.resize(1400, 900)
    win.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def shot(name: str) -> None:
        settle()
        path = OUT / f"{name}.png"
        win.grab().save(str(path))
        print(path)

    win.open_history()
    page = win.current_page()
    shot("history-sessions")
    page.tabs.setCurrentIndex(1)
    for i, (key, _label) in enumerate(page.CHARTS):
        page.show_chart(i)
        if key in ("exercise", "rom"):
            page.exercise_combo.setCurrentIndex(page.exercise_combo.findData("glute_bridge"))
        shot(f"history-progress-{key}")
    page.tabs.setCurrentIndex(2)
    page.date_from.setDate(page.date_from.date().addDays(2))
    shot("history-reports")
    win.home()

    win.open_routine_editor()
    editor = win.current_page()
    post_op = tmp / "early_post_microdiscectomy.yaml"
    shutil.copy(REPO / "exercises" / "routines" / "early_post_microdiscectomy.yaml", post_op)
    editor.load_file(post_op)
    editor.today = date(2026, 12, 1)
    editor.validate_now()
    editor.select_item(1, 0)
    shot("routine-editor")
    editor.tabs.setCurrentIndex(2)
    shot("routine-editor-safety")
    editor.tabs.setCurrentIndex(0)
    editor.f_reps.setValue(40)
    editor.f_sets.setValue(3)
    editor.validate_now()
    shot("routine-editor-problems")
    win.home()

    win.open_calculators()
    calc = win.current_page()
    calc.rula.form.set_values({"upper_arm": 50.0, "neck": 25.0, "trunk": 15.0, "muscle_use_b": True})
    shot("calculators-rula")
    calc.tabs.setCurrentIndex(2)
    shot("calculators-niosh")
    win.home()

    if CLIP.exists():
        from coach.ui.posture_monitor import install

        monitor = install(win)
        monitor.set_video(CLIP)
        monitor.set_enabled(True)
        end = time.monotonic() + 20
        while time.monotonic() < end and (monitor.latest is None or monitor.frames < 8):
            settle(0.1)
        shot("posture-monitor-strip")
        monitor.shutdown()
    win.close()
    ctx.history.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
