"""OS-level privacy guard: no coach process talks to anything but the machine itself.

Python-level socket patches cannot see connections opened by native libraries (MediaPipe
releases after 0.10.21 look up ``play.googleapis.com`` from C++ on every run), so these tests
run the real commands under ``strace -f`` and read every ``connect``/``sendto``/``sendmsg``/
``sendmmsg`` the process tree makes. Any address outside loopback, and any DNS traffic (port 53,
even to a loopback resolver, or systemd-resolved's socket), fails the test.

The same check by hand (docs/privacy.md)::

    strace -f -e trace=connect,sendto,sendmsg,sendmmsg -o /tmp/coach.strace \\
        coach analyze ../shared/media/squat_side_be.mp4 --exercise mini_squat
    python -m tests.integration.test_privacy_network /tmp/coach.strace

``strace`` is installed by ``scripts/setup.sh``; without it these tests fail (never skip), so CI
cannot pass without looking.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.network, pytest.mark.footage]

TRACED_CALLS = "connect,sendto,sendmsg,sendmmsg"
STRACE_OPTIONS = ("-f", "-qq", "-e", f"trace={TRACED_CALLS}")

_CALL = re.compile(
    r"^(?:\[pid\s+)?(?P<pid>\d+)\]?\s+(?P<call>connect|sendto|sendmsg|sendmmsg)\((?P<rest>.*)$"
)
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_IPV4 = re.compile(r'inet_addr\("([^"]+)"\)')
_IPV6 = re.compile(r'inet_pton\(AF_INET6,\s*"([^"]+)"')
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_UNIX_PATH = re.compile(r'sun_path="([^"]*)"')
#: Local sockets through which a name lookup would leave the machine.
_RESOLVER_SOCKETS = ("/run/systemd/resolve/", "/var/run/systemd/resolve/")


@dataclass(frozen=True)
class Violation:
    line: str
    reason: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.line}"


def _loopback(address: str) -> bool:
    if address.startswith("127."):
        return True
    a = address.lower()
    return a in {"::1", "0:0:0:0:0:0:0:1"} or a.startswith("::ffff:127.")


def network_violations(trace: str) -> list[Violation]:
    """Every traced call in ``trace`` (strace output) that reaches beyond the machine.

    Allowed: Unix sockets (D-Bus, audio, speech), netlink, loopback addresses. Refused: any other
    IPv4/IPv6 address, any port-53 (DNS) traffic whatever the address, and systemd-resolved's
    socket. Unfinished/resumed halves of a call carry the address on the first half.
    """
    found: list[Violation] = []
    for raw in trace.splitlines():
        line = raw.strip()
        m = _CALL.match(line)
        if m is None:
            continue
        rest = m["rest"]
        ports = [int(p) for p in _PORT.findall(rest)]
        if 53 in ports:
            found.append(Violation(line, "DNS (port 53)"))
            continue
        families = set(_FAMILY.findall(rest))
        addresses = _IPV4.findall(rest) + _IPV6.findall(rest)
        outside = [a for a in addresses if not _loopback(a)]
        if outside:
            found.append(Violation(line, f"non-loopback address {', '.join(outside)}"))
            continue
        if families & {"AF_INET", "AF_INET6"} and not addresses:
            found.append(Violation(line, "internet socket with an address strace could not show"))
            continue
        if "AF_UNIX" in families and any(
            p.startswith(_RESOLVER_SOCKETS) for p in _UNIX_PATH.findall(rest)
        ):
            found.append(Violation(line, "name lookup through systemd-resolved"))
    return found


def _strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail(
            "strace is not installed; run scripts/setup.sh (it installs it) to run the privacy guard"
        )
    return path


def run_traced(
    argv: list[str], trace_file: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` under ``strace -f`` writing the trace to ``trace_file``."""
    cmd = [_strace(), *STRACE_OPTIONS, "-o", str(trace_file), *argv]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The user's environment minus anything that would switch the network off for us.

    The promise holds without ``COACH_OFFLINE``; settings, history and logs go to ``tmp_path``
    (the pose model stays in the real cache).
    """
    env = {k: v for k, v in os.environ.items() if k != "COACH_OFFLINE"}
    cfg = tmp_path / "config"
    cfg.mkdir()
    # Onboarded and screened, sound off: the app goes straight into the session.
    settings = {
        "onboarded": True,
        "screening_done_at": time.time(),
        "voice": False,
        "sounds": False,
    }
    (cfg / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    env.update(
        QT_QPA_PLATFORM="offscreen",
        COACH_CONFIG_DIR=str(cfg),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        COACH_LOG_DIR=str(tmp_path / "logs"),
    )
    return env


def _assert_private(trace_file: Path, what: str) -> None:
    text = trace_file.read_text(encoding="utf-8", errors="replace")
    bad = network_violations(text)
    assert not bad, f"{what} reached the network:\n" + "\n".join(str(v) for v in bad[:10])


# ------------------------------------------------------------------------------ the detector


#: Recorded from ``coach analyze`` with mediapipe 1.2.3 (the uploader's lookup of play.googleapis.com).
OLD_MEDIAPIPE_TRACE = """\
7485  connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0
7485  sendmmsg(5, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="O5\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\4play\\ngoogleapis\\3com"..., iov_len=37}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=37}], 2, MSG_NOSIGNAL) = 2
"""

LOCAL_ONLY_TRACE = """\
10300 connect(10, {sa_family=AF_INET, sin_port=htons(59125), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 ECONNREFUSED (Connection refused)
10301 connect(7, {sa_family=AF_UNIX, sun_path="/run/user/0/pulse/native"}, 110) = -1 ENOENT (No such file or directory)
10302 sendto(3, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP}], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
10303 connect(4, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
"""


def test_detector_flags_the_old_mediapipe_lookup() -> None:
    bad = network_violations(OLD_MEDIAPIPE_TRACE)
    assert [v.reason for v in bad] == ["DNS (port 53)"]


def test_detector_flags_any_outside_address_and_local_dns() -> None:
    trace = (
        '1 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.74.46")}, 16) = 0\n'
        "2 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2a00:1450:4001::200e", &sin6_addr), sin6_scope_id=0}, 28) <unfinished ...>\n'
        '3 sendto(5, "\\1\\2", 2, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 2\n'
        '4 connect(6, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 110) = 0\n'
    )
    reasons = [v.reason for v in network_violations(trace)]
    assert reasons == [
        "non-loopback address 142.250.74.46",
        "non-loopback address 2a00:1450:4001::200e",
        "DNS (port 53)",
        "name lookup through systemd-resolved",
    ]


def test_detector_allows_loopback_unix_and_netlink() -> None:
    assert network_violations(LOCAL_ONLY_TRACE) == []


# ------------------------------------------------------------------------- the real commands


def _coach(*args: str) -> list[str]:
    return [sys.executable, "-m", "coach", *args]


def test_analyze_makes_no_connection(
    media: Path, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """``coach analyze`` with its worker pool (the default on a multi-core machine)."""
    trace = tmp_path / "analyze.strace"
    proc = run_traced(
        _coach(
            "analyze",
            str(media / "squat_side_be.mp4"),
            "--exercise",
            "mini_squat",
            "--workers",
            "2",
            "--json",
        ),
        trace,
        clean_env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '"reps"' in proc.stdout  # the model really ran
    _assert_private(trace, "coach analyze")


def test_session_makes_no_connection(
    media: Path, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """``coach session``: the app's session object, headless, storing into a history."""
    trace = tmp_path / "session.strace"
    proc = run_traced(
        _coach(
            "session",
            "--source",
            str(media / "squat_front_overlay.mp4"),
            "--exercise",
            "mini_squat",
            "--screened",
            "--db",
            str(tmp_path / "history.sqlite3"),
            "--json",
        ),
        trace,
        clean_env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    _assert_private(trace, "coach session")


#: Starts the real app (``coach --source CLIP --exercise ID``) offscreen, counts the frames the pose
#: model sees, and quits after the given seconds.
_APP_DRIVER = r"""
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from coach.pose import estimator

calls = [0]
_detect = estimator.MediaPipeEstimator.detect

def counting_detect(self, frame):
    calls[0] += 1
    return _detect(self, frame)

estimator.MediaPipeEstimator.detect = counting_detect
app = QApplication(sys.argv[:1])
QTimer.singleShot(int(float(sys.argv[3]) * 1000), app.quit)


def press_start():  # what a person does: pain 0 before the set, then "Start (Enter)"
    from PySide6.QtWidgets import QPushButton

    for top in app.topLevelWidgets():
        for b in top.findChildren(QPushButton):
            if (b.text() == "0" or b.text().startswith("Start (")) and b.isVisible() and b.isEnabled():
                b.click()
                return


starter = QTimer()
starter.timeout.connect(press_start)
starter.start(1000)
from coach.ui.app import run_app

code = run_app(source=sys.argv[1], exercise=sys.argv[2])
print(f"detect_calls={calls[0]}", flush=True)
os._exit(code)
"""


def test_app_makes_no_connection(media: Path, tmp_path: Path, clean_env: dict[str, str]) -> None:
    """The desktop app, offscreen, running a session on a recording for a few seconds."""
    trace = tmp_path / "app.strace"
    proc = run_traced(
        [sys.executable, "-c", _APP_DRIVER, str(media / "squat_side_be.mp4"), "mini_squat", "10"],
        trace,
        clean_env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r"detect_calls=(\d+)", proc.stdout)
    assert m and int(m[1]) > 0, (
        f"the app never ran the pose model: {proc.stdout[-500:]} {proc.stderr[-1500:]}"
    )
    _assert_private(trace, "the app")


if __name__ == "__main__":  # python -m tests.integration.test_privacy_network TRACE...
    problems = [
        v for f in sys.argv[1:] for v in network_violations(Path(f).read_text(errors="replace"))
    ]
    for v in problems:
        print(v)
    print(
        "no connection outside this machine" if not problems else f"{len(problems)} network call(s)"
    )
    raise SystemExit(1 if problems else 0)
