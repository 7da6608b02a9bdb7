#!/usr/bin/env bash
# Load test: the app under gunicorn on 127.0.0.1 with DEBUG off, a mixed workload of the roles
# from locustfile.py for a bounded time, the figures written to bench/LOAD.md.
#
#   DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district bash bench/load/run.sh
#
# The database must hold the demo logins (seed_demo or seed_district). Settings from the
# environment: LOAD_USERS (20), LOAD_SPAWN_RATE (5/s), LOAD_TIME (2m), LOAD_WORKERS (3 gunicorn
# workers), LOAD_PORT (8765). Raw output goes to bench/out/load/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${DATABASE_URL:?point DATABASE_URL at a PostgreSQL database built with seed_district}"
USERS=${LOAD_USERS:-20}
SPAWN_RATE=${LOAD_SPAWN_RATE:-5}
RUN_TIME=${LOAD_TIME:-2m}
WORKERS=${LOAD_WORKERS:-3}
PORT=${LOAD_PORT:-8765}
OUT=bench/out/load
PY=.venv/bin/python
mkdir -p "$OUT"
# locust and gunicorn come with the project's "load" extra, not with the development install.
[ -x .venv/bin/locust ] && [ -x .venv/bin/gunicorn ] || .venv/bin/python -m pip install --quiet -e ".[dev,load]"
rm -f "$OUT"/stats*.csv "$OUT"/gunicorn.log

# Not DJANGO_PRODUCTION: that switch also forces HTTPS redirects and secure-only cookies, which
# a plain-HTTP run on 127.0.0.1 cannot use. DEBUG off is what matters for the figures.
export DJANGO_DEBUG=false DJANGO_LOG_LEVEL=WARNING
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost

echo "==> gunicorn, $WORKERS workers on 127.0.0.1:$PORT"
.venv/bin/gunicorn credit_registry.wsgi:application \
    --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 60 \
    --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login/"; then break; fi
    if ! kill -0 "$GUNICORN" 2>/dev/null; then
        cat "$OUT/gunicorn.log" >&2
        exit 1
    fi
    sleep 1
done

echo "==> locust: $USERS users for $RUN_TIME"
started=$(date '+%Y-%m-%d %H:%M %Z')
status=0
.venv/bin/locust -f bench/load/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
    --csv "$OUT/stats" --only-summary --loglevel WARNING || status=$?

kill "$GUNICORN" 2>/dev/null || true
wait "$GUNICORN" 2>/dev/null || true
trap - EXIT

"$PY" bench/load/report.py --out bench/LOAD.md --csv "$OUT/stats" --started "$started" \
    --users "$USERS" --run-time "$RUN_TIME" --workers "$WORKERS" --gunicorn-log "$OUT/gunicorn.log"
exit "$status"
