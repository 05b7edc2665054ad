"""A mart's post-hook checkpoints the build file only once DuckDB holds a quarter of its memory
limit (macros/checkpoint_committed_tables.sql): at the default limit the corpus needs none;
under a tight one the marts are written out as they go and the build still succeeds."""

from __future__ import annotations

import re

import pytest

from pipeline_harness import run_dbt, warehouse_copy

from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow  # two dbt runs of the marts

MARTS = len(list((DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")))  # tables: a check each


@pytest.mark.parametrize("limit", ["1GB", "128MB"])
def test_marts_are_checkpointed_only_when_memory_is_crowded(corpus_run, tmp_path, limit):
    target = tmp_path / "target"
    done = run_dbt(warehouse_copy(corpus_run, tmp_path), target, "run", "--select", "marts",
                   BEIAN_DUCKDB_MEMORY_LIMIT=limit, DBT_LOG_LEVEL_FILE="debug")
    assert done.returncode == 0, done.stdout[-3000:]
    log = (target / "dbt.log").read_text(encoding="utf-8")
    checks = log.count("from duckdb_memory()")
    checkpoints = len(re.findall(r"^\s*force checkpoint\s*$", log, flags=re.MULTILINE))
    assert checks == MARTS
    if limit == "1GB":  # the default: a few MB of marts crowd nothing
        assert checkpoints == 0
    else:
        assert 0 < checkpoints < checks
