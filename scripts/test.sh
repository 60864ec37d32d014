#!/usr/bin/env bash
# Quick start: set up (idempotent) and run the whole test suite, headless.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
# The scoring core must stay free of Qt, OpenCV and MediaPipe (contract in pyproject.toml).
.venv/bin/lint-imports --no-cache
# The scoring core is type-checked strictly.
.venv/bin/mypy coach/core
exec .venv/bin/python -m pytest "$@"
