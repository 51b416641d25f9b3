#!/usr/bin/env bash
# Install the system packages gridgov needs, only those missing:
# PostgreSQL + PostGIS (the local cluster), Chromium + ChromeDriver (browser
# tests), and Python's venv module. Debian 12 / Ubuntu, as root or with sudo.
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(postgis)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "gridgov: not root and no sudo: install these packages as root: ${want[*]}" >&2; exit 3
  fi
fi

# apt's progress goes to stderr: this script's stdout carries values
# (pg_version's answer), never apt's output.
updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    updated=1
  fi
}

missing() { ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# The PostgreSQL major version: the one installed, else the distribution's default.
# Sets PG_VERSION rather than printing it: run in $(...), apt_update's
# "updated" flag would be lost in the subshell.
pg_version() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
  if [ -z "$v" ]; then
    apt_update
    v=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n 1)
  fi
  PG_VERSION="${v:-15}"
}

packages=()
for w in "${want[@]}"; do
  case "$w" in
    postgis)
      pg_version
      for p in "postgresql-$PG_VERSION" "postgresql-$PG_VERSION-postgis-3"; do missing "$p" && packages+=("$p"); done ;;
    chromium)
      # the font draws the Chinese interface in screenshots; Playwright's
      # driver (node) needs libatomic.so.1, which a bare system lacks; the
      # tests also run the README's curl examples of the case API
      for p in chromium chromium-driver fonts-wqy-microhei libatomic1 curl; do missing "$p" && packages+=("$p"); done ;;
    venv)
      python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=("python3-venv") ;;
    *) echo "gridgov: unknown package group $w" >&2; exit 2 ;;
  esac
done

if [ ${#packages[@]} -gt 0 ]; then
  echo "gridgov: installing ${packages[*]}"
  apt_update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
fi
