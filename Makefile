# JointOps: the front door. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := frontend/node_modules/.installed-stamp
# The web application's build; remade when its sources or the API's schema change.
BUNDLE := frontend/static/frontend/app/.vite/manifest.json
BUNDLE_SOURCES := $(shell find frontend/src -path frontend/src/gql -prune -o -type f -print) \
  frontend/package-lock.json frontend/vite.config.ts frontend/codegen.ts frontend/tsconfig.json \
  schema.graphql
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install frontend run test lint format schema fuzz bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP) ## create .venv and node_modules: the project with its dev tools

$(BUNDLE): $(NODE_STAMP) $(BUNDLE_SOURCES)
	cd frontend && npm run build

frontend: $(BUNDLE) ## build the web application (types from schema.graphql, then Vite)

# Development settings for `make run` and for manage.py commands typed by hand; kept once
# written (the environment wins over it; see .env.example).
.env:
	@printf '# Written by make run for development; see .env.example.\nDEBUG=1\nSECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env (DEBUG=1 and a random SECRET_KEY) for development."

run: export DEBUG ?= 1
run: $(STAMP) .env $(BUNDLE) ## build the web application, migrate, load demo data, serve on http://127.0.0.1:8000 (GraphiQL at /graphql/)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "API token for wco.coordinator: $$($(BIN)/python manage.py create_api_token wco.coordinator --name 'make run' --replace)"
	@echo "Serving http://$(HOST):$(PORT)/  (GraphiQL: http://$(HOST):$(PORT)/graphql/)"
	$(BIN)/daphne -v 0 -b $(HOST) -p $(PORT) config.asgi:application  # -v 0: no access log (feed URLs hold tokens)

test: export SECRET_KEY ?= insecure-key-for-tests-only
test: export ENV_FILE =
test: $(STAMP) $(BUNDLE) ## run the whole test suite: the web application's, then Python's
	cd frontend && npx vitest run
	$(BIN)/pytest

lint: $(STAMP) ## ruff: format check and lint
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP) ## ruff: format and fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: export SECRET_KEY ?= insecure-key-for-tests-only
schema: $(STAMP) ## regenerate schema.graphql from the code
	$(BIN)/python manage.py graphql_schema --schema graphql_api.schema.schema --out schema.graphql

clean: ## remove the virtualenv and local database
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache

fuzz: $(STAMP) ## fuzz the GraphQL schema against a live server (docs/fuzzing.md)
	$(BIN)/python bench/fuzz.py

bench: $(STAMP) $(BUNDLE) ## benchmarks (not part of make test); figures go in docs/performance.md
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/analysis.py --sizes 1000,10000
	$(BIN)/python bench/connections.py
	$(BIN)/python bench/ingestion.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/frontend.py
	$(BIN)/python bench/soak.py
