# Cairn: two commands a newcomer needs, and a few helpers.
#   make demo   set up and serve the demo province on SQLite at http://127.0.0.1:8000
#   make test   set up and run every check and test against PostgreSQL

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/cairn

.PHONY: demo test setup uv chromium postgres lint check pytest bench format

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv
	@$(UV) sync --frozen --quiet

demo: setup
	@$(UV) run --frozen bash scripts/demo.sh

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

postgres:
	@bash scripts/ensure_postgres.sh

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

check: setup postgres
	DATABASE_URL=$(DATABASE_URL_TEST) $(UV) run --frozen cairn makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=check-deploy-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-long-enough-key \
		ALLOWED_HOSTS=cairn.example.org DATABASE_URL=$(DATABASE_URL_TEST) \
		$(UV) run --frozen cairn check --deploy --fail-level WARNING

pytest: setup chromium postgres
	DATABASE_URL=$(DATABASE_URL_TEST) $(UV) run --frozen pytest -n 2 --dist loadgroup

test: lint check pytest

bench: setup postgres
	DATABASE_URL=$(DATABASE_URL_TEST) $(UV) run --frozen python bench/run.py

format: setup
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .
