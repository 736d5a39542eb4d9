#!/usr/bin/env bash
# Installs the Debian packages incident-bot needs (when missing) and builds it.
#   deploy/setup.sh BUILD_DIR [extra cmake arguments…]
#   deploy/setup.sh                 # only the packages (tests/run.sh, before its docs check)
# With INCIDENT_BOT_TEST_PACKAGES=1 (tests/run.sh) it also installs tests/packages.txt.
# Everything it prints goes to stderr, so the bot's own stdout stays clean for scripts.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1-}
if (($#)); then shift; fi

lists=("$root/deploy/packages.txt")
[ "${INCIDENT_BOT_TEST_PACKAGES-}" != 1 ] || lists+=("$root/tests/packages.txt")
mapfile -t wanted < <(cat "${lists[@]}" | grep -v -E '^\s*(#|$)')
# Debian's nodejs comes without npm (NodeSource's has it): ask for it only when missing.
if [ "${INCIDENT_BOT_TEST_PACKAGES-}" = 1 ] && ! command -v npm >/dev/null; then wanted+=(npm); fi
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "incident-bot needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}…" >&2
  "${sudo[@]}" apt-get update -qq </dev/null >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null >&2
fi

[ -n "$build_dir" ] || exit 0
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build_dir" "$@" </dev/null >&2
cmake --build "$build_dir" -j "$jobs" </dev/null >&2
