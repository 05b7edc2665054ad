"""The asset graph, pinned: every key, its deps, group and checks. A lineage change shows
up here as a diff to review (update with `pytest --snapshot-update` after reviewing)."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import BeianDbtTranslator, dbt_build_args, model_layer, offline_docs_page
from orchestration.settings import load_settings


def condition_term(condition: dg.AutomationCondition) -> str:
    """One operand of a condition, by its label (or ~label when negated), else its name."""
    if condition.get_label():
        return condition.get_label()
    if type(condition).__name__ == "NotAutomationCondition":
        return "~" + condition_term(condition.operand)
    return condition.name


def asset_graph(defs: dg.Definitions) -> list[dict]:
    graph = defs.resolve_asset_graph()
    checks_by_asset: dict[str, list[str]] = {}
    for check_key in graph.asset_check_keys:
        checks_by_asset.setdefault(check_key.asset_key.to_user_string(), []).append(check_key.name)
    nodes = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        condition = node.automation_condition
        nodes.append({
            "key": key.to_user_string(),
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "checks": sorted(checks_by_asset.get(key.to_user_string(), [])),
            "partitions": getattr(node.partitions_def, "name", None) if node.partitions_def else None,
            "automation": condition.get_label() if condition else None,
            # the label alone hides a change of operands: eager() is labelled eager with or
            # without its wait for missing deps
            "automation_terms": [condition_term(c) for c in condition.children] if condition else None,
            "freshness": type(node.freshness_policy).__name__ if node.freshness_policy else None,
        })
    return nodes


def jobs_sensors_schedules(defs: dg.Definitions) -> dict:
    repo = defs.get_repository_def()
    return {
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "sensors": sorted((s.name, s.default_status.value) for s in repo.sensor_defs),
        "schedules": sorted((s.name, s.cron_schedule, s.default_status.value) for s in repo.schedule_defs),
    }


def test_asset_graph_is_pinned(snapshot, tmp_path):
    from orchestration.definitions import build_definitions

    defs = build_definitions(load_settings({"BEIAN_DATA_DIR": str(tmp_path)}))
    assert asset_graph(defs) == snapshot
    assert jobs_sensors_schedules(defs) == snapshot


def test_each_raw_table_depends_on_the_list_load_only(tmp_path):
    from orchestration.definitions import build_definitions

    graph = build_definitions(load_settings({"BEIAN_DATA_DIR": str(tmp_path)})).resolve_asset_graph()
    for table in ("deep_synthesis_filings", "algorithm_recommendation_filings", "genai_registrations",
                  "cancellations"):
        assert set(graph.get(dg.AssetKey(["raw", table])).parent_keys) == {dg.AssetKey("list_load")}


def test_lineage_runs_from_notice_pages_to_every_export(tmp_path):
    from orchestration.definitions import build_definitions

    graph = build_definitions(load_settings({"BEIAN_DATA_DIR": str(tmp_path)})).resolve_asset_graph()
    exports = [k for k in graph.get_all_asset_keys() if k.path[0] == "bi"] + [dg.AssetKey("published_warehouse")]
    assert len(exports) >= 4
    for export in exports:
        ancestors = graph.upstream_key_iterator(export)
        assert dg.AssetKey("notice_pages") in set(ancestors), export


def test_model_layer_from_fqn():
    assert model_layer(["beian", "marts", "fct_filings"]) == "marts"
    assert model_layer(["beian", "staging", "stg_lists"]) == "staging"
    assert model_layer(["beian", "known_reconciliation_findings"]) is None


def test_dbt_build_args():
    assert dbt_build_args() == ["build", "--exclude", "test_type:unit"]
    assert dbt_build_args(select="marts.fct_filings+") == ["build", "--exclude", "test_type:unit",
                                                           "--select", "marts.fct_filings+"]
    assert dbt_build_args(full_refresh=True) == ["build", "--exclude", "test_type:unit", "--full-refresh"]


def test_the_docs_page_asks_for_no_unrendered_favicon():
    import importlib.resources

    shipped = (importlib.resources.files("dbt.task.docs") / "index.html").read_text(encoding="utf-8")
    assert "${require('./assets/favicons/favicon.ico')}" in shipped  # the release's defect, still there
    page = offline_docs_page(shipped)
    assert "favicon.ico')}" not in page and '<link rel="shortcut icon" href="data:,"/>' in page
    assert len(shipped) - len(page) == len("${require('./assets/favicons/favicon.ico')}") - len("data:,")


def test_translator_keys_models_by_layer(dbt_manifest):
    import json

    manifest = json.loads(dbt_manifest.read_text())
    translator = BeianDbtTranslator()
    spec = translator.get_asset_spec(manifest, "model.beian.fct_registrations", None)
    assert spec.key == dg.AssetKey(["marts", "fct_registrations"])
    assert spec.group_name == "dbt_marts"
    seed = translator.get_asset_spec(manifest, "seed.beian.known_reconciliation_findings", None)
    assert (seed.key, seed.group_name) == (dg.AssetKey(["reference", "known_reconciliation_findings"]),
                                           "dbt_reference")
    source = translator.get_asset_spec(manifest, "source.beian.raw.genai_registrations", None)
    assert source.key == dg.AssetKey(["raw", "genai_registrations"])
