"""dbt: the project (cached, its manifest prepared at build time), the translator,
the CLI arguments and the @dbt_assets."""


import importlib.metadata
import json
import re
import shutil
from collections.abc import Mapping
from contextlib import contextmanager
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from packaging import version
from dagster_dbt import (
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets,
)

from .automation.conditions import REBUILD_ON_CHANGE
from .dbt_parse import PARTIAL_PARSE, place_parse_state
from .resources import WRITER_POOL, WarehouseResource
from .settings import DBT_PROJECT_DIR
from .vocabulary import DBT_LAYERS, DBT_REFERENCE_LAYER, dbt_group

@cache
def dbt_project() -> DbtProject:
    """The project, its manifest prepared at build time (`make`, the test session) by `dbt
    parse`: never at import. (DbtProject.prepare_if_dev would look for `dbt` on PATH.)"""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.is_file():
        raise RuntimeError(f"{project.manifest_path} is missing: run `make` (it runs `dbt parse`) first")
    return project


class BeianDbtCliResource(DbtCliResource):
    """The dbt CLI without two costs dagster-dbt pays on every step, which this project does
    not need: `dbt --version` (the installed dbt-core's version is known) and loading dbt's
    adapter into this process (it serves fetch_row_counts; rows are counted after the build).
    Together about 4 s a run on two cores."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None


def model_layer(fqn: list[str]) -> str | None:
    """The folder layer of a dbt node from its fqn: ['beian', 'marts', 'fct_x'] -> 'marts'."""
    return fqn[1] if len(fqn) > 2 and fqn[1] in DBT_LAYERS else None


def test_description(node: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words, for the UI: its own description, else its kind and
    arguments (not_null on filing_number, relationships to dim_batch.list_id, ...)."""
    if node.get("description"):
        return node["description"]
    meta = node.get("test_metadata") or {}
    kind = meta.get("name") or node["name"]
    args = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    column = node.get("column_name")
    text = f"dbt test {kind}" + (f" on {column}" if column else "")
    if args:
        text += " (" + ", ".join(f"{k}: {str(v).replace(chr(10), ' ')[:120]}" for k, v in args.items()) + ")"
    return text


