"""The fault matrix (docs/reliability.md): each fault a test, with a clear message and no data lost.

Camera faults use fake live sources and a replay estimator (no model, no camera); long runs use
accelerated timestamps so minutes of use take seconds.
"""

from __future__ import annotations

import ast
import json
import threading
import time
import tracemalloc

import numpy as np
import pytest

from coach.capture.base import Frame, SourceError
from coach.core.engine import EngineConfig, ExerciseEngine, State
from coach.core.landmarks import PoseFrame
from coach.pipeline import LivePipeline
from coach.pose.estimator import PoseError, ReplayEstimator, Track
from tests.conftest import FIXTURES, REPO
from tests.synth import side_figure, squat_series

SQUAT = FIXTURES / "tracks" / "squat_side_be.npz"


class FakeCamera:
    """A live source whose behaviour the test scripts: a list of frames or None (no picture)."""

    is_live = True
    fps = 30.0

    def __init__(self, frames, name="Fake camera", period=1 / 120):
        self._frames = list(frames)
        self.name = name
        self._period = period
        self.closed = False

    def read(self):
        time.sleep(self._period)
        if not self._frames:
            return None
        f = self._frames.pop(0)
        if f is None:
            return None
        now = time.monotonic()
        return Frame(f[0], now, f[1], now)

    def close(self):
        self.closed = True


def rgb(seed=0, shape=(360, 640)):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (*shape, 3), dtype=np.uint8)


