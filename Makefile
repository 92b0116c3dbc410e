# Folio: `make run` to try it, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Folio refuses to start without a public address (FOLIO_SITE_URL) outside
# development; on this machine, unless the environment or .env sets one, it is
# the local address `make run` serves on.
LOCAL_SITE := $(if $(FOLIO_SITE_URL)$(shell grep -s '^FOLIO_SITE_URL=' .env),,FOLIO_SITE_URL=http://$(HOST):$(PORT))

.PHONY: run install install-dev chromium wrk nginx test test-fast test-postgres test-browser lint format upgrade serve bench bench-media fault-smoke security-smoke screenshots lighthouse clean

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else echo "Install python3-venv first (sudo apt-get install python3-venv)"; exit 1; fi; }
	@$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Install, migrate, seed demo content and serve on http://127.0.0.1:5000
run: install
	$(LOCAL_SITE) $(FLASK) db upgrade
	$(LOCAL_SITE) $(FLASK) seed-demo
	@echo "Folio is running at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(LOCAL_SITE) $(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - 'app:create_app()'

## Apply migrations after pulling a new version
upgrade: install
	$(LOCAL_SITE) $(FLASK) db upgrade

## Debian's Chromium for the browser tests (Playwright's own download elsewhere)
chromium: install-dev
	@if [ -n "$$FOLIO_CHROMIUM" ] || [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else $(PY) -m playwright install chromium; fi

## Debian's wrk, the benchmark's load tool (its comment-POST replay is tested)
wrk:
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's wrk for the benchmark's tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk is not installed: its tests are skipped (sudo apt-get install wrk)"; fi

## Debian's nginx, the deployed front (bench/slow_clients.py runs a slowloris through it)
nginx:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's nginx for the deployment's tests (its service is not started)"; \
	  made=; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  status=$$?; [ -z "$$made" ] || rm -f /usr/sbin/policy-rc.d; exit $$status; \
	else echo "nginx is not installed: its tests are skipped (sudo apt-get install nginx)"; fi

## Every test: route tests, migrations, and the browser tests in Chromium
test: install-dev chromium wrk nginx
	$(PY) -m pytest

## The suite without the browser tests
test-fast: install-dev
	$(PY) -m pytest -m "not browser"

## The non-browser suite against PostgreSQL (PG_TEST_URL, a fresh schema per run)
test-postgres: install-dev
	FOLIO_TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -m "not browser"

test-browser: install-dev chromium
	$(PY) -m pytest -m browser

## Benchmark (bench/README.md): BENCH_ARGS="--runs 3" for a recorded run
bench: install-dev
	$(PY) -m bench.run $(BENCH_ARGS)

## Image benchmark (bench/README.md, "Images"): upload to ready, the media library at 10,000 images, article pages with images
bench-media: install-dev
	$(PY) -m bench.media $(BENCH_MEDIA_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) tools/codeshape.py

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build bench/lighthouse/node_modules

## Full-page PNGs of every public and staff page, light, dark and 390 px, in build/screenshots/ (about 1.5 min)
screenshots: install-dev chromium
	$(PY) -m bench.screenshots $(SCREENSHOTS_ARGS)

LIGHTHOUSE_MODULES := bench/lighthouse/node_modules/.package-lock.json
$(LIGHTHOUSE_MODULES): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	@command -v npm >/dev/null || { echo "make lighthouse needs Node.js 18.16+ and npm (sudo apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix bench/lighthouse --no-audit --no-fund

## Lighthouse scores of home, an article, contact, search and the staff dashboard; JSON in build/lighthouse/ (about 2 min)
lighthouse: install-dev chromium $(LIGHTHOUSE_MODULES)
	$(PY) -m bench.lighthouse $(LIGHTHOUSE_ARGS)

## Replay the attacker's findings 1-6 of issue 14 against a running Folio (about 1 min)
security-smoke: install-dev
	$(PY) -m bench.security_smoke

.PHONY: faults
## The fault harness, short (CI runs it): 15 s on SQLite, 15 s on a private PostgreSQL, ~45-65 s
fault-smoke: install
	$(PY) -m bench.faults --database both --seconds 15

## The full fault harness (bench/README.md): 60 s per database, about 2.5 min
faults: install
	$(PY) -m bench.faults --database both --seconds 60
