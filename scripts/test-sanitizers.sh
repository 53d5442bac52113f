#!/bin/bash
# test-sanitizers.sh — builds Lectern with AddressSanitizer and UndefinedBehaviorSanitizer (gcc)
# in build-asan/ and runs the test suite there: out-of-bounds accesses, use after free, leaks
# and undefined behaviour fail the test that caused them. CI runs it after scripts/test.sh.
#
#   scripts/test-sanitizers.sh                 every suite
#   scripts/test-sanitizers.sh --suite engine  arguments go to `meson test`
#
# LECTERN_ASAN_BUILD names another build folder. Leaks that libraries keep on purpose are
# suppressed in tests/lsan.supp. The engine's target_clones are off under ASan (kernels.h).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${LECTERN_ASAN_BUILD:-build-asan}

if [ ! -f "$build/build.ninja" ]; then
  meson setup -Db_sanitize=address,undefined "$build"
fi
ninja -C "$build"

# halt_on_error: the first report ends the test (UBSan would otherwise print and go on).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
# GLib's slice allocator would hide allocations from ASan.
export G_SLICE=always-malloc

# Sanitized code runs a few times slower: longer timeouts. The UI tests wait for their windows
# with timeouts of their own, so they run one at a time, after the rest.
status=0
if [ $# -gt 0 ]; then
  meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "$@" || status=$?
else
  meson test -C "$build" --print-errorlogs --timeout-multiplier 4 --no-suite ui || status=$?
  meson test -C "$build" --print-errorlogs --timeout-multiplier 4 --suite ui --num-processes 1 \
    || status=$?
fi
exit "$status"
