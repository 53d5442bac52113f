#!/bin/bash
# test-sanitizers.sh — builds Lectern with AddressSanitizer and UndefinedBehaviorSanitizer (gcc)
# in build-asan/ and runs the test suite there: out-of-bounds accesses, use after free, leaks
# and undefined behaviour fail the test that caused them. CI runs it after scripts/test.sh.
#
#   scripts/test-sanitizers.sh                 every suite
#   scripts/test-sanitizers.sh --suite engine  arguments go to `meson test`
#   scripts/test-sanitizers.sh --thread [ARGS] ThreadSanitizer instead, in build-tsan/: the
#                                              engine, formats, pages and cli suites (or ARGS)
#
# LECTERN_ASAN_BUILD (LECTERN_TSAN_BUILD) names another build folder. Leaks that libraries keep
# on purpose are suppressed in tests/lsan.supp. The engine's target_clones are off under ASan
# (kernels.h).
#
# Under TSan the test programs and lectern-cli link tests/tsan-glib.c, which tells TSan about
# GLib's locks and thread pools (Debian's GLib is not built for TSan); tests/tsan.supp names the
# reports left that concern GLib's and fontconfig's memory only. A report ends the program with
# status 66, which fails its test (or the test that ran lectern-cli). The ui suite is left out:
# GTK and its libraries are not built for TSan either. The TSan run is not part of CI: building
# alone takes longer than CI has to spare on a 2-core machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ "${1:-}" = --thread ]; then
  shift
  build=${LECTERN_TSAN_BUILD:-build-tsan}
  if [ ! -f "$build/build.ninja" ]; then
    meson setup -Db_sanitize=thread "$build"
  fi
  ninja -C "$build"
  export G_SLICE=always-malloc
  # OpenBLAS then starts no threads of its own (its pool is not instrumented).
  export OPENBLAS_NUM_THREADS=1
  export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/tests/tsan.supp:halt_on_error=1:exitcode=66:second_deadlock_stack=1}
  if [ $# -eq 0 ]; then
    set -- --suite engine --suite formats --suite pages --suite cli
  fi
  exec meson test -C "$build" --print-errorlogs --timeout-multiplier 6 "$@"
fi

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
