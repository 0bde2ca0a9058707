# medinfo: `make run` serves the demo site as production does, `make dev` for development,
# `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# Django 6 needs Python >= 3.12: pyenv reads .python-version (3.12), else try known names.
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: help run dev test lint format check venv clean-db bench-search

# Benchmarks run on their own database (embedded: medinfo_bench; or BENCH_DATABASE_URL),
# never on the one `make run` uses; the generated content is kept for the next run.
BENCH_ENV = DATABASE_URL=$${BENCH_DATABASE_URL:-} MEDINFO_DB_NAME=medinfo_bench \
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=benchmark-only-not-a-secret

help:
	@echo "make run    - set up everything and serve the demo at http://127.0.0.1:$(PORT)/ as production"
	@echo "              does: gunicorn, whitenoise, DEBUG off, the site's own error pages"
	@echo "make dev    - the same demo under runserver with DEBUG on and autoreload, for development"
	@echo "make test   - run the whole test suite (PostgreSQL and Chromium included)"
	@echo "make lint   - ruff check and format check, import-linter's contracts; make format - reformat"
	@echo "make check  - Django system checks and the migrations check"
	@echo "make bench-search - search latency at 100,000 articles against a naive ILIKE"
	@echo "make bench-import - import_content of 10,000 drugs and 100,000 articles: time, peak memory"
	@echo "make bench-markup - render times of a typical article and of hostile Markdown"
	@echo "make bench  - req/s, p50, p99 of every reader page type, cached and uncached, on the demo"
	@echo "              and on 100,000 articles, beside a constant response and, on the demo, a"
	@echo "              Wagtail 8.0.1 page with the same article (own venv); make bench-demo: demo only"
	@echo "make load   - gunicorn under 64 connections for 60 s, then PostgreSQL and Redis outages"
	@echo "make fault-injection - the embedded database under many rounds of kills at start"

$(VENV)/.installed-%: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: medinfo needs Python 3.12 or newer (Django 6). Install it, e.g. 'pyenv install 3.12'," >&2; \
		echo "       or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(if $(filter dev,$*),requirements-dev.txt,requirements.txt)
	@touch $@

venv: $(VENV)/.installed-prod

# A development checkout: manage.py commands run with DJANGO_DEBUG=1 (see medinfo/settings.py).
# `make run` never reads it (medinfo/serve.py runs everything with DJANGO_ENV=production).
.env:
	@printf '# Local development settings (not committed). Production sets real variables.\nDJANGO_DEBUG=1\n' > .env
	@echo "wrote .env (DJANGO_DEBUG=1) for this development checkout"

# Production settings on 127.0.0.1 (medinfo/serve.py): migrate, seed_demo, collectstatic, then
# gunicorn (medinfo/gunicorn_conf.py) with a secret key generated once into .data/secret_key.
run: $(VENV)/.installed-prod
	$(PY) -m medinfo.serve --port $(PORT)

# Development: DEBUG on, Django's debug pages, runserver reloading on every code change.
dev: $(VENV)/.installed-prod .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "  The demo is at http://127.0.0.1:$(PORT)/  (development: DEBUG on; Ctrl-C stops it)"
	@$(PY) -m medinfo.serve --admin-help --port $(PORT)
	@echo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# axe-core, which the accessibility test injects into Chromium (package.json, locked).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is missing (apt-get install -y npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(VENV)/.installed-dev node_modules/.installed
	$(PY) -m playwright --version >/dev/null
	# The manifest storage of production settings, which some tests start in subprocesses.
	DJANGO_ENV=production DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
		$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.installed-dev
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean-db:
	rm -rf .data

bench-search: $(VENV)/.installed-dev
	$(BENCH_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	$(BENCH_ENV) $(PY) manage.py generate_content --drugs 10000 --articles 100000 --seed 1 --if-missing
	$(BENCH_ENV) $(PY) manage.py bench_search
	$(BENCH_ENV) $(PY) manage.py search_relevance

# The import benchmark: a 10,000-drug / 100,000-article interchange file, generated once into
# medinfo_bench_source and kept under .data/bench/, imported into an emptied medinfo_bench_import.
.PHONY: bench-import
BENCH_IMPORT_FILE := .data/bench/interchange-10k-drugs-100k-articles.json
BENCH_IMPORT_ENV = DATABASE_URL= DJANGO_DEBUG=0 DJANGO_SECRET_KEY=benchmark-only-not-a-secret

$(BENCH_IMPORT_FILE):
	mkdir -p $(dir $@)
	MEDINFO_DB_NAME=medinfo_bench_source $(BENCH_IMPORT_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	MEDINFO_DB_NAME=medinfo_bench_source $(BENCH_IMPORT_ENV) $(PY) manage.py generate_content --drugs 10000 --articles 100000 --seed 1 --if-missing
	MEDINFO_DB_NAME=medinfo_bench_source $(BENCH_IMPORT_ENV) $(PY) manage.py export_content -o $@.tmp
	mv $@.tmp $@

bench-import: $(VENV)/.installed-dev $(BENCH_IMPORT_FILE)
	MEDINFO_DB_NAME=medinfo_bench_import $(BENCH_IMPORT_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	MEDINFO_DB_NAME=medinfo_bench_import $(BENCH_IMPORT_ENV) $(PY) manage.py flush --noinput
	MEDINFO_DB_NAME=medinfo_bench_import $(BENCH_IMPORT_ENV) $(PY) manage.py bench_import $(BENCH_IMPORT_FILE)

# Serving (medinfo/bench.py): every reader page type under wrk at 32 connections, on two
# production servers (2 sync workers; page cache on and off) beside a constant Django page,
# on the demo (medinfo_bench_demo) and on 100,000 articles (medinfo_bench, built once, kept).
# On the demo, Wagtail's default page holding the same article is measured in the same rounds
# (medinfo/bench_wagtail.py): Wagtail is installed once into .data/bench/wagtail-venv from
# benchmarks/wagtail/requirements.txt, never into .venv; offline, the bench says it is missing.
# BENCH_ARGS passes options through, e.g. BENCH_ARGS=--no-wagtail.
.PHONY: bench bench-demo
bench: $(VENV)/.installed-prod
	$(PY) -m medinfo.bench $(BENCH_ARGS)

bench-demo: $(VENV)/.installed-prod
	$(PY) -m medinfo.bench --datasets demo $(BENCH_ARGS)

# Load and faults (medinfo/loadtest.py): gunicorn with production settings under wrk at 64
# connections for 60 s, then PostgreSQL stopped and Redis killed under load; every server is
# private, on 127.0.0.1, in a temporary folder. Needs wrk and redis-server (apt-get install).
.PHONY: load bench-markup
load: $(VENV)/.installed-prod
	$(PY) -m medinfo.loadtest

bench-markup: $(VENV)/.installed-dev
	$(BENCH_ENV) $(PY) manage.py bench_markup

# The embedded database under kills (tests/test_embedded_db_faults.py): 60 rounds of commands
# started together and SIGKILLed at random moments, pid files damaged, the server killed.
.PHONY: fault-injection
fault-injection: $(VENV)/.installed-dev
	MEDINFO_FAULT_ROUNDS=60 $(PY) -m pytest tests/test_embedded_db_faults.py -p no:cacheprovider -q -s
