# Parvis — the single entry point. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_SETTINGS := config.settings.dev
TEST_SETTINGS := config.settings.test
PYTEST_ARGS ?= -n 2 --dist loadscope

.DEFAULT_GOAL := help
.PHONY: help venv install-dev demo demo-data system-deps bench-deps node-deps test lint format check messages clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed ## Create the virtual environment and install the runtime requirements

install-dev: $(VENV)/.installed-dev ## Install the test tools too

demo-data: venv ## Migrate the embedded SQLite database and load the demo content (idempotent)
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py seed_demo

demo: demo-data ## Install, migrate, load the demo and serve it on http://127.0.0.1:8000 (with the background worker)
	@DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py demo_accounts
	@echo "Background worker started beside the server: the emails it sends are printed here."
	@export DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS); \
	  $(PY) manage.py run_worker & worker=$$!; \
	  trap 'for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $$worker 2>/dev/null || break; sleep 0.3; done; \
	        kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:8000

lint: install-dev ## Ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install-dev ## Django system checks, migrations in step, deploy checks with production settings
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=check-deploy-$$RANDOM-$$RANDOM-a-long-random-value-for-the-deploy-check-only \
	  ALLOWED_HOSTS=parvis.example.org REDIS_URL=redis://127.0.0.1:6379/0 \
	  DJANGO_SETTINGS_MODULE=config.settings.production \
	  $(PY) manage.py check --deploy --fail-level WARNING

messages: install-dev ## Refresh and compile the French catalogue
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py compilemessages --ignore=.venv

system-deps: ## Install from Debian what the tests need if missing: Chromium (browser tests), Varnish with xkey (cache tests), gettext, npm (needs root)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/varnishd ] || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 \
	    || ! command -v msgfmt >/dev/null || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core gettext varnish varnish-modules >/dev/null && \
	    { systemctl disable --now varnish varnishncsa >/dev/null 2>&1 || true; } && \
	    { command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }; \
	  else echo "Install chromium, varnish, varnish-modules, gettext and npm (apt-get install chromium varnish varnish-modules gettext nodejs npm)"; exit 1; fi; \
	fi

bench-deps: ## Install from Debian what the benchmark needs if missing: Varnish with xkey, nginx, wrk (needs root)
	@if [ ! -x /usr/sbin/varnishd ] || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 \
	    || [ ! -x /usr/sbin/nginx ] || ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules nginx wrk >/dev/null && \
	    { systemctl disable --now varnish varnishncsa nginx >/dev/null 2>&1 || true; }; \
	  else echo "Install varnish, varnish-modules, nginx and wrk (apt-get install varnish varnish-modules nginx wrk)"; exit 1; fi; \
	fi

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the calendar cross-check (Mozilla's ical.js): install Node.js"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: node_modules/.installed ## Install ical.js (the independent calendar parser the tests compare with)

test: system-deps lint check node-deps ## Run the whole suite against PostgreSQL (includes lint, checks and browser tests)
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: bench bench-quick
bench: install-dev bench-deps ## Benchmarks on the production stack (gunicorn, worker, Varnish; nginx and bare-WSGI ceilings) at seed_demo --scale 50, then the newsletter and sortition ones; writes docs/benchmarks.md
	$(PY) bench/stack.py $(BENCH_ARGS)

bench-quick: install-dev bench-deps ## The same, short: 3-second runs on the data parvis_bench holds (scale 2 if empty), report in /tmp/parvis-bench/benchmarks-quick.md
	$(PY) bench/stack.py --quick $(BENCH_ARGS)

clean: ## Remove the virtual environment, the demo database and collected files
	rm -rf $(VENV) db.sqlite3 staticfiles media .test-media node_modules