def events_of(pipe, kinds, timeout=5.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += pipe.events()
        if all(any(e.kind == k for e in seen) for k in kinds):
            break
        time.sleep(0.02)
    return seen


def replay_factory():
    return lambda: ReplayEstimator(Track.load(SQUAT))


# -- 1. Camera -------------------------------------------------------------------------------------


def test_camera_missing_or_busy_gives_a_clear_message(monkeypatch):
    import cv2

    from coach.capture.sources import CameraSource

    class Closed:
        def __init__(self, *_a):
            pass

        def isOpened(self):  # noqa: N802
            return False

        def release(self):
            pass

    monkeypatch.setattr(cv2, "VideoCapture", Closed)
    with pytest.raises(SourceError, match="No camera found.*video file"):
        CameraSource(0)

    class Busy(Closed):
        def isOpened(self):  # noqa: N802
            return True

        def set(self, *_a):
            return True

        def read(self):
            return False, None

    monkeypatch.setattr(cv2, "VideoCapture", Busy)
    with pytest.raises(SourceError, match="in use by another program"):
        CameraSource(0)


@pytest.mark.slow
def test_camera_unplugged_mid_set_pauses_and_recovers_keeping_reps():
    frames = (
        [(rgb(i), i) for i in range(60)]
        + [None] * 40
        + [(rgb(100 + i), 100 + i) for i in range(30)]
    )
    src = FakeCamera(frames)
    pipe = LivePipeline(src, replay_factory(), paced=False)
    pipe.start()
    try:
        seen = events_of(pipe, ["source_lost", "source_back"], timeout=10)
    finally:
        pipe.stop()
    kinds = [e.kind for e in seen]
    assert "source_lost" in kinds and "source_back" in kinds
    lost = next(e for e in seen if e.kind == "source_lost")
    assert "stopped sending pictures" in lost.message


def test_frozen_picture_is_reported(monkeypatch):
    import coach.pipeline.live as pl

    monkeypatch.setattr(pl, "FROZEN_AFTER_S", 0.3)
    same = rgb(7)
    src = FakeCamera([(same, i) for i in range(200)], period=1 / 200)
    pipe = LivePipeline(src, replay_factory(), paced=False)
    pipe.start()
    try:
        seen = events_of(pipe, ["source_lost"], timeout=5)
    finally:
        pipe.stop()
    assert any(e.kind == "source_lost" and "frozen" in e.message for e in seen)


def test_black_frames_are_too_dark_for_the_camera_check():
    from coach.core.camera_check import check_position

    r = check_position(side_figure(), brightness=5.0, view="side", whole_body=True)
    assert not r.ok and r.code == "too_dark" and "light" in r.message


def test_resolution_change_mid_stream_keeps_counting(catalogue):
    e = ExerciseEngine(catalogue.get("mini_squat"), EngineConfig(setup_s=0.2))
    for i, p in enumerate(squat_series([60, 60, 60, 60])):
        # the camera switches from 1000x1000 to 1280x720 halfway: landmarks are normalised, the
        # metrics work in pixels of whatever size each frame has
        if i > 150:
            p = PoseFrame(p.image, p.timestamp, p.frame_id, 1000, 1000)
        e.update(p, p.timestamp)
    assert len(e.reps) == 4


# -- 2. The person ---------------------------------------------------------------------------------


def test_person_leaving_the_frame_pauses_counting(catalogue):
    e = ExerciseEngine(catalogue.get("mini_squat"), EngineConfig(setup_s=0.2))
    poses = squat_series([60, 60, 60])
    states = [e.update(None if 95 <= i <= 150 else p, i / 30).state for i, p in enumerate(poses)]
    assert State.NOT_VISIBLE in states and len(e.reps) == 2


def test_a_second_person_walking_in_is_never_counted(catalogue):
    """The tracker jumps to someone else mid-rep: that rep and the stranger's movement do not count."""
    e = ExerciseEngine(catalogue.get("mini_squat"), EngineConfig(setup_s=0.2))
    poses = squat_series([60, 60, 60, 60])
    for i, p in enumerate(poses):
        if 95 <= i <= 200:  # someone else, two metres to the side, squatting deeper
            p = side_figure(
                knee_flex=min(80.0, (i - 95) * 3.0) if i < 150 else 0.0,
                dx=420,
                t=p.timestamp,
                frame_id=i,
            )
        e.update(p, p.timestamp)
    assert e.person_jumps >= 1
    # the patient's squats 1, 3 and 4 count; squat 2 (hidden by the stranger) and the stranger's
    # deeper squat do not
    assert len(e.reps) == 3
    stranger_from, stranger_to = 95 / 30, 200 / 30
    assert all(r.end < stranger_from or r.start > stranger_to for r in e.reps), [
        (r.start, r.end) for r in e.reps
    ]


def test_partly_out_of_frame_uses_only_what_is_seen(catalogue):
    """The bird-dog close-up: hand and foot leave the picture; the reaching arm still counts."""
    from coach.analysis import score_track

    r = score_track(
        Track.load(FIXTURES / "tracks" / "bird_dog_closeup_partial.npz"), catalogue.get("bird_dog")
    )
    assert r.reps == 3


# -- 3. The model ----------------------------------------------------------------------------------


class FlakyEstimator:
    """Raises like MediaPipe sometimes does, on every 10th frame."""

    def __init__(self):
        self.inner = ReplayEstimator(Track.load(SQUAT))
        self.n = 0

    def detect(self, frame):
        self.n += 1
        if self.n % 10 == 0:
            raise PoseError("simulated MediaPipe failure")
        return self.inner.detect(frame)

    def close(self):
        pass


def test_mediapipe_raising_mid_session_is_survived_and_logged(catalogue, caplog):
    src = FakeCamera([(rgb(i), i) for i in range(120)])
    pipe = LivePipeline(src, FlakyEstimator, paced=False)
    pipe.set_engine(ExerciseEngine(catalogue.get("mini_squat")))
    pipe.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and pipe.stats().frames_processed < 110:
            time.sleep(0.02)
    finally:
        pipe.stop()
    st = pipe.stats()
    assert st.errors >= 10
    assert st.frames_processed >= 110  # it kept going
    assert any("simulated MediaPipe failure" in r.getMessage() for r in caplog.records)


def test_model_that_cannot_load_is_reported_not_raised():
    def broken():
        raise PoseError(
            "The pose model /x.task could not be loaded. Run 'coach models install --force'."
        )

    pipe = LivePipeline(FakeCamera([(rgb(0), 0)]), broken, paced=False)
    pipe.start()
    pipe.ready.wait(5)
    pipe.stop()
    assert pipe.model_error and "coach models install" in pipe.model_error


# -- 4. Files --------------------------------------------------------------------------------------


def test_corrupt_settings_give_defaults_a_warning_and_a_backup(tmp_path):
    from coach.settings import Settings, load_settings

    p = tmp_path / "settings.json"
    p.write_bytes(b"\x00\xff{not json")
    s, warning = load_settings(p)
    assert s == Settings()
    assert warning and "defaults" in warning
    assert list(tmp_path.glob("settings.broken-*.json"))  # kept, never deleted


def test_settings_with_wrong_values_are_replaced_by_defaults(tmp_path):
    from coach.settings import Settings, load_settings

    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"posture_rate_hz": "fast", "voice": True}))
    s, warning = load_settings(p)
    assert warning and s.posture_rate_hz == Settings().posture_rate_hz


def test_yaml_can_never_run_code(tmp_path):
    from coach.routines.exercise import Exercise
    from coach.routines.routine import Routine  # noqa: F401  (the model the loader validates)
    from coach.routines.yamlio import FileProblems, load_yaml_file

    evil = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    evil.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(FileProblems, match="malformed YAML: could not determine a constructor"):
        load_yaml_file(evil, Exercise)
    assert not marker.exists()


# -- 5. Crashes: see tests/store/test_history.py (SIGKILL at random points) ------------------------


# -- 6. Long use -----------------------------------------------------------------------------------


