"""The red-flag block, kept apart from the settings so that no settings reset can lift it.

When the screening finds an emergency or urgent warning sign, sessions are blocked until the
person has been seen and answers the screening again without one. The block is written to
``safety.json`` in the data folder (beside the history, not in the settings folder), and applied
to the settings at every start: a broken, deleted or reset settings file cannot undo it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def safety_path() -> Path:
    env = os.environ.get("COACH_DATA_DIR")
    if env:
        return Path(env) / "safety.json"
    import platformdirs

    return Path(platformdirs.user_data_dir("coach", appauthor=False)) / "safety.json"


def load_block(path: Path | None = None) -> dict[str, Any] | None:
    """The stored block (``advice``, ``since``), or None. An unreadable file counts as blocked:
    when in doubt, the safe answer is to ask the person to screen again."""
    p = path or safety_path()
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not data.get("blocked"):
            return None
        return {"advice": str(data.get("advice") or ""), "since": float(data.get("since") or 0.0)}
    except (OSError, ValueError, TypeError):
        log.warning("safety file %s unreadable: treated as a block", p)
        return {"advice": "", "since": 0.0}


def apply_block(settings: Any, path: Path | None = None) -> bool:
    """Put a stored block back into ``settings``; True when one applies."""
    block = load_block(path)
    if block is None:
        return False
    done = getattr(settings, "screening_done_at", None)
    if done is not None and float(done) > block["since"] and not settings.screening_blocked:
        return False  # screened again since, without a red flag: sync() will lift it
    settings.screening_blocked = True
    settings.screening_advice = (
        settings.screening_advice
        or block["advice"]
        or ("Sessions are paused because of your screening answers. Please contact your clinician.")
    )
    return True


def sync(settings: Any, path: Path | None = None) -> None:
    """Store a new block, or lift the stored one after a later screening without red flags."""
    p = path or safety_path()
    block = load_block(p)
    if settings.screening_blocked:
        if block is None:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(".tmp")
            tmp.write_text(
                json.dumps(
                    {"blocked": True, "advice": settings.screening_advice, "since": time.time()}
                ),
                encoding="utf-8",
            )
            os.replace(tmp, p)
        return
    done = getattr(settings, "screening_done_at", None)
    if block is not None and done is not None and float(done) > block["since"]:
        p.unlink(missing_ok=True)
