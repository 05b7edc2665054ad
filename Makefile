# beian: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV)/bin)
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml
PORT ?= 3000

# Python keeps the compiled modules of .venv and of this tree (__pycache__), as it does by
# default: with PYTHONDONTWRITEBYTECODE set (as in some images), every process, each dbt run
# included, compiled dagster, dbt and pandas anew (dbt start 2.2 -> 4.1 s, these imports
# 3.6 -> 6.7 s). Compiling everything at install instead (uv --compile-bytecode) costs 10 s.
unexport PYTHONDONTWRITEBYTECODE

# Run history persists under the data folder (as the `beian` command keeps it).
export DAGSTER_HOME ?= $(abspath $(or $(BEIAN_DATA_DIR),data)/dagster_home)

.PHONY: install run update test test-fast test-deps dev serve bench status clean

install: $(INSTALLED)

# uv installs the locked graph (uv.lock) in seconds; it is bootstrapped with pip when absent.
UV := $(shell command -v uv 2>/dev/null)
$(INSTALLED): pyproject.toml uv.lock
	@if [ -z "$(UV)" ] && [ ! -x .cache/uv/bin/uv ]; then \
		echo "bootstrapping uv with pip"; \
		$(PYTHON) -m venv .cache/uv && .cache/uv/bin/pip install -q --disable-pip-version-check uv; fi
	$(or $(UV),.cache/uv/bin/uv) sync --locked --extra dev --python $(PYTHON) --quiet
	touch $@

# The dbt manifest is prepared here, at build time, never when Dagster imports the code; its
# parse state seeds the data folder's, so the first run's dbt parses only what changed.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/python -m orchestration.dbt_parse
	touch $@

run: $(MANIFEST)
	$(BIN)/beian run

update: $(MANIFEST)
	$(BIN)/beian update

# Chromium and CJK fonts first: installed when root, else the one command to run, at once.
test-deps:
	@.ci/test-deps

# Everything, in random order (the seed is printed), with the slowest tests listed; one
# worker per core (pytest-xdist), sharing the session's pipeline runs (tests/shared_runs.py).
WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(WORKERS) --dist loadscope
test: test-deps $(MANIFEST)
	$(PYTEST)

# The inner loop: every test but the `slow` ones (pipeline runs, browsers, dagster dev).
test-fast: $(MANIFEST)
	$(PYTEST) -m "not slow"

# The UI with the sensors, the schedule and declarative automation running (the daemon).
dev: $(MANIFEST)
	$(BIN)/python -c "from orchestration.runs import ensure_dagster_home; from orchestration.settings import load_settings; ensure_dagster_home(load_settings())"
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PORT)

# Datasette over data/datasette/beian.db, on 127.0.0.1:8001 unless PORT=… is given.
serve: $(INSTALLED)
	$(BIN)/beian serve $(if $(filter-out file,$(origin PORT)),--port $(PORT))

status: $(INSTALLED)
	$(BIN)/beian status

bench: $(MANIFEST)
	$(BIN)/python -m orchestration.bench

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
