#!/usr/bin/env bash
# The soak (not part of tests/run.sh: it takes about half an hour): builds the Release binary
# and tests/bench/slack_soak in build/, then drives the real binary through the fake Slack under
# a steady load while it forces reconnects of every kind and kills the process with SIGKILL at
# random moments, and counts what was lost or stored twice. Exit status 0 only with nothing
# lost, nothing duplicated, nothing left unacknowledged and no crash.
#
#   tests/soak.sh [--reconnects N] [--kills K] [--rate R] [--seed S] [--durability D]
#
# Defaults: 1,000 reconnects, 200 kill -9s, 100 facts/s. What it prints and the last figures:
# tests/bench/README.md, "Soak".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/deploy/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DINCIDENT_BOT_TESTS=ON \
  >/dev/null
cmake --build "$root/build" -j "$(nproc 2>/dev/null || echo 2)" --target incident-bot slack_soak \
  >/dev/null
exec "$root/build/tests/slack_soak" "$@"
