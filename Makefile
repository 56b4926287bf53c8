# `make run` starts the app; `make test` runs lint and every test. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint chromium postgresql bench constraints

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/python -m streamlit run app.py

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# Debian's PostgreSQL server: the suite starts its own in a temporary folder and runs the storage tests on it too.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }

lint: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# The browser tests first, alone (the app, Chromium and its workers take both cores), then the rest on two.
test: lint chromium postgresql
	$(BIN)/python -m pytest -m e2e --durations=5
	$(BIN)/python -m pytest -m "not e2e" -n 2 --durations=15

bench: $(VENV)/.runtime
	$(BIN)/python -m benchmarks.train_vs_sklearn
	$(BIN)/python -m benchmarks.ingest_vs_pandas
	$(BIN)/python -m benchmarks.run_queue
	$(BIN)/python -m benchmarks.dask_cluster

# Record the versions the suite passed with (run after changing requirements).
constraints: $(VENV)/.dev
	$(BIN)/pip freeze --exclude-editable | grep -v '^pip==' > constraints.txt
