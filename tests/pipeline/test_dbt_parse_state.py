"""`make`'s `dbt parse` leaves a parse state that the data folder's first dbt run starts from:
that run parses nothing again; a data folder elsewhere (another profile path) parses all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from orchestration.dbt_parse import PARTIAL_PARSE, dbt_executable, parse_project, seed_parse_state
from orchestration.settings import DBT_PROJECT_DIR, load_settings

pytestmark = pytest.mark.slow  # three real `dbt parse`s


def first_run_parse(settings, run_folder: Path) -> str:
    """dbt as a run of ``settings`` starts it: dagster-dbt copies the data folder's parse
    state into the run's own target folder. Returns dbt's log, at debug level."""
    run_folder.mkdir(parents=True)
    state = settings.dbt_target_dir / PARTIAL_PARSE
    if state.is_file():
        (run_folder / PARTIAL_PARSE).write_bytes(state.read_bytes())
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(settings.build_warehouse_path),
           "BEIAN_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit, "DBT_TARGET_PATH": str(run_folder),
           "DBT_LOG_PATH": str(run_folder), "DBT_LOG_LEVEL_FILE": "debug"}  # the project's is warn
    subprocess.run([dbt_executable(), "parse", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR, env=env,
                   check=True, capture_output=True)
    return (run_folder / "dbt.log").read_text(encoding="utf-8")


def test_the_first_run_starts_from_the_build_time_parse(tmp_path):
    settings = load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data")})
    parse_project(settings, tmp_path / "target")
    assert seed_parse_state(settings, tmp_path / "target")
    assert not seed_parse_state(settings, tmp_path / "target")  # a run's own state is kept

    log = first_run_parse(settings, tmp_path / "data" / "dbt" / "run-1")
    assert "Unable to do partial parsing" not in log
    assert "no changes found" in log

    elsewhere = load_settings({"BEIAN_DATA_DIR": str(tmp_path / "elsewhere")})
    seed_parse_state(elsewhere, tmp_path / "target")
    log = first_run_parse(elsewhere, tmp_path / "elsewhere" / "dbt" / "run-1")
    assert "Unable to do partial parsing because profile has changed" in log
