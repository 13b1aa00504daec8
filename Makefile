# Two entry points: `make run` (the server on SQLite under ./data) and `make test` (everything
# the tests need, installed, then lint, types and the whole suite). `.ci/run` calls `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint check pytest bench clean

$(BIN)/atelier: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/atelier

tests/js/node_modules/.package-lock.json: tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent

install-test: install tests/js/node_modules/.package-lock.json

run: install
	$(BIN)/atelier serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: install-test
	$(BIN)/pytest -q

test: install-test lint pytest

bench: install
	npm ci --prefix bench --no-audit --no-fund --silent
	$(BIN)/python bench/run_sync.py

clean:
	rm -rf $(VENV) tests/js/node_modules bench/node_modules .pytest_cache .mypy_cache .ruff_cache
