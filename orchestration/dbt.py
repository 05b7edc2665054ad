"""dbt: the project (cached, its manifest prepared at build time), the translator,
the CLI arguments and the @dbt_assets."""


from collections.abc import Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets,
)

from .settings import DBT_PROJECT_DIR

LAYERS = ("staging", "intermediate", "marts")


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()  # parses only under `dagster dev`; make/CI run `dbt parse` first
    return project


def model_layer(fqn: list[str]) -> str | None:
    """The folder layer of a dbt node from its fqn: ['beian', 'marts', 'fct_x'] -> 'marts'."""
    return fqn[1] if len(fqn) > 2 and fqn[1] in LAYERS else None


class BeianDbtTranslator(DagsterDbtTranslator):
    """Models keyed and grouped by layer (marts/fct_filings in group dbt_marts); seeds,
    the reviewed reference data, as reference/<name> in dbt_reference."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None or node["resource_type"] not in ("model", "seed"):
            return spec
        layer = "reference" if node["resource_type"] == "seed" else model_layer(node["fqn"])
        if layer is None:
            return spec
        return spec.replace_attributes(key=dg.AssetKey([layer, node["name"]]),
                                       group_name=f"dbt_{layer}")


def dbt_build_args(full_refresh: bool = False, select: str | None = None) -> list[str]:
    """Arguments of the one dbt command the pipeline runs."""
    args = ["build"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


TRANSLATOR = BeianDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR,
                name="dbt_models")
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        # No .fetch_row_counts(): it opens the DuckDB file through dbt's adapter inside this
        # process and keeps it open, which then locks out the export steps.
        yield from dbt.cli(dbt_build_args(), context=context).stream()

    return dbt_models


def mart_names(project: DbtProject | None = None) -> list[str]:
    """Every model under models/marts, read from the prepared manifest."""
    import json

    manifest = json.loads((project or dbt_project()).manifest_path.read_text())
    return sorted(node["name"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and model_layer(node["fqn"]) == "marts")
