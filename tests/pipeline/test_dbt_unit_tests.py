"""dbt's unit tests (the SQL of reconciliation, periods, findings keys, de-duplicated
registrations) against a copy of the corpus warehouse; runs leave them out (dbt_build_args)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def test_dbt_unit_tests_pass(corpus_run, tmp_path):
    warehouse = tmp_path / "warehouse.build.duckdb"
    shutil.copyfile(corpus_run.settings.build_warehouse_path, warehouse)
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(tmp_path / "target"),
           "DBT_LOG_PATH": str(tmp_path / "target")}
    done = subprocess.run([str(Path(sys.executable).parent / "dbt"), "test", "--profiles-dir", ".",
                           "--select", "test_type:unit"], cwd=DBT_PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "PASS=4" in done.stdout and "ERROR=0" in done.stdout
