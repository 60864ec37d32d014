"""Take screenshots of the main screens for the docs (no camera footage in any of them).

Run under a real X server, for example::

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshots.py

Settings and history go to a temporary folder, so your own settings are never touched. The PNGs
are written to ``docs/screenshots/<name>.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _settle(app, ms: int) -> None:  # noqa: ANN001
    """Let Qt lay out, paint and animate for ``ms`` milliseconds."""
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--large-text", action="store_true", help="take them with large text on")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="coach-shots-")
    os.environ["COACH_CONFIG_DIR"] = tmp
    os.environ["COACH_DATA_DIR"] = tmp
    sys.path.insert(0, str(REPO))

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("coach")
    from coach.ui.app import build_window

    win, ctx = build_window()
    ctx.settings.onboarded = True
    ctx.settings.large_text = args.large_text
    win.apply_theme()
    win.resize(1280, 800)
    win.show()
    args.out.mkdir(parents=True, exist_ok=True)

    def shot(name: str, wait_ms: int = 400) -> None:
        _settle(app, wait_ms)
        path = args.out / f"{name}.png"
        win.grab().save(str(path))
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    shot("home")

    win.open_exercise("glute_bridge")
    shot("exercise_glute_bridge", 1500)  # mid-movement

    win.home()
    win.open_onboarding()
    page = win.current_page()
    page.ack.setChecked(True)
    page.next()
    from coach.core import screening

    for group in ("general", "back"):
        for q in screening.questions_in(group):
            page.answer(q.id, False)
        page.next()
    shot("onboarding_red_flags")
    # the same step with an emergency answer: the advice appears at once, in place
    page.answer("rf_saddle", True)
    shot("onboarding_emergency_advice")
    win.home()  # leave without finishing; the block was saved, so restore a clean state
    ctx.settings.screening_blocked = False
    ctx.settings.screening_advice = ""

    win.open_learn("pain_rules")
    shot("learn")

    win.home()
    win.open_settings()
    shot("settings")
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
