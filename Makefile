# beian: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV)/bin)
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml
PORT ?= 3000

export DAGSTER_HOME ?= $(abspath $(or $(BEIAN_DATA_DIR),data)/dagster_home)

.PHONY: install run test dev bench status clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	@echo "installing pinned dependencies into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install --disable-pip-version-check -c constraints.txt -e '.[dev]' > $(VENV)/install.log 2>&1 \
		|| { tail -30 $(VENV)/install.log; exit 1; }
	touch $@

# The dbt manifest is prepared here, at build time, never when Dagster imports the code.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && BEIAN_BUILD_WAREHOUSE=parse-only.duckdb $(BIN)/dbt parse --profiles-dir . --quiet
	touch $@

# Run history persists here; no telemetry from a closed network.
$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\n' > $@

run: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/beian run

test: $(MANIFEST)
	$(BIN)/pytest -q

dev: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PORT)

status: $(INSTALLED)
	$(BIN)/beian status

bench: $(MANIFEST)
	$(BIN)/python -m orchestration.bench

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
