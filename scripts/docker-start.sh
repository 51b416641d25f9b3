#!/bin/sh
# The app container's start: schema, demo data, one account per role, then the dashboard.
# The demo community is made as of the day the container starts (geodata/make_demo.py, Asia/Shanghai)
# into the volume, $GRIDGOV_HOME/demo, and loaded from there: it looks current on any day.
# The session key is GRIDGOV_SECRET_KEY when given; otherwise one is made at first start
# and kept in the container's volume (/var/lib/gridgov), so sign-ins survive restarts.
set -eu
umask 077
key=/var/lib/gridgov/secret_key
if [ -z "${GRIDGOV_SECRET_KEY:-}" ]; then
    [ -s "$key" ] || python -c 'import secrets; print(secrets.token_urlsafe(48))' > "$key"
    GRIDGOV_SECRET_KEY=$(cat "$key")
    export GRIDGOV_SECRET_KEY
fi
gridgov db upgrade
demo="${GRIDGOV_HOME:-/var/lib/gridgov}/demo"
python geodata/make_demo.py --out "$demo"
gridgov load "$demo"
gridgov user demo-accounts   # the passwords appear in `docker compose logs app`
exec gridgov serve --host 0.0.0.0
