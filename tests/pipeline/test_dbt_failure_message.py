"""A dbt build that fails names its failing nodes and dbt's own words in the step's one-line
failure (what `beian run` prints), not only a pointer to run_results.json."""

from __future__ import annotations

import duckdb

from pipeline_harness import run_dbt, warehouse_copy

from orchestration.dbt import failed_nodes


def test_the_failing_nodes_are_named_with_dbts_message(corpus_run, tmp_path):
    warehouse = warehouse_copy(corpus_run, tmp_path)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("alter table raw.lists rename column series to series_gone")  # a load gone wrong
    finally:
        con.close()

    done = run_dbt(warehouse, tmp_path / "target", "build", "--select", "stg_lists", "dim_period")

    assert done.returncode == 1, done.stdout[-3000:]
    named = failed_nodes(tmp_path / "target" / "run_results.json")
    assert named and named[0].startswith("model.beian.")
    assert any("series" in line and "Binder Error" in line for line in named), named
    # dbt's file log keeps the error, not a line per statement (the project's log_level_file)
    log = (tmp_path / "target" / "dbt.log").read_text(encoding="utf-8")
    assert "Binder Error" in log and "[debug]" not in log, log[:2000]
    assert failed_nodes(tmp_path / "nowhere.json") == []  # no results: nothing to name, no error
