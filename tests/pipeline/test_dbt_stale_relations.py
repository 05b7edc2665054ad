"""A dbt run drops the relations no model builds any more (the on-run-end hook
drop_relations_gone_from_the_project), so a renamed mart does not live on in an old warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline_harness import run_dbt, warehouse_copy


def relations(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
    finally:
        con.close()


def test_a_run_drops_what_no_model_builds_any_more(corpus_run, tmp_path):
    """A mart renamed or removed must not live on in a warehouse built before it (nor in the
    exports made from it); what the load writes (raw) stays, whatever dbt knows of it."""
    warehouse = warehouse_copy(corpus_run, tmp_path)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("""create table marts.reconciliation as select 1 as old;
                       create view intermediate.int_renamed_away as select 1 as old;
                       create table raw.loaded_by_python as select 1 as kept""")
    finally:
        con.close()
    before = relations(warehouse)

    done = run_dbt(warehouse, tmp_path / "target", "run", "--select", "dim_period")
    assert done.returncode == 0, done.stdout[-3000:]
    assert before - relations(warehouse) == {"marts.reconciliation", "intermediate.int_renamed_away"}
