#!/usr/bin/env bash
# The soak (not part of tests/run.sh: it takes about 40 minutes): builds the Release
# binary and the two soak programs in build/, then drives the real binary through the fake Slack
# under a steady load while it forces reconnects of every kind and kills the process with
# SIGKILL at random moments, and then through the fake homeserver while it kills it during /sync
# batches and sends; each counts what was lost or stored twice. Exit status 0 only with nothing
# lost, nothing duplicated, nothing left unacknowledged or unconfirmed, and no crash.
#
#   tests/soak.sh [--reconnects N] [--kills K] [--rate R] [--seed S]    Slack, then Matrix
#   tests/soak.sh --slack [options]    or    tests/soak.sh --matrix [--kills K] [--rate R] …
#
# Defaults: Slack 1,000 reconnects and 200 kill -9s at 100 facts/s; Matrix 200 kill -9s at 50
# messages/s. What they print and the last figures: tests/bench/README.md, "Soak".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/deploy/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DINCIDENT_BOT_TESTS=ON \
  >/dev/null
cmake --build "$root/build" -j "$(nproc 2>/dev/null || echo 2)" \
  --target incident-bot slack_soak matrix_soak >/dev/null
case "${1-}" in
  --slack) shift; exec "$root/build/tests/slack_soak" "$@" ;;
  --matrix) shift; exec "$root/build/tests/matrix_soak" "$@" ;;
esac
kills=()
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kills | --seed) kills+=("$1" "$2"); rest+=("$1" "$2"); shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
status=0
"$root/build/tests/slack_soak" "${rest[@]}" || status=1
"$root/build/tests/matrix_soak" "${kills[@]}" || status=1
exit $status
