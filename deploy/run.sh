#!/usr/bin/env bash
# The one command to run incident-bot: installs what is missing, builds Release, and starts it.
# With no platform configured it runs the console. Arguments go to the bot:
#   deploy/run.sh                 # connect to the configured platforms, or the console
#   deploy/run.sh console         # the console, always
#   deploy/run.sh export INC-1 --format json
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/deploy/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DINCIDENT_BOT_TESTS=OFF
exec "$root/build/incident-bot" "$@"
