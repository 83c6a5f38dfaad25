# zoneops: `make demo` serves the demo, `make test` runs every check (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# The database suites run on every core (pytest-xdist; a module's tests stay on one worker).
PARALLEL ?= -n auto --dist loadfile
# make demo PORT=8010 when 8000 is taken
PORT ?= 8000

.PHONY: demo test lint openapi test-clients migrations-check test-sqlite test-moved-clock test-postgres test-replica test-fuzz test-browser test-bench bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# The demo runs without the administrators' second factor unless ZONEOPS_REQUIRE_ADMIN_TOTP=1.
demo: $(VENV)/.installed
	ZONEOPS_REQUIRE_ADMIN_TOTP=$${ZONEOPS_REQUIRE_ADMIN_TOTP:-0} \
	ZONEOPS_BIND=$${ZONEOPS_BIND:-127.0.0.1:$(PORT)} $(BIN)/zoneops demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# docs/openapi.yaml from the API (raise SPECTACULAR_SETTINGS["VERSION"] first when it changed).
openapi: $(VENV)/.dev-installed
	ZONEOPS_HTTPS=0 $(BIN)/python scripts/openapi

migrations-check: $(VENV)/.dev-installed
	ZONEOPS_HTTPS=0 $(BIN)/zoneops makemigrations --check --dry-run

test-sqlite: $(VENV)/.dev-installed
	tests/deploy/install-nginx
	$(BIN)/pytest -m "not browser and not office and not fuzz and not clients" $(PARALLEL) $(PYTEST_ARGS)

# The SQLite suite once more with the machine's clock in a year no holiday library covers, on a
# day of its Spring Festival: no test may depend on today's date (MOVED_CLOCK to try another).
MOVED_CLOCK ?= 2031-01-24 09:00
test-moved-clock: $(VENV)/.dev-installed
	scripts/install-faketime
	tests/deploy/install-nginx
	faketime '$(MOVED_CLOCK)' $(BIN)/pytest -m "not browser and not office and not fuzz and not clients" $(PARALLEL) $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev-installed
	tests/deploy/install-nginx
	scripts/with-postgres $(BIN)/pytest -m "not browser and not office and not fuzz and not clients" $(PARALLEL) $(PYTEST_ARGS)

# Reads on a PostgreSQL streaming replica (scripts/with-postgres --replica starts a primary and
# a hot standby fed by pg_basebackup): the pages that must read the replica, read-after-write.
test-replica: $(VENV)/.dev-installed
	scripts/with-postgres --replica $(BIN)/pytest -m replica $(PYTEST_ARGS)

# The schemathesis fuzz run over every API operation, once, on SQLite (bounded in time).
test-fuzz: $(VENV)/.dev-installed
	$(BIN)/pytest -m fuzz $(PYTEST_ARGS)

# Clients generated from /api/schema/ (openapi-python-client; openapi-generator's typescript-fetch
# compiled with tsc) each run a script against a live server; installs the generators itself.
test-clients: $(VENV)/.dev-installed
	tests/clients/install-generators
	$(BIN)/pytest -m clients -s $(PYTEST_ARGS)

test-browser: $(VENV)/.dev-installed
	scripts/install-browser
	scripts/install-office
	$(BIN)/pytest -m "browser or office" $(PYTEST_ARGS)

# Each heavy check once: SQLite with the clock moved, PostgreSQL on today's clock (test-sqlite is
# the SQLite suite on today's clock, for a quick local run).
test: lint migrations-check test-moved-clock test-fuzz test-clients test-postgres test-replica test-browser test-bench

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run

# Every bench at a tiny scale, so that a bench that no longer runs fails the build.
test-bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run --smoke

clean:
	rm -rf $(VENV) test-artifacts
