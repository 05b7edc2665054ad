"""The dbt assets load without dbt's selection engine, and select the same nodes as with it."""

from __future__ import annotations

import json

from dagster_dbt.utils import select_unique_ids

from orchestration.dbt import every_node


def test_the_default_selection_read_from_the_manifest_is_dbts(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    assert every_node(manifest) == select_unique_ids("fqn:*", "", "", None, manifest)
