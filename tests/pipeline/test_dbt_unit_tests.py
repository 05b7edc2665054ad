"""dbt's unit tests (the SQL of reconciliation, periods, findings keys, de-duplicated
registrations) against a copy of the corpus warehouse; runs leave them out (dbt_build_args)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def test_every_dbt_unit_test_passes(corpus_run, dbt_manifest, tmp_path):
    warehouse = tmp_path / "warehouse.build.duckdb"
    shutil.copyfile(corpus_run.settings.build_warehouse_path, warehouse)
    target = tmp_path / "target"
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target),
           "DBT_LOG_PATH": str(target)}
    done = subprocess.run([str(Path(sys.executable).parent / "dbt"), "test", "--profiles-dir", ".",
                           "--select", "test_type:unit"], cwd=DBT_PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    run_results = target / "run_results.json"
    assert run_results.is_file(), f"dbt test wrote no run_results.json: {done.stdout[-3000:]}"
    results = json.loads(run_results.read_text())["results"]
    not_passed = {result["unique_id"]: (result["status"], result["message"])
                  for result in results if result["status"] != "pass"}
    assert not_passed == {}, not_passed
    declared = set(json.loads(dbt_manifest.read_text())["unit_tests"])
    assert {result["unique_id"] for result in results} == declared, "dbt ran other unit tests than declared"
    assert done.returncode == 0, done.stdout[-3000:]
