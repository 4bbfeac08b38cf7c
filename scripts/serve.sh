#!/bin/sh
# The web server and, beside it, the background worker (deadline scan, 督办, message delivery).
# Usage: scripts/serve.sh PYTHON PORT
set -eu
PY="$1"; PORT="$2"
MINQING_DEBUG=0 "$PY" manage.py run_worker --verbosity 0 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
MINQING_DEBUG=0 "$PY" manage.py runserver "127.0.0.1:$PORT"
