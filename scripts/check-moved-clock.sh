#!/usr/bin/env bash
# Run the whole test suite with the machine's clock moved, to prove that no test depends on the day it
# runs: `scripts/check-moved-clock.sh [DATE ...]` (default: 2027-03-15 10:00:00 and 2030-01-01 00:00:00).
#
# Each date gets a PostgreSQL cluster of its own (under a temporary GRIDGOV_HOME, on a free port), started
# under the same moved clock as pytest, so the server's now() agrees with Python's. Run `make test` once
# first: it installs the system packages and the virtual environment this uses.
#
# The clock is moved with datefudge (Debian's package of that name), which moves the wall clock and leaves
# the monotonic clock alone. libfaketime 0.9.10 (`faketime`, Debian 12) moves both, and then every timed
# wait of Python's threads (sem_clockwait: Event.wait(timeout), a pool's reconnect back-off) waits months:
# set MOVE_CLOCK_WITH=faketime to use it anyway; the wall test that takes the database away and waits for
# the dashboard to reconnect by itself then hangs until its timeout, for that reason alone.
set -euo pipefail
cd "$(dirname "$0")/.."

tool="${MOVE_CLOCK_WITH:-datefudge}"
command -v "$tool" >/dev/null || {
  echo "check-moved-clock: installing $tool" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >&2
}
[ -x .venv/bin/pytest ] || { echo "check-moved-clock: run 'make test' first (no .venv)" >&2; exit 2; }

moved() {  # moved DATE COMMAND...: run COMMAND with the machine's clock at DATE (and running on)
  local at="$1"; shift
  if [ "$tool" = faketime ]; then faketime -f "@$at" "$@"; else datefudge "$at" "$@"; fi
}

[ $# -gt 0 ] || set -- "2027-03-15 10:00:00" "2030-01-01 00:00:00"
failed=()
for at in "$@"; do
  home=$(mktemp -d /var/tmp/gridgov-clock-XXXXXX)
  chmod 755 "$home"
  echo "== the suite at $at (cluster in $home)"
  export GRIDGOV_HOME="$home"
  moved "$at" .venv/bin/gridgov db start
  rc=0
  moved "$at" .venv/bin/python -m pytest -q -p no:cacheprovider || rc=$?
  moved "$at" .venv/bin/gridgov db stop || true
  rm -rf "$home"
  [ "$rc" -eq 0 ] || failed+=("$at")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "check-moved-clock: the suite failed at: ${failed[*]}" >&2
  exit 1
fi
echo "check-moved-clock: the suite passed at every date: $*"
