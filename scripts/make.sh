#!/bin/sh
# For machines without `make`: the same steps as the Makefile's setup, demo and test targets.
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
target="${1:-setup}"
if [ ! -x "$PY" ]; then
  python3 -m venv .venv || { echo "Could not create a virtual environment: on Debian run 'apt-get install python3-venv'"; exit 1; }
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet -e '.[dev]'
npm ci --no-audit --no-fund --loglevel=error
mkdir -p src/minqing/static/vendor
cp node_modules/htmx.org/dist/htmx.min.js src/minqing/static/vendor/htmx.min.js
mkdir -p src/minqing/static/vendor/leaflet
cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images src/minqing/static/vendor/leaflet/
"$PY" manage.py compile_translations
"$PY" manage.py collectstatic --noinput --verbosity 0
case "$target" in
  setup) ;;
  demo) "$PY" manage.py demo_reset && exec scripts/serve.sh "$PY" "${PORT:-8000}" ;;
  test) "$PY" manage.py makemigrations --check --dry-run && exec "$PY" -m pytest ;;
  *) echo "usage: scripts/make.sh [setup|demo|test]"; exit 2 ;;
esac
