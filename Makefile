# Two entry points: `make run` (the server on SQLite under ./data) and `make test` (everything
# the tests need, installed, then lint, types (Python and web/src) and the whole suite).
# `.ci/run` calls `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages the tests start for real: PostgreSQL and Redis servers (and OpenSSL, which
# makes the certificates of the TLS-only Redis).
SYSTEM_PACKAGES := postgresql redis-server openssl
# The browser tests drive Debian's Chromium (never a downloaded browser), with fonts to render.
SYSTEM_PACKAGES += chromium fonts-dejavu-core
# WeasyPrint renders the PDF reports with Pango and HarfBuzz.
SYSTEM_PACKAGES += libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test install install-test system-deps lint check pytest bench clean

$(BIN)/atelier: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/atelier

tests/js/node_modules/.package-lock.json: tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent

# Installs what is missing, as root or through sudo; elsewhere it says so and the tests that
# need those servers skip loudly (in CI, where CI=1, they fail instead).
system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "Cannot install:$$missing (not root, no sudo)"; exit 0; fi; \
	  echo "Installing:$$missing"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

install-test: install system-deps tests/js/node_modules/.package-lock.json

# The web client's build tools (esbuild) and axe-core for the browser tests; `make web`
# rebuilds web/static/app from web/src (the built files are committed).
web/node_modules/.package-lock.json: web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --silent

install-test: web/node_modules/.package-lock.json

.PHONY: web
web: web/node_modules/.package-lock.json
	npm run build --prefix web --silent

run: install
	$(BIN)/atelier serve --host $(HOST) --port $(PORT)

lint: install web/node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run lint --prefix web --silent

pytest: install-test
	$(BIN)/pytest -q

test: install-test lint pytest

bench: install
	npm ci --prefix bench --no-audit --no-fund --silent
	$(BIN)/python bench/run_sync.py

clean:
	rm -rf $(VENV) tests/js/node_modules bench/node_modules .pytest_cache .mypy_cache .ruff_cache
	rm -rf web/node_modules
