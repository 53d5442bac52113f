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

# LeakSanitizer's own stop-the-world tracer now and then crashes at a program's exit, after every
# test in it has passed ("Tracer caught signal 11 … LeakSanitizer has encountered a fatal
# error"), when the tracer reads a thread of GLib's or GTK's that is ending at that moment. That
# is a fault of the sanitizer runtime, not a report: when every test that failed failed with
# exactly that message and no sanitizer report besides, those tests run once more. Any other
# failure stands.
tracer_crashes () {
  python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    test = json.loads(line)
    if test["result"] in ("OK", "SKIP", "EXPECTEDFAIL"):
        continue
    out = (test.get("stdout") or "") + (test.get("stderr") or "")
    if ("LeakSanitizer has encountered a fatal error" in out
            and "ERROR: AddressSanitizer" not in out
            and "ERROR: LeakSanitizer: detected" not in out
            and "runtime error:" not in out):
        print(test["name"].split(" / ")[-1])
    else:
        print("-")  # a failure of another kind: nothing runs again
PY
}

# Runs `meson test` with ARGS; the tests that failed only by a tracer crash run again, alone
# (twice at most).
run_tests () {
  local -a again
  local tries=0
  if meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "$@"; then
    return 0
  fi
  while [ $tries -lt 2 ]; do
    mapfile -t again < <(tracer_crashes)
    if [ ${#again[@]} -eq 0 ] || printf '%s\n' "${again[@]}" | grep -qx -- -; then
      return 1
    fi
    echo "test-sanitizers.sh: LeakSanitizer's tracer crashed in ${again[*]}; running again" >&2
    if meson test -C "$build" --print-errorlogs --timeout-multiplier 4 --num-processes 1 \
         "${again[@]}"; then
      return 0
    fi
    tries=$((tries + 1))
  done
  return 1
}

# Sanitized code runs a few times slower: longer timeouts. The UI tests wait for their windows
# with timeouts of their own, so they run one at a time, after the rest.
status=0
if [ $# -gt 0 ]; then
  run_tests "$@" || status=$?
else
  run_tests --no-suite ui || status=$?
  run_tests --suite ui --num-processes 1 || status=$?
fi
exit "$status"
