# The two commands: `make demo` and `make test`. Both install what is missing
# (system packages, a virtual environment, the project) and start the local PostGIS.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gridgov-installed

.PHONY: demo test setup setup-test system system-test lint typecheck imports deps db-start db-stop serve api bench clean

# The demo community is made as of today (geodata/make_demo.py) into .gridgov/demo and
# loaded from there, so it looks current on any day; geodata/demo is the tests' copy (2026-10-31).
# The OGC API (de-identified layers for QGIS) runs in the background while the
# dashboard runs, and stops with it; its log goes to .gridgov/api.log.
demo: setup db-start
	demo="$${GRIDGOV_HOME:-.gridgov}/demo"; $(BIN)/python geodata/make_demo.py --out "$$demo" && \
	$(BIN)/gridgov load "$$demo"
	$(BIN)/gridgov user demo-accounts
	@home="$${GRIDGOV_HOME:-.gridgov}"; $(BIN)/gridgov api > "$$home/api.log" 2>&1 & api=$$!; \
	trap 'kill $$api 2>/dev/null' EXIT; \
	echo "OGC API – Features for QGIS: http://$${GRIDGOV_HOST:-127.0.0.1}:$${GRIDGOV_API_PORT:-8081}/ (log: $$home/api.log)"; \
	$(BIN)/gridgov serve

# Under CI the local cluster is stopped afterwards, so no server outlives the run.
test: setup-test db-start lint typecheck imports deps
	$(BIN)/python -m pytest; rc=$$?; if [ -n "$${CI:-}" ]; then $(BIN)/gridgov db stop; fi; exit $$rc

system:
	scripts/install-system-packages.sh postgis venv

system-test:
	scripts/install-system-packages.sh postgis venv chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

setup: system $(STAMP)

setup-test: system-test $(STAMP)

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

deps:
	$(BIN)/deptry .

db-start:
	$(BIN)/gridgov db start
	$(BIN)/gridgov db upgrade

db-stop:
	$(BIN)/gridgov db stop

serve:
	$(BIN)/gridgov serve

api:
	$(BIN)/gridgov api

# The ETL benchmark at city scale (minutes): writes bench/RESULTS.md.
bench: setup db-start
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/etl_bench.py

clean: db-stop
	rm -rf $(VENV) .gridgov
