#!/usr/bin/env bash
# Set up everything coach needs, idempotently: system libraries for Qt (Debian/Ubuntu), a .venv in
# the repo root with coach installed in editable mode, and the pose model in the user cache.
# Safe to run again: each step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-image0 libxcb-render-util0
  libxcb-xinerama0 libxcb-xkb1 libxcb-randr0
  libpulse0 libpulse-mainloop-glib0 libasound2 speech-dispatcher espeak-ng
  xvfb poppler-utils
  # the test suite's OS-level privacy guard runs coach under strace (tests/integration/test_privacy_network.py)
  strace
  # the full-disk test mounts a small tmpfs in a private namespace with unshare
  util-linux
)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "coach setup: installing system packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "coach setup: not a Debian/Ubuntu system; install Qt's system libraries yourself if the app does not start."
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "coach setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.coach-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "coach setup: installing coach and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# The pose model (MediaPipe PoseLandmarker bundle) into the user cache; quick when present. It is
# built from the installed mediapipe package, so nothing is downloaded; this, and an explicit
# 'coach models install', are the only times coach provisions the model (docs/privacy.md).
.venv/bin/coach models install
