#!/usr/bin/env bash
# Quick start: set up (idempotent) and start the app. Extra arguments go to `coach`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/coach "$@"
