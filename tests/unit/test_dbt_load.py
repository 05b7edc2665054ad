"""The dbt assets load without dbt's selection engine, and select the same nodes as with it."""

from __future__ import annotations

import json

from dagster_dbt.utils import select_unique_ids

from orchestration.dbt import every_node, relation_of


def test_the_default_selection_read_from_the_manifest_is_dbts(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    assert every_node(manifest) == select_unique_ids("fqn:*", "", "", None, manifest)


def test_row_counts_are_taken_of_tables_and_seeds_never_of_views(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    assert relation_of(manifest, "model.beian.fct_filings") == '"marts"."fct_filings"'
    assert relation_of(manifest, "seed.beian.algorithm_types") == '"reference"."algorithm_types"'
    assert relation_of(manifest, "model.beian.stg_lists") is None  # a view: its count reruns its query
