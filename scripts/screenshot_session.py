"""Screenshot of the session player in skeleton-only view (no picture of the person), for the
README. Run under a real X server: xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python
scripts/screenshot_session.py"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media"
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("COACH_CONFIG_DIR", tmp)
    os.environ.setdefault("COACH_DATA_DIR", tmp)
    os.environ.setdefault("COACH_TTS", "mock")
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    from coach.core.session import Phase, plan_from_exercise
    from coach.ui.app import build_window

    OUT.mkdir(parents=True, exist_ok=True)
    shots = [("session_squat", "squat_side_be.mp4", "mini_squat", 6.0),
             ("session_plank_hold", "plank_hold_side.mp4", "forearm_plank", 7.0)]
    for name, clip, ex_id, secs in shots:
        win, ctx = build_window(source=str(MEDIA / clip))
        ctx.settings.skeleton_only = True
        ctx.settings.onboarded = True
        win.resize(1400, 860)
        win.show()
        ex = ctx.catalogue.get(ex_id)
        win.start_session([plan_from_exercise(ex, sets=2, reps=10 if ex.kind == "reps" else 3, hold_s=20)], ex.name)
        page = win.current_page()
        page.runner.rate_pain(2, page._now())
        page.runner.start_now(page._now())
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs + 4:
            app.processEvents()
            time.sleep(0.01)
            if page.runner.phase is Phase.ACTIVE and time.monotonic() - t0 > secs:
                break
        win.grab().save(str(OUT / f"{name}.png"))
        page.shutdown()
        win.close()
    print("saved to", OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
