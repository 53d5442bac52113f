#!/bin/bash
# fuzz.sh — runs one libFuzzer target of tests/fuzz for a while, at low priority:
#
#   CC=clang meson setup -Dfuzzing=true build-fuzz     (once)
#   scripts/fuzz.sh build-fuzz TARGET SECONDS [libFuzzer options…]
#
# TARGET is image, page, alto, model, text or lm. The working corpus grows in
# build-fuzz/fuzz-corpus/TARGET (started from tests/fuzz/corpus/TARGET); crashing, leaking and
# slow inputs land in build-fuzz/fuzz-artifacts/TARGET/. Turn each into a regression input
# (tests/fuzz/regressions/TARGET/) or a unit test once the bug is fixed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 3 ]; then
  echo "usage: $0 BUILD_DIR TARGET SECONDS [libFuzzer options…]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
target=$2
seconds=$3
shift 3

ninja -C "$build" "tests/fuzz/fuzz-$target"
corpus="$build/fuzz-corpus/$target"
artifacts="$build/fuzz-artifacts/$target"
mkdir -p "$corpus" "$artifacts"

options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048
         -print_final_stats=1 -artifact_prefix="$artifacts/")
case "$target" in
  page|alto) options+=(-dict="$root/tests/fuzz/xml.dict" -max_len=16384) ;;
  model) options+=(-max_len=8192) ;;
  image) options+=(-max_len=16384) ;;
esac

# One process (the machine is shared); the engine's own thread pools stay single too.
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec nice -n 19 "$build/tests/fuzz/fuzz-$target" "${options[@]}" "$@" \
  "$corpus" "$root/tests/fuzz/corpus/$target" "$root/tests/fuzz/regressions/$target"
