# The project's verbs. `make run` and `make test` need only Python 3.11 on the machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-all bench load faults lint typecheck format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

## run: install, migrate (which loads the built-in lens), create the demo login, then serve on
## $(HOST):$(PORT) with a report worker beside it (filesystem broker, no Redis); Ctrl-C stops both
run: $(STAMP)
	MLWA_VENV=$(VENV) bin/run-embedded $(HOST):$(PORT)

# Test processes: pytest-xdist's "auto" is one per core.
PYTEST_WORKERS ?= auto
# Which tests: `make test` leaves out those marked slow (a browser, real servers); empty runs all.
PYTEST_MARK ?= not slow

## test: the suite in parallel, without the `slow` tests; DATABASE_URL selects PostgreSQL, SQLite
## otherwise
test: $(STAMP)
	@if [ -n '$(PYTEST_MARK)' ]; then echo "make test: running '$(PYTEST_MARK)' (make test-all runs the slow tests too)"; fi
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m '$(PYTEST_MARK)' $(PYTEST_ARGS)

## test-all: the whole suite, the slow tests included (what .ci/run runs)
test-all:
	$(MAKE) test PYTEST_MARK=

## bench: the benchmarks, printed as a table, on a scratch database of their own (never DATABASE_URL's:
## a new one beside it, dropped after); exits non-zero when a goal is missed or a measure cannot run
bench: $(STAMP)
	$(BIN)/python bench/run.py

## load: the load test alone (bench.load: 20 clients for 30 s on a private PostgreSQL, Redis and
## gunicorn); LOAD_ARGS="--clients 10 --seconds 8" for another size
load: $(STAMP)
	$(BIN)/python -m bench.load $(LOAD_ARGS)

## faults: PostgreSQL restarted during a load run, Redis restarted with reports queued (private servers)
faults: $(STAMP)
	$(BIN)/python -m bench.load.faults

## lint: ruff (its complexity rule included), ruff format --check, and the type check
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

## typecheck: mypy with the Django and DRF stubs, as configured in pyproject.toml
typecheck: $(STAMP)
	$(BIN)/python -m mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache
