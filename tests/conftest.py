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


_SINGLE_PASS: dict[tuple[str, str], dict[str, object]] = {}


@pytest.fixture(scope="session")
def single_pass(media):
    """What ``coach analyze CLIP --exercise ID --workers 1`` reports (computed once per clip)."""
    from coach.analysis import score_track, track_video
    from coach.routines.catalogue import load_catalogue

    tracks: dict[str, object] = {}

    def get(clip: str, exercise: str) -> dict[str, object]:
        key = (clip, exercise)
        if key not in _SINGLE_PASS:
            path = media / clip
            if not path.exists():
                pytest.fail(f"missing footage: {path}")
            if clip not in tracks:
                tracks[clip] = track_video(path)[0]
            _SINGLE_PASS[key] = score_track(tracks[clip], load_catalogue().get(exercise))  # type: ignore[arg-type]
        return _SINGLE_PASS[key]

    return get


def manifest_exercise_clips() -> list[tuple[str, str]]:
    """(clip, exercise id) for every rep or hold clip of the shared manifest."""
    from coach.devtools.evaluate import read_manifest
    from coach.routines.catalogue import load_catalogue

    if not (MEDIA / "MANIFEST.tsv").exists():
        return [("MANIFEST.tsv is missing", "")]  # the test then fails: never skipped
    ids = set(load_catalogue().exercises)
    return [(spec.file, ex) for spec in read_manifest(MEDIA) for ex in spec.exercises
            if ex in ids and (spec.reps is not None or spec.holds)]
