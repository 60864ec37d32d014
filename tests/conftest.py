"""Shared fixtures. Real footage lives in ../shared/media; its absence is a failure, not a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def media() -> Path:
    if not (MEDIA / "MANIFEST.tsv").exists():
        pytest.fail(f"the shared footage is missing: expected {MEDIA}/MANIFEST.tsv beside the repo")
    return MEDIA


@pytest.fixture(scope="session")
def catalogue():
    from coach.routines.catalogue import load_catalogue

    return load_catalogue()


_TRACKS: dict[str, object] = {}


@pytest.fixture(scope="session")
def tracked(media):
    """Track a clip with the real model once per test session: ``tracked("squat_side_be.mp4")``."""
    from coach.analysis import load_input

    def get(name: str):
        if name not in _TRACKS:
            path = media / name
            if not path.exists():
                pytest.fail(f"missing footage: {path}")
            _TRACKS[name] = load_input(path)
        return _TRACKS[name]

    return get
