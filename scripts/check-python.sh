#!/usr/bin/env bash
# Fail with a clear message unless $1 (default python3) is Python 3.11 or newer with venv.
set -euo pipefail
py="${1:-python3}"
if ! "$py" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Campaign Desk needs Python 3.11+ with venv ($py is $("$py" --version 2>&1 || echo missing))." >&2
  echo "On Debian 12: sudo apt-get install -y python3 python3-venv  (or set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
