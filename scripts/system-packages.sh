#!/usr/bin/env bash
# Make sure the Debian packages a make target needs are present.
#   scripts/system-packages.sh COMMAND:PACKAGE [COMMAND:PACKAGE ...]
# A pair is satisfied when COMMAND is on the PATH (or, for a path, the file exists).
# Missing packages are installed with apt-get when running as root; otherwise the script
# prints the exact apt-get line to run and fails. Nothing is skipped silently.
set -euo pipefail

missing=()
for pair in "$@"; do
  cmd="${pair%%:*}"
  pkg="${pair#*:}"
  if [[ "$cmd" == /* ]]; then
    [[ -e "$cmd" ]] && continue
  elif command -v "$cmd" >/dev/null 2>&1; then
    continue
  fi
  missing+=("$pkg")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0
# De-duplicate while keeping order.
readarray -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Campaign Desk needs these system packages: ${missing[*]}" >&2
  echo "Run as root (or with sudo), then run make again:" >&2
  echo "    sudo apt-get update && sudo $line" >&2
  exit 1
fi
