#!/bin/sh
# `systemd-analyze verify` on deploy/systemd/incident-bot.service, with ExecStart pointed at the
# built binary (the unit names /usr/local/bin/incident-bot, which a build machine may not have).
# Exit 77 (ctest SKIP_RETURN_CODE) when systemd-analyze is not installed.
#   systemd_verify.sh UNIT BINARY
set -eu
unit=$1
binary=$2
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze not installed: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=/usr/local/bin/incident-bot|ExecStart=$binary|" "$unit" >"$dir/incident-bot.service"
grep -q "^ExecStart=$binary run$" "$dir/incident-bot.service" || { echo "ExecStart not found in $unit"; exit 1; }
# --man=no: the unit's Documentation= is a URL, and no man pages are needed to verify it.
out=$(systemd-analyze verify --man=no "$dir/incident-bot.service" 2>&1) || {
  printf '%s\n' "$out"; exit 1; }
# verify exits 0 on some warnings (unknown keys, bad values it ignores): fail on any output about
# the unit itself.
if printf '%s\n' "$out" | grep -q "incident-bot.service"; then
  printf '%s\n' "$out"; exit 1
fi
printf '%s\n' "$out"
echo "systemd-analyze verify: ok"
