# wagraph — two commands set everything up: `make run` and `make test`.
# The first Python 3.11+ that actually runs (pyenv shims may exist for versions not selected).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint format migrate migrations-check schema bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "wagraph needs Python 3.11+ on PATH" >&2; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install wagraph with its dev tools

run: install  ## migrate and start the server with the built-in sandbox (SQLite, no Redis)
	$(BIN)/wagraph serve

test: lint  ## the quality gates, then the whole suite (DATABASE_URL/REDIS_URL pick the backends)
	$(BIN)/pytest -q

lint: install  ## the quality gates: ruff, ruff format, mypy and the import contract (.importlinter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install  ## apply migrations for DATABASE_URL
	$(BIN)/wagraph migrate

migrations-check: install  ## fail when models changed without a migration
	$(BIN)/wagraph migrations check

schema: install  ## write the GraphQL SDL to schema.graphql
	$(BIN)/wagraph schema > schema.graphql

bench: install  ## run every benchmark and write bench/RESULTS.md (DATABASE_URL/REDIS_URL pick the backends)
	$(BIN)/python bench/all.py $(if $(DATABASE_URL),--database-url $(DATABASE_URL)) $(if $(REDIS_URL),--redis-url $(REDIS_URL))

clean:  ## remove the venv and local data
	rm -rf $(VENV) data .pytest_cache .ruff_cache
