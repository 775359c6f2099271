#!/usr/bin/env bash
# make bench: see bench/runner.py for the settings (BENCH_DB, BENCH_SCALE, BENCH_SECONDS...).
# Usage: ./bench/run.sh [--scale N]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found: installing the Debian package"
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
  else sudo apt-get install -y wrk; fi
fi
if [ "${BENCH_DB:-sqlite}" = postgresql ] && ! command -v psql >/dev/null 2>&1; then
  echo "BENCH_DB=postgresql needs psql (Debian package postgresql-client)" >&2
  exit 2
fi
exec .venv/bin/python bench/runner.py "$@"
