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


def test_a_mart_whose_rows_break_its_contract_fails_and_keeps_its_last_rows(corpus_run, tmp_path):
    """Marts are replaced in place, in their own transaction (macros/table_in_place.sql): a
    mart that breaks its contract's constraint fails by name, and the build file keeps the
    table the last build left, with no half-built relation beside it."""
    warehouse = warehouse_copy(corpus_run, tmp_path)
    con = duckdb.connect(str(warehouse))
    try:
        before = con.execute("select count(*), sum(hash(list_id, series)) from marts.dim_batch").fetchone()
        con.execute("update raw.lists set series = null where attachment_url = (select min(attachment_url) from raw.lists)")
    finally:
        con.close()

    done = run_dbt(warehouse, tmp_path / "target", "run", "--select", "dim_batch", "dim_period",
                   DBT_LOG_LEVEL_FILE="debug")

    assert done.returncode == 1, done.stdout[-3000:]
    named = failed_nodes(tmp_path / "target" / "run_results.json")
    assert len(named) == 1 and named[0].startswith("model.beian.dim_batch: ") \
        and "NOT NULL constraint failed: dim_batch.series" in named[0], named
    log = (tmp_path / "target" / "dbt.log").read_text(encoding="utf-8")
    assert "create or replace table" in log and " rename to " not in log.lower()
    assert "Sending event" not in log  # no usage events to dbt Labs (dbt_project.yml's flags)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*), sum(hash(list_id, series)) from marts.dim_batch").fetchone() == before
        assert con.execute("select count(*) from duckdb_tables() where table_name like '%__dbt_%'").fetchone() == (0,)
    finally:
        con.close()
