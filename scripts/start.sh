#!/usr/bin/env bash
# Installs everything on a fresh Debian/Ubuntu machine and starts the counter client.
# Arguments go to clerk-app, e.g. `--demo` or `--data-dir DIR`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/clerk-app "$@"
