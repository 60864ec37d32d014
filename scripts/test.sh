#!/usr/bin/env bash
# Quick start: set up (idempotent) and run the whole test suite, headless.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
# The layers (ui/cli at the top, core at the bottom; core, store, pipeline... never import Qt) are
# import-linter contracts in pyproject.toml.
.venv/bin/lint-imports --no-cache
# Types across the package; the core and the pipeline strictly (pyproject.toml).
.venv/bin/mypy coach
# Lint: pyflakes, bugs, complexity, blind excepts, NaN compares, pytest style (pyproject.toml).
.venv/bin/ruff check coach tests
# One layout for all the code.
.venv/bin/ruff format --check coach tests
# The whole suite in one process (its footage tests share one tracking of each clip per process
# and start their own model workers); the quick run, -m "not footage and not soak", spreads over
# pytest-xdist workers by itself (tests/conftest.py).
exec .venv/bin/python -m pytest "$@"
