#!/bin/bash
# test.sh — the README's second command: installs what is missing, builds Lectern in build/
# and runs every test suite (engine, formats, ui under Xvfb, cli, resources, …). Exits with
# the status of `meson test`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/install-deps.sh

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build

status=0
meson test -C build --print-errorlogs "$@" || status=$?
exit "$status"
