"""dbt's unit tests (the SQL of reconciliation, periods, findings keys, de-duplicated
registrations) against a copy of the corpus warehouse; runs leave them out (dbt_build_args)."""

from __future__ import annotations

import json

from pipeline_harness import run_dbt, warehouse_copy


def test_every_dbt_unit_test_passes(corpus_run, dbt_manifest, tmp_path):
    target = tmp_path / "target"
    done = run_dbt(warehouse_copy(corpus_run, tmp_path), target, "test", "--select", "test_type:unit")
    run_results = target / "run_results.json"
    assert run_results.is_file(), f"dbt test wrote no run_results.json: {done.stdout[-3000:]}"
    results = [result for result in json.loads(run_results.read_text())["results"]
               if result["unique_id"].startswith("unit_test.")]  # not the on-run-end hook
    not_passed = {result["unique_id"]: (result["status"], result["message"])
                  for result in results if result["status"] != "pass"}
    assert not_passed == {}, not_passed
    declared = set(json.loads(dbt_manifest.read_text())["unit_tests"])
    assert {result["unique_id"] for result in results} == declared, "dbt ran other unit tests than declared"
    assert done.returncode == 0, done.stdout[-3000:]
