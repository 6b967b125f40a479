# credo: the two set-up commands are `make demo` and `make test`; everything
# else here is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The PostgreSQL run of the test suite uses this database (pytest-django creates
# and drops test_<name> beside it). CI insists on it; elsewhere it is used if reachable.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test venv lint typecheck test-sqlite test-postgres chromium interop bench lock clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

venv: $(BIN)/.installed

## make demo: set up, migrate, load the demo data, serve on http://127.0.0.1:8000 with a task worker,
## then print the logins once the server answers. Email goes to var/outbox/, readable at /dev/outbox/.
DEMO_ADDRESS := 127.0.0.1:8000
demo: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py load_demo --no-logins
	@trap 'kill 0' EXIT INT TERM; \
	export CREDO_DEV_OUTBOX=true; \
	$(PY) manage.py task_worker & \
	$(PY) manage.py runserver $(DEMO_ADDRESS) --noreload & \
	$(PY) manage.py demo_logins --wait-for http://$(DEMO_ADDRESS)/healthz; \
	wait

## make test: lint, type checks, import rules, then the suite on SQLite and on PostgreSQL.
test: venv chromium interop lint typecheck test-sqlite test-postgres

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy
	$(BIN)/lint-imports

# --dist worksteal: an idle worker takes tests queued for a busy one, so the slow browser
# tests at the end of the run do not leave one core waiting for the other.
test-sqlite: venv
	env -u DATABASE_URL $(BIN)/pytest -n auto --dist worksteal

# On a machine without PostgreSQL this run is left out with a notice; in CI it is required.
test-postgres: venv
	@if $(PY) -m credo.core.dbcheck "$(TEST_POSTGRES_URL)"; then \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -n auto --dist worksteal; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): CI needs it." >&2; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): the PostgreSQL run is left out (set TEST_POSTGRES_URL)."; \
	fi

# The browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The interoperability gate verifies credo's credentials with the Digital Credentials
# Consortium's JavaScript libraries (pinned in interop/package-lock.json), offline.
INTEROP_INSTALLED := interop/node_modules/.installed
$(INTEROP_INSTALLED): interop/package.json interop/package-lock.json
	@if ! command -v npm >/dev/null; then \
		echo "Installing Debian's nodejs and npm for the interoperability tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	cd interop && npm ci --no-audit --no-fund --loglevel=error
	touch $@

interop: $(INTEROP_INSTALLED)

## make bench: speed figures (not part of the tests).
bench: venv
	$(PY) -m bench

## make lock: re-pin every dependency after changing pyproject.toml.
lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/test-* .pytest_cache .mypy_cache .ruff_cache
