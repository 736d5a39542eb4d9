#!/usr/bin/env bash
# Fuzzing with clang's libFuzzer, under AddressSanitizer and UndefinedBehaviorSanitizer: builds
# the fuzz targets (tests/fuzz) in build-fuzz and runs each for SECONDS (default 60) from its
# committed seeds, keeping what it finds in build-fuzz/corpus/<target> for the next run.
#
#   tests/fuzz.sh [SECONDS] [TARGET…]     e.g. tests/fuzz.sh 600 markup secrets
#
# A crash or a broken invariant stops that target and leaves the input in build-fuzz/crashes;
# replay it with build-fuzz/tests/fuzz_<target> <file>, add it to tests/fuzz/corpus/<target> with
# the fix, and the replay in every test run keeps it fixed. Needs clang-14 and libfuzzer-14-dev.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
build="$root/build-fuzz"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DINCIDENT_BOT_FUZZ=ON >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/fuzz/*.corpus; do targets+=("$(basename "$f" .corpus)"); done
fi
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" \
  --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

mkdir -p "$build/crashes"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  IFS=';' read -r -a seeds < "$build/fuzz/$t.corpus"
  log="$build/fuzz-$t.log"
  echo "== $t, ${seconds} s" >&2
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
    "$build/corpus/$t" "${seeds[@]}" >"$log" 2>&1; then
    echo "$t: FAILED, see $log and $build/crashes" >&2
    status=1
  fi
  # The last status line: executions, edge coverage (cov) and features (ft).
  grep -E '^#[0-9]+' "$log" | tail -1 | sed "s/^/$t: /" >&2
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log" | sed "s/^/$t: /" >&2
done
exit $status