class BeianDbtTranslator(DagsterDbtTranslator):
    """Models keyed and grouped by layer (marts/fct_filings in group dbt_marts); seeds,
    the reviewed reference data, as reference/<name> in dbt_reference; both rebuilt when
    their inputs change (REBUILD_ON_CHANGE); every dbt test a check with a description."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None or node["resource_type"] not in ("model", "seed"):
            return spec
        layer = DBT_REFERENCE_LAYER if node["resource_type"] == "seed" else model_layer(node["fqn"])
        if layer is None:
            return spec
        return spec.replace_attributes(key=dg.AssetKey([layer, node["name"]]),
                                       group_name=dbt_group(layer), automation_condition=REBUILD_ON_CHANGE)

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any],
                             unique_id: str, project: DbtProject | None) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if spec is None or node is None:
            return spec
        return spec._replace(description=test_description(node))


def dbt_build_args(full_refresh: bool = False, select: str | None = None) -> list[str]:
    """Arguments of the one dbt command the pipeline runs. dbt's unit tests check the SQL, not
    the data: the test suite runs them (tests/pipeline/test_dbt_unit_tests.py), not every run."""
    args = ["build", "--exclude", "test_type:unit"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


TRANSLATOR = BeianDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
KEEP_RUN_FOLDERS = 3  # dbt's per-invocation folders kept under data/dbt (each is several MB)


def keep_partial_parse(run_target: Path, target_dir: Path) -> None:
    """dbt's parse state from this run, where the next run's dbt starts from (dagster-dbt
    copies it into each new run folder), so a run re-parses only what changed."""
    if (run_target / PARTIAL_PARSE).is_file():
        place_parse_state(run_target / PARTIAL_PARSE, target_dir)


def prune_run_folders(target_dir: Path, keep: int = KEEP_RUN_FOLDERS) -> list[Path]:
    """Remove all but the newest ``keep`` per-run dbt folders; returns those removed."""
    folders = sorted((p for p in target_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    removed = folders[:-keep] if keep else folders
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


# dbt's static page links its favicon by a webpack template never rendered in the release
# (`${require('./assets/favicons/favicon.ico')}`): browsers request that bogus path and log an
# error. An empty data: icon asks for nothing.
UNRENDERED_FAVICON = re.compile(r"""href=(["'])\$\{require\([^)]*favicon[^)]*\)\}\1""")


def offline_docs_page(html: str) -> str:
    """The static docs page with no request for a file that does not exist."""
    return UNRENDERED_FAVICON.sub('href="data:,"', html)


def relation_of(manifest: Mapping[str, Any], unique_id: str) -> str | None:
    """The table a model or seed is stored in. Views have none to count: counting one runs its
    whole query chain again (2 s of the dbt step over the staging and intermediate views)."""
    node = manifest["nodes"].get(unique_id)
    if node is None or node["resource_type"] not in ("model", "seed"):
        return None
    if node.get("config", {}).get("materialized") in ("view", "ephemeral"):
        return None
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def with_row_counts(events: list, manifest: Mapping[str, Any], con) -> list:
    """Each materialisation of a table with its row count (dagster/row_count)."""
    out = []
    for event in events:
        unique_id = getattr(event, "metadata", {}).get("unique_id")
        relation = relation_of(manifest, unique_id.value if hasattr(unique_id, "value") else unique_id) \
            if unique_id else None
        if relation and isinstance(event, (dg.Output, dg.AssetMaterialization)):
            try:
                rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
                event = event.with_metadata({**event.metadata, "dagster/row_count": int(rows)})
            except Exception:  # a relation dbt did not build (its step failed): no count
                pass
        out.append(event)
    return out


FAILED_STATUSES = ("error", "fail", "runtime error")  # run_results.json: a model errored, a test failed
MAX_NAMED_FAILURES = 3


def failed_nodes(run_results: Path, limit: int = MAX_NAMED_FAILURES) -> list[str]:
    """The nodes of a dbt invocation that failed, each with dbt's message on one line, the first
    ``limit`` of them (what a one-line failure can say): from run_results.json."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    failed = [r for r in results if r.get("status") in FAILED_STATUSES]
    # dbt's message is several lines ("Runtime Error in model …", then the database's words): one line
    named = [f"{r['unique_id']}: {' '.join((r.get('message') or r['status']).split())[:300]}"
             for r in failed[:limit]]
    return named + ([f"and {len(failed) - limit} more"] if len(failed) > limit else [])


def every_node(manifest: Mapping[str, Any]) -> set[str]:
    """What dbt's default selection (fqn:*) picks from a manifest: every node and unit test."""
    return set(manifest["nodes"]) | set(manifest.get("unit_tests", {}))


@contextmanager
def default_selection_from_manifest():
    """dagster-dbt resolves even its default selection with dbt's selection engine, whose
    import (dbt.graph, networkx) is a third of the code location's own load. The default one
    is read from the manifest instead while the assets are built (tests/unit/test_dbt_load.py
    pins that both give the same nodes)."""
    from dagster_dbt import asset_utils

    engine = asset_utils.select_unique_ids

    def select(select: str, exclude: str, selector: str, project, manifest_json):
        if select in ("", "fqn:*") and not exclude and not selector:
            return every_node(manifest_json)
        return engine(select, exclude, selector, project, manifest_json)

    asset_utils.select_unique_ids = select
    try:
        yield
    finally:
        asset_utils.select_unique_ids = engine


def build_dbt_assets() -> dg.AssetsDefinition:
    with default_selection_from_manifest():
        return _build_dbt_assets()


def _build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR,
                name="dbt_models", pool=WRITER_POOL)
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: WarehouseResource):
        # dbt writes the build file from its own process: hold the writer lock meanwhile, and
        # count rows only once dbt has let go of the file (DuckDB has one writer process).
        with duckdb.writer():
            invocation = dbt.cli(dbt_build_args(), context=context, raise_on_error=False)
            events = list(invocation.stream())
            target_dir = invocation.target_path.parent
            keep_partial_parse(invocation.target_path, target_dir)
            prune_run_folders(target_dir)
            with duckdb.get_connection() as con:
                events = with_row_counts(events, invocation.manifest, con)
        yield from events
        if not invocation.is_successful():
            results = invocation.target_path / "run_results.json"
            raise dg.Failure(description=f"dbt build failed: {'; '.join(failed_nodes(results)) or 'see its log'} "
                                         f"(every result in {results})")

    return dbt_models
