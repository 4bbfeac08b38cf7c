# The two commands: `make demo` and `make test`. Both run `make setup` first, which is idempotent.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast lint bench serve

setup: $(VENV)/.installed src/minqing/static/vendor/.installed translations

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian run 'apt-get install python3-venv'"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

src/minqing/static/vendor/.installed: node_modules/.installed
	mkdir -p src/minqing/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js src/minqing/static/vendor/htmx.min.js
	mkdir -p src/minqing/static/vendor/leaflet
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images src/minqing/static/vendor/leaflet/
	@touch $@

translations: $(VENV)/.installed src/minqing/static/vendor/.installed
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --noinput --verbosity 0

demo: setup
	$(PY) manage.py demo_reset
	scripts/serve.sh $(PY) $(PORT)

# The web server and, beside it, the background worker (deadline scan, 督办, message delivery).
serve: setup
	scripts/serve.sh $(PY) $(PORT)

test: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench

bench: setup
	$(PY) bench/registry.py $(BENCH_ARGS)
