#!/usr/bin/env bash
# The one command to test incident-bot: installs what is missing, checks the docs' links and the
# code's format (fast, before any build), builds, runs every test, then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test again, then fuzzes a little.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

echo "== packages, then the docs and format check" >&2
export INCIDENT_BOT_TEST_PACKAGES=1
"$root/deploy/setup.sh"
"$root/tests/check_docs.sh"

echo "== build (Release) and test" >&2
# Tests on explicitly: deploy/run.sh configures the same build/ with them off, and CMake keeps
# that; and a run that finds no tests fails rather than passing with none.
"$root/deploy/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DINCIDENT_BOT_WERROR=ON \
  -DINCIDENT_BOT_TESTS=ON
ctest --test-dir "$root/build" --output-on-failure --no-tests=error -j "$jobs"

echo "== the review page in a real browser (Chromium, tests/web/browser)" >&2
# npm ci installs exactly the lockfile's versions; the suite fails, never skips, without Chromium.
(cd "$root/tests/web/browser" && npm ci --no-audit --no-fund --loglevel=error >&2 &&
  INCIDENT_BOT="$root/build/incident-bot" FAKE_SLACK="$root/build/tests/fake-slack-server" \
    SCREENSHOTS="$root/build/screenshots" node --test --test-concurrency=1)

echo "== build (AddressSanitizer + UBSan) and test" >&2
"$root/deploy/setup.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DINCIDENT_BOT_WERROR=ON -DINCIDENT_BOT_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure --no-tests=error -j "$jobs"

echo "== the fuzz targets with libFuzzer (clang, ASan + UBSan), 10 seconds each" >&2
# Their corpora are replayed in both builds above; this fuzzes a little further every run.
# tests/fuzz.sh 600 fuzzes each for ten minutes.
"$root/tests/fuzz.sh" 10
