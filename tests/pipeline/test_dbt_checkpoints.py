"""A mart's post-hook checkpoints the build file only once DuckDB holds a share of its memory
limit (macros/checkpoint_committed_tables.sql, var checkpoint_memory_fraction): at the default
share the corpus's few MB never reach it; at 0 every mart is written out; both builds succeed.
(The default at scale is `make bench`'s 1M-row run, at the 1 GB limit.)"""

from __future__ import annotations

import json
import re

import pytest

from pipeline_harness import run_dbt, warehouse_copy

from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow  # two dbt runs of the marts

MARTS = len(list((DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")))  # tables: a check each


@pytest.mark.parametrize("fraction, expected", [(None, 0), (0, MARTS)], ids=["default", "always"])
def test_marts_are_checkpointed_only_when_memory_is_crowded(corpus_run, tmp_path, fraction, expected):
    target = tmp_path / "target"
    share = ["--vars", json.dumps({"checkpoint_memory_fraction": fraction})] if fraction is not None else []
    done = run_dbt(warehouse_copy(corpus_run, tmp_path), target, "run", "--select", "marts", *share,
                   DBT_LOG_LEVEL_FILE="debug")
    assert done.returncode == 0, done.stdout[-3000:]
    log = (target / "dbt.log").read_text(encoding="utf-8")
    assert log.count("from duckdb_memory()") == MARTS
    assert len(re.findall(r"^\s*force checkpoint\s*$", log, flags=re.MULTILINE)) == expected
