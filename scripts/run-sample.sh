#!/bin/bash
# run-sample.sh — the README's first command: installs what is missing, builds Lectern in
# build/, renders a sample handwritten page (build/sample-page.png) and opens it in the
# application straight from the build folder.
#
# Without a display (no DISPLAY or WAYLAND_DISPLAY), the application runs under Xvfb and saves
# a picture of its window to build/sample-window.png instead.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/install-deps.sh

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build

build/app/lectern-cli sample-page -o build/sample-page.png

# The uninstalled application finds its settings schema in the build folder.
export GSETTINGS_SCHEMA_DIR="$root/build/resources"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec build/app/lectern build/sample-page.png
fi

echo "run-sample: no display; running Lectern under Xvfb to take a picture of its window"
xvfb-run -a -s '-screen 0 1600x1000x24' \
  dbus-run-session -- build/app/lectern --screenshot build/sample-window.png build/sample-page.png
