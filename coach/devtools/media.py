"""Where the shared footage lives: ``$COACH_MEDIA``, else ``../shared/media`` next to the checkout."""

from __future__ import annotations

import os
from pathlib import Path


def media_dir() -> Path:
    """The folder of shared clips (with ``MANIFEST.tsv``) the benches and ``coach evaluate`` use."""
    env = os.environ.get("COACH_MEDIA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "media"