@pytest.mark.soak
def test_thirty_minute_session_at_accelerated_pace_is_flat(catalogue):
    """30 minutes of 30 frames/s (54,000 frames) through a whole session runner: memory, threads
    and the engine's bookkeeping stay bounded; timestamps stay monotonic."""
    from coach.core.session import Phase, SessionRunner, plan_from_exercise

    track = Track.load(SQUAT)
    poses = track.poses()
    plan = [plan_from_exercise(catalogue.get("mini_squat"), sets=200, reps=10, rest_s=0.5)]
    r = SessionRunner(plan, engine_config=EngineConfig(setup_s=0.2))
    r.rate_pain(1, 0.0)
    r.start_now(0.0)
    r.tick(0.0)
    threads0 = threading.active_count()
    t = 0.0
    n = 0
    tracemalloc.start()
    snap0 = None
    period = len(poses) / track.fps
    while t < 30 * 60:
        for _i, p in enumerate(poses):
            t = n / 30.0
            q = None if p is None else PoseFrame(p.image, t, n, p.width, p.height)
            r.on_frame(q, 120.0, t)
            if n % 10 == 0:
                r.tick(t)
                r.events()  # the UI drains events
            n += 1
        if snap0 is None and t > 120:
            snap0 = tracemalloc.take_snapshot()
    snap1 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
    assert n >= 54_000 and period > 0
    assert threading.active_count() == threads0
    assert growth < 2_000_000, f"memory grew {growth / 1e6:.1f} MB over 28 minutes"
    assert r.phase in (Phase.ACTIVE, Phase.REST, Phase.PAIN_AFTER)
    assert sum(res.reps for res in r.results) > 500


@pytest.mark.soak
def test_two_hour_posture_monitor_at_accelerated_pace_is_flat():
    """Two hours at 5 frames/s (36,000 frames) through the posture monitor."""
    from coach.core.posture import MonitorConfig, PostureMonitor, PostureProfile

    track = Track.load(SQUAT)
    poses = [p for p in track.poses() if p is not None]
    mon = PostureMonitor(PostureProfile(name="test"), MonitorConfig())
    tracemalloc.start()
    snap0 = None
    for n in range(36_000):
        t = n / 5.0
        p = poses[n % len(poses)]
        mon.update(PoseFrame(p.image, t, n, p.width, p.height), t)
        if n == 3000:
            snap0 = tracemalloc.take_snapshot()
    snap1 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
    assert growth < 1_000_000, f"posture monitor grew {growth / 1e6:.2f} MB over two hours"


def test_timestamps_stay_monotonic_across_sleep_and_resume(catalogue):
    """A machine that sleeps mid-hold: the hour asleep is not hold time; a clock that steps back
    does not break anything."""
    from tests.core.test_engine import HOLD, hold_series

    e = ExerciseEngine(HOLD, EngineConfig(setup_s=0.2))
    poses, _ = hold_series([(0, 1), (60, 3)])
    t = 0.0
    for i, p in enumerate(poses):
        t = i / 30
        e.update(p, t)
    asleep = t + 3600.0
    for k, p in enumerate(poses[-60:]):
        e.update(PoseFrame(p.image, asleep + k / 30, 0, p.width, p.height), asleep + k / 30)
    e.update(
        PoseFrame(poses[-1].image, asleep - 5.0, 0, 1000, 1000), asleep - 5.0
    )  # clock steps back
    e.finish()
    assert e.holds and e.holds[0].seconds < 10.0
    assert e.not_visible_s >= 3600.0


# -- 7. Privacy and safety -------------------------------------------------------------------------


NETWORK_MODULES = {
    "urllib",
    "urllib.request",
    "http",
    "http.client",
    "socket",
    "requests",
    "ssl",
    "ftplib",
}


def test_only_the_model_download_touches_the_network():
    """Static check: the only module that imports networking code is the model download (coach/pose/fetch.py)."""
    offenders = []
    for path in (REPO / "coach").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            names = [n for n in names if n != "urllib.parse"]  # string quoting, no network
            if any(n.split(".")[0] in {m.split(".")[0] for m in NETWORK_MODULES} for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert set(offenders) <= {"coach/pose/fetch.py"}, offenders


def test_analysis_runs_with_the_network_blocked(monkeypatch, media, tmp_path):
    import socket

    def refuse(*_a, **_k):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("COACH_OFFLINE", "1")
    from coach.cli import main

    out = tmp_path / "track.npz"
    assert (
        main(
            [
                "analyze",
                str(media / "plank_hold_side.mp4"),
                "--workers",
                "1",
                "--landmarks",
                str(out),
            ]
        )
        == 0
    )
    # the only file written is the one asked for, and it holds numbers, not pictures
    with np.load(out) as z:
        assert z["image"].shape[1:] == (33, 4)
        assert all(z[k].ndim <= 3 and z[k].dtype != np.uint8 for k in z.files)


def test_recorded_tracks_hold_landmarks_not_images():
    with np.load(SQUAT) as z:
        for k in z.files:
            assert z[k].dtype != np.uint8, f"{k} looks like image data"
