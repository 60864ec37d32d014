"""The only code in coach that opens a network connection: install routes 3 and 4.

Route 3 downloads the official bundle from storage.googleapis.com into the cache (validated
before it replaces anything); route 4 runs ``pip download mediapipe==0.10.21`` into a folder
the caller owns, for :mod:`coach.pose.provision` to build the bundle from that wheel. Only
``coach models install`` reaches these, and never when ``COACH_OFFLINE=1`` (docs/privacy.md).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from coach.pose.bundle import bundle_problem
from coach.pose.cache import (
    ENV_MODEL,
    ENV_WHEEL,
    MP_WHEEL_VERSION,
    ModelError,
    Progress,
    atomic_target,
    bundle_path,
    say,
    write_sidecar,
)

__all__ = ["OFFICIAL_URL", "download_official", "fetch_wheel"]

logger = logging.getLogger(__name__)

OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
CONNECT_TIMEOUT_S = 3.0
PIP_TIMEOUT_S = 600.0
_PIP_NO_MATCH = ("No matching distribution", "Could not find a version")


# --------------------------------------------------- route 3: official download


def _host_resolves(host: str, timeout: float) -> bool:
    """Resolve ``host`` in a daemon thread so a hanging DNS cannot block us."""
    result: list[bool] = []

    def _resolve() -> None:
        try:
            socket.getaddrinfo(host, 443)
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=_resolve, name="coach-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def download_official(variant: str, progress: Progress | None = None) -> Path | None:
    """Route 3: download the official bundle into the cache.

    Returns
    -------
    Path or None
        The cached bundle, or None if the download failed (the reason is logged).
    """
    url = OFFICIAL_URL.format(variant=variant)
    target = bundle_path(variant)
    host = urllib.parse.urlsplit(url).hostname or ""
    has_proxy = bool(urllib.request.getproxies().get("https"))
    if not has_proxy and not _host_resolves(host, CONNECT_TIMEOUT_S):
        say(progress, f"Official pose model download unavailable ({host} unreachable).")
        return None
    say(progress, f"Downloading pose model ({variant}) from {host}…")
    try:
        with atomic_target(target) as tmp:
            request = urllib.request.Request(url, headers={"User-Agent": "coach"})
            # The timeout bounds the connect and each individual read, not the total.
            with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as resp:
                total = int(resp.headers.get("Content-Length") or 0)
                done, last_pct = 0, -10
                with open(tmp, "wb") as out:
                    while chunk := resp.read(1 << 16):
                        out.write(chunk)
                        done += len(chunk)
                        if total:
                            pct = done * 100 // total
                            if pct >= last_pct + 10:
                                last_pct = pct - pct % 10
                                say(
                                    progress,
                                    f"Downloading pose model ({variant}): {pct}% of "
                                    f"{total / 1e6:.1f} MB",
                                )
            if total and done != total:
                raise OSError(f"truncated download ({done} of {total} bytes)")
            problem = bundle_problem(tmp)
            if problem is not None:
                raise OSError(f"downloaded file is not a valid bundle: {problem}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        say(progress, f"Official pose model download failed ({exc}).")
        return None
    write_sidecar(target, f"download:{url}", variant)
    say(progress, f"Pose model ({variant}) saved to {target}.")
    return target


# ------------------------------------------------------- route 4: registry wheel


def _run_pip_download(dest: Path, extra: Sequence[str]) -> tuple[Path | None, str]:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--timeout",
        "15",
        "--retries",
        "2",
        *extra,
        f"mediapipe=={MP_WHEEL_VERSION}",
        "-d",
        str(dest),
    ]
    logger.debug("running %s", " ".join(cmd))
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, str(exc)
    wheels = sorted(dest.glob(f"mediapipe-{MP_WHEEL_VERSION}-*.whl"))
    if proc.returncode == 0 and wheels:
        return wheels[0], ""
    lines = (proc.stderr or proc.stdout or "").strip().splitlines()
    errors = [ln.strip() for ln in lines if ln.lstrip().startswith("ERROR")]
    detail = errors[-1] if errors else (lines[-1].strip() if lines else "")
    return None, detail or f"pip exited with {proc.returncode}"


def fetch_wheel(dest: Path, progress: Progress | None = None) -> Path:
    """Download the mediapipe wheel with pip, letting pip pick the platform first.

    Raises
    ------
    ModelError
        If no attempt produced a wheel.
    """
    # The models inside are platform independent, so when the running
    # interpreter/platform has no 0.10.21 wheel, any other wheel will do.
    attempts: list[Sequence[str]] = [
        (),
        ("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11"),
    ]
    errors: list[str] = []
    for extra in attempts:
        say(
            progress,
            f"Fetching mediapipe {MP_WHEEL_VERSION} wheel (~35 MB) from the package index"
            + (f" ({' '.join(extra)})" if extra else "")
            + "…",
        )
        wheel, err = _run_pip_download(dest, extra)
        if wheel is not None:
            return wheel
        logger.info("pip download %s failed: %s", " ".join(extra) or "(native)", err)
        errors.append(err)
        if not any(hint in err for hint in _PIP_NO_MATCH):
            break  # network/index trouble: another platform will not help
    raise ModelError(
        f"Could not download mediapipe=={MP_WHEEL_VERSION} from the package index "
        f"({errors[-1] if errors else 'unknown error'}); check the network, or set "
        f"{ENV_WHEEL} to a downloaded mediapipe {MP_WHEEL_VERSION} wheel, or set "
        f"{ENV_MODEL} to a pose_landmarker .task file."
    )
