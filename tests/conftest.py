"""Shared fixtures. Real footage lives in ../shared/media; its absence is a failure, not a skip."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


#: pytest-xdist workers per core for the quick run: about half of its time is waiting (paced
#: recordings, the screen walk letting Qt settle, a real-time session), so more workers than
#: cores keeps the cores busy. Measured on 2 cores with compiled modules kept and the ``slow``
#: tests first: 2 per core 61 s, 3 per core 57-58 s (a few seconds more CPU for collection).
WORKERS_PER_CORE = 3
MAX_WORKERS = 8
#: Share of the property-based (fuzz) examples the quick run draws; the full suite (CI) draws
#: them all. ``COACH_FUZZ_SCALE`` sets it for any run.
QUICK_FUZZ_SCALE = "0.4"


def fuzz_examples(n: int) -> int:
    """``n`` property-based examples, scaled by ``COACH_FUZZ_SCALE`` (never fewer than 5)."""
    return max(5, int(n * float(os.environ.get("COACH_FUZZ_SCALE", "1"))))


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The quick run (``-m`` leaving out ``footage``) spreads over pytest-xdist workers by itself;
    ``-n N`` chooses the number, ``-n 0`` (or ``--pdb``) runs it in one process. The full suite
    (CI) stays in one process unless ``-n`` is given: its footage tests share one tracking of each
    clip per process and start their own model workers."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    quick = "not footage" in (config.option.markexpr or "")
    if config.option.numprocesses is None and quick and not config.option.usepdb:
        config.option.numprocesses = min(WORKERS_PER_CORE * _cores(), MAX_WORKERS)
        # Each worker imports the whole suite: let them keep compiled modules (and pytest's
        # rewritten test modules) in __pycache__ even where the shell says not to write them.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ.setdefault("COACH_FUZZ_SCALE", QUICK_FUZZ_SCALE)
        if config.option.dist == "no":
            # Tests handed out one at a time as workers free up (xdist's default hands out runs
            # of tests, so the few 5-15 s tests could queue up on one worker at the end).
            config.option.dist = "load"
            config.option.maxschedchunk = 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reads the shared footage (the ``media`` fixture, directly or through
    ``tracked``) is a footage test whether or not its author marked it, so
    ``pytest -m "not footage and not soak"`` is the quick run without the model and the clips."""
    for item in items:
        if (
            "media" in getattr(item, "fixturenames", ())
            and item.get_closest_marker("footage") is None
        ):
            item.add_marker(pytest.mark.footage)
    # Tests marked ``slow`` (seconds of wall time each) go first, so a parallel run does not end
    # waiting for one that started last. A stable sort: every xdist worker gets the same order.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


#: How long a test's coach threads may take to finish after the test (cooperative stops).
THREAD_GRACE_S = 3.0


@pytest.fixture(autouse=True)
def _no_dangling_coach_threads():
    """Fail a test that leaves a coach thread (``coach-*``: capture, pose, posture, speech...)
    running: every worker must be stopped and joined by whoever started it (STYLE §9, §19;
    napari's ``_dangling_qthreads``). Threads already running before the test are not its
    responsibility."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        left = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and t.name.startswith("coach-")
        ]
        if not left or time.monotonic() >= deadline:
            break
        left[0].join(0.05)
    if left:
        pytest.fail(
            f"the test left coach threads running: {sorted(t.name for t in left)}", pytrace=False
        )


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
def single_pass(tracked):
    """What ``coach analyze CLIP --exercise ID`` reports: one pass of the model (the default,
    ``--workers 1``), tracked once per test session and shared with the other footage tests."""
    from coach.analysis import default_workers, score_track
    from coach.routines.catalogue import load_catalogue

    assert default_workers() == 1 or "COACH_WORKERS" in os.environ

    def get(clip: str, exercise: str) -> dict[str, object]:
        key = (clip, exercise)
        if key not in _SINGLE_PASS:
            track, _stats = tracked(clip)
            _SINGLE_PASS[key] = score_track(track, load_catalogue().get(exercise)).as_dict()  # type: ignore[arg-type]
        return _SINGLE_PASS[key]

    return get


def manifest_exercise_clips() -> list[tuple[str, str]]:
    """(clip, exercise id) for every rep or hold clip of the shared manifest."""
    from coach.devtools.evaluate import read_manifest
    from coach.routines.catalogue import load_catalogue

    if not (MEDIA / "MANIFEST.tsv").exists():
        return [("MANIFEST.tsv is missing", "")]  # the test then fails: never skipped
    ids = set(load_catalogue().exercises)
    return [
        (spec.file, ex)
        for spec in read_manifest(MEDIA)
        for ex in spec.exercises
        if ex in ids and (spec.reps is not None or spec.holds)
    ]
